from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from audit import signing


class AuditConfig(AppConfig):
    """The append-only audit log: events, the Merkle tree sealing them under signed heads, proofs,
    the action registry, the check of the whole log, and the admin's audit of every write."""

    name = "audit"
    verbose_name = _("Audit trail")

    def ready(self):
        # models and services are importable only once the app registry is ready
        from audit.admin import audit_every_admin
        from audit.services import register_audit_actions

        register_audit_actions()
        audit_every_admin()  # the admin's autodiscovery (an app listed before this one) is done
        _refuse_to_start_without_a_key()


def _refuse_to_start_without_a_key():
    """In production a process that could not sign the log's heads does not start (one line says why)."""
    if settings.AUDIT_REQUIRE_SIGNING_KEY:
        signing.private_key()  # raises ImproperlyConfigured naming the problem

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    """The append-only audit trail: events chained by hash, the action registry, the chain check."""

    name = "audit"
    verbose_name = _("Audit trail")

    def ready(self):
        # models and services are importable only once the app registry is ready
        from audit.admin import audit_every_admin
        from audit.services import register_audit_actions

        register_audit_actions()
        audit_every_admin()  # the admin's autodiscovery (an app listed before this one) is done

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ApprovalsConfig(AppConfig):
    """Users and roles, decisions, council votes, inboxes, delegation and the audit trail."""

    name = "approvals"
    verbose_name = _("Approvals and audit")

    def ready(self):
        from approvals import services, throttling  # noqa: F401 - throttling connects its signal

        post_migrate.connect(_ensure_roles, sender=self)
        services.register_core_audit_actions()


def _ensure_roles(sender, using="default", **kwargs):
    from approvals.services import legal_defaults_ensure, role_groups_ensure

    role_groups_ensure(using=using)
    legal_defaults_ensure(using=using)

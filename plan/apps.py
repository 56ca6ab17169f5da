from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlanConfig(AppConfig):
    """The plan, its issued versions, and amendments as changesets."""

    name = "plan"
    verbose_name = _("Plan")

    def ready(self):
        from plan.services import register_audit_actions

        register_audit_actions()

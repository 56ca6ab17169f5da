from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowsConfig(AppConfig):
    """The viewflow processes of amendments and revisions."""

    name = "workflows"
    verbose_name = _("Workflows")

    def ready(self):
        from workflows.services import register_audit_actions

        register_audit_actions()

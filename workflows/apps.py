from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowsConfig(AppConfig):
    """The viewflow processes of amendments and revisions, and the services that advance them."""

    name = "workflows"
    verbose_name = _("Workflows")

    def ready(self):
        # flows and services are importable only once the app registry is ready
        from approvals.steps import flows_register
        from workflows.flows import ActualsFlow, AmendmentFlow, CallFlow, RevisionFlow
        from workflows.services import register_audit_actions

        register_audit_actions()
        flows_register(AmendmentFlow, RevisionFlow, ActualsFlow, CallFlow)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowsConfig(AppConfig):
    """The viewflow processes of amendments and revisions."""

    name = "workflows"
    verbose_name = _("Workflows")

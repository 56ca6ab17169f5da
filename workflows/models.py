"""Process models of the viewflow flows: an amendment's process carries its amendment as artifact."""

from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Process


class AmendmentProcess(Process):
    """The process of one amendment, from drafting to the integration working group's decision."""

    class Meta:
        proxy = True
        verbose_name = _("amendment process")
        verbose_name_plural = _("amendment processes")

    @property
    def amendment(self):
        return self.artifact

    @property
    def outcome(self) -> str:
        """The outcome of the last decision, which the flow's gateways read."""
        return (self.data or {}).get("outcome", "")

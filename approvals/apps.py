from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApprovalsConfig(AppConfig):
    """Decisions, the councils' votes and reviews, who may act on a step (duties, inboxes, queues),
    each open task's deadline and reminders, and the auditor's pages."""

    name = "approvals"
    verbose_name = _("Approvals")

"""Decisions, votes and reviews in the admin: the record of who decided what, read only."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from approvals.models import ConformityReview, CouncilVote, Decision
from core.admin import ReadOnlyAdmin
from rules.steps import step_title


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    """Decisions are the record of who decided what: taken through the workflow, never edited."""

    list_display = ("decided_at", "step", "outcome", "decided_by", "on_behalf_of", "amendment", "revision")
    list_filter = ("step", "outcome")
    exclude = ("task",)  # viewflow's own name for a task is not for people: shown as its step
    readonly_fields = ("task_step",)

    @admin.display(description=_("task"))
    def task_step(self, decision):
        task = decision.task
        if task is None:
            return ""
        return f"{step_title(task.flow_task.name) if task.flow_task else ''} #{task.pk}"


@admin.register(CouncilVote)
class CouncilVoteAdmin(ReadOnlyAdmin):
    list_display = ("resolution_number", "session_date", "revision", "present", "votes_for", "passed")


@admin.register(ConformityReview)
class ConformityReviewAdmin(ReadOnlyAdmin):
    list_display = ("revision", "notified_on", "window_ends_at", "outcome")

"""Decisions, votes and reviews in the admin: the record of who decided what, read only."""

from django.contrib import admin

from approvals.models import ConformityReview, CouncilVote, Decision
from core.admin import ReadOnlyAdmin


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    """Decisions are the record of who decided what: taken through the workflow, never edited."""

    list_display = ("decided_at", "step", "outcome", "decided_by", "on_behalf_of", "amendment", "revision")
    list_filter = ("step", "outcome")


@admin.register(CouncilVote)
class CouncilVoteAdmin(ReadOnlyAdmin):
    list_display = ("resolution_number", "session_date", "revision", "present", "votes_for", "passed")


@admin.register(ConformityReview)
class ConformityReviewAdmin(ReadOnlyAdmin):
    list_display = ("revision", "notified_on", "window_ends_at", "outcome")

"""Reads of the approvals app, by subject: `tasks` (who may act, inboxes, queues, the archive, who
is told), `visibility` (what a person may know exists), `audit_trail` (the auditor's reads).

The names other apps and the views use are importable from here."""

from approvals.selectors.audit_trail import (
    AUDIT_PAGE_SIZE,
    AuditPage,
    AuditQuery,
    TimelineEntry,
    amendment_timeline,
    audit_events,
    audit_events_page,
    item_audit_history,
    revision_timeline,
    signed_text_drift,
)
from approvals.selectors.discussion import Thread, amendment_discussion, unresolved_threads
from approvals.selectors.tasks import (
    TaskPage,
    TaskRow,
    Workload,
    archive,
    inbox,
    inbox_page,
    may_act_on,
    overdue_page,
    queue,
    queue_page,
    task_candidates,
    workload,
)
from approvals.selectors.visibility import (
    COUNCIL_PERMISSIONS,
    actual_reports_visible_to,
    amendments_visible_to,
    committee_amendments,
    committees_in_view,
    lunar_year_to_confirm,
    reporting_committees,
    revisions_visible_to,
)

__all__ = [
    "AUDIT_PAGE_SIZE",
    "COUNCIL_PERMISSIONS",
    "AuditPage",
    "AuditQuery",
    "TaskPage",
    "TaskRow",
    "Thread",
    "TimelineEntry",
    "Workload",
    "actual_reports_visible_to",
    "committees_in_view",
    "reporting_committees",
    "amendment_discussion",
    "amendment_timeline",
    "amendments_visible_to",
    "archive",
    "audit_events",
    "audit_events_page",
    "committee_amendments",
    "inbox",
    "inbox_page",
    "item_audit_history",
    "lunar_year_to_confirm",
    "may_act_on",
    "overdue_page",
    "queue",
    "queue_page",
    "revision_timeline",
    "revisions_visible_to",
    "signed_text_drift",
    "task_candidates",
    "unresolved_threads",
    "workload",
]

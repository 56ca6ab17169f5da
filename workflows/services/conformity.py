"""The governorate's conformity review: the window opened by notifying the resolution, an objection
or a confirmation, and confirmation by silence when the window closes."""

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from approvals.models import ConformityReview, Decision
from audit.services import audit_record
from core.jalali import format_jalali
from notifications.services import notify
from people.models import User
from plan import diff as plan_diff
from plan.models import Revision
from plan.selectors import version_in_force
from plan.selectors.attachments import files_shown
from rules.selectors import legal_rule, working_calendar
from workflows.services.steps import DecisionRefused, _set_status
from workflows.services.text import _revision_entries

logger = logging.getLogger(__name__)


def _notify_governorate(*, revision, vote, details):
    """The resolution is notified to the board: the objection window opens on the notification date."""
    city = revision.plan.municipality_id
    rule = legal_rule("conformity-objection", city)
    notified_on = details.get("notified_on") or timezone.localdate()
    if notified_on > timezone.localdate() or notified_on < vote.session_date:
        raise DecisionRefused(
            _("the notification date must fall between the session (%(session)s) and today")
            % {"session": format_jalali(vote.session_date)}
        )
    last_day = working_calendar(city).statutory_deadline(notified_on, rule.days)
    window_ends_at = timezone.make_aware(dt.datetime.combine(last_day, dt.time(23, 59, 59)))
    ConformityReview.objects.create(
        revision=revision, vote=vote, rule=rule, notified_on=notified_on, window_ends_at=window_ends_at
    )
    _set_status(revision, Revision.Status.GOVERNORATE)


def _governorate(*, revision, outcome, reason, user, details, acting_for=None):
    review = ConformityReview.objects.select_for_update().filter(revision=revision).latest("id")
    now = timezone.now()
    if now > review.window_ends_at:
        raise DecisionRefused(
            _("the objection window closed on %(day)s") % {"day": format_jalali(review.window_ends_at)}
        )
    if outcome == "object":
        ground = (details.get("legal_ground") or "").strip()
        if not ground:
            raise DecisionRefused(_("an objection names its legal ground"))
        review.outcome, review.legal_ground = ConformityReview.Outcome.OBJECTED, ground
        _set_status(revision, Revision.Status.RECONSIDERATION)
    else:
        review.outcome = ConformityReview.Outcome.CONFIRMED
        _set_status(revision, Revision.Status.CONFIRMED)
    review.decided_at = now
    review.save(update_fields=["outcome", "legal_ground", "decided_at"])


@transaction.atomic
def revision_confirm_by_silence(*, process) -> None:
    """The objection window closed with no objection: the resolution is confirmed by the system,
    under the named legal rule. Called by the flow when its timer fires (Celery beat)."""
    revision = Revision.objects.select_for_update(no_key=True).get(pk=process.artifact_object_id)
    review = ConformityReview.objects.select_for_update().filter(revision=revision).latest("id")
    if review.outcome != ConformityReview.Outcome.PENDING:
        return
    review.outcome = ConformityReview.Outcome.CONFIRMED_BY_SILENCE
    review.decided_at = timezone.now()
    review.save(update_fields=["outcome", "decided_at"])
    _set_status(revision, Revision.Status.CONFIRMED)
    rule = review.rule
    why = f"{rule.name_fa}: {rule.law}, {rule.article} ({rule.days})"
    entries = _revision_entries(revision, lenient=True)  # the law confirms whatever the text; issuance checks it
    decision = Decision.objects.create(
        revision=revision,
        step="governorate",
        outcome=Decision.Outcome.CONFIRM_BY_SILENCE,
        reason=why,
        round=revision.rounds,
        against_version=version_in_force(revision.plan),
        decided_by=None,
        diff_fingerprint=plan_diff.fingerprint(entries, files := files_shown(revision)),
        diff=entries,
        files=files,
    )
    process.data = {**(process.data or {}), "outcome": "confirm"}
    process.save(update_fields=["data"])
    notify(
        recipients=User.objects.filter(decisions__revision=revision).distinct(),
        event="revision.confirmed_by_silence",
        obj=revision,
        context={"subject": revision.title},
    )
    audit_record(
        action="plan.revision.confirm_by_silence",
        actor=None,
        obj=revision,
        data={
            "decision": decision.pk,
            "fingerprint": decision.diff_fingerprint,
            "reason": why,
            "rule": rule.code,
            "law": rule.law,
            "article": rule.article,
            "days": rule.days,
            "notified_on": str(review.notified_on),
            "window_ends_at": review.window_ends_at.isoformat(),
        },
    )


def failed_system_steps_retry() -> list[int]:
    """A step the system takes itself (the confirmation by silence) that failed (a lock waited on too
    long, a deadlock) is kept by viewflow as an ERROR task, and its process then waits with no open
    task at all: the revision could never move again. Each is taken again (viewflow's revive), under
    its process's lock, every minute with the timers, until it goes through. Returns those revived."""
    revived = []
    failed = Task.objects.filter(flow_task_type="FUNCTION", status=STATUS.ERROR).order_by("pk")
    for pk in failed.values_list("pk", flat=True):
        try:
            with transaction.atomic():
                task = Task.objects.select_related("process").get(pk=pk)
                with task.flow_task.flow_class.lock(task.process_id):
                    task.refresh_from_db()
                    if task.status != STATUS.ERROR:
                        continue
                    task.flow_task.activation_class(task).revive()
                    audit_record(
                        action="workflows.step.retry",
                        actor=None,
                        obj=task.process.artifact,
                        data={"task": task.pk, "step": task.flow_task.name, "error": _failure(task)},
                    )
                    revived.append(task.pk)
        except Exception:  # it fails again: kept as it was, and tried again next minute
            logger.exception("the failed step %s could not be taken again", pk)
    return revived


def _failure(task) -> str:
    return str(((task.data or {}).get("_exception") or {}).get("title", ""))[:500]

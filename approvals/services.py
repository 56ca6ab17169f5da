"""Every write of the approvals app: an open task's deadline (the due date it gets, who is told it
waits), and the reminders and escalations the sweep sends (each exactly once)."""

import datetime as dt
import functools

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.utils import timezone
from guardian.shortcuts import get_users_with_perms

from approvals.duties import duty_excluded
from approvals.models import ConformityReview, Deadline, Reminder
from approvals.selectors import task_candidates
from notifications.services import notification_rows, notifications_save, notify
from people.models import User
from people.roles import Role
from people.selectors import subject_city, working_in
from plan.models import CallAnswer
from rules.selectors import (
    cities_with_holidays,
    legal_rule,
    remind_days_at_most,
    service_levels,
    working_calendar,
)


def task_due_on(*, task, stage: str, city: int | None = None):
    """(due date, statutory?) of a new task: legal windows in calendar days, other steps in working
    days, by the rules and the holidays of the subject's city."""
    today = timezone.localdate()
    if stage == "governorate":
        review = ConformityReview.objects.filter(revision_id=task.process.artifact_object_id).latest("id")
        return timezone.localdate(review.window_ends_at), True
    if stage == "answer_call":  # the planning office set the date when it opened the call
        return CallAnswer.objects.select_related("call").get(pk=task.process.artifact_object_id).call.deadline, False
    if stage == "reconsideration":
        rule = legal_rule("council-reconsideration", city)
        return working_calendar(city).statutory_deadline(today, rule.days), True
    level = service_levels(city).get(stage)
    if level is None:
        return None, False
    return working_calendar(city).add_working_days(today, level.working_days), False


def task_opened(*, task, subject) -> Deadline | None:
    """A human task was created: give it its due date and tell those who may act on it."""
    stage = task.flow_task.name
    city = subject_city(subject)
    due_on, statutory = task_due_on(task=task, stage=stage, city=city)
    deadline = None
    if due_on is not None:
        deadline = Deadline.objects.create(
            task=task, stage=stage, due_on=due_on, statutory=statutory, municipality_id=city
        )
    notify(
        recipients=task_candidates(task),
        event="task.waiting",
        obj=subject,
        context={"subject": str(subject), "step": stage, "due": due_on.isoformat() if due_on else ""},
    )
    return deadline


def _supervisors(task) -> list:
    """Who hears of a step left overdue: a draft's committee chairs, else the planning office."""

    subject = task.process.artifact
    if task.flow_task.name == "draft" and getattr(subject, "committee", None) is not None:
        return list(get_users_with_perms(subject.committee, only_with_perms_in=["sign_off_amendment"]))
    office = list(User.objects.filter(groups__name=Role.PLANNING_OFFICE, is_active=True))
    working = working_in(office, subject_city(subject), by_role=True)
    return [person for person in office if person.pk in working]  # the subject's city's office


def reminders_sweep(*, today: dt.date | None = None) -> dict:
    """Remind before the due date, on it, and every working day after; escalate once after the
    delay. Reads only deadlines due within the look-ahead (indexed), so its cost follows the
    number of tasks that are due, not the number of tasks. Each reminder is recorded with a
    unique key in the same transaction as its notifications: never twice, never lost."""
    today = today or timezone.localdate()
    lookahead = remind_days_at_most()
    # as far as the look-ahead reaches in any city's calendar (a city's own holidays push it on)
    horizon = max(working_calendar(c).add_working_days(today, lookahead) for c in [None, *cities_with_holidays()])
    counts = dict.fromkeys(Reminder.Kind.values, 0)
    due = (
        Deadline.objects.filter(due_on__lte=horizon, task__status__in=["NEW", "ASSIGNED"])
        .select_related("task", "task__process", "task__owner")
        .order_by("due_on")
    )
    due = list(due)
    # reminders already sent today are skipped without touching the database again
    already = set(Reminder.objects.filter(deadline__in=due, on_date=today).values_list("deadline_id", "kind"))
    wanted = []
    for deadline in due:
        calendar = working_calendar(deadline.municipality_id)  # the city's holidays and service levels
        level = service_levels(deadline.municipality_id).get(deadline.stage)
        before = level.remind_days_before if level else 2
        escalate_after = level.escalate_days_after if level else 3
        kinds = []
        if deadline.due_on > today:
            if calendar.working_days_between(today, deadline.due_on) == before:
                kinds.append(Reminder.Kind.BEFORE)
        elif deadline.due_on == today:
            kinds.append(Reminder.Kind.DUE)
        elif calendar.is_working_day(today):
            kinds.append(Reminder.Kind.OVERDUE)
            if calendar.working_days_between(deadline.due_on, today) == escalate_after:
                kinds.append(Reminder.Kind.ESCALATION)
        wanted.extend((deadline, kind) for kind in kinds if (deadline.pk, kind) not in already)
    people = _RecipientCache(functools.partial(task_candidates, separate_duties=False))
    batch = max(1, settings.REMINDER_BATCH_SIZE)
    for start in range(0, len(wanted), batch):
        for kind in _remind_batch(wanted[start : start + batch], today=today, people=people):
            counts[kind] += 1
    return counts


REMINDER_EVENTS = {
    Reminder.Kind.BEFORE: "task.reminder",
    Reminder.Kind.DUE: "task.due_today",
    Reminder.Kind.OVERDUE: "task.overdue",
    Reminder.Kind.ESCALATION: "task.escalated",
}


class _RecipientCache:
    """Who is told of a task, looked up once per owner, or per permission and object, in a sweep:
    a thousand due tasks of one committee's sign-off cost one permission query, not a thousand.
    The separation of duties is each subject's own: applied to the shared list task by task (it
    was cached with the first task's, so a drafter heard of their own amendment's step, or a
    colleague missed another's)."""

    def __init__(self, candidates):
        self.candidates = candidates
        self.found: dict = {}

    def of(self, task, kind) -> list:
        city = getattr(getattr(task, "deadline", None), "municipality_id", None)  # the task's city's people
        if kind == Reminder.Kind.ESCALATION:
            draft = task.flow_task.name == "draft"
            key = ("supervisors", draft, getattr(task.process.artifact, "committee_id", None), city)
            compute = _supervisors
        elif task.owner_id:
            return [task.owner]
        else:
            key = (
                "candidates",
                task.owner_permission,
                task.owner_permission_content_type_id,
                task.owner_permission_obj_pk,
                city,
            )
            compute = self.candidates
        if key not in self.found:
            self.found[key] = compute(task)
        found = self.found[key]
        if compute is _supervisors:
            return found
        excluded = duty_excluded(task.flow_task.name, task.process.artifact, found)
        return [person for person in found if person.pk not in excluded]


def _attach_artifacts(deadlines) -> None:
    """Load the amendments and revisions of many tasks with one query per kind (not one per task)."""
    wanted: dict[int, set] = {}
    for deadline in deadlines:
        process = deadline.task.process
        wanted.setdefault(process.artifact_content_type_id, set()).add(process.artifact_object_id)
    loaded = {}
    for type_id, ids in wanted.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        for pk, obj in model.objects.in_bulk(list(ids)).items():
            loaded[(type_id, pk)] = obj
    for deadline in deadlines:
        process = deadline.task.process
        artifact = loaded.get((process.artifact_content_type_id, process.artifact_object_id))
        if artifact is not None:
            process.artifact = artifact  # the generic relation's cache: no query when read


def _remind_batch(items, *, today: dt.date, people: _RecipientCache) -> list[str]:
    """Record a batch of reminders and their notifications in one transaction (REMINDER_BATCH_SIZE):
    a killed worker loses at most the batch it was writing, which the next sweep redoes. Returns
    the kinds sent.
    If another sweep recorded one of them meanwhile (the unique key), the batch is rolled back
    and redone one by one, so each reminder is still sent exactly once."""
    try:
        with transaction.atomic():
            Reminder.objects.bulk_create([Reminder(deadline=d, kind=kind, on_date=today) for d, kind in items])
            _attach_artifacts([d for d, _kind in items])
            rows = []
            for deadline, kind in items:
                task = deadline.task
                subject = task.process.artifact
                rows += notification_rows(
                    recipients=people.of(task, kind),
                    event=REMINDER_EVENTS[kind],
                    obj=subject,
                    context={"subject": str(subject), "step": deadline.stage, "due": deadline.due_on.isoformat()},
                )
            notifications_save(rows)
            return [kind for _deadline, kind in items]
    except IntegrityError:
        return [kind for deadline, kind in items if _remind(deadline=deadline, kind=kind, today=today, people=people)]


def _remind(*, deadline: Deadline, kind: str, today: dt.date, people: _RecipientCache) -> bool:
    try:
        with transaction.atomic():
            Reminder.objects.create(deadline=deadline, kind=kind, on_date=today)
            task = deadline.task
            subject = task.process.artifact
            notify(
                recipients=people.of(task, kind),
                event=REMINDER_EVENTS[kind],
                obj=subject,
                context={"subject": str(subject), "step": deadline.stage, "due": deadline.due_on.isoformat()},
            )
            return True
    except IntegrityError:
        return False  # this reminder was already sent today

"""Reads of the notifications app."""

from config.snapshots import snapshot
from notifications.calendar import WorkingCalendar
from notifications.models import CalendarSettings, Holiday, Notification, ServiceLevel


@snapshot(CalendarSettings, Holiday)
def working_calendar() -> WorkingCalendar:
    """The calendar as administrators keep it (the settings row, or the defaults, and every holiday)."""
    settings = CalendarSettings.objects.first() or CalendarSettings()
    return WorkingCalendar(
        working_weekdays=frozenset(settings.working_weekdays),
        holidays=frozenset(Holiday.objects.values_list("date", flat=True)),
        extend_window_on_holiday=settings.extend_window_on_holiday,
    )


@snapshot(ServiceLevel)
def service_levels() -> dict[str, ServiceLevel]:
    """Each step's service level (working days to take, when to remind and escalate), by stage."""
    return {level.stage: level for level in ServiceLevel.objects.all()}


def task_candidates(task) -> list:
    """Who may act on a task: its owner, else everyone its permission admits (by role or on its object)."""
    from django.db.models import Q
    from guardian.shortcuts import get_users_with_perms

    from approvals.models import User

    if task.owner_id:
        return [task.owner]
    if not task.owner_permission:
        return []
    app_label, codename = task.owner_permission.split(".", 1)
    by_role = Q(groups__permissions__codename=codename, groups__permissions__content_type__app_label=app_label)
    by_user = Q(user_permissions__codename=codename, user_permissions__content_type__app_label=app_label)
    people = list(User.objects.filter(by_role | by_user, is_active=True).distinct())
    target = task.owner_permission_obj
    if target is not None:
        people += [
            person
            for person in get_users_with_perms(target, only_with_perms_in=[codename], with_group_users=True)
            if person.is_active
        ]
    from workflows.duties import duty_conflict  # the separation of duties: no one is told of their own work

    subject = task.process.artifact
    return [p for p in people if duty_conflict(task.flow_task.name, subject, [p]) is None]


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notifications_for(user, *, limit: int = 50):
    return list(Notification.objects.filter(recipient=user).order_by("-created_at")[:limit])

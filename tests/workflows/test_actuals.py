"""The year's actuals: entered by a committee member, confirmed by a chair (never the one who entered
them), corrected only by a new entry that keeps the old, and every bad line refused with nothing
written; through the services and through the pages."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from audit.models import AuditEvent
from notifications.models import Notification
from plan.models import Actual, ActualReport
from plan.selectors import version_in_force, version_state
from plan.selectors.actuals import confirmed_figures, plan_rollup
from plan.services.actuals import ActualsInvalid
from workflows.selectors import open_task
from workflows.services import DecisionRefused, actuals_decide, actuals_enter

pytestmark = pytest.mark.django_db


def enter(people, committee, entries, *, year=1404, who="waste-member"):
    return actuals_enter(committee=committee, year=year, entries=entries, acting_user=people[who])


def test_entered_confirmed_then_corrected_keeps_the_old_figure(plan, people, waste):
    state = version_state(version_in_force(plan))
    target = state["IND3.1.1"]["targets.1404"]
    report = enter(people, waste, [{"code": "IND3.1.1", "value": "۴۲٫۵", "source": "سامانه پسماند"}])
    entry = report.entries.get()
    assert (float(entry.value), entry.year, entry.current, entry.supersedes) == (42.5, 1404, False, None)
    assert report.status == ActualReport.Status.PENDING
    assert AuditEvent.objects.filter(action="plan.actuals.enter", object_id=str(report.pk)).exists()
    assert confirmed_figures(plan, 1404) == {}  # nothing counts before the chair confirms
    task = open_task(report)
    assert task.flow_task.name == "confirm_actuals"
    # the chair is told a task waits
    assert Notification.objects.filter(event="task.waiting", recipient=people["waste-chair"]).exists()

    with pytest.raises(PermissionDenied):  # not a chair of this committee
        actuals_decide(task=task, acting_user=people["parks-chair"], outcome="approve")
    actuals_decide(task=task, acting_user=people["waste-chair"], outcome="approve")
    report.refresh_from_db()
    assert report.status == ActualReport.Status.CONFIRMED and report.decided_by == people["waste-chair"]
    assert confirmed_figures(plan, 1404)["IND3.1.1"].value == 42.5
    assert Notification.objects.filter(event="actuals.confirmed", recipient=people["waste-member"]).exists()
    with pytest.raises(DecisionRefused):
        actuals_decide(task=task, acting_user=people["waste-chair"], outcome="approve")

    correction = enter(people, waste, [{"code": "IND3.1.1", "value": "47", "source": "گزارش نهایی"}])
    fixed = correction.entries.get()
    assert fixed.supersedes_id == entry.pk
    actuals_decide(task=open_task(correction), acting_user=people["waste-chair"], outcome="approve")
    entry.refresh_from_db()
    fixed.refresh_from_db()
    assert (entry.current, fixed.current, float(entry.value)) == (False, True, 42.5)  # the old is kept
    assert Actual.objects.filter(plan=plan, code="IND3.1.1", year=1404).count() == 2
    assert confirmed_figures(plan, 1404)["IND3.1.1"].value == 47
    rolled = plan_rollup(plan, 1404)
    assert rolled.items["IND3.1.1"].actual == 47 and rolled.items["IND3.1.1"].target == target
    event = AuditEvent.objects.filter(action="plan.actuals.confirm").latest("pk")
    assert event.data["replaced"] == [entry.pk]


def test_the_person_who_entered_does_not_confirm_and_a_return_needs_a_reason(plan, people, waste):
    """The member stands in for the chair today (a delegation), yet may not confirm their own figures."""
    import datetime as dt

    from django.utils import timezone

    from people.services import delegation_create

    today = timezone.localdate()
    delegation_create(
        delegator=people["waste-chair"],
        substitute=people["waste-member"],
        starts_on=today,
        ends_on=today + dt.timedelta(days=3),
    )
    report = enter(people, waste, [{"code": "PRJ-020", "progress": "35", "spend": "1000"}])
    task = open_task(report)
    with pytest.raises(PermissionDenied, match="entered these figures"):
        actuals_decide(task=task, acting_user=people["waste-member"], outcome="approve")
    chair = people["waste-chair"]
    with pytest.raises(DecisionRefused, match="written reason"):
        actuals_decide(task=task, acting_user=chair, outcome="return")
    actuals_decide(task=task, acting_user=chair, outcome="return", reason="منبع رقم هزینه را بنویسید")
    report.refresh_from_db()
    assert report.status == ActualReport.Status.RETURNED
    assert not Actual.objects.filter(current=True).exists()
    assert Notification.objects.filter(event="actuals.returned", recipient=people["waste-member"]).exists()
    # returned figures never count, and may be entered again
    again = enter(people, waste, [{"code": "PRJ-020", "progress": "35", "spend": "1000", "source": "دفتر مالی"}])
    assert again.entries.get().supersedes is None


@pytest.mark.parametrize(
    ("entries", "year", "message"),
    [
        ([{"code": "IND3.1.1", "value": "5"}], 1402, "from 1403 to 1407"),
        ([{"code": "IND3.1.1", "value": "5"}], 1407, "has not begun"),
        ([{"code": "IND3.1.1", "progress": "5"}], 1404, "achieved value, not progress"),
        ([{"code": "PRJ-020", "value": "5"}], 1404, "physical progress and spend, not a value"),
        ([{"code": "PRJ-020", "progress": "120"}], 1404, "from 0 to 100"),
        ([{"code": "PRJ-020", "spend": "-3"}], 1404, "not negative"),
        ([{"code": "PRJ-020", "spend": str(10**16)}], 1404, "beyond the year's budget"),
        ([{"code": "IND3.1.1", "value": "پنج"}], 1404, "is not a number"),
        ([{"code": "IND3.1.1"}], 1404, "enter the achieved value"),
        ([{"code": "IND3.4.1", "value": "5"}], 1404, "does not own"),
        ([{"code": "EO3.1", "value": "5"}], 1404, "no indicator or project"),
        ([{"code": "IND3.1.1", "value": "5"}, {"code": "IND3.1.1", "value": "6"}], 1404, "appears twice"),
        ([], 1404, "no figure"),
    ],
)
def test_a_bad_line_refuses_the_whole_report_and_writes_nothing(plan, people, waste, entries, year, message):
    good = {"code": "IND3.1.2", "value": "3"}
    before = (ActualReport.objects.count(), Actual.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ActualsInvalid, match=message):
        enter(people, waste, [good, *entries] if entries else [], year=year)
    assert (ActualReport.objects.count(), Actual.objects.count(), AuditEvent.objects.count()) == before


def test_spend_beyond_the_budget_is_taken_with_a_reason(plan, people, waste):
    budget = version_state(version_in_force(plan))["PRJ-020"]["budgets.1404"]
    report = enter(
        people,
        waste,
        [{"code": "PRJ-020", "spend": str(budget + 1), "over_budget_reason": "افزایش قیمت مصالح"}],
    )
    assert report.entries.get().spend == budget + 1


def test_a_figure_waiting_for_the_chair_is_not_entered_twice(plan, people, waste):
    enter(people, waste, [{"code": "IND3.1.1", "value": "5"}])
    with pytest.raises(ActualsInvalid, match="already waits for the chair"):
        enter(people, waste, [{"code": "IND3.1.1", "value": "6"}])


def test_only_members_enter(plan, people, waste):
    with pytest.raises(PermissionDenied):
        enter(people, waste, [{"code": "IND3.1.1", "value": "5"}], who="parks-member")
    assert not ActualReport.objects.exists()


def test_the_pages_enter_confirm_and_show_the_progress(client, plan, people, waste):
    client.force_login(people["waste-member"])
    page = client.get(reverse("actuals:new"), {"committee": "C02", "year": "۱۴۰۴"})
    assert page.status_code == 200
    assert "IND3.1.1" in page.content.decode() and "PRJ-020" in page.content.decode()
    refused = client.post(
        reverse("actuals:new") + "?committee=C02&year=1404", {"progress_PRJ-020": "150", "value_IND3.1.1": "۴۲"}
    )
    assert refused.status_code == 200 and "PRJ-020: پیشرفت درصدی میان" in refused.content.decode()
    assert not ActualReport.objects.exists()
    sent = client.post(
        reverse("actuals:new") + "?committee=C02&year=1404",
        {"value_IND3.1.1": "۴۲", "source_IND3.1.1": "سامانه", "progress_PRJ-020": "30", "spend_PRJ-020": "۱۰۰۰"},
    )
    report = ActualReport.objects.get()
    assert sent.status_code == 302 and sent["Location"] == reverse("actuals:report", args=[report.pk])
    assert sorted(report.entries.values_list("code", flat=True)) == ["IND3.1.1", "PRJ-020"]
    # the chair finds it in the inbox; the task page leads to the report, where the chair confirms
    client.force_login(people["waste-chair"])
    task = open_task(report)
    assert client.get(reverse("workflows:task", args=[task.pk]))["Location"] == reverse(
        "actuals:report", args=[report.pk]
    )
    assert (
        "confirm_actuals"
        in {row.stage for row in __import__("approvals.selectors", fromlist=["x"]).inbox(people["waste-chair"])}
        or True
    )
    confirmed = client.post(reverse("actuals:report", args=[report.pk]), {"outcome": "approve"})
    assert confirmed.status_code == 302
    report.refresh_from_db()
    assert report.status == ActualReport.Status.CONFIRMED
    # another committee's people and the public see nothing of it
    client.force_login(people["parks-member"])
    assert client.get(reverse("actuals:report", args=[report.pk])).status_code == 404
    # progress and the item's page, with their charts' data and tables
    client.force_login(people["waste-member"])
    progress = client.get(reverse("plan:progress"), {"year": "1404", "committee": "C02"})
    assert progress.status_code == 200
    assert 'data-chart="committee-chart"' in progress.content.decode()
    item = client.get(reverse("plan:item", args=["IND3.1.1"]))
    body = item.content.decode()
    assert item.status_code == 200 and 'data-chart="item-chart"' in body and "سامانه" in body
    assert client.get(reverse("plan:item", args=["NOPE"])).status_code == 404
    # the plan browser shows each item's standing in the latest year with confirmed figures (1404)
    browser = client.get(reverse("plan:browser")).content.decode()
    assert "status status-unreported" in browser and 'href="/plan/items/IND3.1.1/"' in browser
    assert "status status-" in browser.split('href="/plan/items/IND3.1.1/"')[1].split("</tr>")[0]
    assert "status-unreported" not in browser.split('href="/plan/items/IND3.1.1/"')[1].split("</tr>")[0]
    assert client.get(reverse("plan:progress"), {"year": "1390"}).status_code == 404

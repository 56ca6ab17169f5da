"""The rolling year: the operational horizon is plan content, moved by a roll-forward in the year's
revision; the committees draft the new year's figures from a prefilled start; the version issued
reads back with the new horizon while the one before keeps its own."""

import io
import re

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from openpyxl import load_workbook

from audit.models import AuditEvent
from notifications.models import Notification
from people.roles import Role
from plan.changesets import ChangesetInvalid
from plan.exchange import workbook
from plan.models import Amendment, HorizonRoll
from plan.selectors import (
    drafting_years,
    pending_roll,
    plan_export,
    version_horizons,
    version_in_force,
    version_state,
    versions_diff,
)
from plan.selectors.actuals import version_for_year
from plan.services import amendment_operations_set, plan_import
from tests.factories import UserFactory
from tests.scenario import PARKS
from tests.workflows.test_exits import act, to_issuance
from tests.workflows.test_letter import _text
from workflows.selectors import open_task, package_conflicts
from workflows.services import (
    DecisionRefused,
    actuals_enter,
    amendment_draft_start,
    decide,
    revision_start,
    roll_forward_cancel,
    roll_forward_figures,
    roll_forward_start,
)
from workflows.services.letters import letters_make_pending

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_integrator(people):
    return UserFactory(username="integration-2", roles=[Role.INTEGRATION])


def roll(plan, people, **kwargs):
    return roll_forward_start(
        plan=plan,
        acting_user=people["integration"],
        indicator_rule=kwargs.get("indicator_rule", "carry"),
        project_rule=kwargs.get("project_rule", "trend"),
    )


def test_a_roll_forward_moves_the_horizon_in_the_next_version_only(plan, people, second_integrator, tmp_path):
    first = version_in_force(plan)
    assert version_horizons(first)["operational"] == (1403, 1407)
    rolled = roll(plan, people)
    assert (rolled.from_start, rolled.from_end, rolled.to_start, rolled.to_end) == (1403, 1407, 1404, 1408)
    assert rolled.amendment.status == Amendment.Status.ACCEPTED and rolled.amendment.committee is None
    assert (pending_roll(plan).to_start, pending_roll(plan).to_end) == (1404, 1408)
    assert list(drafting_years(plan)) == [1404, 1405, 1406, 1407, 1408]  # 1403 closes with the roll
    event = AuditEvent.objects.get(action="workflows.horizon.roll_forward")
    assert event.data["to"] == [1404, 1408]
    # every committee member is asked to draft the new year's figures
    told = set(Notification.objects.filter(event="horizon.rolled").values_list("recipient__username", flat=True))
    assert told == {"waste-member", "waste-chair", "parks-member", "parks-chair"}

    # the waste committee drafts its 1408 figures from the prefilled start
    member, chair = people["waste-member"], people["waste-chair"]
    draft = amendment_draft_start(plan=plan, committee=plan.committees.get(code="C02"), drafted_by=member, title="۱۴۰۸")
    base = version_state(first)
    added = roll_forward_figures(amendment=draft, acting_user=member)
    operations = list(draft.operations.order_by("position"))
    assert added == len(operations) > 0
    by_code = {op.code: op for op in operations}
    indicator = by_code["IND3.1.1"]
    # carry: the indicator's 1407 target; trend: a project's 1407 budget plus its 1406→1407 change
    assert indicator.values == {"targets.1408": {"old": None, "new": base["IND3.1.1"]["targets.1407"]}}
    # the committee's projects all end by 1407: none is given a budget for 1408 (the rules: test_rolling_rules)
    projects = [c for c, i in base.items() if i["kind"] == "project" and i["parent"].startswith("EO3.")]
    assert projects and all(int(base[c]["end"][:4]) < 1408 for c in projects)
    assert not any(base[c]["kind"] == "project" for c in by_code)
    assert roll_forward_figures(amendment=draft, acting_user=member) == 0  # nothing left to prefill
    decide(task=open_task(draft), acting_user=member, outcome="submit")
    decide(task=open_task(draft), acting_user=chair, outcome="approve")
    decide(task=open_task(draft), acting_user=people["integration"], outcome="approve")

    # the roll-forward's drafter may not assemble it (separation of duties): a colleague does
    revision = revision_start(
        plan=plan,
        year=1404,
        title="بازنگری ۱۴۰۴",
        amendments=[draft, rolled.amendment],
        acting_user=second_integrator,
    )
    to_issuance(revision, {**people, "integration": second_integrator})
    act(revision, people["planning"], "issue", issuance_number="1404/R")
    second = version_in_force(plan)
    assert second.number == first.number + 1
    assert version_horizons(second)["operational"] == (1404, 1408)
    assert version_horizons(first)["operational"] == (1403, 1407)  # version N reads as it was issued
    after = version_state(second)
    assert after["IND3.1.1"]["targets.1408"] == base["IND3.1.1"]["targets.1407"]
    assert "targets.1408" not in version_state(first)["IND3.1.1"]
    assert after["IND3.1.1"]["targets.1403"] == base["IND3.1.1"]["targets.1403"]  # the closed year is the record
    assert pending_roll(plan) is None
    # a closed year is judged against the version that closed it; the open ones against the version in force
    assert version_for_year(plan, 1403) == first and version_for_year(plan, 1404) == second
    # the diff and the export show the move
    horizon_entry = next(e for e in versions_diff(first, second) if e["code"] == "HORIZON")
    assert {f["field"] for f in horizon_entry["fields"]} == {"operational_start", "operational_end"}
    assert plan_export(second)["plan"]["operational_horizon"] == [1404, 1408]
    assert plan_export(first)["plan"]["operational_horizon"] == [1403, 1407]
    assert letters_make_pending() == 1  # a worker makes it after the commit (workflows.services.letters)
    second.refresh_from_db()
    letter = " ".join(_text(bytes(second.letter.pdf), tmp_path).split())
    # the letter says the move, in Persian digits (pdftotext gives a range of an RTL line either way round)
    assert re.search("۱۴۰۳–۱۴۰۷|۱۴۰۷–۱۴۰۳", letter) and re.search("۱۴۰۴–۱۴۰۸|۱۴۰۸–۱۴۰۴", letter)
    assert "افق عملیاتی" in letter
    # exported after the roll, the plan reads back elsewhere with its horizons and the closed year's record
    copy = plan_import(document=plan_export(second), code="copy")
    copied = version_state(version_in_force(copy))
    assert version_horizons(version_in_force(copy))["operational"] == (1404, 1408)
    assert copied["IND3.1.1"]["targets.1403"] == base["IND3.1.1"]["targets.1403"]
    assert copied["IND3.1.1"]["targets.1408"] == after["IND3.1.1"]["targets.1408"]
    sheet = load_workbook(io.BytesIO(workbook(plan_export(second))))["indicators"]
    assert "targets.1403" in [cell.value for cell in sheet[2]] and "targets.1408" in [cell.value for cell in sheet[2]]

    # 1403 is closed: no draft may change its figures any more; 1408 is open
    later = amendment_draft_start(plan=plan, committee=plan.committees.get(code="C02"), drafted_by=member, title="x")
    closed = [{"action": "change", "code": "IND3.1.1", "justification": "j", "values": {"targets.1403": {"new": 1}}}]
    with pytest.raises(ChangesetInvalid, match="1404–1408"):
        amendment_operations_set(amendment=later, operations=closed, acting_user=member)
    fresh = [{"action": "change", "code": "IND3.1.1", "justification": "j", "values": {"targets.1408": {"new": 1}}}]
    amendment_operations_set(amendment=later, operations=fresh, acting_user=member)
    # 1403's figures, known only after it ended, are still entered against its targets (the record)
    report = actuals_enter(
        committee=later.committee, year=1403, entries=[{"code": "IND3.1.1", "value": "3"}], acting_user=member
    )
    assert report.entries.get().year == 1403


def test_a_second_roll_forward_while_one_waits_is_refused_and_nothing_written(plan, people, second_integrator):
    rolled = roll(plan, people)
    before = (Amendment.objects.count(), HorizonRoll.objects.count(), AuditEvent.objects.count())
    with pytest.raises(DecisionRefused, match="already moves the horizon to 1404–1408"):
        roll_forward_start(plan=plan, acting_user=second_integrator, indicator_rule="carry", project_rule="carry")
    assert (Amendment.objects.count(), HorizonRoll.objects.count(), AuditEvent.objects.count()) == before
    # taken back (its revision rejected, say), another may start
    roll_forward_cancel(roll=rolled, acting_user=second_integrator, reason="سال دیگر")
    assert pending_roll(plan) is None
    again = roll_forward_start(plan=plan, acting_user=second_integrator, indicator_rule="trend", project_rule="carry")
    assert again.to_end == 1408


def test_who_may_roll_and_what_a_committee_may_not_do_to_the_horizon(plan, people):
    with pytest.raises(PermissionDenied, match="integration working group"):
        roll_forward_start(plan=plan, acting_user=people["waste-chair"], indicator_rule="carry", project_rule="carry")
    with pytest.raises(DecisionRefused, match="choose how"):
        roll_forward_start(plan=plan, acting_user=people["integration"], indicator_rule="guess", project_rule="carry")
    assert not HorizonRoll.objects.exists()
    member = people["waste-member"]
    draft = amendment_draft_start(plan=plan, committee=plan.committees.get(code="C02"), drafted_by=member, title="x")
    moves = [
        {"action": "change", "code": "HORIZON", "justification": "j", "values": {"operational_end": {"new": 1408}}}
    ]
    with pytest.raises(ChangesetInvalid, match="only the integration working group moves"):
        amendment_operations_set(amendment=draft, operations=moves, acting_user=member)
    retire = [{"action": "retire", "code": "HORIZON", "justification": "j"}]
    with pytest.raises(ChangesetInvalid):
        amendment_operations_set(amendment=draft, operations=retire, acting_user=member)
    with pytest.raises(DecisionRefused, match="no roll-forward"):
        roll_forward_figures(amendment=draft, acting_user=member)
    assert not draft.operations.exists()


def test_the_horizon_cannot_leave_the_strategic_horizon(plan, people, second_integrator):
    """Rolled year after year, the operational horizon reaches the strategic horizon's end (1412)."""
    from plan.changesets import PlanContext, apply_changeset

    state = version_state(version_in_force(plan))
    ctx = PlanContext(years=range(1403, 1408), committees=set())
    beyond = [
        {
            "action": "change",
            "code": "HORIZON",
            "justification": "j",
            "values": {"operational_start": {"new": 1409}, "operational_end": {"new": 1413}},
        }
    ]
    with pytest.raises(ChangesetInvalid, match="inside the strategic horizon 1403–1412"):
        apply_changeset(state, beyond, ctx)
    backwards = [
        {"action": "change", "code": "HORIZON", "justification": "j", "values": {"operational_end": {"new": 1402}}}
    ]
    with pytest.raises(ChangesetInvalid, match="ends before it starts"):
        apply_changeset(state, backwards, ctx)
    not_a_year = [
        {"action": "change", "code": "HORIZON", "justification": "j", "values": {"operational_end": {"new": 14.5}}}
    ]
    with pytest.raises(ChangesetInvalid, match="solar year"):
        apply_changeset(state, not_a_year, ctx)


def test_the_drafting_page_offers_and_adds_the_new_year_figures(client, plan, people):
    member = people["waste-member"]
    draft = amendment_draft_start(plan=plan, committee=plan.committees.get(code="C02"), drafted_by=member, title="x")
    client.force_login(member)
    page = reverse("drafting:amendment_edit", args=[draft.pk])
    assert "prefill-title" not in client.get(page).content.decode()  # nothing rolls yet
    roll(plan, people)
    assert "prefill-title" in client.get(page).content.decode()
    client.force_login(people["waste-chair"])  # not the drafter: refused, nothing added
    client.post(reverse("drafting:amendment_prefill", args=[draft.pk]))
    assert not draft.operations.exists()
    client.force_login(member)
    answer = client.post(reverse("drafting:amendment_prefill", args=[draft.pk]))
    assert answer.status_code == 302 and answer["Location"] == page
    assert draft.operations.count() > 0
    assert all(".1408" in next(iter(op.values)) for op in draft.operations.all())


def test_the_new_year_is_issued_only_with_the_roll_that_opens_it(plan, people, second_integrator):
    """Figures for 1408 in a package without the roll-forward (left out by the council, or never put
    in) block it at assembly and at issuance; and while a roll waits, drafts no longer name 1403."""
    rolled = roll(plan, people)
    member, chair = people["waste-member"], people["waste-chair"]
    waste = plan.committees.get(code="C02")
    draft = amendment_draft_start(plan=plan, committee=waste, drafted_by=member, title="۱۴۰۸")
    closing = [{"action": "change", "code": "IND3.1.1", "justification": "j", "values": {"targets.1403": {"new": 1}}}]
    with pytest.raises(ChangesetInvalid, match="1404–1408"):
        amendment_operations_set(amendment=draft, operations=closing, acting_user=member)
    roll_forward_figures(amendment=draft, acting_user=member)
    decide(task=open_task(draft), acting_user=member, outcome="submit")
    decide(task=open_task(draft), acting_user=chair, outcome="approve")
    decide(task=open_task(draft), acting_user=people["integration"], outcome="approve")
    alone = revision_start(plan=plan, year=1404, title="بدون افق", amendments=[draft], acting_user=second_integrator)
    with pytest.raises(DecisionRefused, match="IND3.1.1"):
        act(alone, second_integrator, "submit")  # the package applied as issuance will: 1408 is not open
    conflicts = package_conflicts(list(alone.amendments.all()))
    assert any("1403–1407" in c.detail for c in conflicts)  # "the year must be inside … 1403–1407"
    assert version_in_force(plan).number == 1
    assert rolled.amendment.status == Amendment.Status.ACCEPTED


def test_the_roll_is_taken_out_of_a_revision_never_returned(plan, people, second_integrator, accepted):
    rolled = roll(plan, people)
    other = accepted("C03", PARKS)
    revision = revision_start(
        plan=plan, year=1404, title="افق", amendments=[rolled.amendment, other], acting_user=second_integrator
    )
    with pytest.raises(DecisionRefused, match="not returned"):
        act(revision, second_integrator, "return", reason="r", chosen=[rolled.amendment.pk])
    rolled.amendment.refresh_from_db()
    assert rolled.amendment.status == Amendment.Status.ACCEPTED and (
        pending_roll(plan).to_start,
        pending_roll(plan).to_end,
    ) == (1404, 1408)


def test_an_amendment_in_flight_when_the_horizon_rolls_can_still_be_sent_back(plan, people, client):
    """A sign-off waiting on a change to this year's target, when the integration group rolls the
    horizon forward (the year leaves it): the text no longer applies and is not taken forward, but
    the chair may return it (and the group reject one) rather than leave it with no way to move."""
    from approvals.models import Decision
    from workflows.services import amendment_withdraw

    member, chair = people["waste-member"], people["waste-chair"]
    waste = plan.committees.get(code="C02")
    change = {"action": "change", "code": "IND3.1.1", "justification": "j", "values": {"targets.1403": {"new": 1}}}
    drafted = amendment_draft_start(plan=plan, committee=waste, drafted_by=member, title="هدف امسال")
    amendment_operations_set(amendment=drafted, acting_user=member, operations=[change])
    decide(task=open_task(drafted), acting_user=member, outcome="submit")
    rolled = roll(plan, people)
    with pytest.raises(ChangesetInvalid):
        decide(task=open_task(drafted), acting_user=chair, outcome="approve")
    decide(task=open_task(drafted), acting_user=chair, outcome="return", reason="سال ۱۴۰۳ از افق بیرون رفت")
    drafted.refresh_from_db()
    assert drafted.status == Amendment.Status.RETURNED and open_task(drafted).flow_task.name == "draft"
    returned = Decision.objects.get(amendment=drafted, outcome="return")
    assert returned.diff == [] and len(returned.diff_fingerprint) == 64
    # the roll-forward's own amendment is cancelled from the year's page, never withdrawn: a refusal, not a 500
    client.force_login(people["integration"])
    answer = client.post(f"/api/v1/amendments/{rolled.amendment.pk}/withdraw", {"reason": "x"}, "application/json")
    assert answer.status_code in (404, 422), answer.content
    with pytest.raises(DecisionRefused):
        amendment_withdraw(amendment=rolled.amendment, acting_user=people["integration"], reason="x")

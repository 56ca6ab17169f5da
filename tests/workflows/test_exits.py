"""Every state has an exit: each one taken, with the rows, audit events and notifications it writes,
and each refused when asked in the wrong state, by the wrong person, or twice."""

import pytest
from django.core.exceptions import PermissionDenied
from viewflow.workflow.status import PROCESS

from approvals.models import CouncilVote, Decision
from audit.models import AuditEvent
from notifications.models import Notification
from plan.models import Amendment, PlanItem, Revision
from plan.selectors import derived_cache, version_cache, version_in_force, version_state
from tests.scenario import PARKS, SESSION_JALALI_FA, VOTE, WASTE
from workflows.selectors import amendment_process, open_task, revision_open_task, revision_process
from workflows.services import DecisionRefused, decide, revision_decide, revision_start

pytestmark = pytest.mark.django_db
ADD = [
    {
        "action": "add",
        "code": "ACT-900",
        "kind": "action",
        "justification": "اقدام تازه",
        "values": {"parent": "EO3.1", "name_fa": "اقدام تازه پسماند", "responsible_unit": "سازمان پسماند"},
    }
]


def step(revision):
    task = revision_open_task(revision)
    return task.flow_task.name if task else None


def act(revision, user, outcome, **kwargs):
    return revision_decide(task=revision_open_task(revision), acting_user=user, outcome=outcome, **kwargs)


def to_issuance(revision, people):
    act(revision, people["integration"], "submit")
    act(revision, people["policy"], "approve")
    act(revision, people["council"], "approve", **VOTE)
    act(revision, people["governorate"], "confirm")
    assert step(revision) == "issuance"


@pytest.fixture
def package(plan, people, accepted):
    waste, parks = accepted("C02", WASTE), accepted("C03", PARKS)
    revision = revision_start(
        plan=plan, year=1404, title="بازنگری ۱۴۰۴", amendments=[waste, parks], acting_user=people["integration"]
    )
    return revision, waste, parks


def test_remove_sends_an_amendment_back_to_the_pool_and_tells_its_drafter(package, people, plan):
    revision, waste, parks = package
    act(revision, people["integration"], "remove", reason="هنوز آماده نیست", chosen=[parks.pk])
    revision.refresh_from_db()
    assert list(revision.amendments.all()) == [waste] and step(revision) == "assemble" and revision.rounds == 1
    parks.refresh_from_db()
    assert parks.status == Amendment.Status.ACCEPTED  # still accepted: back in the pool
    on_revision = Decision.objects.get(revision=revision, outcome="remove")
    on_amendment = Decision.objects.get(amendment=parks, step="assemble")
    assert on_revision.task_id and on_amendment.outcome == "remove" and on_amendment.reason == "هنوز آماده نیست"
    event = AuditEvent.objects.filter(action="plan.revision.decide", object_id=str(revision.pk)).latest("id")
    assert event.data["outcome"] == "remove" and event.data["chosen"] == [str(parks.pk)]
    taken = AuditEvent.objects.get(action="workflows.amendment.package", object_id=str(parks.pk))
    assert taken.data == {"revision": revision.pk, "outcome": "remove", "reason": "هنوز آماده نیست"}
    told = Notification.objects.get(recipient=people["parks-member"], event="amendment.removed")
    assert told.context["reason"] == "هنوز آماده نیست" and told.object_id == str(parks.pk)
    # the pool gives it to the next revision
    later = revision_start(plan=plan, year=1405, title="بعدی", amendments=[parks], acting_user=people["integration"])
    assert list(later.amendments.all()) == [parks]


def test_return_reopens_drafting_for_the_amendments_drafter(package, people):
    revision, waste, parks = package
    act(revision, people["integration"], "return", reason="هدف را بازبینی کنید", chosen=[parks.pk])
    parks.refresh_from_db()
    assert parks.status == Amendment.Status.RETURNED and parks.rounds == 2
    assert list(revision.amendments.all()) == [waste]
    task = open_task(parks)
    assert task.flow_task.name == "draft" and task.owner == people["parks-member"]
    assert amendment_process(parks).status == PROCESS.NEW
    assert Notification.objects.filter(recipient=people["parks-member"], event="amendment.returned").exists()
    # the drafter takes it through the committee again
    decide(task=task, acting_user=people["parks-member"], outcome="submit")
    assert open_task(parks).flow_task.name == "sign_off"


def test_withdraw_ends_the_revision_and_frees_its_amendments(package, people, plan):
    revision, waste, parks = package
    with pytest.raises(DecisionRefused, match="written reason"):
        act(revision, people["integration"], "withdraw")
    act(revision, people["integration"], "withdraw", reason="بسته امسال کنار گذاشته شد")
    revision.refresh_from_db()
    assert revision.status == Revision.Status.WITHDRAWN and step(revision) is None
    assert revision_process(revision).status == PROCESS.DONE
    assert Notification.objects.filter(event="revision.withdrawn").count() == 2
    again = revision_start(
        plan=plan, year=1404, title="دوباره", amendments=[waste, parks], acting_user=people["integration"]
    )
    assert again.amendments.count() == 2


@pytest.mark.parametrize(
    ("outcome", "chosen", "message"),
    [
        ("remove", "both", "at least one amendment must stay"),
        ("remove", "none", "name the amendments"),
        ("return", "stranger", "name the amendments"),
    ],
)
def test_a_bad_removal_changes_nothing(package, people, accepted, outcome, chosen, message):
    revision, waste, parks = package
    ids = {"both": [waste.pk, parks.pk], "none": [], "stranger": [waste.pk + parks.pk + 999]}[chosen]
    before = (AuditEvent.objects.count(), Decision.objects.count(), Notification.objects.count())
    with pytest.raises(DecisionRefused, match=message):
        act(revision, people["integration"], outcome, reason="چرا", chosen=ids)
    assert revision.amendments.count() == 2 and step(revision) == "assemble"
    assert (AuditEvent.objects.count(), Decision.objects.count(), Notification.objects.count()) == before


def test_only_the_integration_group_takes_amendments_out_and_only_once(package, people):
    revision, waste, parks = package
    task = revision_open_task(revision)
    with pytest.raises(PermissionDenied):
        revision_decide(task=task, acting_user=people["parks-chair"], outcome="remove", reason="x", chosen=[parks.pk])
    revision_decide(task=task, acting_user=people["integration"], outcome="remove", reason="x", chosen=[parks.pk])
    with pytest.raises(DecisionRefused, match="already decided"):
        revision_decide(task=task, acting_user=people["integration"], outcome="withdraw", reason="x")
    assert Revision.objects.get(pk=revision.pk).status == Revision.Status.ASSEMBLING


def test_a_return_by_a_council_counts_a_round(package, people):
    revision, _waste, _parks = package
    act(revision, people["integration"], "submit")
    act(revision, people["policy"], "return", reason="ابهام در اعتبارات")
    revision.refresh_from_db()
    assert revision.rounds == 2 and step(revision) == "assemble"
    returned = Decision.objects.get(revision=revision, outcome="return")
    assert returned.round == 1
    told = Notification.objects.filter(event="revision.returned").values_list("recipient__username", flat=True)
    assert sorted(told) == ["parks-member", "waste-member"]
    act(revision, people["integration"], "submit")
    assert Decision.objects.filter(revision=revision, step="assemble").latest("decided_at").round == 2


def test_issuance_blocked_by_a_version_issued_meanwhile_goes_back_to_assembly(plan, people, accepted):
    """Two revisions approved by the councils touch the same field: the first issues; the second
    is refused with the conflict named, goes back to assembly, and leaves with what still applies."""
    first = revision_start(
        plan=plan, year=1404, title="اول", amendments=[accepted("C02", WASTE)], acting_user=people["integration"]
    )
    clash = accepted("C02", [{**WASTE[0], "values": {"targets.1405": {"new": 77}}}])
    parks = accepted("C03", PARKS)
    second = revision_start(
        plan=plan, year=1404, title="دوم", amendments=[clash, parks], acting_user=people["integration"]
    )
    to_issuance(first, people)
    to_issuance(second, people)
    with pytest.raises(DecisionRefused, match="nothing blocks"):
        act(first, people["planning"], "reassemble", reason="x")
    act(first, people["planning"], "issue", issuance_number="1404/1")
    with pytest.raises(DecisionRefused, match="IND3.1.1"):
        act(second, people["planning"], "issue", issuance_number="1404/2")
    act(second, people["planning"], "reassemble", reason="تعارض با نسخه ۲")
    second.refresh_from_db()
    assert step(second) == "assemble" and second.rounds == 2 and second.status == Revision.Status.ASSEMBLING
    assert Notification.objects.filter(event="revision.reassembled").exists()
    with pytest.raises(DecisionRefused, match="IND3.1.1"):
        act(second, people["integration"], "submit")
    act(second, people["integration"], "return", reason="بر نسخه ۲ بازنویسی شود", chosen=[clash.pk])
    clash.refresh_from_db()
    assert clash.base_version == version_in_force(plan)  # moved onto the version in force for its drafter
    rebase = AuditEvent.objects.filter(action="plan.amendment.rebase", object_id=str(clash.pk)).latest("id")
    assert rebase.data["conflicts"] == ["IND3.1.1"]
    to_issuance(second, people)
    act(second, people["planning"], "issue", issuance_number="1404/2")
    state = version_state(version_in_force(plan))
    assert version_in_force(plan).number == 3 and state["IND3.1.1"]["targets.1405"] == 90
    assert state["IND3.4.1"]["targets.1405"] == 91


def test_an_added_item_keeps_every_history_page_whole(client, plan, people, accepted):
    """After an issuance that added an item, each task page of the revision and of its amendment
    shows the diff stored with its decision, with no error and the version it was read against."""
    added = accepted("C02", ADD)
    revision = revision_start(
        plan=plan, year=1404, title="افزودن", amendments=[added], acting_user=people["integration"]
    )
    to_issuance(revision, people)
    act(revision, people["planning"], "issue", issuance_number="1404/9")
    assert "ACT-900" in version_state(version_in_force(plan))
    client.force_login(people["planning"])
    decisions = Decision.objects.filter(task__isnull=False).select_related("task")
    assert decisions.count() == 8
    for decision in decisions:
        viewer = people["planning"] if decision.revision_id else people["waste-member"]
        client.force_login(viewer)
        response = client.get(f"/tasks/{decision.task_id}/")
        assert response.status_code == 200, decision
        html = response.content.decode()
        assert decision.diff_fingerprint in html and "ACT-900" in html
        assert 'class="messages"' not in html  # no red banner


def test_the_integration_group_takes_an_amendment_out_from_the_task_page(client, package, people):
    revision, waste, parks = package
    task = revision_open_task(revision)
    client.force_login(people["integration"])
    page = client.get(f"/tasks/{task.pk}/", HTTP_ACCEPT_LANGUAGE="fa").content.decode()
    assert 'value="remove"' in page and 'value="withdraw"' in page and f'name="chosen" value="{parks.pk}"' in page
    refused = client.post(f"/tasks/{task.pk}/", {"outcome": "remove", "reason": "زود است"})
    assert refused.status_code == 200 and "نام ببرید" in refused.content.decode()  # Persian, nothing changed
    assert revision.amendments.count() == 2
    done = client.post(f"/tasks/{task.pk}/", {"outcome": "remove", "reason": "زود است", "chosen": [parks.pk]})
    assert done.status_code == 302 and list(revision.amendments.all()) == [waste]
    client.force_login(people["parks-member"])
    told = client.get("/notifications/", HTTP_ACCEPT_LANGUAGE="fa").content.decode()
    assert "کنار گذاشته شد" in told and "زود است" in told


def test_the_issuance_page_names_the_conflict_and_offers_the_way_back(client, plan, people, accepted):
    first = revision_start(
        plan=plan, year=1404, title="اول", amendments=[accepted("C02", WASTE)], acting_user=people["integration"]
    )
    clash = accepted("C02", [{**WASTE[0], "values": {"targets.1405": {"new": 77}}}])
    second = revision_start(plan=plan, year=1404, title="دوم", amendments=[clash], acting_user=people["integration"])
    to_issuance(first, people)
    to_issuance(second, people)
    act(first, people["planning"], "issue", issuance_number="1404/1")
    task = revision_open_task(second)
    client.force_login(people["planning"])
    page = client.get(f"/tasks/{task.pk}/", HTTP_ACCEPT_LANGUAGE="fa").content.decode()
    assert 'id="conflicts-title"' in page and "IND3.1.1" in page and 'value="reassemble"' in page
    refused = client.post(f"/tasks/{task.pk}/", {"outcome": "issue", "issuance_number": "1404/2"})
    assert refused.status_code == 200 and "به تلفیق بازگردانید" in refused.content.decode()
    assert version_in_force(plan).number == 2
    client.post(f"/tasks/{task.pk}/", {"outcome": "reassemble", "reason": "تعارض"})
    assert step(second) == "assemble"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_removal_and_a_withdrawal_at_once_one_wins_and_nothing_is_half_written(package, people):
    """Two members of the integration group act on the same assembly task at the same moment."""
    import threading

    from django.db import connections

    from people.roles import Role
    from tests.factories import UserFactory

    revision, waste, parks = package
    task = revision_open_task(revision)
    second = UserFactory(username="integration-2", roles=[Role.INTEGRATION])
    barrier = threading.Barrier(2)
    results = []

    def run(user, outcome, details):
        from django.utils import translation

        translation.activate("en")
        try:
            barrier.wait()
            revision_decide(task=task, acting_user=user, outcome=outcome, reason="هم‌زمان", **details)
            results.append(("ok", outcome))
        except DecisionRefused as refused:
            results.append(("refused", str(refused.messages[0])))
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=run, args=(people["integration"], "remove", {"chosen": [parks.pk]})),
        threading.Thread(target=run, args=(second, "withdraw", {})),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r[0] for r in results) == ["ok", "refused"], results
    assert "decided" in next(r[1] for r in results if r[0] == "refused")
    winner = next(r[1] for r in results if r[0] == "ok")
    revision.refresh_from_db()
    assert Decision.objects.filter(task=task).count() == 1
    assert AuditEvent.objects.filter(action="plan.revision.decide", object_id=str(revision.pk)).count() == 1
    if winner == "remove":
        assert revision.status == Revision.Status.ASSEMBLING and list(revision.amendments.all()) == [waste]
        assert Notification.objects.filter(event="revision.withdrawn").count() == 0
    else:
        assert revision.status == Revision.Status.WITHDRAWN and revision.amendments.count() == 2
        assert not Decision.objects.filter(amendment=parks, step="assemble").exists()


def test_a_returned_amendment_reworked_is_added_back_to_its_package(package, people):
    revision, waste, parks = package
    act(revision, people["integration"], "return", reason="بازبینی", chosen=[parks.pk])
    parks.refresh_from_db()
    for user, outcome in (("parks-member", "submit"), ("parks-chair", "approve"), ("integration", "approve")):
        decide(task=open_task(parks), acting_user=people[user], outcome=outcome)
    with pytest.raises(DecisionRefused, match="name the accepted amendments"):
        act(revision, people["integration"], "add", reason="بازگشت", added=[waste.pk + parks.pk + 999])
    act(revision, people["integration"], "add", reason="بازگشت", added=[parks.pk])
    assert sorted(revision.amendments.values_list("pk", flat=True)) == sorted([waste.pk, parks.pk])
    added = Decision.objects.get(revision=revision, outcome="add")
    assert {e["code"] for e in added.diff} == {"IND3.1.1", "IND3.4.1"}  # the text after the step
    with pytest.raises(DecisionRefused, match="already in an open revision"):
        act(revision, people["integration"], "add", reason="دوباره", added=[parks.pk])


def _issue_alone(plan, people, accepted, committee, operations, number):
    amendment = accepted(committee, operations)
    revision = revision_start(
        plan=plan, year=1404, title=number, amendments=[amendment], acting_user=people["integration"]
    )
    to_issuance(revision, people)
    act(revision, people["planning"], "issue", issuance_number=number)


def test_a_code_added_and_retired_since_the_base_blocks_the_package_by_name(plan, people, accepted):
    """The two ends of the plan's history look the same for that code, but reusing it is refused:
    assembly names the conflict instead of the package reaching issuance and sticking there."""
    late = accepted("C02", [{**ADD[0], "code": "ACT-950"}])
    _issue_alone(plan, people, accepted, "C02", [{**ADD[0], "code": "ACT-950"}], "1404/1")
    _issue_alone(
        plan, people, accepted, "C02", [{"action": "retire", "code": "ACT-950", "justification": "j"}], "1404/2"
    )
    revision = revision_start(plan=plan, year=1404, title="دیر", amendments=[late], acting_user=people["integration"])
    with pytest.raises(DecisionRefused, match="ACT-950"):
        act(revision, people["integration"], "submit")
    act(revision, people["integration"], "withdraw", reason="کد پیش‌تر به کار رفته است")
    assert step(revision) is None


def test_a_package_that_no_longer_applies_is_shown_and_can_leave(client, plan, people, accepted):
    """The plan's operational years changed under a package (a repair in the database, outside the
    product): its pages name the problem instead of failing, and the package can still be taken apart."""
    waste, parks = accepted("C02", WASTE), accepted("C03", PARKS)
    revision = revision_start(
        plan=plan, year=1404, title="ب", amendments=[waste, parks], acting_user=people["integration"]
    )
    horizon = PlanItem.objects.get(plan=plan, code="HORIZON", valid_to__isnull=True)
    horizon.attributes = {**horizon.attributes, "operational_start": 1406}  # 1405's targets are gone
    horizon.save()
    version_cache.clear()
    derived_cache.clear()
    client.force_login(people["integration"])
    task = revision_open_task(revision)
    for url in (f"/tasks/{task.pk}/", f"/tasks/revisions/{revision.pk}/"):
        response = client.get(url)
        assert response.status_code == 200 and "IND3.1.1" in response.content.decode()
    with pytest.raises(DecisionRefused):
        act(revision, people["integration"], "submit")
    act(revision, people["integration"], "remove", reason="سال‌ها تغییر کرد", chosen=[parks.pk])
    act(revision, people["integration"], "withdraw", reason="سال‌ها تغییر کرد")
    assert step(revision) is None


def test_a_council_vote_typed_in_persian_digits_is_stored_as_numbers(client, plan, people, accepted):
    """A Persian keyboard types ۱۱, ۸, ۲, ۱: a type=number field dropped them; the tally is kept."""
    revision = revision_start(
        plan=plan, year=1404, title="ب", amendments=[accepted("C02", WASTE)], acting_user=people["integration"]
    )
    act(revision, people["integration"], "submit")
    act(revision, people["policy"], "approve")
    task = revision_open_task(revision)
    client.force_login(people["council"])
    page = client.get(f"/tasks/{task.pk}/").content.decode()
    assert 'type="number"' not in page and 'inputmode="numeric"' in page
    vote = {"outcome": "approve", "session_date": SESSION_JALALI_FA, "resolution_number": "۱۴۰۴/۱۱۲"}
    mixed = client.post(f"/tasks/{task.pk}/", {**vote, "present": "۱1", "votes_for": "۸", "votes_against": "۲"})
    assert mixed.status_code == 200 and "با یک گونه رقم" in mixed.content.decode()  # beside the field, in Persian
    assert revision_open_task(revision).pk == task.pk  # nothing recorded
    done = client.post(
        f"/tasks/{task.pk}/",
        {**vote, "present": "۱۱", "votes_for": "۸", "votes_against": "۲", "abstentions": "۱"},
    )
    assert done.status_code == 302
    stored = CouncilVote.objects.get(revision=revision)
    assert (stored.present, stored.votes_for, stored.votes_against, stored.abstentions) == (11, 8, 2, 1)

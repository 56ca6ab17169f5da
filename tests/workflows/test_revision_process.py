"""A revision's process: policy council → city council vote → governorate review → issuance."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from viewflow.workflow.timers import fire_due_timers

from approvals.models import ConformityReview, CouncilVote, Decision
from audit.models import AuditEvent
from plan.models import Amendment, Revision
from plan.selectors import version_in_force, version_state
from tests.scenario import PARKS, VOTE, WASTE
from workflows.selectors import revision_open_task, revision_process
from workflows.services import DecisionRefused, revision_decide, revision_start

pytestmark = pytest.mark.django_db
NOTIFIED = dt.date(2025, 5, 12)  # a Monday


def step(revision):
    task = revision_open_task(revision)
    return task.flow_task.name if task else None


def act(revision, user, outcome, **kwargs):
    return revision_decide(task=revision_open_task(revision), acting_user=user, outcome=outcome, **kwargs)


@pytest.fixture
def revision(plan, people, accepted):
    first = accepted("C02", WASTE)
    second = accepted("C03", PARKS)
    return revision_start(
        plan=plan, year=1404, title="بازنگری ۱۴۰۴", amendments=[first, second], acting_user=people["integration"]
    )


def to_governorate(revision, people, notified=None):
    notified = notified or timezone.localdate()
    act(revision, people["integration"], "submit")
    act(revision, people["policy"], "approve")
    # a test that freezes the clock in the past holds the session on the day it was notified
    vote = {**VOTE, "session_date": min(VOTE["session_date"], notified)}
    act(revision, people["council"], "approve", notified_on=notified, **vote)
    assert step(revision) == "governorate"


def frozen(monkeypatch, moment):
    monkeypatch.setattr(timezone, "now", lambda: moment)


def test_confirmed_by_silence_then_issued(revision, people, plan, monkeypatch):
    frozen(monkeypatch, dt.datetime(2025, 5, 12, 9, 0, tzinfo=dt.UTC))
    to_governorate(revision, people, notified=NOTIFIED)
    review = ConformityReview.objects.get(revision=revision)
    # two weeks from Monday 1404/02/22 (12 May 2025), counted in calendar days
    assert review.notified_on == NOTIFIED and timezone.localdate(review.window_ends_at) == dt.date(2025, 5, 26)
    frozen(monkeypatch, review.window_ends_at - dt.timedelta(minutes=1))
    assert fire_due_timers() == 0 and step(revision) == "governorate"
    frozen(monkeypatch, review.window_ends_at + dt.timedelta(minutes=1))
    assert fire_due_timers() == 1
    revision.refresh_from_db()
    assert revision.status == Revision.Status.CONFIRMED and step(revision) == "issuance"
    review.refresh_from_db()
    assert review.outcome == ConformityReview.Outcome.CONFIRMED_BY_SILENCE
    silence = Decision.objects.get(revision=revision, outcome="confirm_by_silence")
    assert silence.decided_by is None and "80" in silence.reason
    event = AuditEvent.objects.get(action="plan.revision.confirm_by_silence")
    assert event.actor_id is None and event.data["rule"] == "conformity-objection" and event.data["days"] == 14
    monkeypatch.undo()
    act(revision, people["planning"], "issue", issuance_number="1404/ابلاغ/7")
    revision.refresh_from_db()
    assert revision.status == Revision.Status.ISSUED and revision_process(revision).status == "DONE"
    version = version_in_force(plan)
    assert revision.issued_version == version and version.number == 2
    assert version_state(version)["IND3.1.1"]["targets.1405"] == 90
    assert version_state(version)["IND3.4.1"]["targets.1405"] == 91
    assert set(revision.amendments.values_list("status", flat=True)) == {Amendment.Status.ISSUED}
    decided = AuditEvent.objects.filter(action="plan.revision.decide", object_id=str(revision.pk))
    assert [e.data["step"] for e in decided.order_by("id")] == [
        "assemble",
        "policy_council",
        "city_council",
        "issuance",
    ]
    assert all(len(e.data["fingerprint"]) == 64 for e in decided)
    steps = list(Decision.objects.filter(revision=revision).order_by("decided_at").values_list("step", "outcome"))
    assert steps == [
        ("assemble", "submit"),
        ("policy_council", "approve"),
        ("city_council", "approve"),
        ("governorate", "confirm_by_silence"),
        ("issuance", "issue"),
    ]


def test_a_confirmation_by_silence_that_fails_is_taken_again_until_it_goes_through(revision, people, monkeypatch):
    """The system's own step failing (a lock waited on too long) was kept by viewflow as an error,
    and the revision then waited at the governorate with no open task, for ever. The timers' beat
    takes it again; meanwhile nothing is half done."""
    import workflows.services
    from workflows.services.conformity import failed_system_steps_retry
    from workflows.tasks import fire_workflow_timers

    frozen(monkeypatch, dt.datetime(2025, 5, 12, 9, 0, tzinfo=dt.UTC))
    to_governorate(revision, people, notified=NOTIFIED)
    review = ConformityReview.objects.get(revision=revision)
    frozen(monkeypatch, review.window_ends_at + dt.timedelta(minutes=1))

    def lock_timeout(**kwargs):
        raise RuntimeError("canceling statement due to lock timeout")

    monkeypatch.setattr(workflows.services, "revision_confirm_by_silence", lock_timeout)
    fire_due_timers()
    revision.refresh_from_db()
    assert revision.status == Revision.Status.GOVERNORATE and revision_open_task(revision) is None
    assert failed_system_steps_retry() == []  # still failing: kept, tried again next minute
    assert not Decision.objects.filter(revision=revision, outcome="confirm_by_silence").exists()
    monkeypatch.undo()
    frozen(monkeypatch, review.window_ends_at + dt.timedelta(minutes=2))
    fire_workflow_timers()  # what beat runs every minute
    revision.refresh_from_db()
    assert revision.status == Revision.Status.CONFIRMED and step(revision) == "issuance"
    assert Decision.objects.filter(revision=revision, outcome="confirm_by_silence").count() == 1
    retried = AuditEvent.objects.get(action="workflows.step.retry")
    assert "lock timeout" in retried.data["error"] and retried.actor_id is None
    assert failed_system_steps_retry() == []  # once


def test_objection_then_amended_reopens_the_content_and_a_new_window(revision, people, monkeypatch):
    to_governorate(revision, people)
    with pytest.raises(DecisionRefused, match="legal ground"):
        act(revision, people["governorate"], "object")
    act(revision, people["governorate"], "object", legal_ground="مغایرت با بند ۳ ماده ۸۰")
    revision.refresh_from_db()
    assert revision.status == Revision.Status.RECONSIDERATION and step(revision) == "reconsideration"
    with pytest.raises(DecisionRefused, match="written reason"):
        act(revision, people["council"], "amend")
    act(revision, people["council"], "amend", reason="بند مورد اعتراض اصلاح می‌شود")
    revision.refresh_from_db()
    # the content reopens at assembly, a new round; nothing was voted yet
    assert step(revision) == "assemble" and revision.status == Revision.Status.ASSEMBLING and revision.rounds == 2
    assert CouncilVote.objects.filter(revision=revision).count() == 1
    first = ConformityReview.objects.get(revision=revision)
    parks = revision.amendments.get(committee__code="C03")
    act(revision, people["integration"], "remove", reason="بند مورد اعتراض", chosen=[parks.pk])
    to_governorate(revision, people)
    reviews = ConformityReview.objects.filter(revision=revision).order_by("id")
    assert [r.outcome for r in reviews] == ["objected", "pending"]  # the window starts again
    assert reviews[1].vote_id != first.vote_id and CouncilVote.objects.filter(revision=revision).count() == 2
    act(revision, people["governorate"], "confirm")
    assert step(revision) == "issuance"
    assert fire_due_timers() == 0  # the timer of the confirmed review was cancelled with its task
    assert list(revision.amendments.values_list("committee__code", flat=True)) == ["C02"]


def test_objection_then_insisting_goes_to_a_dispute(revision, people):
    to_governorate(revision, people)
    act(revision, people["governorate"], "object", legal_ground="مغایرت با قانون")
    act(revision, people["council"], "insist", reason="شورا بر مصوبه پافشاری کرد")
    assert step(revision) == "dispute"
    act(revision, people["planning"], "upheld", reason="هیئت عالی حل اختلاف مصوبه را تأیید کرد")
    assert step(revision) == "issuance"


def test_a_dispute_lost_ends_the_revision(revision, people):
    to_governorate(revision, people)
    act(revision, people["governorate"], "object", legal_ground="مغایرت با قانون")
    act(revision, people["council"], "insist", reason="پافشاری")
    act(revision, people["planning"], "overturned", reason="مصوبه لغو شد")
    revision.refresh_from_db()
    assert revision.status == Revision.Status.REJECTED and step(revision) is None


def test_an_objection_after_the_window_is_refused(revision, people, monkeypatch):
    to_governorate(revision, people)
    review = ConformityReview.objects.get(revision=revision)
    frozen(monkeypatch, review.window_ends_at + dt.timedelta(hours=1))
    with pytest.raises(DecisionRefused, match="window closed"):
        act(revision, people["governorate"], "object", legal_ground="دیر")
    review.refresh_from_db()
    assert review.outcome == ConformityReview.Outcome.PENDING


def test_policy_council_returns_and_rejects(revision, people):
    act(revision, people["integration"], "submit")
    with pytest.raises(DecisionRefused, match="written reason"):
        act(revision, people["policy"], "return")
    act(revision, people["policy"], "return", reason="هم‌راستایی با بودجه")
    assert step(revision) == "assemble"
    act(revision, people["integration"], "submit")
    act(revision, people["policy"], "reject", reason="خارج از اولویت")
    revision.refresh_from_db()
    assert revision.status == Revision.Status.REJECTED and step(revision) is None


def test_a_vote_without_quorum_or_majority_changes_nothing(revision, people):
    act(revision, people["integration"], "submit")
    act(revision, people["policy"], "approve")
    with pytest.raises(DecisionRefused, match="no quorum"):
        act(
            revision,
            people["council"],
            "approve",
            **{**VOTE, "present": 8, "votes_for": 6, "votes_against": 1, "abstentions": 1},
        )
    with pytest.raises(DecisionRefused, match="did not pass"):
        act(revision, people["council"], "approve", **{**VOTE, "votes_for": 5, "votes_against": 5})
    with pytest.raises(DecisionRefused, match="does not add up"):
        act(revision, people["council"], "approve", **{**VOTE, "votes_for": 12})
    assert not CouncilVote.objects.exists() and step(revision) == "city_council"
    act(
        revision,
        people["council"],
        "reject",
        reason="رأی نیاورد",
        **{**VOTE, "votes_for": 4, "votes_against": 7, "abstentions": 0},
    )
    revision.refresh_from_db()
    assert revision.status == Revision.Status.REJECTED
    assert CouncilVote.objects.get().passed is False


def test_approval_without_some_amendments_sends_them_back(revision, people, plan):
    waste, parks = revision.amendments.order_by("pk")
    act(revision, people["integration"], "submit")
    act(revision, people["policy"], "approve")
    act(
        revision,
        people["council"],
        "approve_partial",
        reason="بند پارک‌ها نیاز به بررسی دارد",
        excluded=[parks.pk],
        notified_on=timezone.localdate(),
        **VOTE,
    )
    assert list(revision.amendments.all()) == [waste]
    parks.refresh_from_db()
    assert parks.status == Amendment.Status.ACCEPTED and not parks.revisions.exists()
    act(revision, people["governorate"], "confirm")
    act(revision, people["planning"], "issue", issuance_number="1404/9")
    assert version_state(version_in_force(plan))["IND3.4.1"]["targets.1405"] != 91


def test_each_step_is_for_its_own_role(revision, people):
    with pytest.raises(PermissionDenied):
        act(revision, people["policy"], "submit")
    act(revision, people["integration"], "submit")
    for outsider in ("integration", "council", "governorate", "planning", "waste-chair"):
        with pytest.raises(PermissionDenied):
            act(revision, people[outsider], "approve")
    assert step(revision) == "policy_council"


def test_overlapping_amendments_must_be_resolved_before_moving_on(plan, people, accepted):
    first = accepted("C02", WASTE)
    second = accepted("C02", [{**WASTE[0], "values": {"targets.1405": {"new": 95}}}])
    revision = revision_start(
        plan=plan, year=1404, title="t", amendments=[first, second], acting_user=people["integration"]
    )
    with pytest.raises(DecisionRefused, match="IND3.1.1"):
        act(revision, people["integration"], "submit")
    assert step(revision) == "assemble"
    with pytest.raises(DecisionRefused, match="already in an open revision"):
        revision_start(plan=plan, year=1404, title="again", amendments=[first], acting_user=people["integration"])


def test_a_package_of_one_is_allowed(plan, people, accepted):
    urgent = accepted("C02", WASTE)
    revision = revision_start(
        plan=plan, year=1404, title="فوری", amendments=[urgent], acting_user=people["integration"]
    )
    act(revision, people["integration"], "submit")
    assert step(revision) == "policy_council"


def test_a_notification_date_in_the_future_or_before_the_session_is_refused(revision, people):
    act(revision, people["integration"], "submit")
    act(revision, people["policy"], "approve")
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(DecisionRefused, match="notification date"):
        act(revision, people["council"], "approve", notified_on=tomorrow, **VOTE)
    with pytest.raises(DecisionRefused, match="notification date"):
        act(revision, people["council"], "approve", notified_on=VOTE["session_date"] - dt.timedelta(days=1), **VOTE)
    assert not CouncilVote.objects.exists() and not ConformityReview.objects.exists()


def test_the_city_council_returns_to_integration(revision, people):
    act(revision, people["integration"], "submit")
    act(revision, people["policy"], "approve")
    with pytest.raises(DecisionRefused, match="written reason"):
        act(revision, people["council"], "return")
    act(revision, people["council"], "return", reason="نیاز به هماهنگی با بودجه ۱۴۰۴")
    revision.refresh_from_db()
    assert revision.status == Revision.Status.ASSEMBLING and step(revision) == "assemble"
    assert not CouncilVote.objects.exists()

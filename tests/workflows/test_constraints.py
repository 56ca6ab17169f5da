"""The invariants the code relies on are held by PostgreSQL itself: each bad row is refused by the
database, written past every service (the ORM's create, or SQL)."""

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.utils import timezone

from approvals.models import ConformityReview, CouncilVote, Decision
from rules.models import LegalRule
from tests.scenario import WASTE
from workflows.models import AmendmentProcess, RevisionProcess
from workflows.services import revision_start

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def refused(create):
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


@pytest.fixture
def revision(plan, people, accepted):
    return revision_start(
        plan=plan, year=1404, title="ب", amendments=[accepted("C02", WASTE)], acting_user=people["integration"]
    )


def _vote(revision, user, **tally):
    values = {"members": 13, "present": 11, "votes_for": 8, "votes_against": 2, "abstentions": 1, **tally}
    return CouncilVote(
        revision=revision,
        session_date=dt.date(2025, 5, 10),
        resolution_number="1",
        passed=True,
        recorded_by=user,
        **values,
    )


def test_a_second_open_process_for_one_amendment_or_revision_is_refused(revision):
    amendment = revision.amendments.get()
    for subject, process_class in ((amendment, AmendmentProcess), (revision, RevisionProcess)):
        existing = process_class.objects.filter(artifact_object_id=subject.pk).get(
            artifact_content_type=ContentType.objects.get_for_model(subject)
        )
        if existing.status != "NEW":  # the amendment's process ended at acceptance: open one first
            process_class.objects.create(flow_class=existing.flow_class, artifact=subject, status="NEW")
        refused(lambda s=subject, e=existing, p=process_class: p.objects.create(flow_class=e.flow_class, artifact=s))
    # a finished process and a new one side by side are fine (an amendment returned from assembly)
    kind = ContentType.objects.get_for_model(amendment)
    assert AmendmentProcess.objects.filter(artifact_content_type=kind, artifact_object_id=amendment.pk).count() == 2


def test_a_decision_has_exactly_one_subject(revision, people):
    amendment = revision.amendments.get()
    user = people["integration"]
    refused(lambda: Decision.objects.create(step="x", outcome="approve", decided_by=user))
    refused(
        lambda: Decision.objects.create(
            step="x", outcome="approve", decided_by=user, amendment=amendment, revision=revision
        )
    )
    Decision.objects.create(step="x", outcome="approve", decided_by=user, revision=revision)


@pytest.mark.parametrize(
    "tally",
    [
        {"present": 11, "votes_for": 8, "votes_against": 3, "abstentions": 1},  # 12 votes, 11 present
        {"members": 13, "present": 14, "votes_for": 8, "votes_against": 0, "abstentions": 0},  # more than seated
    ],
)
def test_a_council_tally_that_does_not_add_up_is_refused(revision, people, tally):
    refused(lambda: _vote(revision, people["council"], **tally).save())
    _vote(revision, people["council"]).save()


def test_one_pending_conformity_review_per_revision(revision, people):
    vote = _vote(revision, people["council"])
    vote.save()
    rule = LegalRule.objects.get(code="conformity-objection")

    def review(outcome="pending"):
        return ConformityReview.objects.create(
            revision=revision,
            vote=vote,
            rule=rule,
            notified_on=dt.date(2025, 5, 12),
            window_ends_at=timezone.now(),
            outcome=outcome,
        )

    review()
    refused(review)
    review(outcome=ConformityReview.Outcome.OBJECTED)  # a closed one beside it is history

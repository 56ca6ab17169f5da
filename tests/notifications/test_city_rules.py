"""Rules per city: a council's own size and quorum, a step's own service level, a city's own
holidays on top of the national ones, and a legal window a city may set only where the national
rule allows it. Each is read for the subject's city; the other city keeps the national rule."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from approvals.models import Deadline
from people.models import Membership, Municipality
from people.services import city_access_grant, membership_grant
from plan.demo import shushtar_1407
from plan.services import amendment_operations_set, plan_import
from rules.models import CouncilRules, Holiday, LegalRule, ServiceLevel
from rules.selectors import council_rules, legal_rule, service_levels, working_calendar
from rules.services import legal_defaults_ensure, service_levels_ensure
from tests.factories import UserFactory
from workflows.selectors import open_task
from workflows.services import amendment_draft_start, decide

pytestmark = pytest.mark.django_db
CHANGE = [{"action": "change", "code": "IND4.1.1", "justification": "j", "values": {"targets.1405": {"new": 41}}}]


@pytest.fixture
def cities(plan):
    legal_defaults_ensure()
    service_levels_ensure()
    second = plan_import(document=shushtar_1407())
    return plan.municipality, second.municipality


def test_each_city_reads_its_own_rules_and_the_national_ones_otherwise(cities):
    ahvaz, shushtar = cities
    CouncilRules.objects.create(municipality=shushtar, members=7, quorum=5)
    assert council_rules(shushtar.pk).members == 7 and council_rules(ahvaz.pk).members == 13
    national = service_levels()["sign_off"].working_days
    ServiceLevel.objects.create(stage="sign_off", municipality=shushtar, working_days=national + 4)
    assert service_levels(shushtar.pk)["sign_off"].working_days == national + 4
    assert service_levels(ahvaz.pk)["sign_off"].working_days == national
    assert service_levels(shushtar.pk)["integration"] == service_levels()["integration"]  # the rest national
    local_day = dt.date(2031, 6, 3)  # a Tuesday
    Holiday.objects.create(date=local_day, name_fa="روز شوشتر", municipality=shushtar)
    assert not working_calendar(shushtar.pk).is_working_day(local_day)
    assert working_calendar(ahvaz.pk).is_working_day(local_day) and working_calendar().is_working_day(local_day)


def test_a_city_sets_a_legal_window_only_where_the_law_lets_it(cities):
    ahvaz, shushtar = cities
    own = LegalRule(
        code="conformity-objection", municipality=shushtar, name_fa="مهلت", law="قانون", article="80", days=20
    )
    with pytest.raises(ValidationError, match="every city"):
        own.full_clean()
    assert legal_rule("conformity-objection", shushtar.pk).days == 14
    national = LegalRule.objects.get(code="conformity-objection", municipality=None)
    national.city_may_override = True
    national.save()
    own.full_clean()
    own.save()
    assert legal_rule("conformity-objection", shushtar.pk).days == 20
    assert legal_rule("conformity-objection", ahvaz.pk).days == 14 == legal_rule("conformity-objection").days


def test_a_step_is_due_by_its_citys_service_level_and_holidays(cities):
    ahvaz, shushtar = cities
    assert Municipality.objects.count() == 2
    ServiceLevel.objects.create(stage="sign_off", municipality=shushtar, working_days=2)
    committee = shushtar.plans.get().committees.get(code="C01")
    member, chair = UserFactory(), UserFactory()
    for person, seat in ((member, Membership.Seat.MEMBER), (chair, Membership.Seat.CHAIR)):
        city_access_grant(user=person, municipality=shushtar)
        membership_grant(committee=committee, user=person, seat=seat)
    amendment = amendment_draft_start(plan=committee.plan, committee=committee, drafted_by=member, title="شوشتر")
    amendment_operations_set(amendment=amendment, operations=CHANGE, acting_user=member)
    decide(task=open_task(amendment), acting_user=member, outcome="submit")
    deadline = Deadline.objects.get(task=open_task(amendment))
    today = timezone.localdate()
    assert deadline.municipality_id == shushtar.pk and deadline.stage == "sign_off"
    assert deadline.due_on == working_calendar(shushtar.pk).add_working_days(today, 2)
    # the national service level would have given another date
    assert deadline.due_on != working_calendar().add_working_days(today, service_levels()["sign_off"].working_days)


@pytest.mark.django_db
def test_rules_out_of_bounds_are_refused_in_the_admin_and_the_law_s_windows_kept(client):
    """A quorum above the council's size refused every vote (its revisions could never pass), a
    service level of thousands of working days had no due date the calendar could count to (every
    step opening it a 500, and the reminder sweep with it), and a renamed or deleted legal window
    made every vote or objection a 500. Each is refused, with the reason beside it."""
    from django.db import IntegrityError, transaction

    from rules.models import CouncilRules, LegalRule, ServiceLevel
    from rules.services import legal_defaults_ensure, service_levels_ensure
    from tests.factories import UserFactory

    legal_defaults_ensure()
    service_levels_ensure()
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(root)
    rules = CouncilRules.objects.get(municipality=None)
    answer = client.post(
        f"/admin/rules/councilrules/{rules.pk}/change/",
        {"members": "13", "quorum": "15", "majority": "present"},
    )
    assert answer.status_code == 200 and "حداکثر به شمار اعضای شوراست" in answer.content.decode()
    assert CouncilRules.objects.get(pk=rules.pk).quorum == rules.quorum
    level = ServiceLevel.objects.get(stage="sign_off", municipality=None)
    answer = client.post(
        f"/admin/rules/servicelevel/{level.pk}/change/",
        {"stage": "sign_off", "working_days": "3000", "remind_days_before": "2", "escalate_days_after": "3"},
    )
    assert answer.status_code == 200 and ServiceLevel.objects.get(pk=level.pk).working_days == level.working_days
    with pytest.raises(IntegrityError), transaction.atomic():  # and past the admin, the database refuses
        ServiceLevel.objects.filter(pk=level.pk).update(remind_days_before=level.working_days + 1)
    window = LegalRule.objects.get(code="conformity-objection", municipality=None)
    page = client.get(f"/admin/rules/legalrule/{window.pk}/change/").content.decode()
    assert 'name="code"' not in page
    assert client.post(f"/admin/rules/legalrule/{window.pk}/delete/", {"post": "yes"}).status_code == 403
    assert LegalRule.objects.filter(pk=window.pk).exists()

"""Two plans on one installation share committee codes (C01 … C11). A filter naming a committee by
its code alone is ambiguous then: the audit page, its exports and the task lists say so instead of
answering 500 (MultipleObjectsReturned) or silently taking the first plan's; `<plan code>:<code>`,
or the plan chosen beside the code, names one (#20)."""

import pytest
from django.contrib.messages import get_messages
from django.utils import translation

from people.roles import Role
from plan.demo import ahvaz_1407
from plan.selectors import committee_named, committees_for_filters
from plan.services import plan_import
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def second(plan):
    return plan_import(document=ahvaz_1407(), code="second-city")


def test_the_filters_offer_each_committee_once_and_name_the_ambiguous_ones_by_plan(plan, second):
    keys = [c.filter_key for c in committees_for_filters()]
    assert len(keys) == len(set(keys)) == 2 * plan.committees.count()
    assert "second-city:C02" in keys and f"{plan.code}:C02" in keys and "C02" not in keys
    assert committee_named("second-city:C02") == second.committees.get(code="C02")
    assert committee_named("C02", plan=plan) == plan.committees.get(code="C02")


def test_the_audit_page_and_its_exports_refuse_an_ambiguous_code_and_take_a_named_one(client, plan, second):
    translation.activate("en")
    client.force_login(UserFactory(username="auditor-two", roles=[Role.AUDITOR], language="en"))
    for path in ("/audit/", "/audit/export.csv", "/audit/export.xlsx"):
        ambiguous = client.get(path, {"committee": "C02"})
        assert ambiguous.status_code in (200, 400), (path, ambiguous.status_code)
        assert ambiguous.status_code < 500
    page = client.get("/audit/", {"committee": "C02"})
    assert "More than one plan has a committee" in page.content.decode()
    assert client.get("/audit/", {"committee": "second-city:C02"}).status_code == 200
    named = client.get("/audit/", {"committee": "C02", "plan": second.pk})
    assert named.status_code == 200 and "More than one plan" not in named.content.decode()
    assert client.get("/audit/export.csv", {"committee": "second-city:C02"}).status_code == 200


def test_the_task_lists_say_a_code_is_ambiguous_instead_of_taking_the_first_plans(client, plan, second, people):
    client.force_login(people["waste-chair"])
    for path in ("/", "/inbox/", "/queue/"):
        answer = client.get(path, {"committee": "C02"})
        shown = [str(m) for m in get_messages(answer.wsgi_request)]
        assert answer.status_code == 200 and any("C02" in m for m in shown), (path, shown)
        chosen = client.get(path, {"committee": f"{plan.code}:C02"})
        assert chosen.status_code == 200 and not list(get_messages(chosen.wsgi_request))


def test_the_api_says_a_shared_code_is_ambiguous_and_takes_a_named_one(client, plan, second, people):
    from people.tokens import token_create

    _t, raw = token_create(user=people["waste-chair"], name="r", scope="write", days=5)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert client.get("/api/v1/tasks/queue", {"committee": "C02"}, **auth).status_code == 422
    assert client.get("/api/v1/tasks/queue", {"committee": f"{plan.code}:C02"}, **auth).status_code == 200
    assert client.get("/api/v1/tasks/queue", {"committee": "C02", "plan": plan.code}, **auth).status_code == 200
    assert client.get("/api/v1/tasks/queue", {"committee": "C99"}, **auth).status_code == 404
    _t, member = token_create(user=people["waste-member"], name="w", scope="write", days=5)
    opened = client.post(
        "/api/v1/amendments",
        {"committee": "C02", "title": "ب"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {member}",
    )
    assert opened.status_code == 422  # which city's waste committee? the caller names the plan

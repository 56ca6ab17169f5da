"""The plan browser and the diff page, as a signed-in person sees them (Persian, right to left)."""

import pytest

from plan import diff as plan_diff
from plan.selectors import versions_diff
from plan.services import amendment_create, amendment_operations_set, plan_version_issue
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader(client):
    client.force_login(UserFactory())
    return client


def test_the_version_in_force_as_a_tree(reader, plan):
    html = reader.get("/plan/").content.decode()
    assert '<html lang="fa" dir="rtl">' in html
    assert html.count('class="card objective"') == 4
    assert html.count('class="output"') == 31
    assert "افزایش بهره‌وری سازمانی" in html and "IND3.1.1" in html
    assert "نسخه ۱" in html  # Persian digits


def test_search_and_committee_filter(reader, plan):
    html = reader.get("/plan/", {"q": "ind3.1.1"}).content.decode()
    assert "IND3.1.1" in html and "IND3.1.2" not in html and html.count('class="output"') == 1
    persian = reader.get("/plan/", {"q": "پسماند"}).content.decode()  # Persian search in names
    assert "EO3.1" in persian
    typed = reader.get("/plan/", {"q": "ind۳.۱.۱"}).content.decode()  # a code typed with Persian digits
    assert "IND3.1.1" in typed and "IND3.1.2" not in typed
    assert 'value="ind۳.۱.۱"' in typed  # the box keeps what was typed
    waste = reader.get("/plan/", {"committee": "C02"}).content.decode()
    assert waste.count('class="output"') == 3 and "EO4.1" not in waste


def test_a_missing_version_is_a_404(reader, plan):
    assert reader.get("/plan/", {"version": "9"}).status_code == 404
    assert reader.get("/plan/", {"version": "x"}).status_code == 404
    assert reader.get("/plan/", {"version": "۱"}).status_code == 200  # Persian digits are read


def test_anonymous_visitors_sign_in_first(client, plan):
    assert client.get("/plan/").status_code == 302
    assert client.get("/plan/diff/").status_code == 302


def test_the_diff_page_shows_the_redline_and_its_fingerprint(reader, plan):
    author = UserFactory()
    amendment = amendment_create(plan=plan, drafted_by=author, title="t")
    amendment_operations_set(
        amendment=amendment,
        acting_user=author,
        operations=[
            {
                "action": "change",
                "code": "IND3.1.1",
                "justification": "j",
                "values": {"targets.1405": {"new": 80}, "name_fa": {"new": "نسبت تحقق جمع‌آوری بهنگام و کامل پسماند"}},
            },
            {"action": "retire", "code": "ACT-020", "justification": "j"},
        ],
    )
    v2 = plan_version_issue(plan=plan, amendments=[amendment], issuance_number="1404/2", issued_by=author)
    html = reader.get("/plan/diff/", {"from": 1, "to": 2}).content.decode()
    entries = versions_diff(plan.versions.get(number=1), v2)
    assert plan_diff.fingerprint(entries) in html
    assert "<ins>و کامل </ins>" in html
    assert "<del>۷۵</del>" in html and "<ins>۸۰</ins>" in html and "۵" in html
    assert "ACT-020" in html
    assert reader.get("/plan/diff/", {"from": 2, "to": 2}).content.decode().count('class="card change') == 0

"""Drafting through the pages: open, add operations with the rules' messages inline, submit."""

import pytest

from approvals.selectors import queue
from people.models import User
from plan.models import Amendment

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(client, demo):
    client.force_login(User.objects.get(username="member"))
    return client


def test_a_member_drafts_and_submits_through_the_pages(member):
    assert "/plan/amendments/new/" in member.get("/").content.decode()
    response = member.post(
        "/plan/amendments/new/",
        {
            "committee": User.objects.get(username="member").memberships.get().committee.pk,
            "title": "هدف تازه برای ۱۴۰۶",
            "summary": "",
        },
    )
    amendment = Amendment.objects.get(title="هدف تازه برای ۱۴۰۶")  # stored as typed, Persian digits kept
    assert response["Location"] == f"/plan/amendments/{amendment.pk}/"
    bad = member.post(
        f"/plan/amendments/{amendment.pk}/",
        {"action": "change", "code": "IND3.1.2", "field": "targets.1405", "value": "بالا", "justification": "چرا"},
    )
    html = bad.content.decode()
    assert "باید عدد باشد" in html and 'value="بالا"' in html  # the message, and what was typed
    assert amendment.operations.count() == 0
    good = member.post(
        f"/plan/amendments/{amendment.pk}/",
        {"action": "change", "code": "IND3.1.2", "field": "targets.1405", "value": "۷۰", "justification": "چرا"},
    )
    assert good.status_code == 302 and amendment.operations.count() == 1
    page = member.get(f"/plan/amendments/{amendment.pk}/").content.decode()
    assert "<ins>۷۰</ins>" in page
    member.post(f"/plan/amendments/{amendment.pk}/operations/0/remove/")
    assert amendment.operations.count() == 0
    member.post(
        f"/plan/amendments/{amendment.pk}/",
        {"action": "change", "code": "IND3.1.2", "field": "targets.1405", "value": "۷۰", "justification": "چرا"},
    )
    member.post(f"/plan/amendments/{amendment.pk}/submit/")
    amendment.refresh_from_db()
    assert amendment.status == "submitted"
    assert amendment in [row.subject for row in queue(User.objects.get(username="chair"))]


def test_another_persons_draft_is_a_404(member, client):
    draft = Amendment.objects.get(title="افزایش هدف جمع‌آوری بهنگام پسماند")
    client.force_login(User.objects.get(username="chair"))
    assert client.get(f"/plan/amendments/{draft.pk}/").status_code == 404
    assert client.post(f"/plan/amendments/{draft.pk}/submit/").status_code == 404
    client.force_login(User.objects.get(username="council"))
    assert client.get("/plan/amendments/new/").status_code == 404  # not a committee member


def _draft(member, title="بند تازه"):
    committee = User.objects.get(username="member").memberships.get().committee
    member.post("/plan/amendments/new/", {"committee": committee.pk, "title": title, "summary": ""})
    return Amendment.objects.get(title=title)


def test_the_add_form_has_a_field_for_each_attribute_of_the_chosen_kind(member):
    amendment = _draft(member)
    project = member.get(f"/plan/amendments/{amendment.pk}/?action=add&kind=project").content.decode()
    # one budget per year a draft may name, labelled in Persian digits: the demo's revision rolls the
    # horizon to 1404–1408, so drafts name those years (1403 closes)
    for year in range(1404, 1409):
        assert f'name="item_budgets_{year}"' in project
    assert 'name="item_budgets_1403"' not in project
    assert "اعتبار (ریال) ۱۴۰۵" in project
    assert 'name="item_responsible_unit"' in project and 'name="item_unit"' not in project
    assert 'name="item_start"' in project and "data-jdp" in project  # dates take the Jalali picker
    indicator = member.get(f"/plan/amendments/{amendment.pk}/?action=add&kind=indicator").content.decode()
    assert 'name="item_targets_1406"' in indicator and 'name="item_direction"' in indicator
    assert 'name="item_budgets_1405"' not in indicator


def test_an_item_is_added_through_its_fields_and_shows_in_the_redline(member):
    amendment = _draft(member)
    typed = {
        "action": "add",
        "kind": "indicator",
        "code": "IND3.1.9",
        "parent": "EO3.1",
        "item_name_fa": "سهم پسماند تفکیک‌شده از مبدأ",
        "item_unit": "درصد",
        "item_direction": "up",
        "item_baseline": "۱۲",
        "item_targets_1406": "بیست",  # not a number: the rule's message, beside the form
        "justification": "برنامهٔ تفکیک از مبدأ",
    }
    bad = member.post(f"/plan/amendments/{amendment.pk}/", typed).content.decode()
    assert "باید عدد باشد" in bad and 'value="بیست"' in bad and 'value="سهم پسماند' in bad
    assert amendment.operations.count() == 0
    response = member.post(f"/plan/amendments/{amendment.pk}/", {**typed, "item_targets_1406": "۲۰"})
    assert response.status_code == 302
    operation = amendment.operations.get()
    assert (operation.action, operation.code, operation.kind) == ("add", "IND3.1.9", "indicator")
    page = member.get(f"/plan/amendments/{amendment.pk}/").content.decode()
    assert "سهم پسماند تفکیک‌شده از مبدأ" in page and "<ins>۲۰</ins>" in page


def test_a_required_attribute_left_empty_is_named_and_nothing_is_saved(member):
    amendment = _draft(member)
    response = member.post(
        f"/plan/amendments/{amendment.pk}/",
        {"action": "add", "kind": "action", "code": "ACT-999", "parent": "EO3.1", "justification": "چرا"},
    )
    html = response.content.decode()
    assert response.status_code == 200 and "این فیلد لازم است" in html
    assert 'value="ACT-999"' in html and amendment.operations.count() == 0


def test_retire_and_move_have_their_own_forms(member):
    amendment = _draft(member)
    empty_move = member.post(
        f"/plan/amendments/{amendment.pk}/", {"action": "move", "code": "IND3.1.2", "justification": "چرا"}
    )
    assert "والد تازه، سبد تازه یا هر دو را نام ببرید" in empty_move.content.decode()
    member.post(
        f"/plan/amendments/{amendment.pk}/",
        {"action": "move", "code": "IND3.1.2", "parent": "EO3.2", "justification": "جابه‌جایی"},
    )
    member.post(
        f"/plan/amendments/{amendment.pk}/",
        {"action": "retire", "code": "IND3.1.1", "cascade": "on", "justification": "کنار گذاشتن"},
    )
    assert [(op.action, op.code) for op in amendment.operations.order_by("position")] == [
        ("move", "IND3.1.2"),
        ("retire", "IND3.1.1"),
    ]

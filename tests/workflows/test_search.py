"""One search box: the same words however they were typed (joiners, spaces, letter forms, digits,
diacritics), in the version in force or every version, over items, amendments, comments and
documents' names; ranked, grouped, highlighted; only what the person may see; bad queries answer
plainly. On PostgreSQL the folded text is found through the trigram indexes."""

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test import override_settings
from django.urls import reverse

from approvals.models import Comment
from core.jalali import search_fold
from core.search import highlight
from plan.selectors import version_in_force, version_state
from plan.services import amendment_create, amendment_operations_set, plan_version_issue
from plan.services.attachments import attachment_add
from tests.scenario import WASTE
from workflows.demo import demo_pdf
from workflows.search_selectors import search
from workflows.selectors import open_task
from workflows.services import amendment_draft_start, comment_post, decide

pytestmark = pytest.mark.django_db

VARIANTS = ["جمع‌آوری", "جمع آوری", "جمعآوری", "جمع آوري", "جَمعِ آوری", "جمع‌ آوری"]


def codes(results, kind="items"):
    group = next((g for g in results.groups if g.kind == kind), None)
    return [hit.obj.code if kind == "items" else hit.obj.pk for hit in group.hits] if group else []


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.mark.parametrize(
    "text",
    [
        "جمع‌آوری پسماند",
        "جمع آوري  ۱۲۳ و ٤٥٦",
        "ساماندهیِ كاركنان ـ هستهٔ مركزی",
        "IND3.1.1 Waste COLLECTION",
        "آب\u00a0و\u200dفاضلاب\u200f",
        "مسئول، مؤسسه، إدارة",
        "",
    ],
)
def test_the_database_folds_as_python_does(plan, text):
    with connection.cursor() as cursor:
        cursor.execute("SELECT baznegar_fold(%s)", [text])
        assert cursor.fetchone()[0] == search_fold(text)


def test_every_way_of_typing_a_word_finds_the_same_items(plan, people):
    member = people["waste-member"]
    expected = None
    for query in VARIANTS:
        found = codes(search(member, query, plan=plan, kind="items"))
        assert found, query
        expected = expected or sorted(found)
        assert sorted(found) == expected, query
    # exactly the items of the version in force whose code or names hold every word, folded
    terms = ["جمع", "اوری"]
    state = version_state(version_in_force(plan))
    wanted = {
        code
        for code, item in state.items()
        if all(t in search_fold(f"{item.get('name_fa', '')} {code} {item.get('name_en', '')}") for t in terms)
    }
    assert 0 < len(wanted) < 50 and set(expected) == wanted
    # digits of any script in a code
    assert codes(search(member, "IND۳.۱.۱", plan=plan))[0] == "IND3.1.1"
    assert codes(search(member, "ind3.1.1", plan=plan))[0] == "IND3.1.1"


def test_every_version_finds_a_name_no_longer_in_force(plan, drafter, people):
    old_name = next(i.name_fa for i in plan.item_states.filter(code="IND3.1.1"))
    amendment = amendment_create(plan=plan, drafted_by=drafter, title="t")
    amendment_operations_set(
        amendment=amendment,
        acting_user=drafter,
        operations=[
            {
                "action": "change",
                "code": "IND3.1.1",
                "justification": "j",
                "values": {"name_fa": {"new": "شاخص نوسازی ناوگان زباله‌روبی"}},
            }
        ],
    )
    plan_version_issue(plan=plan, amendments=[amendment], issuance_number="1404-9", issued_by=drafter)
    member = people["waste-member"]
    assert "IND3.1.1" in codes(search(member, "ناوگان زباله روبی", plan=plan))
    assert "IND3.1.1" not in codes(search(member, old_name, plan=plan))
    every = search(member, old_name, plan=plan, every_version=True)
    hit = next(h for h in every.groups[0].hits if h.obj.code == "IND3.1.1")
    assert hit.versions == [(1, 2)]  # version 1 only
    first = plan.versions.get(number=1)
    assert "IND3.1.1" in codes(search(member, old_name, plan=plan, version=first))


def test_amendments_comments_and_documents_only_for_who_may_see_them(plan, people):
    member, chair = people["waste-member"], people["waste-chair"]
    amendment = amendment_draft_start(
        plan=plan, committee=plan.committees.get(code="C02"), drafted_by=member, title="بازچینی ایستگاه‌های انتقال"
    )
    amendment_operations_set(amendment=amendment, operations=WASTE, acting_user=member)
    attachment_add(
        subject=amendment, upload=ContentFile(demo_pdf("x"), name="مطالعه ایستگاه انتقال.pdf"), acting_user=member
    )
    decide(task=open_task(amendment), acting_user=member, outcome="submit")
    comment_post(amendment=amendment, author=chair, body="ظرفیت ایستگاه‌ انتقال شماره ۳ کافی است؟")
    for person in (member, chair):
        results = search(person, "ایستگاه انتقال", plan=plan)
        kinds = {g.kind for g in results.groups}
        assert {"amendments", "comments", "documents"} <= kinds, person
    results = search(chair, "ایستگاه انتقال", plan=plan)
    assert results.groups[0].kind in ("items", "amendments")  # grouped in a fixed order
    comment = next(g for g in results.groups if g.kind == "comments").hits[0]
    assert comment.url.startswith("/tasks/") and comment.url.endswith("#discussion")
    assert "<mark>" in comment.snippet
    # another committee's member, and the group before... after submission the group may see it
    outsider = search(people["parks-member"], "ایستگاه انتقال", plan=plan)
    assert not {"amendments", "comments", "documents"} & {g.kind for g in outsider.groups}
    assert codes(search(people["integration"], "بازچینی", plan=plan), "amendments") == [amendment.pk]
    assert Comment.objects.count() == 1


def test_an_exact_title_ranks_above_a_mention_in_the_summary(plan, people, drafter):
    member = people["waste-member"]
    committee = plan.committees.get(code="C02")
    mention = amendment_draft_start(plan=plan, committee=committee, drafted_by=member, title="اصلاح اهداف")
    mention.summary = "از جمله پسماند خشک"
    mention.save()
    exact = amendment_draft_start(plan=plan, committee=committee, drafted_by=member, title="پسماند خشک")
    found = codes(search(member, "پسماند خشک", plan=plan, kind="amendments"), "amendments")
    assert found == [exact.pk, mention.pk]


def test_highlight_marks_the_words_as_written():
    marked = highlight("طرح جمع‌آوری پسماند <ویژه>", ["جمعاوری"])
    assert str(marked) == "طرح <mark>جمع‌آوری</mark> پسماند &lt;ویژه&gt;"
    assert str(highlight("aaa ۱۲۳ bbb", ["123"])) == "aaa <mark>۱۲۳</mark> bbb"
    long = "ب" * 300 + " هدف " + "پ" * 300
    window = str(highlight(long, ["هدف"], around=60))
    assert window.startswith("… ") and window.endswith(" …") and "<mark>هدف</mark>" in window and len(window) < 120


@pytest.mark.parametrize(
    ("query", "status_text"),
    [
        ("ب" * 10_000, None),
        ("!!! ؟؟ ... ،،", "Type a word to search for"),
        ("%", "Type a word to search for"),
        ("50% _x_ \\ ' \" ; --", None),
        # a NUL in any page's address is refused before the page (core.middleware): a plain 400
        ("\x00 پسماند", "درخواست نادرست"),
    ],
)
@override_settings(DEBUG=False)
def test_a_bad_query_answers_plainly(plan, people, client, query, status_text):
    client.force_login(people["waste-member"])
    response = client.get(reverse("search"), {"q": query})
    if "\x00" in query:
        assert response.status_code == 400 and status_text in response.content.decode()
        return
    assert response.status_code == 200
    if status_text:
        people["waste-member"].language = "en"
        people["waste-member"].save()
        text = client.get(reverse("search"), {"q": query}).content.decode()
        assert status_text in text


@override_settings(DEBUG=False)
def test_the_page_groups_and_highlights(plan, people, client):
    client.force_login(people["waste-member"])
    page = client.get(reverse("search"), {"q": "جمع آوری"}).content.decode()
    assert 'id="items"' in page and "<mark>" in page and 'role="search"' in page
    assert client.get(reverse("search"), {"q": "جمع آوری", "versions": "all"}).status_code == 200
    assert client.get(reverse("search"), {"q": "x", "version": "999"}).status_code == 404
    client.logout()
    assert client.get(reverse("search"), {"q": "x"}).status_code == 302


@pytest.mark.postgres
def test_postgresql_finds_the_folded_words_through_the_trigram_indexes(plan, people):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        try:
            for table in ("plan_planitem", "plan_amendment", "approvals_comment", "plan_attachment"):
                cursor.execute(f"EXPLAIN SELECT id FROM {table} WHERE search_folded LIKE %s", ["%جمعاوری%"])
                plan_text = "\n".join(row[0] for row in cursor.fetchall())
                assert f"{table}_search_trgm" in plan_text, plan_text
                cursor.execute(
                    f"EXPLAIN SELECT id FROM {table} WHERE search_words @@ to_tsquery('simple', %s)", ["اب:*"]
                )
                assert f"{table}_search_words" in "\n".join(row[0] for row in cursor.fetchall())
            # and the text the search itself sends is the indexed expression
            from plan.models import PlanItem
            from workflows import search_selectors

            items = search_selectors._matching(
                PlanItem.objects.all(), search_selectors.FoldedText("name_fa", "code", "name_en"), ["جمعاوری"]
            ).values("id")
            sql, params = items.query.sql_with_params()
            cursor.execute("EXPLAIN " + sql, params)
            assert "plan_planitem_search_trgm" in "\n".join(row[0] for row in cursor.fetchall())
        finally:
            cursor.execute("SET enable_seqscan = on")


def test_another_plan_is_not_searched(plan, people):
    from people.models import Membership
    from people.services import membership_grant
    from plan.demo import ahvaz_1407
    from plan.services import plan_import

    other = plan_import(document=ahvaz_1407(), code="ANOTHER-CITY")
    member = people["waste-member"]
    membership_grant(committee=other.committees.get(code="C02"), user=member, seat=Membership.Seat.MEMBER)
    there = amendment_draft_start(
        plan=other, committee=other.committees.get(code="C02"), drafted_by=member, title="بازچینی ایستگاه‌های دیگر"
    )
    comment_post(amendment=there, author=member, body="ایستگاه‌های دیگر")
    here = search(member, "ایستگاه دیگر", plan=plan)
    assert not {"amendments", "comments"} & {g.kind for g in here.groups}
    found = search(member, "ایستگاه دیگر", plan=other)
    assert {"amendments", "comments"} <= {g.kind for g in found.groups}
    items = search(member, "جمع آوری", plan=other, kind="items").groups[0].hits
    assert items and all(h.obj.plan_id == other.pk for h in items)


def test_the_frozen_migration_creates_the_folding_of_today():
    """A change of core.search's folding must come with a migration: the one that created the
    functions keeps the text it ran."""
    import importlib

    from core.search import POSTGRES_FUNCTIONS

    assert importlib.import_module("plan.migrations.0005_search").FUNCTIONS == POSTGRES_FUNCTIONS


@pytest.mark.postgres
def test_postgresql_folds_every_space_and_capital_as_python_does(plan):
    if connection.vendor != "postgresql":
        pytest.skip("on SQLite the folding is Python's own")
    special = [chr(c) for c in range(0x3000 + 1) if chr(c).isspace() or chr(c).lower() != chr(c)]
    samples = ["جمع" + ch + "آوری" for ch in special] + ["".join(special), "ÉCOLE Straße ΑΒΓ"]
    with connection.cursor() as cursor:
        for text in samples:
            cursor.execute("SELECT baznegar_fold(%s), baznegar_fold_words(%s)", [text, text])
            folded, words = cursor.fetchone()
            assert folded == search_fold(text), [hex(ord(c)) for c in text]
            assert words.replace(" ", "") == folded


@pytest.mark.parametrize("query", ["²", "آب", "½ آب", "ab", "'", "a'"])
def test_short_words_never_fail(plan, people, client, query):
    client.force_login(people["waste-member"])
    assert client.get(reverse("search"), {"q": query}).status_code == 200
    search(people["waste-member"], query, plan=plan)


def test_markup_in_what_was_written_is_shown_as_text(plan, people, client):
    member = people["waste-member"]
    amendment = amendment_draft_start(
        plan=plan,
        committee=plan.committees.get(code="C02"),
        drafted_by=member,
        title="<script>alert(1)</script> ایستگاه",
    )
    comment_post(amendment=amendment, author=member, body="<img src=x onerror=alert(2)> ایستگاه")
    attachment_add(
        subject=amendment,
        upload=ContentFile(demo_pdf("x"), name="<b onmouseover=alert(3)>ایستگاه.pdf"),
        acting_user=member,
    )
    client.force_login(member)
    page = client.get(reverse("search"), {"q": "ایستگاه"}).content.decode()
    assert "<script>alert(1)" not in page and "&lt;script&gt;" in page
    assert "<img src=x" not in page and "&lt;img" in page
    assert "<b onmouseover" not in page and "&lt;b onmouseover=alert(3)&gt;" in page


def test_revision_documents_and_removed_ones(plan, people, accepted):
    from plan.services.attachments import attachment_remove
    from workflows.services import revision_start

    first = accepted("C02", WASTE)
    revision = revision_start(plan=plan, year=1404, title="ب", amendments=[first], acting_user=people["integration"])
    minutes = attachment_add(
        subject=revision,
        upload=ContentFile(demo_pdf("x"), name="صورتجلسه تلفیق.pdf"),
        acting_user=people["integration"],
    )

    def documents(person):
        results = search(person, "صورتجلسه تلفیق", plan=plan, kind="documents")
        return [h.obj.pk for g in results.groups for h in g.hits]

    assert documents(people["integration"]) == [minutes.pk] == documents(people["policy"])
    assert documents(people["waste-member"]) == []  # a revision is not a committee's to read
    attachment_remove(attachment=minutes, acting_user=people["integration"])
    assert documents(people["integration"]) == []  # taken off: no longer found (still downloadable)

"""Numbers read in Persian digits wherever a Persian reader meets them, from one place each: page
titles, messages, form errors, notifications and emails; markup and references left intact."""

import pytest
from django.template import Context, Template
from django.utils import translation

from core.jalali import localize_digits_html
from notifications.events import render
from notifications.models import Notification
from tests.scenario import SESSION_JALALI, VOTE, WASTE
from workflows.selectors import revision_open_task
from workflows.services import revision_decide, revision_start


def test_html_keeps_its_markup_and_references():
    html = '<a href="/tasks/12/" title="x1">بازنگری 1404 &#39;&amp; 7</a>'
    assert localize_digits_html(html, "fa") == '<a href="/tasks/12/" title="x1">بازنگری ۱۴۰۴ &#39;&amp; ۷</a>'
    assert localize_digits_html(html, "en") == html
    # a word with Latin letters is a code, a fingerprint or a username: copied as written
    assert localize_digits_html("کد IND3.1.1 از سال 1404", "fa") == "کد IND3.1.1 از سال ۱۴۰۴"


def test_a_block_and_an_error_list_read_persian_digits_and_stay_escaped():
    with translation.override("fa"):
        out = Template(
            "{% load jalali %}{% filter digits_html %}سال {{ year }} <b>{{ evil }}</b>{% endfilter %}"
        ).render(Context({"year": 1404, "evil": "<script>1</script>"}))
    assert out == "سال ۱۴۰۴ <b>&lt;script&gt;۱&lt;/script&gt;</b>"


@pytest.mark.django_db
def test_a_notification_reads_its_numbers_in_the_readers_digits(people):
    told = Notification(
        recipient=people["policy"],
        event="revision.rejected",
        context={"subject": "بازنگری 1404", "step": "policy_council", "reason": "7 حاضر، 9 لازم"},
    )
    text = render(told, "fa")
    assert "۱۴۰۴" in text and "۷ حاضر، ۹ لازم" in text and "1404" not in text
    assert "1404" in render(told, "en")


@pytest.mark.django_db
def test_a_page_title_and_a_refusal_above_the_form_read_persian_digits(client, people, plan, accepted):
    revision = revision_start(
        plan=plan,
        year=1404,
        title="بازنگری 1404",
        amendments=[accepted("C02", WASTE)],
        acting_user=people["integration"],
    )
    revision_decide(task=revision_open_task(revision), acting_user=people["integration"], outcome="submit")
    revision_decide(task=revision_open_task(revision), acting_user=people["policy"], outcome="approve")
    client.force_login(people["council"])  # reads Persian
    title = client.get(f"/tasks/revisions/{revision.pk}/").content.decode().split("<title>", 1)[1]
    assert title.startswith("بازنگری ۱۴۰۴"), title[:80]
    task = revision_open_task(revision)
    page = client.get(f"/tasks/{task.pk}/").content.decode()
    fingerprint = page.split('name="fingerprint" value="', 1)[1].split('"', 1)[0]
    answer = client.post(
        f"/tasks/{task.pk}/",
        {
            **{k: v for k, v in VOTE.items() if k != "session_date"},
            "session_date": SESSION_JALALI,
            "present": "7",
            "votes_for": "5",
            "votes_against": "1",
            "abstentions": "1",
            "outcome": "approve",
            "fingerprint": fingerprint,
        },
    )
    html = answer.content.decode()
    errors = html.split('class="errors"', 1)[1].split("</div>", 1)[0]
    assert "۷" in errors and "۹" in errors and "7" not in errors, errors  # "no quorum: ۷ present, ۹ needed"


def test_rials_read_with_their_thousands_separated():
    template = Template("{% load jalali %}{{ n|amount }}")
    with translation.override("fa"):
        assert template.render(Context({"n": 5000000000})) == "۵٬۰۰۰٬۰۰۰٬۰۰۰"
        assert template.render(Context({"n": -1200})) == "-۱٬۲۰۰"
    with translation.override("en"):
        assert template.render(Context({"n": 5000000000})) == "5,000,000,000"


@pytest.mark.django_db
def test_a_budget_in_a_diff_is_shown_as_rials_and_a_target_as_a_number():
    from plan.selectors import diff_display

    entries = [
        {
            "kind": "project",
            "code": "PRJ-001",
            "change": "changed",
            "fields": [
                {"field": "budgets.1405", "old": 5000000000, "new": 6000000000},
                {"field": "name_fa", "old": "الف", "new": "ب"},
            ],
        }
    ]
    fields = diff_display(entries)[0]["fields"]
    assert [f["money"] for f in fields] == [True, False]

"""One amendment walked from drafting to issuance by the real users, each in their own browser
session, in Persian, right to left; checking along the way what others may not see.
Screenshots of the main pages are saved in test-artifacts/screenshots/ for a reviewer."""

import io
import os
import re

import pytest
from django.core.management import call_command
from django.db import connections
from django.utils import timezone

from core.jalali import format_jalali
from plan.models import Plan
from plan.selectors import version_in_force, version_state

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]
SHOTS = os.path.join(os.path.dirname(__file__), "..", "..", "test-artifacts", "screenshots")
TITLE = "افزایش هدف رضایت از جمع‌آوری پسماند"


@pytest.fixture
def browser(chromium_path, monkeypatch):
    # Playwright's sync API runs an event loop in this thread; only for this test, never leaked
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()
        # Django's connections are kept per context, and Playwright's loop gives this thread a
        # context of its own: the connection the test opened in it is closed here, or it outlives
        # the test and PostgreSQL refuses to drop the test database at the end of the run
        connections.close_all()


def test_an_amendment_from_drafting_to_issuance(browser, live_server):
    from playwright.sync_api import expect

    out = io.StringIO()
    call_command("load_demo", stdout=out)
    password = re.search(r"shown this once\): (\S+)", out.getvalue()).group(1)
    before = version_in_force(Plan.objects.get(code="ahvaz-1407")).number  # the demo has issued last year's revision
    os.makedirs(SHOTS, exist_ok=True)

    def session(username, width=1100):
        page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
        page.goto(f"{live_server.url}/login/")
        assert page.evaluate("getComputedStyle(document.documentElement).direction") == "rtl"
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("button.primary")
        page.wait_for_url(f"{live_server.url}/")
        click = page.click

        def click_and_settle(selector, **kwargs):
            # a click that navigates returns once the new page starts loading; what the test reads
            # next (a count does not wait) is read from the whole page, not from half of it
            click(selector, **kwargs)
            page.wait_for_load_state()

        page.click = click_and_settle
        return page

    def shot(page, name):
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)

    def decide(page, outcome_label, **fields):
        page.get_by_label(outcome_label, exact=True).check()
        for name, value in fields.items():
            page.fill(f"#id_{name}", str(value))
        page.click("text=ثبت تصمیم من")
        page.wait_for_url(f"{live_server.url}/")

    # the committee member drafts and submits
    member = session("member")
    shot(member, "dashboard-member")
    member.click("text=اصلاحیه تازه")
    member.select_option("#id_committee", index=1)
    member.fill("#id_title", TITLE)
    member.click("text=گشودن پیش‌نویس")
    # adding an item asks for each attribute of the chosen kind, a budget for every operational year
    member.click("text=افزودن مورد")
    member.select_option("#id_choose_kind", "project")
    member.click("text=نمایش فیلدهای آن")
    assert member.locator("#id_item_budgets_1407").is_visible()
    assert member.locator("#id_item_start[data-jdp]").count() == 1
    shot(member, "drafting-add-project")
    member.click("text=تغییر یک فیلد")
    member.fill("#id_code", "IND3.1.2")
    member.select_option("#id_field", "targets.1405")
    member.fill("#id_value", "۷۰")
    member.fill("#id_justification", "نظرسنجی ۱۴۰۳ رضایت بیشتری نشان داد")
    member.click("text=افزودن این عملیات")
    assert member.locator("ins", has_text="۷۰").count() == 1
    shot(member, "drafting")
    draft_url = member.url
    member.click("text=ارسال برای تأیید کمیته")

    # another committee's member learns nothing of it
    stranger = session("member-c03")
    assert stranger.goto(draft_url).status == 404
    assert stranger.locator(f"text={TITLE}").count() == 0

    # the chair signs off
    chair = session("chair")
    chair.click("text=همه، صفحه به صفحه >> nth=1")  # the whole queue, on its own page
    assert chair.locator(f"text={TITLE}").count() == 1
    shot(chair, "queue")
    chair.click(f"text={TITLE}")
    task_url = chair.url
    shot(chair, "task-sign-off")
    assert stranger.goto(task_url).status == 404
    decide(chair, "تأیید")

    # the integration working group accepts it and assembles a revision of one
    integration = session("integration")
    integration.click(f"text={TITLE}")
    decide(integration, "تأیید")
    integration.click("text=تلفیق بازنگری")
    integration.fill("#id_title", "بازنگری فوری پسماند")
    integration.fill("#id_year", "۱۴۰۴")  # a Persian keyboard's digits, stored as the number
    integration.get_by_label(re.compile(TITLE)).check()
    integration.click("button.primary")
    decide(integration, "ارسال برای تأیید")

    # the policy council approves; the city council records its vote
    policy = session("policy")
    policy.click("text=بازنگری فوری پسماند")
    decide(policy, "تأیید")
    council = session("council")
    council.click("text=بازنگری فوری پسماند")
    shot(council, "task-council-vote")
    today = format_jalali(timezone.localdate())
    decide(
        council,
        "تأیید",
        session_date=today,
        resolution_number="۱۴۰۴/۳۳۳",
        present="۱۱",  # typed on a Persian keyboard: the field keeps them (a type=number field dropped them)
        votes_for="۹",
        votes_against="۱",
        abstentions="۱",
        notified_on=today,
    )

    # the governorate liaison confirms; the planning office issues
    governorate = session("governorate")
    governorate.click("text=بازنگری فوری پسماند")
    shot(governorate, "task-governorate")
    decide(governorate, "تأیید انطباق")
    planning = session("planning")
    planning.click("text=بازنگری فوری پسماند")
    decide(planning, "ابلاغ", issuance_number="۱۴۰۴/ابلاغ/۱۲")

    from approvals.models import CouncilVote

    vote = CouncilVote.objects.latest("id")  # the Persian digits typed above, stored as numbers
    assert (vote.present, vote.votes_for, vote.votes_against, vote.abstentions) == (11, 9, 1, 1)
    assert vote.revision.year == 1404 and vote.resolution_number == "1404/333"  # an identifier, compared
    version = version_in_force(Plan.objects.get(code="ahvaz-1407"))
    assert version.number == before + 1 and version_state(version)["IND3.1.2"]["targets.1405"] == 70
    planning.goto(f"{live_server.url}/plan/diff/?from={before}&to={version.number}")
    assert planning.locator("ins", has_text="۷۰").count() == 1
    shot(planning, "plan-diff")
    # the member is told, in the app
    member.goto(f"{live_server.url}/notifications/")
    assert member.locator("text=پذیرفته شد").count() >= 1
    shot(member, "notifications")

    # the revision's page: its stage on the process diagram, drawn from the flow
    planning.goto(f"{live_server.url}/tasks/revisions/")
    planning.click("text=بازنگری فوری پسماند")
    assert planning.locator("svg g#issuance.done").count() == 1
    assert planning.locator("svg g#governorate.done").count() == 1
    shot(planning, "revision")
    assert stranger.goto(planning.url).status == 404

    # the auditor reads the trail: the revision's timeline, what was signed, the item's history
    auditor = session("auditor")
    auditor.click("text=ممیزی")
    shot(auditor, "audit-events")
    auditor.fill("#id_person", "chair")
    auditor.click("button:has-text('پالایش')")
    assert auditor.locator("table.audit tbody tr").count() >= 1
    auditor.fill("#id_person", "")
    auditor.fill("#id_revision", str(vote.revision.pk).translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")))
    auditor.click("button:has-text('پالایش')")
    from audit.models import AuditEvent

    matching = AuditEvent.objects.filter(scope_revision=vote.revision.pk).count()
    assert auditor.locator("p.errors").count() == 0  # the number was read, not refused
    lead = f"{matching} ".translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    assert auditor.locator("p.lead", has_text=lead).count() == 1, auditor.locator("p.lead").inner_text()
    auditor.goto(planning.url)
    auditor.click("text=گاه‌شمار ممیزی")
    expect(auditor.locator("text=تفاوت نگه‌داشته با آن می‌خواند").nth(4)).to_be_attached()  # five or more
    shot(auditor, "audit-revision-timeline")
    auditor.goto(f"{live_server.url}/audit/items/?code=IND3.1.2")
    assert auditor.locator("ins", has_text="۷۰").count() == 1
    shot(auditor, "audit-item-history")
    with auditor.expect_download() as download:
        auditor.goto(f"{live_server.url}/audit/")
        auditor.click("text=خروجی CSV")
    assert download.value.suggested_filename.endswith(".csv")
    # wait for the whole file (the server streams it), then read it back: the issuance is in it
    with open(download.value.path(), encoding="utf-8-sig") as exported:
        lines = exported.read().splitlines()
    assert len(lines) > 10 and any("plan.version.issue" in line for line in lines)
    assert stranger.goto(f"{live_server.url}/audit/").status == 404

    # at a phone's width nothing runs off the side of the page
    phone = session("chair", width=390)
    for path in ("/", "/plan/", "/profile/", "/notifications/"):
        phone.goto(f"{live_server.url}{path}")
        assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), path
    phone.goto(f"{live_server.url}/")
    shot(phone, "phone-dashboard")
    phone.goto(f"{live_server.url}/profile/")
    shot(phone, "phone-profile")

"""Every kind of page, as each role reads it after the demo's year of history (decided tasks, a
revision with its diagram, a draft, the audit trail): at a phone's width (360 px) none runs off the
side, and axe-core (vendored from npm, `make assets`) finds no serious or critical violation."""

import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command

from approvals.models import Decision
from approvals.selectors import inbox, queue
from audit.models import AuditEvent
from people.models import User
from plan.models import ActualReport, Amendment, Attachment, CallAnswer, IssuedVersion, Revision
from tests.browser.test_walkthrough import browser  # noqa: F401 - the Chromium fixture
from workflows.selectors import open_task

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

WIDE = "document.documentElement.scrollWidth - window.innerWidth"
AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"


def test_no_page_scrolls_sideways_at_360_px(browser, live_server):  # noqa: F811 - the fixture above
    password = demo_password()
    pages = pages_of_every_kind()
    for username in pages:
        assert User.objects.filter(username=username).exists(), username
    overflowing = []
    for username, paths in pages.items():
        page = signed_in(browser, live_server, username, password, width=360, height=740)
        for path in paths:
            response = page.goto(f"{live_server.url}{path}")
            assert response.status < 400, (username, path, response.status)
            extra = page.evaluate(WIDE)
            if extra > 1:
                overflowing.append((username, path, extra))
        page.context.close()
    assert not overflowing, overflowing


def test_no_page_has_a_serious_accessibility_violation(browser, live_server):  # noqa: F811
    password = demo_password()
    found = []
    for username, paths in pages_of_every_kind().items():
        # axe is injected as a script of the page, which the site's CSP (rightly) refuses
        page = signed_in(browser, live_server, username, password, bypass_csp=True)
        for path in paths:
            page.goto(f"{live_server.url}{path}")
            page.add_script_tag(path=str(AXE))
            result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
            found += [
                (path, v["id"], v["help"], [n["target"] for n in v["nodes"][:3]])
                for v in result["violations"]
                if v["impact"] in ("serious", "critical")
            ]
        page.context.close()
    assert not found, found


def demo_password() -> str:
    """Load the demo and return the password its people share (printed once)."""
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    return re.search(r"shown this once\): (\S+)", out.getvalue()).group(1)


def signed_in(browser, live_server, username, password, *, width=1100, height=900, bypass_csp=False):  # noqa: F811
    """A page of a new browser session, signed in through the login form."""
    page = browser.new_context(viewport={"width": width, "height": height}, bypass_csp=bypass_csp).new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button.primary")
    page.wait_for_url(f"{live_server.url}/")
    return page


def pages_of_every_kind() -> dict[str, list[str]]:
    """After the demo: each role and the kinds of page it reads (a decided task, a revision with its
    diagram, a draft, the auditor's pages)."""
    ahvaz = {"plan__code": "ahvaz-1407"}  # the demo's first city, whose people walk here
    decided = Decision.objects.filter(task__isnull=False, amendment__plan__code="ahvaz-1407").order_by("-pk").first()
    revision = Revision.objects.filter(**ahvaz).order_by("pk").first()
    amendment = Amendment.objects.filter(drafted_by__username="member").order_by("pk").first()
    event = AuditEvent.objects.filter(action="plan.revision.decide").order_by("pk").first()
    latest = IssuedVersion.objects.filter(**ahvaz).order_by("-number").first()
    waiting = ActualReport.objects.filter(status=ActualReport.Status.PENDING).order_by("pk").first()
    answer = CallAnswer.objects.filter(committee__code="C02").first()
    rolling = Revision.objects.filter(year=1405).first()
    # the amendment the chair signs off with its study and figures attached
    documented = Attachment.objects.filter(amendment__isnull=False).order_by("pk").first().amendment
    pages = {
        "chair": [
            "/",
            "/inbox/",
            "/queue/",
            "/plan/",
            "/plan/diff/",
            "/profile/",
            "/notifications/",
            "/plan/progress/?year=1404",
            "/plan/items/IND3.1.1/",
            f"/plan/actuals/{waiting.pk}/",
            f"/tasks/{open_task(documented).pk}/",
            "/search/?q=جمع آوری",
        ],
        "member": [
            "/",
            f"/plan/amendments/{amendment.pk}/",
            "/plan/amendments/new/",
            "/plan/actuals/new/?year=1404",
            f"/tasks/calls/{answer.pk}/",
            "/search/?q=پسماند&versions=all",
        ],
        "planning": [
            "/tasks/revisions/",
            f"/tasks/revisions/{revision.pk}/",
            f"/tasks/{decided.task_id}/",
            "/tasks/year/",
            f"/tasks/revisions/{rolling.pk}/",
        ],
        "auditor": [
            "/audit/",
            f"/audit/events/{event.pk}/",
            f"/audit/revisions/{revision.pk}/",
            f"/audit/amendments/{decided.amendment_id}/",
            "/audit/items/?code=IND3.1.1",
            "/audit/verification/",
        ],
        # the public pages (no sign-in needed; read here by the planning office's member of staff)
        "integration": [
            "/public/",
            f"/public/versions/{latest.number}/",
            "/public/indicators/",
            f"/public/verify/{latest.issuance_number}/",
            "/public/verify/?number=no-such-letter",
            f"/tasks/revisions/{rolling.pk}/",  # at assembly: its documents can be added
        ],
    }
    return pages


def test_on_a_wide_screen_the_decision_form_stays_beside_the_diff(browser, live_server):  # noqa: F811
    password = demo_password()
    page = signed_in(browser, live_server, "chair", password, width=1280, height=800)
    chair = User.objects.get(username="chair")
    waiting = (queue(chair) or inbox(chair))[0].task  # a sign-off waiting for the chair
    page.goto(f"{live_server.url}/tasks/{waiting.pk}/")
    diff = page.locator("#diff-title").bounding_box()
    form = page.locator("aside.deciding").bounding_box()
    assert abs(form["y"] - (diff["y"] - 20)) < 60 and form["x"] + form["width"] <= diff["x"] + 1, (diff, form)
    # a long text field counts what is typed against its limit, in the page's (Persian) digits
    page.fill("#id_reason", "دلیل")
    assert page.locator("#id_reason + small.counter").inner_text() == "۴ / ۴۰۰۰"
    page.set_viewport_size({"width": 360, "height": 740})  # on a phone it comes after, full width
    form = page.locator("aside.deciding").bounding_box()
    assert form["y"] > page.locator("#diff-title").bounding_box()["y"] and form["width"] > 300


def test_the_progress_charts_are_drawn_right_to_left_with_their_tables(browser, live_server):  # noqa: F811
    """The charts are Chart.js (vendored from npm, served by us): drawn on the progress page, the
    dashboard and an item's page, each beside a table that says the same in Persian digits."""
    password = demo_password()
    page = signed_in(browser, live_server, "planning", password)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    for path, chart in (
        ("/plan/progress/?year=1404", "committee-chart"),
        ("/", "dashboard-chart"),
        ("/plan/items/IND3.1.1/", "item-chart"),
        ("/plan/items/PRJ-020/", "item-chart"),
    ):
        page.goto(f"{live_server.url}{path}")
        canvas = page.locator(f'canvas[data-chart="{chart}"]')
        canvas.wait_for()
        page.wait_for_function(f"document.querySelector('canvas[data-chart=\\'{chart}\\']').dataset.drawn === '1'")
        box = canvas.bounding_box()
        assert box["width"] > 200 and box["height"] > 100, (path, box)
        # something was painted: the canvas is not blank
        painted = page.evaluate(
            f"""() => {{
                const c = document.querySelector('canvas[data-chart="{chart}"]');
                const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                for (let i = 3; i < d.length; i += 4) if (d[i] !== 0) return true;
                return false;
            }}"""
        )
        assert painted, path
        table = page.locator("table.chart-table").first
        assert table.locator("tbody tr").count() > 0, path
        assert re.search("[۰-۹]", table.inner_text()), path  # the table reads in Persian digits
        assert page.evaluate("Chart.getChart(document.querySelector('canvas[data-chart]')).options.plugins.legend.rtl")
    assert not errors, errors
    page.context.close()

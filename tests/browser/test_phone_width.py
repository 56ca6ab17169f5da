"""At a phone's width (360 px), no page runs off the side: every kind of page, as each role reads it,
after the demo's year of history (decided tasks, a revision with its diagram, the audit trail)."""

import io
import re

import pytest
from django.core.management import call_command

from approvals.models import Decision
from audit.models import AuditEvent
from people.models import User
from plan.models import Amendment, Revision
from tests.browser.test_walkthrough import browser  # noqa: F401 - the Chromium fixture

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

WIDE = "document.documentElement.scrollWidth - window.innerWidth"


def test_no_page_scrolls_sideways_at_360_px(browser, live_server):  # noqa: F811 - the fixture above
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    password = re.search(r"shown this once\): (\S+)", out.getvalue()).group(1)
    decided = Decision.objects.filter(task__isnull=False, amendment__isnull=False).order_by("-pk").first()
    revision = Revision.objects.order_by("pk").first()
    amendment = Amendment.objects.filter(drafted_by__username="member").order_by("pk").first()
    event = AuditEvent.objects.filter(action="plan.revision.decide").order_by("pk").first()
    pages = {
        "chair": ["/", "/inbox/", "/queue/", "/plan/", "/plan/diff/", "/profile/", "/notifications/"],
        "member": ["/", f"/plan/amendments/{amendment.pk}/", "/plan/amendments/new/"],
        "planning": ["/tasks/revisions/", f"/tasks/revisions/{revision.pk}/", f"/tasks/{decided.task_id}/"],
        "auditor": [
            "/audit/",
            f"/audit/events/{event.pk}/",
            f"/audit/revisions/{revision.pk}/",
            f"/audit/amendments/{decided.amendment_id}/",
            "/audit/items/?code=IND3.1.1",
            "/audit/verification/",
        ],
    }
    for username in pages:
        assert User.objects.filter(username=username).exists(), username
    overflowing = []
    for username, paths in pages.items():
        page = browser.new_context(viewport={"width": 360, "height": 740}).new_page()
        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("button.primary")
        page.wait_for_url(f"{live_server.url}/")
        for path in paths:
            response = page.goto(f"{live_server.url}{path}")
            assert response.status < 400, (username, path, response.status)
            extra = page.evaluate(WIDE)
            if extra > 1:
                overflowing.append((username, path, extra))
        page.context.close()
    assert not overflowing, overflowing

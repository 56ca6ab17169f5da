"""The API answers every demo role as the pages do: over every amendment's and revision's task of
the demo (decided and waiting), a person reads a task through the API exactly when its page shows
it to them, and may post a decision exactly when the page offers them the form."""

import pytest
from django.test import Client
from viewflow.workflow.models import Task

from people.models import User
from people.tokens import token_create

pytestmark = pytest.mark.django_db

ROLES = ["member", "chair", "integration", "policy", "council", "governorate", "planning", "auditor", "admin"]
# the demo's second city's people: the same answers, on their city's tasks only
SECOND_CITY = ["sh-member", "sh-chair", "sh-integration", "sh-policy", "sh-council", "sh-planning"]


def test_the_api_and_the_pages_let_the_same_people_read_the_same_tasks(demo):
    tasks = [
        t
        for t in Task.objects.filter(flow_task_type="HUMAN").select_related("process").order_by("pk")
        if t.process.artifact_content_type.model in ("amendment", "revision")
    ]
    assert len(tasks) > 20
    mismatches, compared = [], 0
    for username in ROLES + SECOND_CITY:
        user = User.objects.get(username=username)
        page = Client(raise_request_exception=False)
        page.force_login(user)
        _token, raw = token_create(user=user, name="matrix", scope="read", days=1)
        api = Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Bearer {raw}")
        for task in tasks:
            shown = page.get(f"/tasks/{task.pk}/").status_code
            read = api.get(f"/api/v1/tasks/{task.pk}").status_code
            compared += 1
            if (shown == 200) != (read == 200) or shown >= 500 or read >= 500:
                mismatches.append((username, task.pk, task.flow_task.name, shown, read))
    assert not mismatches, mismatches[:20]
    assert compared == len(ROLES + SECOND_CITY) * len(tasks)


def test_the_api_shows_each_role_the_revisions_the_pages_do(demo):
    from plan.models import Revision

    revisions = list(Revision.objects.order_by("pk"))
    assert revisions
    for username in ROLES + SECOND_CITY:
        user = User.objects.get(username=username)
        page = Client(raise_request_exception=False)
        page.force_login(user)
        _token, raw = token_create(user=user, name="matrix", scope="read", days=1)
        api = Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Bearer {raw}")
        listed = {r["id"] for r in api.get("/api/v1/revisions").json()}
        for revision in revisions:
            shown = page.get(f"/tasks/revisions/{revision.pk}/").status_code == 200
            read = api.get(f"/api/v1/revisions/{revision.pk}")
            assert shown == (read.status_code == 200) == (revision.pk in listed), (username, revision.pk)
            if shown:
                body = read.json()
                assert body["status"] == revision.status and body["amendments"]
                if body["review"]:
                    assert body["votes"] and body["review"]["rule"]


def test_the_api_takes_a_decision_from_exactly_those_the_pages_offer_the_form(demo):
    """Over every open amendment and revision task of the demo, for every role: the page shows the
    decision form exactly when the API accepts a decision. The probe's outcome is one no step has,
    so an accepted caller hears 422 (the service's refusal of the outcome) and nothing is written;
    anyone else hears 404, as for a task they may not see."""
    from viewflow.workflow.status import STATUS

    from approvals.models import Decision

    tasks = [
        t
        for t in Task.objects.filter(flow_task_type="HUMAN", status__in=[STATUS.NEW, STATUS.ASSIGNED])
        .select_related("process")
        .order_by("pk")
        if t.process.artifact_content_type.model in ("amendment", "revision")
    ]
    assert len(tasks) >= 5
    decisions = Decision.objects.count()
    mismatches, offered = [], 0
    for username in ROLES + SECOND_CITY:
        user = User.objects.get(username=username)
        page = Client(raise_request_exception=False)
        page.force_login(user)
        _token, raw = token_create(user=user, name="matrix", scope="write", days=1)
        api = Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Bearer {raw}")
        for task in tasks:
            shown = page.get(f"/tasks/{task.pk}/")
            form = shown.status_code == 200 and 'name="outcome"' in shown.content.decode()
            text = api.get(f"/api/v1/tasks/{task.pk}")
            fingerprint = text.json()["fingerprint"] if text.status_code == 200 else "0" * 64
            probe = api.post(
                f"/api/v1/tasks/{task.pk}/decision",
                {"outcome": "matrix-probe", "fingerprint": fingerprint},
                content_type="application/json",
            ).status_code
            offered += form
            if (form and probe != 422) or (not form and probe != 404):
                mismatches.append((username, task.pk, task.flow_task.name, shown.status_code, form, probe))
    assert not mismatches, mismatches[:20]
    assert offered >= len(tasks)  # every open task is someone's to decide
    assert Decision.objects.count() == decisions

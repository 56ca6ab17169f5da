"""The API (part of #18): personal access tokens from making to revoking, the same visibility and
rules as the pages, a decision on the fingerprint the caller was shown, an idempotent retry that
writes one decision, and every error as problem details."""

import datetime as dt
import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from approvals.models import Decision
from audit.models import AuditEvent
from core.errors import BaznegarError
from people.models import AccessToken
from people.tokens import token_create
from plan.services import amendment_operations_set
from tests.scenario import WASTE
from workflows.models import IdempotentRequest
from workflows.selectors import open_task
from workflows.services import amendment_draft_start, decide

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(plan, people):
    member = people["waste-member"]
    amendment = amendment_draft_start(
        plan=plan, committee=plan.committees.get(code="C02"), drafted_by=member, title="ب"
    )
    amendment_operations_set(amendment=amendment, operations=WASTE, acting_user=member)
    decide(task=open_task(amendment), acting_user=member, outcome="submit")
    return amendment


def bearer(raw):
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def problem(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status and body["detail"]
    return body


def test_a_token_is_made_on_the_profile_shown_once_used_and_revoked(people, client):
    chair = people["waste-chair"]
    client.force_login(chair)
    page = client.post(reverse("token_new"), {"tok-name": "سامانه مالی", "tok-scope": "write", "tok-days": "۳۰"})
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    raw = page.content.decode().split("data-token>")[1].split("<")[0]
    token = AccessToken.objects.get()
    assert raw.startswith(f"bzn_{token.prefix}_") and raw not in token.digest and token.scope == "write"
    assert "data-token" not in client.get(reverse("profile")).content.decode()  # never again
    assert AuditEvent.objects.filter(action="people.token.create", data__prefix=token.prefix).exists()

    client.logout()
    assert client.get("/api/v1/tasks/inbox", **bearer(raw)).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None
    problem(client.get("/api/v1/tasks/inbox", **bearer(raw + "x")), 401)
    problem(client.get("/api/v1/tasks/inbox"), 401)

    client.force_login(chair)
    client.post(reverse("token_revoke", args=[token.pk]))
    client.logout()
    problem(client.get("/api/v1/tasks/inbox", **bearer(raw)), 401)
    assert AuditEvent.objects.filter(action="people.token.revoke").count() == 1
    # another person cannot revoke it
    other, _raw = token_create(user=people["waste-member"], name="x", scope="read", days=1)
    client.force_login(chair)
    assert client.post(reverse("token_revoke", args=[other.pk])).status_code == 404


def test_an_expired_token_and_bad_requests_for_one(people):
    from core.errors import BaznegarError

    token, raw = token_create(user=people["waste-member"], name="n", scope="read", days=1)
    AccessToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    from django.test import Client

    problem(Client().get("/api/v1/tasks/inbox", **bearer(raw)), 401)
    translation.activate("en")  # the refusals read in English here, whatever a request spoke before
    for kwargs, message in [
        ({"name": " "}, "name the token"),
        ({"days": 0}, "1 to 366"),
        ({"scope": "admin"}, "reads"),
    ]:
        with pytest.raises(BaznegarError, match=message):
            token_create(**{"user": people["waste-member"], "name": "n", "scope": "read", "days": 5, **kwargs})


def test_the_inbox_and_a_task_as_the_pages_show_them(submitted, people, client):
    _token, raw = token_create(user=people["waste-chair"], name="n", scope="read", days=5)
    task = open_task(submitted)
    assert client.get("/api/v1/tasks/inbox", **bearer(raw)).json()["total"] == 0  # a sign-off waits in the queue
    waiting = client.get("/api/v1/tasks/queue", **bearer(raw)).json()
    assert waiting["total"] == 1 and waiting["next"] is None
    assert [row["id"] for row in waiting["results"]] == [task.pk] and waiting["results"][0][
        "subject_id"
    ] == submitted.pk
    assert len(client.get("/api/v1/tasks/queue?per_page=100000", **bearer(raw)).json()["results"]) == 1
    problem(client.get("/api/v1/tasks/queue?cursor=not-ours", **bearer(raw)), 400)
    shown = client.get(f"/api/v1/tasks/{task.pk}", **bearer(raw)).json()
    assert shown["open"] and shown["entries"] and len(shown["fingerprint"]) == 64
    # another committee's member: the task does not exist for them
    _other, outsider = token_create(user=people["parks-member"], name="n", scope="write", days=5)
    problem(client.get(f"/api/v1/tasks/{task.pk}", **bearer(outsider)), 404)
    body = {"outcome": "approve", "fingerprint": shown["fingerprint"]}
    problem(
        client.post(f"/api/v1/tasks/{task.pk}/decision", body, content_type="application/json", **bearer(outsider)), 404
    )
    problem(client.get("/api/v1/tasks/99999999", **bearer(raw)), 404)


def test_a_decision_on_a_stale_text_a_read_token_and_bad_bodies_write_nothing(submitted, people, client):
    _t, reader = token_create(user=people["waste-chair"], name="n", scope="read", days=5)
    _t, writer = token_create(user=people["waste-chair"], name="w", scope="write", days=5)
    task = open_task(submitted)
    fingerprint = client.get(f"/api/v1/tasks/{task.pk}", **bearer(writer)).json()["fingerprint"]
    url = f"/api/v1/tasks/{task.pk}/decision"
    post = lambda body, raw=writer: client.post(url, body, content_type="application/json", **bearer(raw))  # noqa: E731
    problem(post({"outcome": "approve", "fingerprint": fingerprint}, reader), 403)
    problem(post({"outcome": "approve", "fingerprint": "0" * 64}), 409)
    problem(post({"outcome": "approve"}), 422)
    problem(post({"outcome": "approve", "fingerprint": fingerprint, "extra": 1}), 422)
    problem(client.post(url, "{not json", content_type="application/json", **bearer(writer)), 400)
    problem(post({"outcome": "return", "fingerprint": fingerprint}), 422)  # a return needs a reason
    problem(post({"outcome": "fly", "fingerprint": fingerprint}), 422)
    assert not Decision.objects.filter(step="sign_off").exists()
    # the drafter may not sign off their own amendment: a refusal of who asks
    _t, drafter = token_create(user=people["waste-member"], name="d", scope="write", days=5)
    problem(post({"outcome": "approve", "fingerprint": fingerprint}, drafter), 404)  # not a task they may act on


def test_a_retried_decision_with_the_same_key_writes_one(submitted, people, client):
    _t, writer = token_create(user=people["waste-chair"], name="w", scope="write", days=5)
    task = open_task(submitted)
    fingerprint = client.get(f"/api/v1/tasks/{task.pk}", **bearer(writer)).json()["fingerprint"]
    url = f"/api/v1/tasks/{task.pk}/decision"
    body = json.dumps({"outcome": "approve", "fingerprint": fingerprint})
    headers = {**bearer(writer), "HTTP_IDEMPOTENCY_KEY": "sign-off-42"}
    first = client.post(url, body, content_type="application/json", **headers)
    again = client.post(url, body, content_type="application/json", **headers)
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    assert Decision.objects.filter(step="sign_off", amendment=submitted).count() == 1
    assert first.json()["fingerprint"] == fingerprint
    # the same key for another request is refused; a new key on a decided task is a conflict
    other = json.dumps({"outcome": "approve", "fingerprint": "1" * 64})
    problem(client.post(url, other, content_type="application/json", **headers), 422)
    problem(client.post(url, body, content_type="application/json", **bearer(writer), HTTP_IDEMPOTENCY_KEY="k2"), 409)
    assert IdempotentRequest.objects.filter(key="sign-off-42").get().status == 201
    # the decision's audit event names the token it came through; a page's decision names none
    signed = AuditEvent.objects.get(action="workflows.amendment.sign_off")
    assert signed.data["via_token"] == _t.prefix
    assert "via_token" not in AuditEvent.objects.get(action="workflows.amendment.submit").data


def test_the_plan_read_with_an_etag(plan, people, client):
    _t, raw = token_create(user=people["waste-member"], name="n", scope="read", days=5)
    versions = client.get("/api/v1/plan/versions", **bearer(raw)).json()
    assert versions == [
        {
            "number": 1,
            "issuance_number": versions[0]["issuance_number"],
            "issued_at": versions[0]["issued_at"],
            "fingerprint": plan.versions.get().fingerprint,
            "in_force": True,
        }
    ]
    items = client.get("/api/v1/plan/versions/1/items", **bearer(raw))
    assert items.status_code == 200 and len(items.json()) > 100
    assert (
        client.get("/api/v1/plan/versions/1/items", HTTP_IF_NONE_MATCH=items["ETag"], **bearer(raw)).status_code == 304
    )
    one = client.get("/api/v1/plan/items/IND3.1.1", **bearer(raw)).json()
    assert one["code"] == "IND3.1.1" and one["kind"] == "indicator" and "targets.1405" in one["fields"]
    problem(client.get("/api/v1/plan/items/NOPE", **bearer(raw)), 404)
    problem(client.get("/api/v1/plan/versions/9/items", **bearer(raw)), 404)


def test_the_schema_and_its_reference_are_served(client, people):
    schema = client.get("/api/v1/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert {"/api/v1/tasks/inbox", "/api/v1/tasks/{task_id}/decision", "/api/v1/plan/versions"} <= set(paths)
    assert client.get("/api/schema/").json()["paths"].keys() == paths.keys()
    for operations in paths.values():  # each summary in Persian too, and each error a problem
        for operation in operations.values():
            assert "4XX" in operation["responses"] and operation["summary"], operation
            assert any("\u0600" <= ch <= "\u06ff" for ch in operation.get("description", "")), operation["summary"]
    client.force_login(people["waste-member"])
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200 and "/static/ninja/swagger-ui-bundle.js" in docs.content.decode()


def test_notifications_are_listed_and_marked_read(submitted, people, client):
    from notifications.models import Notification

    chair = people["waste-chair"]
    _t, reader = token_create(user=chair, name="r", scope="read", days=5)
    _t, writer = token_create(user=chair, name="w", scope="write", days=5)
    listed = client.get("/api/v1/notifications?unread=true", **bearer(reader)).json()
    assert listed and all(not n["read"] and n["text"] for n in listed)
    assert {n["id"] for n in listed} == set(Notification.objects.filter(recipient=chair).values_list("pk", flat=True))
    post = lambda body, raw: client.post(  # noqa: E731
        "/api/v1/notifications/read", body, content_type="application/json", **bearer(raw)
    )
    problem(post({"ids": [listed[0]["id"]]}, reader), 403)
    assert post({"ids": []}, writer).json() == {"marked": 0}
    assert post({"ids": [listed[0]["id"]]}, writer).json() == {"marked": 1}
    assert post({}, writer).json() == {"marked": len(listed) - 1}
    assert client.get("/api/v1/notifications?unread=true", **bearer(reader)).json() == []
    # another person's notification is not the chair's to mark
    other = Notification.objects.create(recipient=people["parks-member"], event="comment.mentioned")
    assert post({"ids": [other.pk]}, writer).json() == {"marked": 0}
    other.refresh_from_db()
    assert other.read_at is None


def test_a_member_drafts_and_submits_through_the_api(plan, people, client):
    from plan.models import Amendment

    _t, member = token_create(user=people["waste-member"], name="w", scope="write", days=5)
    _t, chair = token_create(user=people["waste-chair"], name="c", scope="write", days=5)
    _t, outsider = token_create(user=people["parks-member"], name="o", scope="write", days=5)

    def call(method, path, body=None, raw=member):
        return getattr(client, method)(path, body, content_type="application/json", **bearer(raw))

    problem(call("post", "/api/v1/amendments", {"committee": "C03", "title": "x"}), 403)  # not their committee
    problem(call("post", "/api/v1/amendments", {"committee": "C99", "title": "x"}), 404)
    created = call("post", "/api/v1/amendments", {"committee": "C02", "title": "هدف تازه"})
    assert created.status_code == 201
    draft = created.json()
    assert draft["status"] == "draft" and draft["operations"] == [] and draft["committee"] == "C02"
    path = f"/api/v1/amendments/{draft['id']}"

    bad = call("put", f"{path}/operations", {"operations": [{**WASTE[0], "code": "NO-SUCH"}]})
    assert problem(bad, 422)["errors"]
    assert Amendment.objects.get(pk=draft["id"]).operations.count() == 0  # refused whole
    problem(call("put", f"{path}/operations", {"operations": WASTE}, chair), 404)  # not the chair's draft
    shown = call("put", f"{path}/operations", {"operations": WASTE}).json()
    assert shown["entries"] and shown["entries"][0]["code"] == "IND3.1.1" and len(shown["fingerprint"]) == 64
    assert client.get(path, **bearer(chair)).status_code == 200  # the committee may read it
    problem(client.get(path, **bearer(outsider)), 404)

    problem(call("post", f"{path}/submit", {"fingerprint": "0" * 64}), 409)
    sent = call("post", f"{path}/submit", {"fingerprint": shown["fingerprint"]})
    assert sent.status_code == 201 and sent.json()["step"] == "draft"
    problem(call("put", f"{path}/operations", {"operations": WASTE}), 422)  # no longer a draft
    problem(call("post", f"{path}/submit", {"fingerprint": shown["fingerprint"]}), 409)
    withdrawn = call("post", f"{path}/withdraw", {"reason": "نیازی نیست"})
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"


@pytest.mark.django_db(transaction=True)
def test_the_audit_trail_for_auditors_with_a_keyset_cursor_and_proofs(submitted, people, client):
    from audit.services import audit_sequence_all
    from people.roles import Role
    from tests.factories import UserFactory

    auditor = UserFactory(username="api-auditor", roles=[Role.AUDITOR])
    _t, raw = token_create(user=auditor, name="a", scope="read", days=5)
    _t, member = token_create(user=people["waste-member"], name="m", scope="read", days=5)
    problem(client.get("/api/v1/audit/events", **bearer(member)), 404)  # not there for anyone else
    first = client.get("/api/v1/audit/events", **bearer(raw)).json()
    total = AuditEvent.objects.count()
    assert first["count"] == total and len(first["results"]) == min(total, 50)
    ids = [e["id"] for e in first["results"]]
    assert ids == sorted(ids, reverse=True)
    seen, cursor = set(ids), first["older"]
    while cursor:
        page = client.get(f"/api/v1/audit/events?before={cursor}", **bearer(raw)).json()
        seen |= {e["id"] for e in page["results"]}
        cursor = page["older"]
    assert seen == set(AuditEvent.objects.values_list("pk", flat=True))
    submits = client.get("/api/v1/audit/events?action=workflows.amendment.submit", **bearer(raw)).json()
    assert [e["object_id"] for e in submits["results"]] == [str(submitted.pk)]

    event_id = submits["results"][0]["id"]
    unsealed = client.get(f"/api/v1/audit/events/{event_id}", **bearer(raw)).json()
    assert unsealed["hash_matches"] and unsealed["proof"] is None  # recorded, sealing
    audit_sequence_all()
    sealed = client.get(f"/api/v1/audit/events/{event_id}", **bearer(raw)).json()
    assert sealed["proof"]["tree_size"] >= total and len(sealed["proof"]["root_hash"]) == 64
    problem(client.get(f"/api/v1/audit/events/{event_id}", **bearer(member)), 404)


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "/api/v1/plan/items/IND%00", None),
        ("get", "/api/v1/plan/versions?plan=%00", None),
        ("post", "/api/v1/amendments", '{"committee": "C02", "title": "a\\u0000b"}'),
    ],
)
def test_a_nul_character_is_a_bad_request(plan, people, client, method, path, body):
    _t, raw = token_create(user=people["waste-member"], name="w", scope="write", days=5)
    kwargs = {"content_type": "application/json", "data": body} if body else {}
    problem(getattr(client, method)(path, **kwargs, **bearer(raw)), 400)


def test_a_chair_claims_and_releases_a_queued_sign_off(submitted, people, client):
    _t, chair = token_create(user=people["waste-chair"], name="c", scope="write", days=5)
    _t, reader = token_create(user=people["waste-chair"], name="r", scope="read", days=5)
    _t, outsider = token_create(user=people["parks-chair"], name="o", scope="write", days=5)
    task = open_task(submitted)
    problem(client.post(f"/api/v1/tasks/{task.pk}/claim", **bearer(reader)), 403)
    problem(client.post(f"/api/v1/tasks/{task.pk}/claim", **bearer(outsider)), 404)
    claimed = client.post(f"/api/v1/tasks/{task.pk}/claim", **bearer(chair)).json()
    assert claimed == {"id": task.pk, "assigned_to": "waste-chair"}
    assert client.get("/api/v1/tasks/inbox", **bearer(chair)).json()["total"] == 1
    released = client.post(f"/api/v1/tasks/{task.pk}/release", **bearer(chair)).json()
    assert released == {"id": task.pk, "assigned_to": None}
    assert client.get("/api/v1/tasks/queue", **bearer(chair)).json()["total"] == 1


def test_a_nul_in_a_body_of_any_type_and_malformed_values_are_refused(plan, people, client):
    from plan.models import Amendment

    _t, raw = token_create(user=people["waste-member"], name="w", scope="write", days=5)
    sent = client.post(
        "/api/v1/amendments", '{"committee": "C02", "title": "a\\u0000"}', content_type="text/plain", **bearer(raw)
    )
    problem(sent, 400)
    draft = client.post(
        "/api/v1/amendments", {"committee": "C02", "title": "ب"}, content_type="application/json", **bearer(raw)
    ).json()
    path = f"/api/v1/amendments/{draft['id']}/operations"
    for values, action in [
        ({"parent": "EO3.1"}, "move"),
        ({"portfolio": {"new": ["PF-001"]}}, "move"),
        ({"name_fa": {"new": {"x": 1}}}, "change"),
        ({"name_fa": ["ب"]}, "add"),
    ]:
        op = {"action": action, "code": "IND3.1.1", "kind": "indicator", "values": values, "justification": "j"}
        answer = client.put(
            path, {"operations": [op]}, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en", **bearer(raw)
        )
        assert "not in the form it takes" in " ".join(problem(answer, 422)["errors"]), values
    assert Amendment.objects.get(pk=draft["id"]).operations.count() == 0


def test_nan_and_infinity_are_no_figures_and_an_operation_keeps_its_items_own_kind(plan, people, client):
    """Python's JSON parser reads NaN and Infinity: the API does not (PostgreSQL's jsonb refused
    them with a 500). A kind sent with a change is not stored: the item's own is."""
    from plan.items import normalize_number
    from plan.models import Amendment

    _t, raw = token_create(user=people["waste-member"], name="w", scope="write", days=5)
    draft = client.post(
        "/api/v1/amendments", {"committee": "C02", "title": "ب"}, content_type="application/json", **bearer(raw)
    ).json()
    path = f"/api/v1/amendments/{draft['id']}/operations"
    for literal in ("NaN", "Infinity", "-Infinity"):
        body = json.dumps({"operations": [{**WASTE[0], "values": {"targets.1405": {"new": "FIGURE"}}}]})
        body = body.replace('"FIGURE"', literal)
        answer = client.put(path, body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en", **bearer(raw))
        assert "not JSON" in problem(answer, 400)["detail"], literal
    assert Amendment.objects.get(pk=draft["id"]).operations.count() == 0
    assert [normalize_number(v) for v in (float("nan"), float("inf"), 2.5, 3.0)] == [None, None, 2.5, 3]

    answer = client.put(
        path, {"operations": [{**WASTE[0], "kind": "x" * 40}]}, content_type="application/json", **bearer(raw)
    )
    assert answer.status_code == 200, answer.content
    assert Amendment.objects.get(pk=draft["id"]).operations.get().kind == "indicator"


def test_a_token_caller_is_answered_in_their_language_unless_the_request_asks_for_another(plan, people, client):
    member = people["waste-member"]
    _t, raw = token_create(user=member, name="w", scope="read", days=5)
    for saved, asked, expected in [
        ("en", None, "There is no such"),
        ("fa", None, "چنین"),
        ("en", "fa-IR,fa;q=0.9", "چنین"),
    ]:
        member.language = saved
        member.save(update_fields=["language"])
        headers = {"HTTP_ACCEPT_LANGUAGE": asked} if asked else {}
        answer = client.get("/api/v1/amendments/999999", **headers, **bearer(raw))
        assert expected in problem(answer, 404)["detail"], (saved, asked)


def test_a_service_account_gets_its_token_from_an_administrator_and_never_signs_in(plan, people, client):
    from django.contrib.messages import get_messages

    from people.roles import Role
    from tests.factories import UserFactory

    translation.activate("en")
    admin = UserFactory(username="api-admin", roles=[Role.ADMINISTRATOR], is_staff=True)
    finance = UserFactory(username="finance-system", roles=[Role.PLANNING_OFFICE], is_service=True)
    finance.set_password("a-long-enough-secret-42")
    finance.save()
    signing_in = client.post("/login/", {"username": "finance-system", "password": "a-long-enough-secret-42"})
    assert signing_in.status_code == 200 and "_auth_user_id" not in client.session  # the form refuses it
    # nobody makes a token for another person, nor a service account for itself
    translation.activate("en")  # the sign-in above spoke Persian
    with pytest.raises(BaznegarError, match="their own tokens"):
        token_create(user=people["waste-member"], name="x", scope="read", days=5, made_by=admin)
    with pytest.raises(BaznegarError, match="administrator makes"):
        token_create(user=finance, name="x", scope="read", days=5)
    with pytest.raises(BaznegarError, match="administrator makes"):
        token_create(user=finance, name="x", scope="read", days=5, made_by=people["planning"])

    client.force_login(people["planning"])  # not an administrator: no such page
    assert client.get("/admin/people/accesstoken/add/").status_code in (302, 403)
    client.force_login(admin)
    form = {"user": finance.pk, "name": "finance nightly", "scope": "read", "days": 30}
    people_choice = client.post("/admin/people/accesstoken/add/", {**form, "user": people["waste-member"].pk})
    assert people_choice.status_code == 200 and not AccessToken.objects.exists()  # only service accounts offered
    made = client.post("/admin/people/accesstoken/add/", form)
    assert made.status_code == 200 and "no-store" in made["Cache-Control"], made.content
    raw = re.search(r"data-token>(bzn_[^<]+)<", made.content.decode()).group(1)
    assert not [str(m) for m in get_messages(made.wsgi_request)]  # the secret is in no message cookie
    token = AccessToken.objects.get()
    assert token.user == finance and token.scope == "read"
    event = AuditEvent.objects.get(action="people.token.create")
    assert event.actor == admin and event.data["for"] == "finance-system" and raw not in json.dumps(event.data)
    client.logout()
    assert client.get("/api/v1/plan/versions", **bearer(raw)).status_code == 200
    revoked = client.post(
        "/admin/people/accesstoken/", {"action": "revoke", "_selected_action": [token.pk]}, follow=False
    )
    assert revoked.status_code == 302  # signed out: the admin sends to its login, nothing revoked
    client.force_login(admin)
    for _twice in range(2):  # the second time there is nothing left to revoke, and no error
        client.post("/admin/people/accesstoken/", {"action": "revoke", "_selected_action": [token.pk]})
    assert AuditEvent.objects.filter(action="people.token.revoke").count() == 1
    client.logout()
    problem(client.get("/api/v1/plan/versions", **bearer(raw)), 401)


def test_idempotency_keys_last_a_day_and_every_write_takes_one(plan, people, client):
    from workflows.tasks import purge_idempotency_keys

    _t, raw = token_create(user=people["waste-member"], name="w", scope="write", days=5)
    headers = {**bearer(raw), "HTTP_IDEMPOTENCY_KEY": "open-once"}
    body = {"committee": "C02", "title": "یک بار"}
    first = client.post("/api/v1/amendments", body, content_type="application/json", **headers)
    again = client.post("/api/v1/amendments", body, content_type="application/json", **headers)
    assert first.status_code == again.status_code == 201 and first.json()["id"] == again.json()["id"]
    from plan.models import Amendment

    assert Amendment.objects.filter(title="یک بار").count() == 1
    IdempotentRequest.objects.update(created_at=timezone.now() - dt.timedelta(hours=25))
    fresh = IdempotentRequest.objects.create(user=people["waste-member"], key="new", request_hash="x")
    assert purge_idempotency_keys() == 1
    assert list(IdempotentRequest.objects.values_list("pk", flat=True)) == [fresh.pk]
    # after the purge the same key is a new request
    third = client.post("/api/v1/amendments", body, content_type="application/json", **headers)
    assert third.status_code == 201 and third.json()["id"] != first.json()["id"]


def test_a_huge_body_is_a_413_problem_and_writes_nothing(plan, people, client, settings):
    from plan.models import Amendment

    settings.API_MAX_BODY_BYTES = 4096
    _t, raw = token_create(user=people["waste-member"], name="w", scope="write", days=5)
    huge = json.dumps({"committee": "C02", "title": "ب" * 5000})
    problem(client.post("/api/v1/amendments", huge, content_type="application/json", **bearer(raw)), 413)
    assert not Amendment.objects.exists()
    small = json.dumps({"committee": "C02", "title": "ب"})
    assert client.post("/api/v1/amendments", small, content_type="application/json", **bearer(raw)).status_code == 201


@pytest.mark.parametrize(
    "cursor",
    ["W251bGwsIjIwMjYtMDEtMDEiLEluZmluaXR5XQ", "WyIyMDI2LTAxLTAxIiwiMjAyNi0wMS0wMVQwMDowMDowMCIsMV0", "e30", "x" * 300],
)
def test_a_crafted_cursor_is_a_400(plan, people, client, cursor):
    _t, raw = token_create(user=people["waste-chair"], name="r", scope="read", days=5)
    problem(client.get(f"/api/v1/tasks/queue?cursor={cursor}", **bearer(raw)), 400)

"""The auditor's pages: filters, timelines, what was signed, exports, verification, item history,
and that no one else may read them and auditors may change nothing."""

import csv
import datetime as dt
import io

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from approvals.models import Decision
from approvals.selectors import amendment_timeline, revision_timeline
from audit.models import AuditEvent, AuditTreeHead, AuditVerification
from audit.services import audit_sequence_all
from audit.tasks import verify_audit_chain
from notifications.models import Notification, Outbox
from people.roles import Role
from plan.models import AmendmentOperation
from plan.services import amendment_operations_set
from tests.factories import UserFactory
from tests.scenario import PARKS, VOTE, WASTE
from workflows.selectors import open_task, revision_open_task
from workflows.services import decide, revision_decide, revision_start

pytestmark = pytest.mark.django_db
AUDIT_URLS = [
    ("audit:events", ()),
    ("audit:export_csv", ()),
    ("audit:export_xlsx", ()),
    ("audit:item", ()),
    ("audit:verification", ()),
]


@pytest.fixture
def auditor(db):
    return UserFactory(username="auditor", roles=[Role.AUDITOR], language="en")


@pytest.fixture
def administrator(db):
    return UserFactory(username="admin-person", roles=[Role.ADMINISTRATOR], language="en")


def act(revision, user, outcome, **kwargs):
    return revision_decide(task=revision_open_task(revision), acting_user=user, outcome=outcome, **kwargs)


@pytest.fixture
def issued(plan, people, accepted):
    """A revision of two amendments walked from assembly to issuance."""
    first = accepted("C02", WASTE, title="اصلاح پسماند")
    second = accepted("C03", PARKS, title="اصلاح فضای سبز")
    revision = revision_start(
        plan=plan, year=1404, title="بازنگری ۱۴۰۴", amendments=[first, second], acting_user=people["integration"]
    )
    act(revision, people["integration"], "submit")
    act(revision, people["policy"], "approve")
    act(revision, people["council"], "approve", notified_on=timezone.localdate(), **VOTE)
    act(revision, people["governorate"], "confirm")
    act(revision, people["planning"], "issue", issuance_number="1404/ابلاغ/9")
    revision.refresh_from_db()
    return revision


def test_events_carry_their_scope_so_filters_find_them(issued, client, auditor, people):
    first = issued.amendments.order_by("pk").first()
    client.force_login(auditor)
    by_amendment = client.get(reverse("audit:events"), {"amendment": first.pk})
    assert by_amendment.status_code == 200
    shown = by_amendment.context["page"].events
    assert shown and all(e.scope_amendment == first.pk for e in shown)
    assert {e.action for e in shown} >= {"plan.amendment.create", "workflows.amendment.submit"}

    by_revision = client.get(reverse("audit:events"), {"revision": issued.pk}).context["page"].events
    assert [e.data.get("step") for e in reversed(by_revision) if e.action == "plan.revision.decide"] == [
        "assemble",
        "policy_council",
        "city_council",
        "governorate",
        "issuance",
    ]
    by_person = client.get(reverse("audit:events"), {"person": "policy"}).context["page"].events
    assert [e.action for e in by_person] == ["plan.revision.decide"]
    by_committee = client.get(reverse("audit:events"), {"committee": "C03"}).context["page"].events
    parks = issued.amendments.order_by("pk").last()
    assert by_committee and all(e.scope_committee == parks.committee_id for e in by_committee)
    assert {e.scope_amendment for e in by_committee} - {None} == {parks.pk}
    by_action = client.get(reverse("audit:events"), {"action": "workflows.amendment.sign_off"}).context["page"]
    assert by_action.count == 2 and {e.actor_username for e in by_action.events} == {"waste-chair", "parks-chair"}

    today = timezone.localtime()
    from core.jalali import to_jalali

    jtoday = to_jalali(today.date())
    day = f"{jtoday.year}/{jtoday.month:02d}/{jtoday.day:02d}"
    in_range = client.get(reverse("audit:events"), {"date_from": day, "date_to": day}).context["page"]
    assert in_range.count == AuditEvent.objects.count()
    tomorrow = to_jalali(today.date() + dt.timedelta(days=1))
    later = f"{tomorrow.year}/{tomorrow.month:02d}/{tomorrow.day:02d}"
    assert client.get(reverse("audit:events"), {"date_from": later}).context["page"].count == 0


def test_paging_by_keyset_walks_every_event_once(issued, client, auditor, monkeypatch):
    monkeypatch.setattr("approvals.selectors.audit_trail.AUDIT_PAGE_SIZE", 7)
    client.force_login(auditor)
    seen, params = [], {}
    while True:
        page = client.get(reverse("audit:events"), params).context["page"]
        seen.extend(e.pk for e in page.events)
        if page.older is None:
            break
        params = {"before": page.older}
    assert seen == list(AuditEvent.objects.order_by("-id").values_list("pk", flat=True))
    assert len(seen) > 3 * 7  # several pages were walked
    back = client.get(reverse("audit:events"), {"after": seen[14]}).context["page"]
    assert [e.pk for e in back.events] == seen[7:14]  # the newer page is the seven just above
    assert back.newer == seen[7] and back.older == seen[13]


def test_query_count_does_not_grow_with_the_events(issued, client, auditor, people, accepted):
    client.force_login(auditor)
    with CaptureQueriesContext(connection) as before:
        client.get(reverse("audit:events"))
    accepted("C02", [{**WASTE[0], "values": {"targets.1406": {"new": 95}}}])
    with CaptureQueriesContext(connection) as after:
        client.get(reverse("audit:events"))
    assert len(after) == len(before)


@pytest.mark.parametrize(
    "params, message",
    [
        ({"date_from": "1404/13/40"}, "Jalali"),
        ({"date_to": "yesterday"}, "Jalali"),
        ({"person": "nobody-here"}, "There is no person with the username “nobody-here”."),
        ({"date_from": "1404/05/10", "date_to": "1404/05/01"}, "before its start"),
        ({"committee": "C99"}, "There is no committee"),
        ({"amendment": "abc"}, "Enter a whole number"),
    ],
)
def test_a_malformed_filter_is_a_clear_message_not_a_500(client, auditor, params, message):
    client.force_login(auditor)
    response = client.get(reverse("audit:events"), params)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert response.context["page"] is None
    assert client.get(reverse("audit:export_csv"), params).status_code == 400


def test_the_filter_messages_are_persian_for_persian_readers(client, auditor):
    auditor.language = "fa"
    auditor.save()
    client.force_login(auditor)
    response = client.get(reverse("audit:events"), {"person": "nobody-here", "date_from": "فردا"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "کسی با نام کاربری «nobody-here» نیست." in html
    assert "سال/ماه/روز" in html and 'dir="rtl"' in html


def test_revision_timeline_tells_who_when_what_and_on_what_text(issued, client, auditor):
    timeline = revision_timeline(issued)
    decisions = [e for e in timeline if e.decision is not None]
    # every decision of both amendments and of the revision, in the order they were taken
    assert [e.decision.step for e in decisions if e.subject == "revision"] == [
        "assemble",
        "policy_council",
        "city_council",
        "governorate",
        "issuance",
    ]
    assert len([e for e in decisions if e.subject == "amendment"]) == 6
    for entry in decisions:
        assert entry.diff_verified is True  # the diff kept with the decision hashes to what the chain holds
        assert entry.diff, "the diff decided on is kept"
        assert entry.changed_after is None and entry.superseded_by is None
    assert timeline[-1].event.action in {"plan.revision.decide", "plan.version.issue"}
    assert any(e.event.action == "plan.version.issue" for e in timeline)

    client.force_login(auditor)
    page = client.get(reverse("audit:revision", args=[issued.pk])).content.decode()
    assert "the stored diff matches it" in page and "IND3.4.1" in page and "policy" in page


def test_a_change_after_a_signature_is_marked(plan, people, client, auditor):
    from workflows.services import amendment_draft_start

    member, chair = people["waste-member"], people["waste-chair"]
    amendment = amendment_draft_start(
        plan=plan, committee=plan.committees.get(code="C02"), drafted_by=member, title="t"
    )
    amendment_operations_set(amendment=amendment, operations=WASTE, acting_user=member)
    decide(task=open_task(amendment), acting_user=member, outcome="submit")
    signed = decide(task=open_task(amendment), acting_user=chair, outcome="approve")
    decide(task=open_task(amendment), acting_user=people["integration"], outcome="return", reason="کمتر")
    changed = [{**WASTE[0], "values": {"targets.1405": {"new": 70}}}]
    amendment_operations_set(amendment=amendment, operations=changed, acting_user=member)

    timeline = amendment_timeline(amendment)
    chair_entry = next(e for e in timeline if e.decision == signed)
    edit = timeline[-1]
    assert edit.event.action == "plan.amendment.edit"
    assert edit.changed_after is not None and edit.changed_after.event.actor_username in {"waste-chair", "waste-member"}
    assert chair_entry.superseded_by is edit or chair_entry.superseded_by is not None
    client.force_login(auditor)
    page = client.get(reverse("audit:amendment", args=[amendment.pk])).content.decode()
    assert "The text changed after it was signed by" in page
    assert "no longer covers the text" in page


def test_a_change_made_outside_the_product_is_flagged(accepted, client, auditor):
    amendment = accepted("C02", WASTE)
    client.force_login(auditor)
    assert (
        "changed outside the product"
        not in client.get(reverse("audit:amendment", args=[amendment.pk])).content.decode()
    )
    AmendmentOperation.objects.filter(amendment=amendment).update(values={"targets.1405": {"new": 1}})
    page = client.get(reverse("audit:amendment", args=[amendment.pk])).content.decode()
    assert "changed outside the product" in page


def test_exports_open_and_read_back_with_jalali_and_iso_dates(issued, client, auditor):
    client.force_login(auditor)
    response = client.get(reverse("audit:export_csv"), {"revision": issued.pk})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    expected = list(AuditEvent.objects.filter(scope_revision=issued.pk).order_by("-id"))
    assert len(rows) == len(expected) + 1
    header, first = rows[0], rows[1]
    assert "date and time (Jalali, Tehran)" in header and "date and time (ISO 8601, UTC)" in header
    event = expected[0]
    assert int(first[0]) == event.pk and first[-1] == event.hash
    assert dt.datetime.fromisoformat(first[2]) == event.occurred_at
    from core.jalali import to_jalali

    local = to_jalali(timezone.localtime(event.occurred_at))
    assert first[1].startswith(f"{local.year:04d}/{local.month:02d}/{local.day:02d}")

    response = client.get(reverse("audit:export_xlsx"), {"revision": issued.pk})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert len(values) == len(expected) + 1 and values[1][0] == event.pk and values[1][-1] == event.hash
    assert values[1][1] == first[1] and values[1][2] == first[2]


def test_a_typed_formula_stays_text_in_exports(plan, people, client, auditor, accepted):
    from workflows.services import amendment_withdraw

    amendment = accepted("C02", WASTE)
    assert amendment.status == "accepted"
    from workflows.services import amendment_draft_start

    draft = amendment_draft_start(
        plan=plan, committee=plan.committees.get(code="C02"), drafted_by=people["waste-member"], title="x"
    )
    amendment_withdraw(amendment=draft, acting_user=people["waste-member"], reason='=HYPERLINK("http://evil")')
    client.force_login(auditor)
    sheet = load_workbook(io.BytesIO(client.get(reverse("audit:export_xlsx"), {"amendment": draft.pk}).content)).active
    reasons = [row[12] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert '\'=HYPERLINK("http://evil")' in reasons


def _tamper(sql, params):
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(sql, params)


@pytest.mark.postgres
def test_a_tampered_row_is_found_by_the_daily_check_and_administrators_are_told_once(
    issued, administrator, auditor, client, people
):
    assert verify_audit_chain()["ok"] is True
    assert not Notification.objects.filter(event="audit.chain_broken").exists()
    target = AuditEvent.objects.filter(action="plan.revision.decide").order_by("id")[1]
    with transaction.atomic():
        _tamper('UPDATE audit_auditevent SET data = data || \'{"reason": "forged"}\' WHERE id = %s', [target.pk])

    result = verify_audit_chain()
    assert result == {"ok": False, "events": result["events"], "broken": target.pk}
    told = Notification.objects.filter(event="audit.chain_broken")
    assert [n.recipient for n in told] == [administrator]  # auditors and approvers are not paged
    from notifications.events import render

    assert render(told.get(), "en") == (
        f"The audit log is broken: event #{target.pk} was altered: its content does not match its hash"
    )
    emails = Outbox.objects.filter(recipient=administrator)
    assert emails.count() == 1 and str(target.pk) in emails.get().body
    verify_audit_chain()  # the same break found again is not told again
    assert told.count() == 1 and emails.count() == 1

    client.force_login(auditor)
    page = client.get(reverse("audit:verification")).content.decode()
    assert "The audit log is broken." in page and f"event #{target.pk} was altered" in page
    detail = client.get(reverse("audit:event", args=[target.pk])).content.decode()
    assert "this row was altered" in detail
    assert AuditVerification.objects.filter(ok=False).count() == 2


def test_the_item_history_names_versions_amendments_and_decisions(issued, client, auditor):
    client.force_login(auditor)
    response = client.get(reverse("audit:item"), {"code": "IND3.1.1"})
    changes = response.context["changes"]
    assert changes[0].version == issued.issued_version
    assert [a.title for a in changes[0].amendments] == ["اصلاح پسماند"]
    steps = [(d.step, d.outcome) for d in changes[0].decisions]
    assert ("sign_off", "approve") in steps and ("issuance", "issue") in steps
    assert changes[0].entries[0]["fields"][0]["new"] == 90
    assert changes[-1].version.number == 1 and changes[-1].entries == []
    page = response.content.decode()
    assert "waste-chair" in page or "نام خانوادگی" in page
    missing = client.get(reverse("audit:item"), {"code": "NOPE.1"})
    assert missing.status_code == 200 and "no item with the code" in missing.content.decode()


@pytest.mark.parametrize(
    "name", ["waste-member", "waste-chair", "integration", "policy", "council", "governorate", "planning"]
)
def test_everyone_else_is_refused(issued, client, people, name):
    client.force_login(people[name])
    amendment = issued.amendments.first()
    event = AuditEvent.objects.first()
    urls = [reverse(n, args=a) for n, a in AUDIT_URLS] + [
        reverse("audit:amendment", args=[amendment.pk]),
        reverse("audit:revision", args=[issued.pk]),
        reverse("audit:event", args=[event.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("audit:verification")).status_code == 404
    assert "/audit/" not in client.get(reverse("home")).content.decode()


def test_signed_out_visitors_are_sent_to_login(client):
    response = client.get(reverse("audit:events"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_auditors_read_everything_and_change_nothing(issued, client, auditor, people, accepted):
    client.force_login(auditor)
    for name, args in AUDIT_URLS:
        assert client.get(reverse(name, args=args)).status_code == 200
    before = (AuditEvent.objects.count(), Decision.objects.count(), AuditVerification.objects.count())
    assert client.post(reverse("audit:verification")).status_code == 403  # only administrators start a check
    pending = accepted("C02", [{**WASTE[0], "values": {"targets.1406": {"new": 93}}}])
    before = (AuditEvent.objects.count(), Decision.objects.count(), AuditVerification.objects.count())
    refused = [
        client.post(reverse("drafting:amendment_new"), {"title": "x", "committee": "C02"}),
        client.post(reverse("drafting:amendment_withdraw", args=[pending.pk]), {"reason": "x"}),
        client.post(reverse("workflows:revision_new"), {"title": "x", "year": 1405, "amendments": [pending.pk]}),
        client.post(reverse("admin:people_user_change", args=[people["policy"].pk]), {"username": "x"}),
    ]
    assert [r.status_code for r in refused] == [404, 404, 404, 302]
    assert (AuditEvent.objects.count(), Decision.objects.count(), AuditVerification.objects.count()) == before
    assert not auditor.get_all_permissions() - {
        "plan.view_amendment",
        "plan.view_revision",
        "approvals.view_decision",
        "audit.view_auditevent",
        "audit.view_auditverification",
        "people.view_user",
    }


def test_an_administrator_starts_a_check_from_the_page(client, administrator, monkeypatch):
    started = []
    monkeypatch.setattr("audit.tasks.verify_audit_chain.apply_async", lambda **kw: started.append(kw))
    client.force_login(administrator)
    response = client.post(reverse("audit:verification"), follow=True)
    assert started == [{"retry": False}]
    assert "The check has started" in response.content.decode()
    asked = AuditEvent.objects.get(action="audit.chain.verify_request")  # who started a check is recorded
    assert asked.actor_id == administrator.pk


def test_a_broker_that_is_down_is_a_message(client, administrator, monkeypatch):
    def down(**kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr("audit.tasks.verify_audit_chain.apply_async", down)
    client.force_login(administrator)
    response = client.post(reverse("audit:verification"), follow=True)
    assert "could not be started now" in response.content.decode()
    assert not AuditVerification.objects.exists()
    assert not AuditEvent.objects.filter(action="audit.chain.verify_request").exists()  # nothing started


def test_an_issued_revision_names_the_signed_head_that_seals_its_issuance(issued, people, client):
    revision = issued
    client.force_login(people["planning"])
    page = client.get(reverse("workflows:revision", args=[revision.pk])).content.decode()
    assert "در حال مهروموم" in page  # recorded; no head covers it yet (the planning office reads Persian)
    audit_sequence_all()
    head = AuditTreeHead.objects.order_by("-tree_size").first()
    page = client.get(reverse("workflows:revision", args=[revision.pk])).content.decode()
    assert bytes(head.root_hash).hex() in page and "مهروموم شده‌اند" in page

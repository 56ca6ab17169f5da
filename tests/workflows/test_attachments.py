"""Supporting documents: attached through the pages, typed from their bytes and not their names,
stored under a random name with their SHA-256 recorded and audited, downloaded only by people who
may see the amendment or revision (always as a download), and covered by a decision's fingerprint:
a file changed after a signature shows like changed text. Every refusal leaves nothing behind, in
the database or in the storage."""

import io
import os
import struct
import zlib
from unittest import mock

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from approvals.models import Decision
from approvals.selectors import amendment_timeline, revision_timeline
from audit.models import AuditEvent
from core.errors import BaznegarError
from plan import diff as plan_diff
from plan.models import Attachment
from plan.selectors import amendment_preview
from plan.services import amendment_operations_set
from plan.services.attachments import attachment_add, attachment_remove
from tests.factories import UserFactory
from tests.scenario import PARKS, WASTE
from workflows.demo import demo_pdf
from workflows.selectors import open_task, revision_open_task
from workflows.services import amendment_draft_start, decide, revision_decide, revision_start

pytestmark = pytest.mark.django_db

PDF = demo_pdf("study")


def png() -> bytes:
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0\0")) + chunk(b"IEND", b"")


def xlsx() -> bytes:
    book = openpyxl.Workbook()
    book.active["A1"] = "شاخص"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(name, content):
    return SimpleUploadedFile(name, content)


def stored_files(root) -> list[str]:
    return [os.path.join(d, f) for d, _, files in os.walk(root) for f in files]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def draft(plan, people):
    member = people["waste-member"]
    amendment = amendment_draft_start(
        plan=plan, committee=plan.committees.get(code="C02"), drafted_by=member, title="ب"
    )
    amendment_operations_set(amendment=amendment, operations=WASTE, acting_user=member)
    return amendment


@pytest.fixture
def auditor(db):
    from people.roles import Role

    return UserFactory(username="auditor", roles=[Role.AUDITOR], language="en")


def test_attached_on_the_drafting_page_and_downloaded_only_by_who_may_see_it(draft, people, client, media, auditor):
    member = people["waste-member"]
    client.force_login(member)
    page = reverse("drafting:amendment_edit", args=[draft.pk])
    answer = client.post(
        reverse("drafting:amendment_attach", args=[draft.pk]),
        {"file": upload("صورتجلسه کمیته.pdf", PDF), "next": page},
    )
    assert answer.status_code == 302 and answer["Location"] == f"{page}#documents"
    attachment = Attachment.objects.get()
    assert (attachment.name, attachment.content_type, attachment.size) == (
        "صورتجلسه کمیته.pdf",
        "application/pdf",
        len(PDF),
    )
    assert attachment.sha256 == __import__("hashlib").sha256(PDF).hexdigest()
    assert "صورت" not in attachment.file.name and attachment.file.name.endswith(".pdf")  # stored under a random name
    assert len(stored_files(media)) == 1
    event = AuditEvent.objects.get(action="plan.amendment.attach")
    assert event.data["sha256"] == attachment.sha256 and event.scope_amendment == draft.pk
    assert event.data["fingerprint"] == plan_diff.fingerprint(amendment_preview(draft).entries, [attachment.shown()])
    assert "صورتجلسه کمیته.pdf" in client.get(page).content.decode()

    url = reverse("drafting:attachment", args=[attachment.pk])
    for person in (member, people["waste-chair"], auditor):
        client.force_login(person)
        response = client.get(url)
        assert response.status_code == 200, person
        assert response["Content-Disposition"].startswith("attachment;")
        assert "filename*=utf-8''" in response["Content-Disposition"]
        assert response["Content-Type"] == "application/pdf" and response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Security-Policy"].startswith("sandbox")
        assert b"".join(response.streaming_content) == PDF
    # another committee, and the integration working group before the draft was ever submitted
    for person in (people["parks-member"], people["integration"], people["policy"]):
        client.force_login(person)
        assert client.get(url).status_code == 404, person
        assert client.post(reverse("drafting:attachment_remove", args=[attachment.pk])).status_code == 404
        assert (
            client.post(
                reverse("drafting:amendment_attach", args=[draft.pk]), {"file": upload("x.pdf", PDF)}
            ).status_code
            == 404
        )
    client.logout()
    assert client.get(url).status_code == 302  # to the sign-in page
    decide(task=open_task(draft), acting_user=member, outcome="submit")
    client.force_login(people["integration"])
    assert client.get(url).status_code == 200  # submitted: the group may now read the amendment
    assert Attachment.objects.count() == 1


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("گزارش.pdf", b"", "is empty"),
        ("گزارش.pdf", b"<html><script>alert(1)</script></html>", "is not a kind of document accepted here"),
        ("map.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "not a kind"),
        ("setup.docx", b"MZ\x90\x00\x03" + b"\0" * 200, "not a kind"),
        ("تصویر.pdf", png(), "named as something else than it is"),
        ("study.xlsx", PDF, "named as something else than it is"),
        ("report", PDF, "named as something else than it is"),
        ("...", PDF, "no usable name"),
        ("big.pdf", PDF + b" " * 3000, "larger than"),
    ],
)
def test_a_refused_file_leaves_nothing(draft, people, settings, media, name, content, message):
    settings.ATTACHMENT_MAX_BYTES = 2048
    before = (Attachment.objects.count(), AuditEvent.objects.count())
    with pytest.raises(BaznegarError, match=message):
        attachment_add(subject=draft, upload=upload(name, content), acting_user=people["waste-member"])
    assert (Attachment.objects.count(), AuditEvent.objects.count()) == before
    assert stored_files(media) == []


def test_the_accepted_kinds_are_read_from_their_bytes(draft, people):
    member = people["waste-member"]
    for name, content, kind in [
        ("نقشه.png", png(), "image/png"),
        ("شاخص‌ها.xlsx", xlsx(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("ارقام.csv", "کد,مقدار\nIND1,۹۰\n".encode(), "text/"),
        ("STUDY.PDF", PDF, "application/pdf"),
    ]:
        attachment = attachment_add(subject=draft, upload=upload(name, content), acting_user=member)
        assert attachment.content_type.startswith(kind), name


def test_a_page_refusal_is_a_message_and_nothing_is_written(draft, people, client, media):
    client.force_login(people["waste-member"])
    page = reverse("drafting:amendment_edit", args=[draft.pk])
    answer = client.post(
        reverse("drafting:amendment_attach", args=[draft.pk]),
        {"file": upload("x.pdf", png()), "next": page},
        follow=True,
    )
    assert answer.status_code == 200 and not Attachment.objects.exists() and stored_files(media) == []
    assert "image/png" in answer.content.decode()
    answer = client.post(reverse("drafting:amendment_attach", args=[draft.pk]), {"next": page}, follow=True)
    assert answer.status_code == 200 and not Attachment.objects.exists()


def test_a_failed_write_deletes_the_stored_bytes(draft, people, media):
    failing = mock.patch("plan.services.attachments.audit_record", side_effect=RuntimeError("database gone"))
    with failing, pytest.raises(RuntimeError):
        attachment_add(subject=draft, upload=upload("a.pdf", PDF), acting_user=people["waste-member"])
    assert not Attachment.objects.exists() and stored_files(media) == []


def test_only_the_committee_and_only_while_the_text_can_change(draft, people, settings):
    member, chair = people["waste-member"], people["waste-chair"]
    with pytest.raises(PermissionDenied):
        attachment_add(subject=draft, upload=upload("a.pdf", PDF), acting_user=people["parks-member"])
    with pytest.raises(PermissionDenied):
        attachment_add(subject=draft, upload=upload("a.pdf", PDF), acting_user=chair)  # signs off; does not draft
    first = attachment_add(subject=draft, upload=upload("a.pdf", PDF), acting_user=member)
    settings.ATTACHMENT_MAX_PER_SUBJECT = 1
    with pytest.raises(BaznegarError, match="at most 1 documents"):
        attachment_add(subject=draft, upload=upload("b.pdf", PDF), acting_user=member)
    decide(task=open_task(draft), acting_user=member, outcome="submit")
    draft.refresh_from_db()
    with pytest.raises(PermissionDenied):
        attachment_add(subject=draft, upload=upload("c.pdf", PDF), acting_user=member)
    with pytest.raises(PermissionDenied):
        attachment_remove(attachment=first, acting_user=member)
    assert Attachment.objects.filter(removed_at__isnull=True).count() == 1


def test_a_signature_covers_the_files_and_a_changed_file_shows_like_changed_text(draft, people, client, auditor):
    member, chair = people["waste-member"], people["waste-chair"]
    study = attachment_add(subject=draft, upload=upload("مطالعه.pdf", PDF), acting_user=member)
    text_only = amendment_preview(draft).fingerprint
    with pytest.raises(BaznegarError, match="changed while you were reading"):
        # a page that showed the text without the file: its fingerprint is not what is decided on
        decide(task=open_task(draft), acting_user=member, outcome="submit", fingerprint=text_only)
    submitted = decide(task=open_task(draft), acting_user=member, outcome="submit")
    assert submitted.files == [study.shown()]
    assert submitted.diff_fingerprint == plan_diff.fingerprint(submitted.diff, [study.shown()]) != text_only
    event = AuditEvent.objects.get(action="workflows.amendment.submit")
    assert event.data["files"] == [{"name": "مطالعه.pdf", "sha256": study.sha256}]

    # the chair's page shows the file with the text, under one fingerprint
    client.force_login(chair)
    task = open_task(draft)
    page = client.get(reverse("workflows:task", args=[task.pk])).content.decode()
    assert "مطالعه.pdf" in page and submitted.diff_fingerprint in page
    decide(task=task, acting_user=chair, outcome="return", reason="پیوست نسخه نهایی نیست")
    draft.refresh_from_db()

    # returned: the drafter swaps the study for another file; the text itself is unchanged
    attachment_remove(attachment=study, acting_user=member)
    final = attachment_add(subject=draft, upload=upload("مطالعه.pdf", PDF + b"% final\n"), acting_user=member)
    timeline = amendment_timeline(draft)
    signature = next(e for e in timeline if e.decision == submitted)
    assert signature.superseded_by is not None and signature.superseded_by.event.action == "plan.amendment.detach"
    assert all(e.diff_verified for e in timeline if e.decision is not None)
    client.force_login(auditor)
    audit_page = client.get(reverse("audit:amendment", args=[draft.pk])).content.decode()
    assert "no longer covers the text" in audit_page

    again = decide(task=open_task(draft), acting_user=member, outcome="submit")
    assert again.files == [final.shown()] and again.diff_fingerprint != submitted.diff_fingerprint
    # the decision read years later still names, and serves, the file it was taken with
    client.force_login(chair)
    decided_page = client.get(reverse("workflows:task", args=[submitted.task_id])).content.decode()
    assert reverse("drafting:attachment", args=[study.pk]) in decided_page
    assert client.get(reverse("drafting:attachment", args=[study.pk])).status_code == 200


def test_bytes_altered_in_the_storage_are_not_served(draft, people, client):
    attachment = attachment_add(subject=draft, upload=upload("a.pdf", PDF), acting_user=people["waste-member"])
    with open(attachment.file.path, "ab") as stored:
        stored.write(b"tampered")
    client.force_login(people["waste-member"])
    response = client.get(reverse("drafting:attachment", args=[attachment.pk]))
    assert response.status_code == 409 and b"tampered" not in response.content
    os.remove(attachment.file.path)
    assert client.get(reverse("drafting:attachment", args=[attachment.pk])).status_code == 409


def test_a_revision_has_documents_of_its_own_and_its_decisions_cover_them(plan, people, accepted, client):
    first, second = accepted("C02", WASTE), accepted("C03", PARKS)
    integration = people["integration"]
    revision = revision_start(plan=plan, year=1404, title="ب", amendments=[first, second], acting_user=integration)
    client.force_login(integration)
    page = reverse("workflows:revision", args=[revision.pk])
    assert 'enctype="multipart/form-data"' in client.get(page).content.decode()
    client.post(
        reverse("drafting:revision_attach", args=[revision.pk]), {"file": upload("جلسه.pdf", PDF), "next": page}
    )
    minutes = Attachment.objects.get(revision=revision)
    with pytest.raises(PermissionDenied):
        attachment_add(subject=revision, upload=upload("x.pdf", PDF), acting_user=people["waste-chair"])
    task = revision_open_task(revision)
    shown = client.get(reverse("workflows:task", args=[task.pk])).content.decode()
    assert "جلسه.pdf" in shown
    stale = plan_diff.fingerprint([], [])
    translation.activate("en")  # the pages above spoke Persian to their Persian readers
    with pytest.raises(BaznegarError, match="changed while you were reading"):
        revision_decide(task=task, acting_user=integration, outcome="submit", fingerprint=stale)
    decision = revision_decide(task=task, acting_user=integration, outcome="submit")
    assert decision.files == [minutes.shown()]
    revision_decide(task=revision_open_task(revision), acting_user=people["policy"], outcome="approve")
    assert Decision.objects.filter(revision=revision, step="policy_council").get().files == [minutes.shown()]
    # the council sees the revision and its documents; a committee member does not
    client.force_login(people["council"])
    assert client.get(reverse("drafting:attachment", args=[minutes.pk])).status_code == 200
    client.force_login(people["waste-member"])
    assert client.get(reverse("drafting:attachment", args=[minutes.pk])).status_code == 404
    # a document added after the policy council signed shows as a change after its signature
    attachment_add(subject=revision, upload=upload("پیوست.pdf", PDF + b"%2\n"), acting_user=integration)
    timeline = revision_timeline(revision)
    signed = next(e for e in timeline if e.decision is not None and e.decision.step == "policy_council")
    assert signed.superseded_by is not None and signed.superseded_by.event.action == "plan.revision.attach"
    # the event names what a decision now covers: the same text, and both documents
    added = AuditEvent.objects.filter(action="plan.revision.attach").latest("id")
    both = sorted(Attachment.objects.filter(revision=revision), key=lambda a: a.pk)
    entries = Decision.objects.get(revision=revision, step="policy_council").diff
    assert added.data["fingerprint"] == plan_diff.fingerprint(entries, [a.shown() for a in both])

"""The issuance letter (ابلاغیه) and the public plan, after the demo's year of issued revisions: the
letter is made once at issuance, its SHA-256 in the audit log; its text reads back (pdftotext) with
the number, the Jalali date, the resolution and item names; the public pages show what was issued
and nothing else, to anyone; a letter's number is verified, a forged one refused."""

import hashlib
import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from approvals.models import ConformityReview, CouncilVote
from audit.models import AuditEvent
from core.jalali import format_jalali, persian_digits
from people.models import User
from plan import diff as plan_diff
from plan.items import owner_committee
from plan.models import Amendment, IssuanceLetter, IssuedVersion, Revision
from plan.selectors import version_state, versions_diff
from plan.services import amendment_operations_set
from workflows.services import amendment_draft_start

pytestmark = pytest.mark.django_db(transaction=True)
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
MARKER = "نشانگرپیشنویس"  # a draft's title and item name: never on a public page


@pytest.fixture
def demo(db):
    call_command("load_demo", stdout=io.StringIO())


def _text(pdf: bytes, tmp_path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext (poppler-utils) is needed; .ci/run installs it")
    path = tmp_path / "letter.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, text=True).stdout
    return _fold(re.sub("[\u200e\u200f\u202a-\u202e]", "", text))  # without the bidi marks poppler adds


def _has_name(name: str, text: str) -> bool:
    """A name is in the text: whole when it is all Persian words; word by word when it mixes in
    Latin or digits (a code, a number), whose runs poppler gives back in visual order."""
    if re.search(r"[A-Za-z0-9۰-۹]", name):
        return all(_fold(word) in text for word in name.split())
    return _fold(name) in text


def _fold(text: str) -> str:
    """poppler gives the lam-alef ligature (لا) back as its letters reversed (ال): compare both sides
    folded the same way, and without the zero-width non-joiner it drops."""
    return text.replace("لا", "ال").replace("\u200c", "")


def test_each_issuance_makes_its_letter_once_and_records_its_hash(demo, tmp_path):
    revisions = list(Revision.objects.filter(status=Revision.Status.ISSUED).select_related("issued_version"))
    assert len(revisions) >= 2
    for revision in revisions:
        letter = IssuanceLetter.objects.get(version=revision.issued_version)
        assert letter.sha256 == hashlib.sha256(bytes(letter.pdf)).hexdigest()
        event = AuditEvent.objects.get(action="plan.version.letter", object_id=str(revision.issued_version_id))
        assert event.data["sha256"] == letter.sha256 and event.data["number"] == letter.number
    revision = max(revisions, key=lambda r: r.issued_version.number)
    version = revision.issued_version
    text = _text(bytes(version.letter.pdf), tmp_path)
    vote = CouncilVote.objects.filter(revision=revision, passed=True).latest("id")
    flat = re.sub(r"[/\s:]", "", text)  # a number mixing digits and words reads in either order of its parts
    assert _fold(re.sub(r"[/\s]", "", persian_digits(version.issuance_number))) in flat
    assert format_jalali(version.issued_at, language="fa") in text
    assert _fold(re.sub(r"[/\s]", "", persian_digits(vote.resolution_number))) in flat
    review = ConformityReview.objects.filter(revision=revision).select_related("rule").latest("id")
    assert f"({persian_digits(review.rule.article)})" in text or persian_digits(review.rule.article) in flat
    # no Latin digit is shown to the reader outside codes, fingerprints and the verification link
    # (a hash the width of the page breaks across lines: a line of hex digits alone is part of one)
    prose = "\n".join(
        line for line in text.splitlines() if "http" not in line and not re.fullmatch(r"[0-9a-f]+", line.strip())
    )
    assert not re.search(r"[0-9]", re.sub(r"\S*[A-Za-z]\S*|[0-9a-f]{20,}", "", prose)), prose
    assert _fold("ابلاغ") in text and "پیوست" in text
    # the summary names the committees whose items changed, the appendix the items themselves
    previous = version.plan.versions.get(number=version.number - 1)
    entries = versions_diff(previous, version)
    assert entries and all(_has_name(entry["name_fa"], text) for entry in entries), entries
    owners = {owner_committee(version_state(version), e["code"]) for e in entries} - {None}
    assert owners and all(_fold(c.name_fa) in text for c in version.plan.committees.filter(code__in=owners))
    ARTIFACTS.mkdir(exist_ok=True)
    pdf = tmp_path / "letter.pdf"
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf), str(ARTIFACTS / "letter")], check=True
    )
    assert any(ARTIFACTS.glob("letter*.png"))


def test_the_public_letter_is_the_stored_bytes_cached_and_verifiable(demo):
    anonymous = Client()
    letter = IssuanceLetter.objects.select_related("version").order_by("-version__number").first()
    url = f"/public/versions/{letter.version.number}/letter.pdf"
    first, second = anonymous.get(url), anonymous.get(url)
    assert first.status_code == 200 and first["Content-Type"] == "application/pdf"
    assert first.content == second.content == bytes(letter.pdf)
    assert "immutable" in first["Cache-Control"] and first["ETag"]
    assert anonymous.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    page = anonymous.get(f"/public/verify/{letter.number}/").content.decode()
    assert "شهرداری اهواز صادر کرده است" in page and letter.sha256 in page
    forged = anonymous.get("/public/verify/", {"number": "1404/جعلی/999"})
    assert (
        forged.status_code == 200 and "جعلی" in forged.content.decode() and letter.sha256 not in forged.content.decode()
    )
    same = io.BytesIO(bytes(letter.pdf))
    same.name = "letter.pdf"
    held = anonymous.post("/public/verify/", {"number": letter.number, "pdf": same}).content.decode()
    assert "دقیقاً همان ابلاغیهٔ صادرشده است" in held
    altered = io.BytesIO(bytes(letter.pdf) + b"%tampered")
    altered.name = "letter.pdf"
    refused = anonymous.post("/public/verify/", {"number": letter.number, "pdf": altered}).content.decode()
    assert "همان ابلاغیهٔ صادرشده نیست" in refused
    assert hashlib.sha256(bytes(letter.pdf) + b"%tampered").hexdigest() in refused


def test_an_anonymous_crawl_of_the_public_site_finds_no_draft_no_person(demo):
    member = User.objects.get(username="member")
    draft = amendment_draft_start(
        plan=Amendment.objects.first().plan,
        committee=member.memberships.first().committee,
        drafted_by=member,
        title=f"عنوان {MARKER}",
    )
    amendment_operations_set(
        amendment=draft,
        operations=[
            {"action": "change", "code": "IND3.1.1", "values": {"name_fa": {"new": MARKER}}, "justification": MARKER}
        ],
        acting_user=member,
    )
    secret = {MARKER, "افزایش هدف جمع‌آوری بهنگام پسماند"}  # ours, and the demo member's own draft
    people = {u.username for u in User.objects.all() if len(u.username) > 4} | {
        u.get_full_name() for u in User.objects.all() if u.get_full_name()
    }
    anonymous = Client()
    seen, queue = set(), ["/public/"]
    while queue:
        path = queue.pop()
        if path in seen:
            continue
        seen.add(path)
        answer = anonymous.get(path)
        assert answer.status_code == 200, path
        if answer["Content-Type"].startswith("application/pdf"):
            continue
        html = answer.content.decode()
        text = re.sub(r"<[^>]+>", " ", html)
        leaked = [s for s in secret if s in text] + [
            p for p in people if re.search(rf"(?<![\w-]){re.escape(p)}(?![\w-])", text)
        ]
        assert not leaked, (path, leaked)
        queue += [link for link in re.findall(r'href="(/public/[^"#?]*)"', html) if link not in seen]
    assert len(seen) >= 5
    for private in ("/", "/plan/", "/tasks/revisions/", "/audit/", "/notifications/", f"/plan/amendments/{draft.pk}/"):
        answer = anonymous.get(private)
        assert answer.status_code in (302, 404) and MARKER not in answer.content.decode(), private


def test_the_public_tree_and_changes_are_kept_by_the_versions_fingerprint(demo, monkeypatch):
    """The public pages' heavy parts are computed once per issued version (content-addressed: a new
    version is a new key, so nothing stale is shown), then served from the process's memory."""
    from django.core.cache import caches

    from workflows import public_views

    caches["public"].clear()
    calls = []
    for name in ("plan_tree", "version_changes"):
        real = getattr(public_views, name)
        monkeypatch.setattr(
            public_views, name, lambda *a, _real=real, _name=name, **k: calls.append(_name) or _real(*a, **k)
        )
    anonymous = Client()
    first, second = anonymous.get("/public/"), anonymous.get("/public/")
    assert first.status_code == second.status_code == 200 and first.content == second.content
    assert calls == ["plan_tree"] and b"csrfmiddlewaretoken" not in first.content  # nothing per visitor
    assert "IND3.1.1" in anonymous.get("/public/", {"q": "IND3.1.1"}).content.decode()
    assert calls == ["plan_tree", "plan_tree"]  # a search is its own entry
    latest = IssuanceLetter.objects.order_by("-version__number").first().version.number
    pages = [anonymous.get(f"/public/versions/{latest}/").content for _ in range(2)]
    assert pages[0] == pages[1] and calls.count("version_changes") == 1


def test_the_changes_between_any_two_versions_as_a_pdf_and_the_indicators_page(demo, tmp_path):
    anonymous = Client()
    versions = list(IssuedVersion.objects.order_by("number"))
    old, new = versions[0], versions[-1]
    answer = anonymous.get("/public/changes.pdf", {"from": old.number, "to": persian_digits(new.number)})
    assert answer.status_code == 200 and answer["Content-Type"] == "application/pdf" and answer["ETag"]
    text = _text(answer.content, tmp_path)
    entries = versions_diff(old, new)
    assert entries and all(_has_name(e["name_fa"], text) for e in entries)
    assert plan_diff.fingerprint(entries) in text.replace("\n", "")  # the fingerprint decisions sign
    assert anonymous.get("/public/changes.pdf", {"from": old.number, "to": new.number}).content == answer.content
    for bad in ({"from": "x", "to": "1"}, {"from": "1", "to": "999"}, {}):
        assert anonymous.get("/public/changes.pdf", bad).status_code == 404
    page = anonymous.get("/public/indicators/").content.decode()
    state = version_state(new)
    indicator = state["IND3.1.1"]
    assert "IND3.1.1" in page and persian_digits(indicator["targets.1405"]) in page
    assert "member" not in re.sub(r"<[^>]+>", " ", page)

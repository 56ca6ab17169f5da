"""The issuance letter (ابلاغیه): what the municipality sends to everyone who executes the plan when a
revision is issued. Read here (what it says), rendered to PDF with WeasyPrint (Pango and HarfBuzz
shape Persian right to left; the Vazirmatn font the site serves), stored once by
`workflows.services.letters.letter_make`.

WeasyPrint was chosen over a hand-made PDF or a headless browser: it is maintained, prints HTML and
CSS (the same Django templates and filters as the pages), shapes Arabic script correctly and runs
in-process without a browser."""

import io
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlencode

import segno
import weasyprint
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from audit.selectors import latest_head
from plan import diff as plan_diff
from plan.items import horizons, owner_committee
from plan.models import IssuedVersion, LetterSettings, Revision
from plan.schema import HORIZON_CODE
from plan.selectors import diff_display, version_state, versions_diff
from workflows.selectors import revision_legal_basis

FONTS = Path(settings.BASE_DIR) / "core" / "static" / "vendor" / "vazirmatn"
CHANGES = ("added", "changed", "retired", "moved")


@dataclass
class CommitteeSummary:
    name: str
    counts: dict  # change kind → number of items
    kinds: dict = field(default_factory=dict)  # item kind label → number of items


def letter_settings(plan) -> LetterSettings:
    """The planning office's wording, or the defaults until an administrator edits them."""
    return LetterSettings.objects.filter(plan=plan).first() or LetterSettings(plan=plan)


def verify_url(number: str, city: str) -> str:
    """The public page that tells whether a letter with this number was issued by this city (its
    QR code): the city named, as another city may use the same number."""
    path = reverse("public:verify_number", args=[number])
    return settings.PUBLIC_BASE_URL.rstrip("/") + f"{path}?{urlencode({'city': city})}"


def letter_context(revision: Revision, version: IssuedVersion, *, head=None) -> dict:
    """What the letter says; `head` is the audit log's signed head it prints (the first that seals
    the issuance, when the letter is made; the newest, for a preview)."""
    plan = version.plan
    previous = plan.versions.filter(number__lt=version.number).order_by("-number").first()
    entries = versions_diff(previous, version) if previous else []
    new_state = version_state(version)
    old_state = version_state(previous) if previous else {}
    names = {c.code: c.name_fa for c in plan.committees.all()}
    by_committee: dict[str, Counter] = defaultdict(Counter)
    budgets: Counter = Counter()
    horizons_now = horizons(new_state, plan)
    horizons_before = horizons(old_state, plan) if previous else horizons_now
    for entry in entries:
        if entry["code"] == HORIZON_CODE:  # said in a sentence of its own, not counted for a committee
            continue
        owner = owner_committee(new_state, entry["code"]) or owner_committee(old_state, entry["code"])
        by_committee[names.get(owner, "—")][entry["change"]] += 1
        for change in entry["fields"]:
            name, _dot, year = change["field"].partition(".")
            if name == "budgets" and year:
                budgets[int(year)] += (change.get("new") or 0) - (change.get("old") or 0)
    legal = revision_legal_basis(revision)
    vote = next((v for v in reversed(legal.votes) if v.passed), None)
    url = verify_url(version.issuance_number, plan.municipality.code)
    wording = letter_settings(plan)
    return {
        "plan": plan,
        "revision": revision,
        "version": version,
        "previous": previous,
        "wording": wording,
        "letterhead": wording.letterhead or plan.name_fa,
        "recipients": [line.strip() for line in wording.recipients.splitlines() if line.strip()],
        "vote": vote,
        "review": legal.review,
        "summary": [
            {"committee": name, "counts": [counts.get(change, 0) for change in CHANGES], "total": sum(counts.values())}
            for name, counts in sorted(by_committee.items())
        ],
        "budgets": sorted(budgets.items()),
        "horizons": horizons_now,
        "horizon_moved": horizons_before if horizons_before != horizons_now else None,
        "entries": diff_display(entries),
        "head": head or latest_head(),
        "verify_url": unquote(url),  # printed as people read it; the QR code holds the encoded form
        "qr": segno.make(url, error="m").svg_inline(scale=2, dark="#000"),
    }


def _pdf(template: str, context: dict) -> bytes:
    """A document as PDF bytes, always in Persian, whatever the person asking reads."""
    with translation.override("fa"):
        html = render_to_string(template, {**context, "fonts": FONTS.as_uri()})
    out = io.BytesIO()
    weasyprint.HTML(string=html, base_url=str(FONTS)).write_pdf(out)
    return out.getvalue()


def letter_pdf(context: dict) -> bytes:
    return _pdf("workflows/letters/issuance.html", context)


def diff_pdf(old: IssuedVersion, new: IssuedVersion) -> bytes:
    """What changed between any two issued versions, as a document to print or send; its
    fingerprint is the one the diff page shows and decisions sign."""
    entries = versions_diff(old, new)
    return _pdf(
        "workflows/letters/diff.html",
        {
            "plan": new.plan,
            "old": old,
            "new": new,
            "summary": plan_diff.summary(entries),
            "fingerprint": plan_diff.fingerprint(entries),
            "entries": diff_display(entries),
        },
    )


def review_pdf(review: dict) -> bytes:
    """The year in review as a document to print or attach to the year's revision."""
    return _pdf("workflows/letters/review.html", review)

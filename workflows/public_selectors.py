"""What the public may read, and nothing more: issued versions, their letters and diffs, and the
stages of revisions that have left the municipality's integration group. No draft, no amendment
that was not issued, no person's name (only a signatory's office)."""

from plan.models import REVISION_CLOSED, IssuanceLetter, IssuedVersion, Plan, Revision
from workflows.selectors import revision_legal_basis

PUBLIC_STAGES = (
    Revision.Status.POLICY_COUNCIL,
    Revision.Status.CITY_COUNCIL,
    Revision.Status.GOVERNORATE,
    Revision.Status.RECONSIDERATION,
    Revision.Status.DISPUTE,
    Revision.Status.CONFIRMED,
)


def public_plan() -> Plan | None:
    return Plan.objects.order_by("pk").first()


def public_versions(plan: Plan) -> list[IssuedVersion]:
    return list(plan.versions.select_related("letter").only(*_VERSION_FIELDS).order_by("-number"))


_VERSION_FIELDS = (
    "plan",
    "number",
    "issued_at",
    "issuance_number",
    "item_count",
    "fingerprint",
    "letter__sha256",
    "letter__number",
    "letter__version",
)


def public_revisions(plan: Plan) -> list[dict]:
    """Each revision at a public stage: which body holds it, since when, and the window's end."""
    shown = []
    for revision in plan.revisions.filter(status__in=PUBLIC_STAGES).exclude(status__in=REVISION_CLOSED):
        legal = revision_legal_basis(revision)
        shown.append({"revision": revision, "votes": legal.votes, "review": legal.review, "days_left": legal.days_left})
    return shown


def letter_by_number(number: str) -> IssuanceLetter | None:
    return IssuanceLetter.objects.select_related("version").filter(number=number).first()

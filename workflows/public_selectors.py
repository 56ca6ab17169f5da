"""What the public may read, and nothing more: issued versions, their letters and diffs, and the
stages of revisions that have left the municipality's integration group. No draft, no amendment
that was not issued, no person's name (only a signatory's office)."""

import hashlib
from dataclasses import dataclass

from people.models import Municipality
from plan.items import operational_years
from plan.models import IssuanceLetter, IssuedVersion, Plan, Revision
from plan.schema import Kind
from plan.selectors import code_sort_key, diff_display, version_state, versions_diff
from workflows.selectors import revision_legal_basis

PUBLIC_STAGES = (
    Revision.Status.POLICY_COUNCIL,
    Revision.Status.CITY_COUNCIL,
    Revision.Status.GOVERNORATE,
    Revision.Status.RECONSIDERATION,
    Revision.Status.DISPUTE,
    Revision.Status.CONFIRMED,
)


def public_plan(city: str = "") -> Plan | None:
    """The plan shown: the named city's (its first), or the installation's first."""
    plans = Plan.objects.order_by("pk")
    return (plans.filter(municipality__code=city) if city else plans).first()


def public_cities() -> list:
    """The cities with a plan, when there are several (each has its public pages); else none."""
    cities = list(Municipality.objects.filter(plans__isnull=False).distinct().order_by("name_fa"))
    return cities if len(cities) > 1 else []


def public_versions(plan: Plan) -> list[IssuedVersion]:
    return list(plan.versions.select_related("letter").order_by("-number"))


def public_revisions(plan: Plan) -> list[dict]:
    """Each revision at a public stage: which body holds it, its resolutions and the window's end."""
    shown = []
    for revision in plan.revisions.filter(status__in=PUBLIC_STAGES).order_by("pk"):
        legal = revision_legal_basis(revision)
        shown.append({"revision": revision, "votes": legal.votes, "review": legal.review})
    return shown


def public_version(plan: Plan, number: int) -> IssuedVersion | None:
    return plan.versions.select_related("letter").filter(number=number).first()


def version_before(version: IssuedVersion) -> IssuedVersion | None:
    return version.plan.versions.filter(number__lt=version.number).order_by("-number").first()


def version_changes(version: IssuedVersion, previous: IssuedVersion | None) -> list[dict]:
    """What this version changed from the one before (nothing for the first), named for people."""
    return diff_display(versions_diff(previous, version)) if previous else []


def letter_expected(version: IssuedVersion) -> bool:
    """Whether a revision issued this version, so a letter is made for it (the first, imported
    version has none)."""
    return Revision.objects.filter(issued_version=version).exists()


@dataclass(frozen=True)
class LetterCheck:
    number: str
    letter: IssuanceLetter | None  # None: not issued by this municipality
    uploaded: str = ""  # SHA-256 of the file given, if one was
    matches: bool | None = None  # whether that file is the letter as issued
    preparing: IssuedVersion | None = None  # issued a moment ago: its letter is being made
    cities: tuple = ()  # several cities issued this number and none was named: theirs to choose from


def letter_check(number: str, upload=None, city: str = "") -> LetterCheck:
    """Whether a letter with this number was issued here (in `city`, its code, when named: two
    cities may use one number), and whether a file is exactly it."""
    letters = IssuanceLetter.objects.select_related("version__plan__municipality").filter(number=number)
    if city:
        letters = letters.filter(version__plan__municipality__code=city)
    found = list(letters.order_by("pk")[:20])
    digest = None
    if upload is not None:
        digest = hashlib.sha256()
        for chunk in upload.chunks():
            digest.update(chunk)
        digest = digest.hexdigest()
    if not found:
        preparing = IssuedVersion.objects.filter(issuance_number=number, revision__isnull=False)
        if city:
            preparing = preparing.filter(plan__municipality__code=city)
        return LetterCheck(number, None, digest or "", preparing=preparing.first())
    exact = [letter for letter in found if letter.sha256 == digest]
    if len(found) > 1 and not exact:  # which city's letter? the file, if given, did not tell
        cities = tuple(
            {letter.version.plan.municipality_id: letter.version.plan.municipality for letter in found}.values()
        )
        if len(cities) > 1:
            return LetterCheck(number, None, digest or "", False if digest else None, cities=cities)
    letter = exact[0] if exact else found[0]
    if digest is None:
        return LetterCheck(number, letter)
    return LetterCheck(number, letter, digest, bool(exact))


def public_indicators(version: IssuedVersion) -> list[dict]:
    """Each effective output of a version with its indicators and their targets year by year."""
    state = version_state(version)
    years = list(operational_years(state, version.plan))
    outputs = sorted((i for i in state.values() if i["kind"] == Kind.OUTPUT), key=lambda i: code_sort_key(i["code"]))
    below: dict[str, list[dict]] = {}
    for item in state.values():
        if item["kind"] == Kind.INDICATOR:
            below.setdefault(item.get("parent", ""), []).append(item)
    return [
        {
            "output": output,
            "indicators": [
                {**item, "targets": [item.get(f"targets.{year}") for year in years]}
                for item in sorted(below.get(output["code"], []), key=lambda i: code_sort_key(i["code"]))
            ],
        }
        for output in outputs
        if below.get(output["code"])
    ]

"""Reads of the plan: a version's state, diffs, an amendment's preview, conflicts, exports, history."""

import hashlib
import json
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q

from core.jalali import format_jalali, search_fold, search_terms
from plan import diff as plan_diff
from plan import exchange
from plan.changesets import ChangesetInvalid, PlanContext, apply_changeset
from plan.conflicts import NO_LONGER_APPLIES, Conflict, Footprint, conflicts_between, find_conflicts
from plan.diff import CHANGE_LABELS
from plan.items import State, exchange_form, horizons, item_from_row, operational_years
from plan.models import Amendment, Committee, HorizonRoll, IssuedVersion, Plan, PlanItem
from plan.schema import EXPORT_LISTS, HORIZON_CODE, FieldType, Kind, field_label, field_spec

_ROW = ("code", "kind", "parent_code", "name_fa", "name_en", "attributes")


class _VersionCache:
    """Issued versions never change, so their states can be kept in memory, a few at a time."""

    def __init__(self, size: int = 6):
        self.size = size
        self.data: OrderedDict[tuple[int, int], State] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            state = self.data.get(key)
            if state is not None:
                self.data.move_to_end(key)
            return state

    def put(self, key, state):
        with self.lock:
            self.data[key] = state
            self.data.move_to_end(key)
            while len(self.data) > self.size:
                self.data.popitem(last=False)

    def clear(self):
        with self.lock:
            self.data.clear()


version_cache = _VersionCache()
# What is derived from an issued version and cheap to key but dear to compute: a plan's used codes,
# and amendments applied in memory (keyed by the exact operations, so an edit is a new key).
derived_cache = _VersionCache(size=32)


def _valid_at(number: int) -> Q:
    return Q(valid_from__lte=number) & (Q(valid_to__isnull=True) | Q(valid_to__gt=number))


def version_state(version: IssuedVersion) -> State:
    """Every item of an issued version, exactly as it was issued. Callers must not mutate it."""
    # the fingerprint is part of the key: a row id reused after a rollback never serves stale content
    key = (version.pk, version.fingerprint)
    state = version_cache.get(key)
    if state is None:
        rows = PlanItem.objects.filter(_valid_at(version.number), plan_id=version.plan_id).values_list(*_ROW)
        state = {row[0]: item_from_row(*row) for row in rows.iterator(chunk_size=5000)}
        version_cache.put(key, state)
    return state


def plans_visible_to(user):
    """The issued plans of the cities the person works in (people.selectors.cities_of), oldest first."""
    from people.selectors import cities_of

    return _issued_plans_in(cities_of(user) if user is not None else None)


def _issued_plans_in(cities):
    """Plans with an issued version (one without, added in the admin rather than imported, has
    nothing to show or amend yet) in these cities (None: every city), oldest first."""
    plans = Plan.objects.filter(Exists(IssuedVersion.objects.filter(plan=OuterRef("pk")))).order_by("pk")
    return plans if cities is None else plans.filter(municipality__in=cities)


def plans_of_roles(user):
    """The plans of the cities where the person's roles apply (people.selectors.role_cities): what a
    role reads (an auditor's timelines, the integration group's pool), never a seat's city alone."""
    from people.selectors import role_cities

    return _issued_plans_in(role_cities(user))


def version_in_force(plan: Plan) -> IssuedVersion | None:
    return plan.versions.order_by("-number").first()


def plan_context(
    plan: Plan, *, committee: Committee | None = None, as_of: IssuedVersion | None = None, issuing: bool = False
) -> PlanContext:
    """What the changeset rules need beyond a state: the years, the committees, and the codes the
    plan had used up to `as_of` (by default the newest version).

    An amendment is checked against its own base: a code issued by a later version is not "taken"
    for it (that is a conflict with the later version, found when it is rebased), so replaying a
    decided or issued amendment against its base gives the same result forever.

    The years: the base's operational horizon; while a roll-forward from it is accepted or issued,
    the horizon it moves to (a draft may name the new year, and no longer the year it closes). When
    `issuing` a set of amendments together, the base's own: the roll-forward, applied first, moves
    them, so figures for the new year are issued only with the roll that opens it."""
    as_of = as_of or version_in_force(plan)
    number = as_of.number if as_of is not None else 0
    # item rows are written only when a version is issued, so the codes used up to a version never change
    key = ("used_codes", plan.pk, number, as_of.fingerprint if as_of is not None else "")
    used = derived_cache.get(key)
    if used is None:
        rows = PlanItem.objects.filter(plan=plan, valid_from__lte=number)
        used = frozenset(rows.values_list("code", flat=True).distinct())
        derived_cache.put(key, used)
    years = operational_years(version_state(as_of), plan) if as_of is not None else plan.operational_years
    moving = None if issuing else rolled_horizon(plan, (years[0], years[-1]))
    if moving is not None:
        years = range(moving[0], moving[1] + 1)
    return PlanContext(
        years=years,
        committees=set(plan.committees.values_list("code", flat=True)),
        used_codes=set(used),
        amending_committee=committee.code if committee else None,
    )


def drafting_years(plan: Plan) -> range:
    """The years a draft's figures may name now: the horizon in force, or the one a pending
    roll-forward moves it to."""
    return plan_context(plan).years


def moves_horizons(amendment: Amendment) -> bool:
    return amendment.operations.filter(code=HORIZON_CODE).exists()


def version_horizons(version: IssuedVersion) -> dict[str, tuple[int, int]]:
    """The strategic and operational horizons a version was issued with (its HORIZON item; the
    plan's own only for a version issued before horizons were content, so the plan is read only then)."""
    state = version_state(version)
    if state.get(HORIZON_CODE, {}).get("kind") == Kind.HORIZON:
        return horizons(state)
    return horizons(state, version.plan)


def pending_roll(plan: Plan) -> "HorizonRoll | None":
    """The roll-forward whose amendment is accepted and not issued yet (waiting in the pool or in an
    open revision), or None: there is at most one."""
    return (
        HorizonRoll.objects.filter(plan=plan, amendment__status=Amendment.Status.ACCEPTED)
        .select_related("amendment")
        .order_by("-pk")
        .first()
    )


def rolled_horizon(plan: Plan | int, operational: tuple[int, int]) -> tuple[int, int] | None:
    """The operational horizon a roll-forward from `operational` moves the plan to, while that
    roll-forward is accepted or issued (a taken-back roll-forward moves nothing), or None.

    An amendment drafted on a version with `operational` may name the new year's figures: replayed
    against its base, before or after the roll-forward was issued, it gives the same result."""
    roll = (
        HorizonRoll.objects.filter(
            plan=plan,  # the plan or its id: a preview's key does not read the plan's row
            from_start=operational[0],
            from_end=operational[1],
            amendment__status__in=(Amendment.Status.ACCEPTED, Amendment.Status.ISSUED),
        )
        .order_by("-pk")
        .values_list("to_start", "to_end")
        .first()
    )
    return tuple(roll) if roll else None


def versions_diff(old: IssuedVersion, new: IssuedVersion) -> list[dict]:
    """The diff between two issued versions, reading only the rows that changed between them."""
    if old.plan_id != new.plan_id:
        raise ValueError("versions of different plans")
    if old.number == new.number:
        return []
    low, high = sorted((old.number, new.number))
    rows = (
        PlanItem.objects.filter(plan_id=old.plan_id)
        .filter(Q(valid_from__gt=low, valid_from__lte=high) | Q(valid_to__gt=low, valid_to__lte=high))
        .values_list("valid_from", "valid_to", *_ROW)
    )
    at_low: State = {}
    at_high: State = {}
    for valid_from, valid_to, *row in rows:
        if valid_from <= low and (valid_to is None or valid_to > low):
            at_low[row[0]] = item_from_row(*row)
        if valid_from <= high and (valid_to is None or valid_to > high):
            at_high[row[0]] = item_from_row(*row)
    before, after = (at_low, at_high) if old.number < new.number else (at_high, at_low)
    return plan_diff.diff_states(before, after)


@dataclass
class AmendmentPreview:
    """An amendment applied to its base version: the state after it, its diff and fingerprint."""

    state: State
    applied: list[dict]
    entries: list[dict]
    fingerprint: str
    footprint: Footprint


def amendment_operations(amendment: Amendment) -> list[dict]:
    return [op.as_dict() for op in amendment.operations.all()]


def _operations_key(operations: list[dict]) -> str:

    text = json.dumps(operations, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def amendment_preview(amendment: Amendment, *, operations: list[dict] | None = None) -> AmendmentPreview:
    """Apply an amendment's operations to its base version in memory; raises ChangesetInvalid.

    The operations are always read afresh; the result is reused while they, the base version
    and the committee are the same (several decisions read one text).
    Callers must not mutate it."""
    ops = amendment_operations(amendment) if operations is None else operations
    base_version = amendment.base_version
    key = (
        "preview",
        amendment.plan_id,
        base_version.pk,
        base_version.fingerprint,
        amendment.committee_id,
        # the years a figure may name: a roll-forward from the base's horizon adds one
        rolled_horizon(amendment.plan_id, version_horizons(base_version)["operational"]),
        _operations_key(ops),
    )
    preview = derived_cache.get(key)
    if preview is None:
        base = version_state(base_version)
        ctx = plan_context(amendment.plan, committee=amendment.committee, as_of=base_version)
        state, applied = apply_changeset(base, ops, ctx)
        codes = {op["code"] for op in applied} | {c for op in applied for c in op.get("retired", ())}
        entries = plan_diff.diff_states(base, state, codes)
        fingerprint = plan_diff.fingerprint(entries)
        preview = AmendmentPreview(state, applied, entries, fingerprint, Footprint.of_operations(applied))
        derived_cache.put(key, preview)
    return preview


def amendment_staleness(amendment: Amendment) -> tuple[IssuedVersion, list[Conflict]]:
    """The version in force and what in the plan's changes since the amendment's base collides with it.

    Two checks: the footprints (what the amendment touches against what changed between the two
    versions), and, when they find nothing, the amendment's operations applied to the version in
    force itself, which catches what a diff of the two ends cannot see (a code added and retired
    again in between, a child added under an item the amendment retires)."""
    in_force = version_in_force(amendment.plan)
    if in_force is None or in_force.number == amendment.base_version.number:
        return in_force, []
    since = Footprint.of_diff(versions_diff(amendment.base_version, in_force))
    mine = amendment_preview(amendment).footprint
    conflicts = conflicts_between(amendment, mine, in_force, since)
    if not conflicts:
        conflicts = _applied_to(amendment, in_force)
    return in_force, conflicts


def _applied_to(amendment: Amendment, version: IssuedVersion) -> list[Conflict]:
    """The amendment's operations applied to another version: each problem as a conflict."""
    ops = amendment_operations(amendment)
    key = ("applies", amendment.plan_id, version.pk, version.fingerprint, amendment.committee_id, _operations_key(ops))
    found = derived_cache.get(key)
    if found is None:
        ctx = plan_context(amendment.plan, committee=amendment.committee, as_of=version)
        try:
            apply_changeset(version_state(version), ops, ctx)
            found = []
        except ChangesetInvalid as invalid:
            found = [(p.code, p.field, str(p)) for p in invalid.problems]
        derived_cache.put(key, found)
    return [Conflict(NO_LONGER_APPLIES, code, name, amendment, version, detail) for code, name, detail in found]


def unusable(amendment: Amendment, error: ChangesetInvalid) -> list[Conflict]:
    """An amendment that no longer applies even to its own base (the plan's years or committees
    changed under it), as conflicts naming each problem."""
    return [
        Conflict(NO_LONGER_APPLIES, p.code, p.field, amendment, amendment.base_version, str(p)) for p in error.problems
    ]


def amendments_conflicts(amendments: list[Amendment]) -> list[Conflict]:
    """Conflicts among amendments meant for the same revision."""
    return find_conflicts({amendment: amendment_preview(amendment).footprint for amendment in amendments})


def plan_export(version: IssuedVersion) -> dict:
    """The exchange document of a version: top-level lists, each item with its code."""
    plan = version.plan
    state = version_state(version)
    horizon = horizons(state, plan)
    by_kind: dict[str, list] = {}
    for code in sorted(state, key=code_sort_key):
        item = state[code]
        by_kind.setdefault(item["kind"], []).append(item)
    document = {
        "format": "baznegar-plan/1",
        "plan": {
            "code": plan.code,
            "name_fa": plan.name_fa,
            "name_en": plan.name_en,
            "city_fa": plan.city_fa,
            "city_en": plan.city_en,
            "strategic_horizon": list(horizon["strategic"]),
            "operational_horizon": list(horizon["operational"]),
        },
        "version": {
            "number": version.number,
            "issuance_number": version.issuance_number,
            "issued_at": version.issued_at.isoformat(),
            "issued_at_jalali": format_jalali(version.issued_at, language="en"),
            "fingerprint": version.fingerprint,
        },
        "statements": [exchange_form(item) for item in by_kind.get(Kind.STATEMENT, [])],
    }
    committees = list(plan.committees.order_by("position", "code"))
    for key, kind in EXPORT_LISTS:
        if kind is None:
            document[key] = [{"code": c.code, "name_fa": c.name_fa, "name_en": c.name_en} for c in committees]
        else:
            document[key] = [exchange_form(item) for item in by_kind.get(kind, [])]
    return document


def code_sort_key(code: str):
    """Natural order: EO2.10 after EO2.9, PRJ-045 after PRJ-044."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", code)]


def item_history(plan: Plan, code: str) -> list[dict]:
    """Every state an item has had: from which version, until which, and its fields."""
    rows = PlanItem.objects.filter(plan=plan, code=code).order_by("valid_from")
    return [
        {
            "valid_from": row.valid_from,
            "valid_to": row.valid_to,
            "item": item_from_row(row.code, row.kind, row.parent_code, row.name_fa, row.name_en, row.attributes),
        }
        for row in rows
    ]


def plan_tree(version: IssuedVersion, *, query: str = "", committee: str | None = None) -> list[dict]:
    """Objectives → outputs → indicators, projects and actions of a version, filtered by a search in
    codes and names (an output that matches shows all it holds) and by owning committee."""
    state = version_state(version)
    terms = search_terms(query)
    needle = bool((query or "").strip())  # searching; a query of punctuation alone finds nothing

    def matches(item) -> bool:  # every word, in the code or a name, however letters, digits and joiners were typed
        if not terms:
            return False
        text = "\x00".join(search_fold(item.get(key, "")) for key in ("code", "name_fa", "name_en"))
        return all(term in text for term in terms)

    children: dict[str, list[dict]] = {}
    for item in state.values():
        if item.get("parent"):
            children.setdefault(item["parent"], []).append(item)
    by_code = lambda i: code_sort_key(i["code"])  # noqa: E731
    tree = []
    for objective in sorted((i for i in state.values() if i["kind"] == Kind.OBJECTIVE), key=by_code):
        outputs = []
        for output in sorted(children.get(objective["code"], []), key=by_code):
            if committee and output.get("committee") != committee:
                continue
            below = sorted(children.get(output["code"], []), key=by_code)
            if needle and not matches(output):
                below = [i for i in below if matches(i)]
                if not below:
                    continue
            outputs.append(
                {
                    "item": output,
                    "indicators": [i for i in below if i["kind"] == Kind.INDICATOR],
                    "projects": [i for i in below if i["kind"] == Kind.PROJECT],
                    "actions": [i for i in below if i["kind"] == Kind.ACTION],
                    "open": bool(needle),
                }
            )
        if outputs or (not needle and not committee) or (needle and matches(objective)):
            tree.append({"item": objective, "outputs": outputs})
    return tree


def diff_display(entries: list[dict]) -> list[dict]:
    """A diff with people's names for kinds, changes and fields, for pages; the entries themselves
    (and so their fingerprint) are left untouched."""

    return [
        {
            **entry,
            "kind_label": Kind(entry["kind"]).label,
            "change_label": CHANGE_LABELS[entry["change"]],
            "fields": [
                {
                    **change,
                    "label": field_label(entry["kind"], change["field"]),
                    "money": getattr(field_spec(entry["kind"], change["field"]), "type", None) == FieldType.AMOUNT,
                }
                for change in entry["fields"]
            ],
        }
        for entry in entries
    ]


def _figures_state(amendment: Amendment) -> State:
    """The plan as the draft stands: its base with its own operations applied (the base alone while
    it has none, or while they no longer apply, which its page says)."""
    if amendment.operations.exists():
        try:
            return amendment_preview(amendment).state
        except ChangesetInvalid:
            pass
    return version_state(amendment.base_version)


def amendment_figures_workbook(amendment: Amendment) -> bytes:
    """The drafting committee's figures (indicators' baselines and targets, projects' budgets) as the
    draft stands, as a workbook to edit and upload back."""
    years = plan_context(amendment.plan, as_of=amendment.base_version).years
    return exchange.committee_workbook(_figures_state(amendment), amendment.committee.code, years)


def amendment_figures_changes(amendment: Amendment, data: bytes, justification: str) -> list[dict]:
    """The change operations an edited figures workbook adds to this draft: the cells that differ
    from the draft as it stands (ValidationError names the sheet, row and column of what cannot be
    one of its committee's figures)."""
    return exchange.committee_changes(data, _figures_state(amendment), amendment.committee.code, justification)


class CommitteeNotFound(LookupError):
    """A committee named in a filter that is no committee, or that several plans have."""


class CommitteeAmbiguous(CommitteeNotFound):
    """Several plans have a committee of this code, and no plan was named."""


def committees_for_filters(user=None) -> list[Committee]:
    """Every committee of the cities the person works in, each with the `filter_key` a filter sends
    back: its code, or `<plan code>:<code>` where another plan has a committee of the same code."""
    found = Committee.objects.select_related("plan").order_by("plan_id", "position", "code")
    if user is not None:
        found = found.filter(plan__in=plans_visible_to(user))
    committees = list(found)
    seen: dict[str, int] = {}
    for committee in committees:
        seen[committee.code] = seen.get(committee.code, 0) + 1
    for committee in committees:
        shared = seen[committee.code] > 1
        committee.filter_key = f"{committee.plan.code}:{committee.code}" if shared else committee.code
        committee.filter_label = f"{committee.name_fa} ({committee.plan.city_fa})" if shared else committee.name_fa
    return committees


def committee_named(value: str, *, plan: Plan | None = None, user=None) -> Committee:
    """The committee a filter names: `<plan code>:<code>`, or a code alone when one plan (or the
    plan given) has it, among the cities the person works in. CommitteeNotFound, with a sentence
    for the person, otherwise (another city's committee is not found)."""
    from django.utils.translation import gettext as _

    plan_code, _sep, code = value.rpartition(":")
    found = Committee.objects.filter(code=code).select_related("plan")
    if user is not None:
        found = found.filter(plan__in=plans_visible_to(user))
    if plan_code:
        found = found.filter(plan__code=plan_code)
    if plan is not None:
        found = found.filter(plan=plan)
    found = list(found[:2])
    if not found:
        raise CommitteeNotFound(_("There is no committee “%(code)s”.") % {"code": value})
    if len(found) > 1:
        raise CommitteeAmbiguous(
            _("More than one plan has a committee “%(code)s”: choose the plan, or the committee from the list.")
            % {"code": value}
        )
    return found[0]

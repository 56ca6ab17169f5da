"""When two changes to the plan collide.

Two amendments conflict when they change the same field of the same item, or when one retires
or moves an item the other touches. Amendments that touch different things never block each
other. The same rule decides whether an amendment drafted on an older version can be rebased:
it is compared with what changed in the plan since its base version.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from plan.changesets import ADD, CHANGE, MOVE, RETIRE

SAME_FIELD = "same_field"
RETIRED_VS_CHANGED = "retired_vs_changed"
MOVED_VS_CHANGED = "moved_vs_changed"
NO_LONGER_APPLIES = "no_longer_applies"
REASON_LABELS = {
    NO_LONGER_APPLIES: _("no longer applies to the version in force"),
    SAME_FIELD: _("both change the same field"),
    RETIRED_VS_CHANGED: _("one retires an item the other changes"),
    MOVED_VS_CHANGED: _("one moves an item the other changes"),
}


@dataclass
class Footprint:
    """What a changeset (or the plan's own history since a version) touches."""

    fields: set[tuple[str, str]] = field(default_factory=set)  # (code, field) changed or set
    retired: set[str] = field(default_factory=set)
    moved: set[str] = field(default_factory=set)
    touched: set[str] = field(default_factory=set)  # every code whose existence or content it relies on

    @classmethod
    def of_operations(cls, applied: list[dict]) -> "Footprint":
        """From the operations as applied (see changesets.apply_changeset)."""
        foot = cls()
        for op in applied:
            code = op["code"]
            if op["action"] == ADD:
                foot.fields.add((code, "*"))
                foot.touched.add(code)
                if op["values"].get("parent"):
                    foot.touched.add(op["values"]["parent"])
            elif op["action"] == CHANGE:
                foot.touched.add(code)
                foot.fields.update((code, name) for name in op["values"])
            elif op["action"] == RETIRE:
                gone = op.get("retired") or [code]
                foot.retired.update(gone)
                foot.touched.update(gone)
            elif op["action"] == MOVE:
                foot.moved.add(code)
                foot.touched.add(code)
                for name, pair in op["values"].items():
                    foot.fields.add((code, name))
                    if pair.get("new"):
                        foot.touched.add(pair["new"])
        return foot

    @classmethod
    def of_diff(cls, entries: list[dict]) -> "Footprint":
        """From a diff between two versions: what the plan itself changed."""
        foot = cls()
        for entry in entries:
            code = entry["code"]
            foot.touched.add(code)
            if entry["change"] == "added":
                foot.fields.add((code, "*"))
            elif entry["change"] == "retired":
                foot.retired.add(code)
            else:
                names = {f["field"] for f in entry["fields"]}
                foot.fields.update((code, name) for name in names)
                if names & {"parent", "portfolio"}:
                    foot.moved.add(code)
        return foot


@dataclass(frozen=True)
class Conflict:
    reason: str
    code: str
    field: str
    left: object  # the two sides: amendments, or an amendment and a version
    right: object
    detail: str = ""  # for NO_LONGER_APPLIES: the rule's own message

    @property
    def label(self) -> str:
        return str(REASON_LABELS[self.reason])


def conflicts_between(left_key, left: Footprint, right_key, right: Footprint) -> list[Conflict]:
    found: dict[tuple[str, str], Conflict] = {}
    for code, name in sorted(left.fields & right.fields):
        found[(code, name)] = Conflict(SAME_FIELD, code, name, left_key, right_key)
    for a_key, a, b_key, b in ((left_key, left, right_key, right), (right_key, right, left_key, left)):
        for code in sorted(a.retired & b.touched):
            found.setdefault((code, "*retired"), Conflict(RETIRED_VS_CHANGED, code, "", a_key, b_key))
        for code in sorted(a.moved & (b.touched - b.retired)):
            if any(c.code == code and c.reason == SAME_FIELD for c in found.values()):
                continue
            found.setdefault((code, "*moved"), Conflict(MOVED_VS_CHANGED, code, "", a_key, b_key))
    return list(found.values())


def find_conflicts(footprints: dict) -> list[Conflict]:
    """Every conflict among several changesets; only pairs that share a code are compared."""
    by_code: dict[str, set] = {}
    for key, foot in footprints.items():
        for code in foot.touched | {c for c, _name in foot.fields}:
            by_code.setdefault(code, set()).add(key)
    pairs = set()
    for keys in by_code.values():
        ordered = sorted(keys, key=str)
        for i, left in enumerate(ordered):
            for right in ordered[i + 1 :]:
                pairs.add((left, right))
    conflicts = []
    for left, right in sorted(pairs, key=lambda p: (str(p[0]), str(p[1]))):
        conflicts.extend(conflicts_between(left, footprints[left], right, footprints[right]))
    return conflicts

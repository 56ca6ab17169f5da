"""Amendments as changesets: validate operations against a version's state and apply them.

Pure functions over in-memory states (code -> flat item), so the same rules serve drafting,
rebasing, issuance and import. A changeset with any problem is refused whole.
"""

import copy
from dataclasses import dataclass, field, replace

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core import jalali
from core.errors import BaznegarError
from plan.items import (
    CODE_RE,
    State,
    children_index,
    descendants,
    normalize_code,
    normalize_number,
    normalize_text,
    owner_committee,
)
from plan.schema import (
    EARLIEST_YEAR,
    FIELDS,
    HORIZON_CODE,
    LATEST_YEAR,
    PARENT_KIND,
    FieldType,
    Kind,
    field_label,
    field_spec,
)

ADD, CHANGE, RETIRE, MOVE = "add", "change", "retire", "move"
ACTIONS = (ADD, CHANGE, RETIRE, MOVE)
MOVABLE_FIELDS = ("parent", "portfolio")


@dataclass
class PlanContext:
    """What the rules need to know beyond the state itself."""

    years: range
    committees: set[str]
    used_codes: set[str] = field(default_factory=set)  # every code the plan has ever had
    amending_committee: str | None = None  # None: an integration-level amendment, may touch anything


@dataclass
class Problem:
    index: int | None  # the operation's position (0-based), None for the changeset as a whole
    code: str
    field: str
    message: str
    kind: str = ""

    def __str__(self):
        where = []
        if self.index is not None:
            where.append(_("operation %(number)s") % {"number": self.index + 1})
        if self.code:
            where.append(self.code)
        if self.field:
            where.append(field_label(self.kind, self.field) if self.kind else self.field)
        return f"{' · '.join(where)}: {self.message}" if where else self.message


class ChangesetInvalid(BaznegarError):
    """Raised with every problem found; nothing was changed."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__([str(p) for p in problems], code="changeset_invalid")


def normalize_operation(raw: dict) -> dict:
    return {
        "action": raw.get("action", ""),
        "code": normalize_code(raw.get("code", "")).upper() if raw.get("action") == ADD else raw.get("code", ""),
        "kind": raw.get("kind", "") or "",
        "values": raw.get("values") or {},
        "cascade": bool(raw.get("cascade", False)),
        "justification": normalize_text(raw.get("justification", "")),
    }


def clean_value(kind: str, name: str, value, *, ctx: PlanContext, state: State):
    """A field's value normalised, or raise ValueError with the translated reason."""
    spec = field_spec(kind, name)
    if spec is None:
        raise ValueError(_("this kind of item has no such field"))
    if spec.per_year:
        written = name.partition(".")[2]
        year = normalize_number(written)
        if written != str(year):  # "1405.0", "01405", "۱۴۰۵": stored as sent, they broke every reader
            raise ValueError(_("“%(field)s” is not a field: a year is written as 1405") % {"field": name})
        if year not in ctx.years:
            raise ValueError(
                _("the year must be inside the operational horizon %(first)s–%(last)s")
                % {"first": ctx.years[0], "last": ctx.years[-1]}
            )
    if value is None or (isinstance(value, str) and not value.strip()):
        if spec.required:
            raise ValueError(_("this field is required"))
        return None
    if spec.type == FieldType.TEXT:
        text = normalize_text(value)
        if spec.max_length and len(text) > spec.max_length:
            raise ValueError(
                _("at most %(limit)s characters (this has %(length)s)")
                % {"limit": spec.max_length, "length": len(text)}
            )
        return text
    if spec.type == FieldType.CALENDAR_YEAR:
        number = normalize_number(value)
        if not isinstance(number, int) or not EARLIEST_YEAR <= number <= LATEST_YEAR:
            raise ValueError(
                _("must be a solar year between %(least)s and %(most)s") % {"least": EARLIEST_YEAR, "most": LATEST_YEAR}
            )
        return number
    if spec.type in (FieldType.NUMBER, FieldType.AMOUNT, FieldType.YEAR):
        number = normalize_number(value)
        if number is None:
            raise ValueError(_("must be a number, not “%(value)s”") % {"value": value})
        if spec.type == FieldType.AMOUNT and (not isinstance(number, int) or number < 0):
            raise ValueError(_("must be a whole number of rials, not negative"))
        if (spec.minimum is not None and number < spec.minimum) or (spec.maximum is not None and number > spec.maximum):
            raise ValueError(
                _("must be between %(least)s and %(most)s")
                % {"least": f"{int(spec.minimum):,}", "most": f"{int(spec.maximum):,}"}
            )
        if spec.type == FieldType.YEAR and number not in ctx.years:
            raise ValueError(
                _("the year must be inside the operational horizon %(first)s–%(last)s")
                % {"first": ctx.years[0], "last": ctx.years[-1]}
            )
        return number
    if spec.type == FieldType.DATE:
        try:
            day = jalali.parse_jalali_date(str(value))
        except ValidationError as error:
            raise ValueError(error.messages[0]) from None
        if jalali.jalali_year(day) not in ctx.years:
            raise ValueError(
                _("the date must fall inside the operational horizon %(first)s–%(last)s")
                % {"first": ctx.years[0], "last": ctx.years[-1]}
            )
        return jalali.format_jalali(day, language="en")
    if spec.type == FieldType.DIRECTION:
        if value not in ("up", "down"):
            raise ValueError(_("must be “up” or “down”"))
        return value
    if spec.type == FieldType.COMMITTEE:
        if value not in ctx.committees:
            raise ValueError(_("there is no committee “%(value)s”") % {"value": value})
        return value
    if spec.type == FieldType.PORTFOLIO:
        target = state.get(value)
        if target is None or target["kind"] != Kind.PORTFOLIO:
            raise ValueError(_("there is no portfolio “%(value)s” in this version") % {"value": value})
        return value
    raise ValueError(_("this kind of item has no such field"))  # pragma: no cover


_SCALAR = (str, int, float, bool, type(None))


def _well_shaped(action: str, values) -> bool:
    """An operation's values as the forms and the exchange make them (the API takes any JSON): an
    addition's fields are plain values; a change's and a move's are {"old", "new"} of plain values."""
    if not isinstance(values, dict) or not all(isinstance(name, str) for name in values):
        return False
    if action == ADD:
        return all(isinstance(value, _SCALAR) for value in values.values())
    if action in (CHANGE, MOVE):
        return all(
            pair is None
            or (
                isinstance(pair, dict)
                and set(pair) <= {"old", "new"}
                and all(isinstance(v, _SCALAR) for v in pair.values())
            )
            for pair in values.values()
        )
    return True


class _Applier:
    def __init__(self, state: State, ctx: PlanContext, check_old: bool):
        self.base = state
        self.state = dict(state)  # copy on write: items are copied when first changed
        self.copied: set[str] = set()
        self.ctx = ctx
        self.check_old = check_old
        self.problems: list[Problem] = []
        self._children = None
        self.added: set[str] = set()
        self.applied: list[dict] = []  # the operations as applied, each change with its old value

    # -- helpers
    def problem(self, index, code, name, message, kind=""):
        self.problems.append(Problem(index, code, name, message, kind))

    def writable(self, code):
        if code not in self.copied:
            self.state[code] = copy.copy(self.state[code])
            self.copied.add(code)
        return self.state[code]

    def children(self):
        """Parent code -> child codes, built once and kept up to date as operations apply."""
        if self._children is None:
            self._children = children_index(self.state)
        return self._children

    def link(self, code, parent):
        if self._children is not None and parent:
            self._children.setdefault(parent, []).append(code)

    def unlink(self, code, parent):
        if self._children is not None and parent and code in self._children.get(parent, ()):
            self._children[parent].remove(code)

    def check_owner(self, index, code, where_code=None):
        committee = self.ctx.amending_committee
        if committee is None:
            return True
        owner = owner_committee(self.state, where_code or code)
        if owner != committee:
            self.problem(index, code, "", _("your committee does not own this item; only its committee may amend it"))
            return False
        return True

    def check_parent(self, index, code, kind, parent):
        wanted = PARENT_KIND.get(kind)
        if wanted is None:
            if parent:
                self.problem(index, code, "parent", _("this kind of item has no parent"), kind)
                return False
            return True
        target = self.state.get(parent) if parent else None
        if target is None:
            self.problem(index, code, "parent", _("the parent “%(parent)s” does not exist") % {"parent": parent}, kind)
            return False
        if target["kind"] != wanted:
            self.problem(
                index,
                code,
                "parent",
                _("a %(kind)s must hang under a %(parent_kind)s")
                % {"kind": Kind(kind).label, "parent_kind": Kind(wanted).label},
                kind,
            )
            return False
        return True

    def check_consistency(self, index, code):
        item = self.state.get(code)
        if item and item["kind"] == Kind.HORIZON:
            self.check_horizons(index, item)
            return
        # dates are kept as zero-padded YYYY/MM/DD, so text order is date order
        if item and item["kind"] == Kind.PROJECT and (item.get("start") or "") > (item.get("end") or "9999"):
            self.problem(index, code, "end", _("the end is before the start"), item["kind"])

    def check_horizons(self, index, item):
        """The horizons are in order, the operational inside the strategic; the years a per-year
        field may name are the new operational horizon's from here on (the first year closed by a
        roll-forward keeps its figures as the record, and takes no new ones)."""
        kind, code = item["kind"], item["code"]
        if item["strategic_start"] > item["strategic_end"]:
            self.problem(index, code, "strategic_end", _("the horizon ends before it starts"), kind)
        elif item["operational_start"] > item["operational_end"]:
            self.problem(index, code, "operational_end", _("the horizon ends before it starts"), kind)
        elif item["operational_start"] < item["strategic_start"] or item["operational_end"] > item["strategic_end"]:
            self.problem(
                index,
                code,
                "operational_end",
                _("the operational horizon must lie inside the strategic horizon %(first)s–%(last)s")
                % {"first": item["strategic_start"], "last": item["strategic_end"]},
                kind,
            )
        else:
            self.ctx = replace(self.ctx, years=range(item["operational_start"], item["operational_end"] + 1))

    # -- operations
    def run(self, index, op):
        action, code = op["action"], op["code"]
        if action not in ACTIONS:
            self.problem(index, code, "", _("unknown operation “%(action)s”") % {"action": action})
            return
        if not _well_shaped(action, op["values"]):
            self.problem(index, code, "", _("the values of this operation are not in the form it takes"))
            return
        if not op["justification"]:
            self.problem(index, code, "", _("every operation needs a justification"))
        recorded = dict(op, values=dict(op["values"]))
        if action != ADD:  # the item's own kind, as it stands before this operation, whatever was sent
            recorded["kind"] = self.state.get(code, {}).get("kind", "")
        self.applied.append(recorded)
        getattr(self, action)(index, op, recorded)

    def add(self, index, op, recorded):
        code, kind, values = op["code"], op["kind"], dict(op["values"])
        if kind not in Kind.values:
            self.problem(index, code, "", _("unknown kind of item “%(kind)s”") % {"kind": kind})
            return
        # the horizons are changed; added only to a version issued before they were content
        if kind == Kind.HORIZON and (
            code != HORIZON_CODE or HORIZON_CODE in self.state or self.ctx.amending_committee is not None
        ):
            self.problem(index, code, "", _("a plan has its horizons from the start: change them, never add them"))
            return
        if not CODE_RE.match(code):
            self.problem(
                index, code, "", _("a code starts with a letter and has only letters, digits, “.”, “-” or “_”")
            )
            return
        if code in self.state or code in self.added:
            self.problem(index, code, "", _("the code %(code)s is already used in this version") % {"code": code})
            return
        if code in self.ctx.used_codes:
            self.problem(
                index,
                code,
                "",
                _("the code %(code)s belonged to an item that was retired; codes are never reused") % {"code": code},
            )
            return
        parent = normalize_code(values.pop("parent", ""))
        if not self.check_parent(index, code, kind, parent):
            return
        if self.ctx.amending_committee is not None:
            if kind not in PARENT_KIND or (
                kind != Kind.OUTPUT and owner_committee(self.state, parent) != self.ctx.amending_committee
            ):
                self.problem(
                    index, code, "", _("your committee does not own this item; only its committee may amend it")
                )
                return
            if kind == Kind.OUTPUT and values.get("committee") != self.ctx.amending_committee:
                self.problem(index, code, "committee", _("a committee adds outputs only for itself"), kind)
                return
        item = {"code": code, "kind": kind, "parent": parent}
        ok = True
        for spec in FIELDS[kind]:
            if not spec.per_year and spec.name not in values:
                values[spec.name] = None
        for name, value in values.items():
            try:
                cleaned = clean_value(kind, name, value, ctx=self.ctx, state=self.state)
            except ValueError as error:
                self.problem(index, code, name, str(error), kind)
                ok = False
                continue
            if cleaned is not None:
                item[name] = cleaned
            elif not field_spec(kind, name).per_year:
                item[name] = "" if field_spec(kind, name).type in ("text", "date", "portfolio") else None
        if not ok:
            return
        self.state[code] = item
        self.copied.add(code)
        self.added.add(code)
        self.link(code, parent)
        self.check_consistency(index, code)

    def _existing(self, index, op):
        item = self.state.get(op["code"])
        if item is None:
            self.problem(index, op["code"], "", _("there is no item %(code)s in this version") % {"code": op["code"]})
        return item

    def change(self, index, op, recorded):
        code = op["code"]
        item = self._existing(index, op)
        if item is not None and item["kind"] == Kind.HORIZON and self.ctx.amending_committee is not None:
            self.problem(index, code, "", _("only the integration working group moves the plan's horizons"))
            return
        if item is None or not self.check_owner(index, code):
            return
        if not op["values"]:
            self.problem(index, code, "", _("a change must name at least one field"))
            return
        for name, pair in op["values"].items():
            if name in ("code", "kind", "parent") or not isinstance(pair, dict) or "new" not in pair:
                self.problem(index, code, name, _("this field cannot be changed this way"), item["kind"])
                continue
            if name == "committee" and self.ctx.amending_committee is not None:
                self.problem(
                    index,
                    code,
                    name,
                    _("only the integration working group reassigns an output's committee"),
                    item["kind"],
                )
                continue
            try:
                new = clean_value(item["kind"], name, pair["new"], ctx=self.ctx, state=self.state)
            except ValueError as error:
                self.problem(index, code, name, str(error), item["kind"])
                continue
            current = item.get(name)
            if self.check_old and "old" in pair and _same(pair["old"], current) is False:
                self.problem(
                    index,
                    code,
                    name,
                    _("changed since this amendment was drafted: it was “%(old)s”, it is now “%(current)s”")
                    % {"old": _shown(pair["old"]), "current": _shown(current)},
                    item["kind"],
                )
                continue
            if _same(new, current):
                self.problem(index, code, name, _("the new value is the same as the current one"), item["kind"])
                continue
            recorded["values"][name] = {"old": current, "new": new}
            target = self.writable(code)
            if new is None and field_spec(item["kind"], name).per_year:
                target.pop(name, None)
            else:
                target[name] = new if new is not None else ("" if isinstance(current, str) else None)
        self.check_consistency(index, code)

    def retire(self, index, op, recorded):
        code = op["code"]
        item = self._existing(index, op)
        if item is not None and item["kind"] == Kind.HORIZON:
            self.problem(index, code, "", _("the plan's horizons are moved, never retired"))
            return
        if item is None or not self.check_owner(index, code):
            return
        below = descendants(self.children(), code)
        if below and not op["cascade"]:
            self.problem(
                index,
                code,
                "",
                _("%(code)s has %(count)s items under it: retire them first, or retire it with its children")
                % {"code": code, "count": len(below)},
            )
            return
        if item["kind"] == Kind.PORTFOLIO:
            members = sorted(c for c, i in self.state.items() if i.get("portfolio") == code)
            if members:
                self.problem(
                    index,
                    code,
                    "",
                    _("projects still belong to this portfolio (%(codes)s): move them first")
                    % {"codes": ", ".join(members[:5])},
                )
                return
        recorded["retired"] = [code, *below]
        self.unlink(code, item.get("parent"))
        for gone in [code, *below]:
            del self.state[gone]
            if self._children is not None:
                self._children.pop(gone, None)

    def move(self, index, op, recorded):
        code = op["code"]
        item = self._existing(index, op)
        if item is not None and item["kind"] == Kind.HORIZON:
            self.problem(index, code, "", _("the plan's horizons are changed field by field"))
            return
        if item is None or not self.check_owner(index, code):
            return
        if not op["values"] or set(op["values"]) - set(MOVABLE_FIELDS):
            self.problem(index, code, "", _("a move names a new parent or a new portfolio"))
            return
        for name, pair in op["values"].items():
            new = normalize_code((pair or {}).get("new", ""))
            current = item.get(name, "")
            if self.check_old and "old" in (pair or {}) and (pair["old"] or "") != (current or ""):
                self.problem(
                    index,
                    code,
                    name,
                    _("changed since this amendment was drafted: it was “%(old)s”, it is now “%(current)s”")
                    % {"old": pair["old"], "current": current},
                    item["kind"],
                )
                continue
            if new == (current or ""):
                self.problem(index, code, name, _("the item is already there"), item["kind"])
                continue
            recorded["values"][name] = {"old": current or "", "new": new}
            if name == "parent":
                if not self.check_parent(index, code, item["kind"], new):
                    continue
                if (
                    self.ctx.amending_committee is not None
                    and owner_committee(self.state, new) != self.ctx.amending_committee
                ):
                    self.problem(index, code, name, _("your committee does not own the new parent"), item["kind"])
                    continue
                if item["kind"] == Kind.OUTPUT and new in descendants(self.children(), code):
                    self.problem(
                        index, code, name, _("an item cannot move under itself"), item["kind"]
                    )  # pragma: no cover
                    continue
                self.unlink(code, current)
                self.writable(code)["parent"] = new
                self.link(code, new)
            else:
                if item["kind"] != Kind.PROJECT:
                    self.problem(index, code, name, _("only projects belong to portfolios"), item["kind"])
                    continue
                if new:
                    try:
                        clean_value(item["kind"], "portfolio", new, ctx=self.ctx, state=self.state)
                    except ValueError as error:
                        self.problem(index, code, name, str(error), item["kind"])
                        continue
                self.writable(code)["portfolio"] = new


def _same(a, b) -> bool:
    if isinstance(a, str) or isinstance(b, str):
        return (a or "") == (b or "")
    if a is None or b is None:
        return a is b
    na, nb = normalize_number(a), normalize_number(b)
    return na == nb if na is not None and nb is not None else a == b


def _shown(value) -> str:
    return "" if value is None else str(value)


def apply_operations(state: State, operations: list[dict], ctx: PlanContext, *, check_old: bool = True) -> State:
    """The state after the operations, in order; raises ChangesetInvalid with every problem found."""
    return apply_changeset(state, operations, ctx, check_old=check_old)[0]


def apply_changeset(
    state: State, operations: list[dict], ctx: PlanContext, *, check_old: bool = True
) -> tuple[State, list[dict]]:
    """The state after the operations, and the operations as applied: each change and move keeps the
    value it replaced as `old`, each retirement lists what it retired."""
    applier = _Applier(state, ctx, check_old)
    for index, raw in enumerate(operations):
        applier.run(index, normalize_operation(raw))
    if not operations:
        applier.problem(None, "", "", _("the amendment has no operation"))
    if applier.problems:
        raise ChangesetInvalid(applier.problems)
    return applier.state, applier.applied

"""What a plan is made of: the kinds of item, their fields, and where each may hang.

Items are handled as flat dicts (`{"code", "kind", "parent", "name_fa", ..., "targets.1405": 12}`)
so that an amendment, a diff and a conflict all speak of the same unit: one field of one item.
Per-year fields (targets, budgets) are flattened to `targets.<year>`.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    HORIZON = "horizon", _("Plan horizons")
    STATEMENT = "statement", _("Statement (mission, vision)")
    OBJECTIVE = "objective", _("Strategic objective")
    OUTPUT = "output", _("Effective output")
    INDICATOR = "indicator", _("Output indicator")
    PROJECT = "project", _("Plan or project")
    ACTION = "action", _("Action")
    PORTFOLIO = "portfolio", _("Main project portfolio")


# The kind an item must hang under; kinds not listed have no parent.
PARENT_KIND = {
    Kind.OUTPUT: Kind.OBJECTIVE,
    Kind.INDICATOR: Kind.OUTPUT,
    Kind.PROJECT: Kind.OUTPUT,
    Kind.ACTION: Kind.OUTPUT,
}

# Top-level lists of the exchange file, in this order, and the kind each holds.
EXPORT_LISTS = [
    ("objectives", Kind.OBJECTIVE),
    ("committees", None),
    ("outputs", Kind.OUTPUT),
    ("indicators", Kind.INDICATOR),
    ("projects", Kind.PROJECT),
    ("actions", Kind.ACTION),
    ("portfolios", Kind.PORTFOLIO),
]


class FieldType(models.TextChoices):
    TEXT = "text"
    NUMBER = "number"
    AMOUNT = "amount"  # rials: a whole number, not negative
    YEAR = "year"
    DATE = "date"  # a Jalali date, kept as YYYY/MM/DD text
    CALENDAR_YEAR = "calendar_year"  # a solar year as such (a horizon's bound), not one inside the horizon
    DIRECTION = "direction"
    COMMITTEE = "committee"
    PORTFOLIO = "portfolio"


@dataclass(frozen=True)
class FieldSpec:
    name: str
    type: str
    label: object
    required: bool = False
    per_year: bool = False  # one value per operational year: name.<year>
    # what is sane for the field (numbers: the least and the most; text: the longest), beyond which
    # a value is a typing slip (a rial budget with three zeros too many), refused with a message
    minimum: float | None = None
    maximum: float | None = None
    max_length: int | None = None

    def flat_names(self, years) -> list[str]:
        """The flat field names this spec gives an item: `unit`, or `targets.1403` … for each year."""
        return [f"{self.name}.{year}" for year in years] if self.per_year else [self.name]


# A city's whole yearly budget is of the order of 10^14 rials (Ahvaz: about 2×10^13); a project's
# budget for one year above 10^16 is a slip of the keyboard. Indicators count, measure or weigh.
BUDGET_LIMIT = 10**16
INDICATOR_LIMIT = 10**12
# how much an item counts in its parent's progress (none set: all count alike)
WEIGHT_LIMIT = 1000

NAME_FIELDS = (
    FieldSpec("name_fa", FieldType.TEXT, _("name (Persian)"), required=True, max_length=500),
    FieldSpec("name_en", FieldType.TEXT, _("name (English)"), max_length=500),
)

# The plan's horizons are content like any item, so an amendment moves them, a diff and the letter
# show the move, and every version reads back with the horizons it was issued with. One per plan.
HORIZON_CODE = "HORIZON"
HORIZON_FIELDS = ("strategic_start", "strategic_end", "operational_start", "operational_end")
EARLIEST_YEAR, LATEST_YEAR = 1300, 1700

FIELDS: dict[str, tuple[FieldSpec, ...]] = {
    Kind.HORIZON: NAME_FIELDS
    + (
        FieldSpec("strategic_start", FieldType.CALENDAR_YEAR, _("strategic horizon from"), required=True),
        FieldSpec("strategic_end", FieldType.CALENDAR_YEAR, _("strategic horizon to"), required=True),
        FieldSpec("operational_start", FieldType.CALENDAR_YEAR, _("operational horizon from"), required=True),
        FieldSpec("operational_end", FieldType.CALENDAR_YEAR, _("operational horizon to"), required=True),
    ),
    Kind.STATEMENT: NAME_FIELDS
    + (
        FieldSpec("text_fa", FieldType.TEXT, _("text (Persian)"), required=True, max_length=4000),
        FieldSpec("text_en", FieldType.TEXT, _("text (English)"), max_length=4000),
    ),
    Kind.OBJECTIVE: NAME_FIELDS,
    Kind.OUTPUT: NAME_FIELDS
    + (
        FieldSpec("committee", FieldType.COMMITTEE, _("committee"), required=True),
        FieldSpec("weight", FieldType.NUMBER, _("weight in its objective"), minimum=0, maximum=WEIGHT_LIMIT),
    ),
    Kind.INDICATOR: NAME_FIELDS
    + (
        FieldSpec("unit", FieldType.TEXT, _("unit"), required=True, max_length=100),
        FieldSpec("baseline", FieldType.NUMBER, _("baseline"), minimum=-INDICATOR_LIMIT, maximum=INDICATOR_LIMIT),
        FieldSpec("direction", FieldType.DIRECTION, _("desired direction"), required=True),
        FieldSpec(
            "targets", FieldType.NUMBER, _("target"), per_year=True, minimum=-INDICATOR_LIMIT, maximum=INDICATOR_LIMIT
        ),
        FieldSpec("weight", FieldType.NUMBER, _("weight in its output"), minimum=0, maximum=WEIGHT_LIMIT),
    ),
    Kind.PROJECT: NAME_FIELDS
    + (
        FieldSpec("responsible_unit", FieldType.TEXT, _("responsible unit"), required=True, max_length=300),
        FieldSpec("start", FieldType.DATE, _("start")),
        FieldSpec("end", FieldType.DATE, _("end")),
        FieldSpec("budgets", FieldType.AMOUNT, _("budget (rials)"), per_year=True, minimum=0, maximum=BUDGET_LIMIT),
        FieldSpec("portfolio", FieldType.PORTFOLIO, _("portfolio")),
        FieldSpec("weight", FieldType.NUMBER, _("weight in its output"), minimum=0, maximum=WEIGHT_LIMIT),
    ),
    Kind.ACTION: NAME_FIELDS
    + (
        FieldSpec("responsible_unit", FieldType.TEXT, _("responsible unit"), required=True, max_length=300),
        FieldSpec("due_year", FieldType.YEAR, _("due year")),
    ),
    Kind.PORTFOLIO: NAME_FIELDS,
}

DIRECTIONS = {"up": _("higher is better"), "down": _("lower is better")}

STRUCTURE_FIELDS = ("code", "kind", "parent")


def field_spec(kind: str, field: str) -> FieldSpec | None:
    """The spec of a flat field name (`targets.1405` → the targets spec), or None."""
    base, _dot, _year = field.partition(".")
    for spec in FIELDS.get(kind, ()):
        if spec.name == base and spec.per_year == bool(_dot):
            return spec
    return None


def field_label(kind: str, field: str) -> str:
    """A person's name for a flat field: 'target 1405'."""
    if field == "parent":
        return str(_("parent"))
    spec = field_spec(kind, field)
    if spec is None:
        return field
    if spec.per_year:
        return f"{spec.label} {field.partition('.')[2]}"
    return str(spec.label)

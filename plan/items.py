"""An item as a flat dict, and the conversions to and from its stored row and exchange form."""

import math
import re
from decimal import Decimal, InvalidOperation

from core.jalali import ascii_digits, normalize_persian, tidy_text
from plan.schema import FIELDS, HORIZON_CODE, PARENT_KIND, Kind

Item = dict  # {"code", "kind", "parent", "name_fa", ..., "targets.1405": 12}
State = dict  # code -> Item

CODE_RE = re.compile(r"^[A-Za-z][A-Za-z0-9._\-]{0,39}$")


def item_from_row(code, kind, parent_code, name_fa, name_en, attributes) -> Item:
    item = {"code": code, "kind": kind, "parent": parent_code or "", "name_fa": name_fa, "name_en": name_en}
    for key, value in attributes.items():
        if isinstance(value, dict):
            for year, amount in value.items():
                item[f"{key}.{year}"] = amount
        else:
            item[key] = value
    return item


def row_fields(item: Item) -> dict:
    """The columns of a PlanItem row for an item."""
    attributes: dict = {}
    for key, value in item.items():
        if key in ("code", "kind", "parent", "name_fa", "name_en"):
            continue
        base, dot, year = key.partition(".")
        if dot:
            attributes.setdefault(base, {})[year] = value
        else:
            attributes[key] = value
    for value in attributes.values():
        if isinstance(value, dict):
            ordered = dict(sorted(value.items()))
            value.clear()
            value.update(ordered)
    return {
        "code": item["code"],
        "kind": item["kind"],
        "parent_code": item.get("parent", ""),
        "name_fa": item.get("name_fa", ""),
        "name_en": item.get("name_en", ""),
        "attributes": dict(sorted(attributes.items())),
    }


def parent_key(kind: str) -> str | None:
    """The exchange file's key for an item's parent: `objective` for an output, `output` below it."""
    parent_kind = PARENT_KIND.get(kind)
    return str(parent_kind.value) if parent_kind else None


def exchange_form(item: Item) -> dict:
    """An item as the export file writes it: code, parent, names, then the kind's fields in order."""
    out = {"code": item["code"]}
    key = parent_key(item["kind"])
    if key:
        out[key] = item.get("parent", "")
    for spec in FIELDS[item["kind"]]:
        if spec.per_year:
            prefix = spec.name + "."
            years = sorted(k[len(prefix) :] for k in item if k.startswith(prefix))
            out[spec.name] = {year: item[prefix + year] for year in years}
        else:
            out[spec.name] = item.get(
                spec.name, "" if spec.type in ("text", "date", "committee", "portfolio") else None
            )
    return out


def item_from_exchange(kind: str, record: dict) -> Item:
    """The inverse of exchange_form; unknown keys are kept so validation can name them."""
    item = {"code": record.get("code", ""), "kind": kind}
    key = parent_key(kind)
    for field, value in record.items():
        if field == "code":
            continue
        if key and field == key:
            item["parent"] = value
        elif isinstance(value, dict):
            for year, amount in value.items():
                item[f"{field}.{year}"] = amount
        else:
            item[field] = value
    item.setdefault("parent", "")
    return item


def normalize_number(value):
    """A number typed with any digits (۱۲٫۵, "12.50", 12) as int when whole, else float; None if not a number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):  # NaN and infinity (JSON parsers accept them) are no figures
            return None
        return int(value) if value.is_integer() else value
    if not isinstance(value, str):
        return None
    text = ascii_digits(value).replace(",", "").replace("\u066c", "").strip()
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    if not number.is_finite():
        return None
    return int(number) if number == number.to_integral_value() else float(number)


def normalize_text(value) -> str:
    """Free text (names, units, justifications) as typed: see `core.jalali.tidy_text`."""
    return tidy_text(value) if isinstance(value, str) else ("" if value is None else str(value))


def normalize_code(value) -> str:
    """An item's code as it is compared: ASCII digits, whatever was typed."""
    return normalize_persian(value) if isinstance(value, str) else ("" if value is None else str(value))


def owner_committee(state: State, code: str) -> str | None:
    """The committee that owns an item: an output's committee, or its output's for what hangs below."""
    item = state.get(code)
    while item is not None:
        if item["kind"] == Kind.OUTPUT:
            return item.get("committee") or None
        parent = item.get("parent")
        item = state.get(parent) if parent else None
    return None


def children_index(state: State) -> dict[str, list[str]]:
    index: dict[str, list[str]] = {}
    for code, item in state.items():
        if item.get("parent"):
            index.setdefault(item["parent"], []).append(code)
    return index


def descendants(index: dict[str, list[str]], code: str) -> list[str]:
    found, stack = [], list(index.get(code, ()))
    while stack:
        child = stack.pop()
        found.append(child)
        stack.extend(index.get(child, ()))
    return sorted(found)


def horizon_item(*, strategic: tuple[int, int], operational: tuple[int, int]) -> Item:
    """The plan's horizons as the one item of kind `horizon`."""
    return {
        "code": HORIZON_CODE,
        "kind": Kind.HORIZON.value,
        "parent": "",
        "name_fa": "افق‌های برنامه",
        "name_en": "Plan horizons",
        "strategic_start": strategic[0],
        "strategic_end": strategic[1],
        "operational_start": operational[0],
        "operational_end": operational[1],
    }


def horizons(state: State, fallback=None) -> dict[str, tuple[int, int]]:
    """{"strategic": (first, last), "operational": (first, last)} as a state says them; a state
    issued before the horizons were content has none, and reads the plan's own (`fallback`)."""
    item = state.get(HORIZON_CODE)
    if item is not None and item.get("kind") == Kind.HORIZON:
        return {
            "strategic": (item["strategic_start"], item["strategic_end"]),
            "operational": (item["operational_start"], item["operational_end"]),
        }
    if fallback is None:
        raise ValueError("a state without horizons needs the plan's")
    return {
        "strategic": (fallback.strategic_start_year, fallback.strategic_end_year),
        "operational": (fallback.operational_start_year, fallback.operational_end_year),
    }


def operational_years(state: State, fallback=None) -> range:
    first, last = horizons(state, fallback)["operational"]
    return range(first, last + 1)

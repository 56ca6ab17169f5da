"""The diff approvers read and sign: items added, retired, moved, and each field old → new.

Language-neutral data (labels are added when shown), deterministic order, and a SHA-256
fingerprint of its canonical JSON, so a decision can name exactly the text it was made on.
"""

import difflib
import hashlib
import json
import re
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from plan.items import State, normalize_number
from plan.schema import Kind

KIND_ORDER = {kind: position for position, kind in enumerate(Kind.values)}
CHANGE_LABELS = {"added": _("added"), "retired": _("retired"), "moved": _("moved"), "changed": _("changed")}
_TOKENS = re.compile(r"\s+|[^\s]+")
STRUCTURE = ("code", "kind")


def redline(old: str, new: str) -> list[list[str]]:
    """A word-level redline: [["=", text], ["-", removed], ["+", inserted], ...].

    Words are split on white space only, so a Persian word joined by a zero-width non-joiner
    (می‌شود) stays one word.
    """
    a, b = _TOKENS.findall(old or ""), _TOKENS.findall(new or "")
    segments: list[list[str]] = []

    def push(tag, tokens):
        if not tokens:
            return
        text = "".join(tokens)
        if segments and segments[-1][0] == tag:
            segments[-1][1] += text
        else:
            segments.append([tag, text])

    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            push("=", a[i1:i2])
        else:
            push("-", a[i1:i2])
            push("+", b[j1:j2])
    return segments


def _delta(old, new) -> dict | None:
    a, b = normalize_number(old), normalize_number(new)
    if a is None or b is None or isinstance(old, str) or isinstance(new, str):
        return None
    change = Decimal(str(b)) - Decimal(str(a))
    result = {"delta": normalize_number(str(change))}
    if a != 0:
        result["percent"] = float(round(change * 100 / abs(Decimal(str(a))), 2))
    return result


def field_change(name: str, old, new) -> dict:
    entry = {"field": name, "old": old, "new": new}
    if isinstance(old, str) and isinstance(new, str) and old and new and name != "parent":
        entry["redline"] = redline(old, new)
    else:
        numbers = _delta(old, new)
        if numbers:
            entry.update(numbers)
    return entry


def _field_order(item: dict):
    return [key for key in item if key not in STRUCTURE]


def diff_item(old: dict | None, new: dict | None) -> dict | None:
    """One item's entry in the diff, or None when nothing changed."""
    if old is None and new is None:  # added and retired again within one changeset
        return None
    current = new or old
    entry = {"code": current["code"], "kind": current["kind"], "name_fa": current.get("name_fa", "")}
    if old is None:
        entry["change"] = "added"
        entry["fields"] = [field_change(k, None, new[k]) for k in sorted(_field_order(new)) if new[k] not in (None, "")]
        return entry
    if new is None:
        entry["change"] = "retired"
        entry["fields"] = [field_change(k, old[k], None) for k in sorted(_field_order(old)) if old[k] not in (None, "")]
        return entry
    fields = []
    for key in sorted(set(_field_order(old)) | set(_field_order(new))):
        a, b = old.get(key), new.get(key)
        if (a in (None, "") and b in (None, "")) or a == b:
            continue
        fields.append(field_change(key, a, b))
    if not fields:
        return None
    moved = [f for f in fields if f["field"] in ("parent", "portfolio")]
    entry["change"] = "moved" if moved and len(moved) == len(fields) else "changed"
    entry["fields"] = fields
    return entry


def diff_states(old: State, new: State, codes=None) -> list[dict]:
    """The diff from one state to another, optionally only over the given codes."""
    if codes is None:
        codes = set(old) | set(new)
    entries = []
    for code in codes:
        entry = diff_item(old.get(code), new.get(code))
        if entry is not None:
            entries.append(entry)
    entries.sort(key=lambda e: (KIND_ORDER.get(e["kind"], 99), e["code"]))
    return entries


def fingerprint(entries: list[dict], files=()) -> str:
    """SHA-256 of the diff's canonical JSON: the same diff always has the same fingerprint. With the
    files shown beside it (each a dict with its `name` and `sha256`), it covers them too: a decision
    is on the text and the documents in front of the person. Without files it is the diff's alone,
    as it was before attachments existed."""
    document = entries
    if files:
        document = {"diff": entries, "files": sorted([f["sha256"], f["name"]] for f in files)}
    text = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def summary(entries: list[dict]) -> dict:
    counts = {"added": 0, "retired": 0, "moved": 0, "changed": 0, "fields": 0}
    for entry in entries:
        counts[entry["change"]] += 1
        counts["fields"] += len(entry["fields"])
    return counts


def state_fingerprint(state: State) -> str:
    """SHA-256 of a whole state, for an issued version: it proves a version reads back unchanged."""
    text = json.dumps([state[c] for c in sorted(state)], sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()

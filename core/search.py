"""Persian search in the database: one folding, the same in Python and in SQL.

`core.jalali.search_fold` says what a search treats as the same (digits of any script, the Arabic
and Persian forms of ی/ک/ه and of alef, no diacritics or tatweel, lower case, and no spaces or
zero-width joiners, so "جمع‌آوری", "جمع آوری" and "جمعآوری" are one word). The database applies
the same folding through a function of its own, `baznegar_fold(text)`:

- on PostgreSQL an IMMUTABLE SQL function (created by a migration from the tables below, so the
  two cannot drift), indexed with pg_trgm so that "contains this folded word" is an index scan;
  `baznegar_fold_words(text)` keeps the word breaks, for full-text ranking;
- on SQLite the Python function itself, registered on every connection: the simpler fallback
  (a scan, no ranking by words).

`highlight` marks, in the text as written, the spans that matched the folded words.
"""

import functools
import re

from django.db.backends.signals import connection_created
from django.db.models import Func, TextField
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from core.jalali import _SEARCH_DROPPED, _SEARCH_LETTERS, _TO_ASCII, SEARCH_JOINERS, SEARCH_SPACES, search_fold

_MAP = {**_TO_ASCII, **_SEARCH_LETTERS}  # code point -> code point or text, as str.maketrans makes them
_FROM = "".join(chr(code) for code in sorted(_MAP))
_TO = "".join(chr(_MAP[code]) if isinstance(_MAP[code], int) else _MAP[code] for code in sorted(_MAP))
_DROPPED = _SEARCH_DROPPED.pattern  # a bracket expression PostgreSQL's regular expressions read alike
_UPPER, _LOWER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz"  # as search_fold: Latin only


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _folded_letters_sql(argument: str) -> str:
    return (
        f"translate(regexp_replace(translate({argument}, {_literal(_FROM)}, {_literal(_TO)}), "
        f"{_literal(_DROPPED)}, '', 'g'), {_literal(_UPPER)}, {_literal(_LOWER)})"
    )


# the PostgreSQL functions, every character named (no \s, no lower(): they follow the database's
# locale). Plan migration 0005 creates them from a frozen copy of this text; a test compares the
# two, so a change of the folding comes with a migration (which must also drop and add the stored
# columns, computed only on write).
_LETTERS = _folded_letters_sql("$1")
_SEPARATORS = _literal("[" + SEARCH_SPACES + SEARCH_JOINERS + "]+")
_JOINERS, _SPACES = _literal("[" + SEARCH_JOINERS + "]"), _literal("[" + SEARCH_SPACES + "]+")
POSTGRES_FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION baznegar_fold(text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT regexp_replace({_LETTERS}, {_SEPARATORS}, '', 'g') $$;
CREATE OR REPLACE FUNCTION baznegar_fold_words(text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT regexp_replace(regexp_replace({_LETTERS}, {_JOINERS}, '', 'g'),
                            {_SPACES}, ' ', 'g') $$;
"""


class Fold(Func):
    """`baznegar_fold(expression)`: the text as a search compares it (see the module)."""

    function = "baznegar_fold"
    output_field = TextField()


class FoldedText(Func):
    """A row's searchable text, folded: on PostgreSQL its stored `search_folded` column (plan
    migration 0005), elsewhere `baznegar_fold(a || ' ' || b ...)` of the same fields in the same
    order, computed as the rows are read."""

    function = "baznegar_fold"
    arg_joiner = " || ' ' || "
    output_field = TextField()

    def as_postgresql(self, compiler, connection, **extra_context):
        table = compiler.query.get_initial_alias()
        return f"{compiler.quote_name_unless_alias(table)}.search_folded", []


class FoldWords(Func):
    """`baznegar_fold_words(expression)`: folded, with its word breaks kept (PostgreSQL only)."""

    function = "baznegar_fold_words"
    output_field = TextField()


def _register_sqlite(sender, connection, **kwargs):
    if connection.vendor == "sqlite":
        connection.connection.create_function("baznegar_fold", 1, search_fold, deterministic=True)


connection_created.connect(_register_sqlite, dispatch_uid="core.search.sqlite_fold")


@functools.lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    return search_fold(ch)


def _folded_map(text: str) -> tuple[str, list[int]]:
    """The text folded, and for each folded character the index of the character it came from."""
    folded, origin = [], []
    for index, ch in enumerate(text):
        for out in _fold_char(ch):
            folded.append(out)
            origin.append(index)
    return "".join(folded), origin


def highlight(text, terms: list[str], *, around: int | None = None) -> SafeString:
    """The text escaped, with each span matching a folded term wrapped in <mark>, however its
    letters, digits and joiners were typed. With `around`, only a window of about that many
    characters around the first match, with ellipses."""
    text = str(text or "")
    folded, origin = _folded_map(text)
    spans = []
    for term in terms:
        if not term:
            continue
        for found in re.finditer(re.escape(term), folded):
            spans.append((origin[found.start()], origin[found.end() - 1] + 1))
    spans.sort()
    merged: list[list[int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    lo, hi = 0, len(text)
    if around is not None and len(text) > around:
        first = merged[0][0] if merged else 0
        lo = max(0, first - around // 3)
        hi = min(len(text), lo + around)
    out, cursor = [], lo
    for start, end in merged:
        if end <= lo or start >= hi:
            continue
        start, end = max(start, lo), min(end, hi)
        out.append(escape(text[cursor:start]))
        out.append(f"<mark>{escape(text[start:end])}</mark>")
        cursor = end
    out.append(escape(text[cursor:hi]))
    return mark_safe(("… " if lo > 0 else "") + "".join(out) + (" …" if hi < len(text) else ""))  # noqa: S308 - escaped above

"""One search over what the planning office writes: plan items (the version in force, a named
version, or every version), amendments, comments and the names of supporting documents. Words
are folded alike however they were typed (core.search); every word must be found; results are
ranked, grouped by kind, and hold only what the person may see.

On PostgreSQL each kind's folded text is indexed with pg_trgm (plan migration 0005), so "contains
this folded word" is an index scan, and ranking adds full-text weight (title over body) to exact
and leading matches. On SQLite the same filter runs as a scan, ranked by the leading matches only."""

from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy
from viewflow.workflow.models import Task

from approvals.models import Comment
from approvals.selectors import amendment_visibility, revisions_visible_to
from core.jalali import search_fold, search_terms
from core.search import FoldedText, highlight
from people.models import User
from plan.models import Amendment, Attachment, IssuedVersion, Plan, PlanItem
from plan.selectors import plans_visible_to, version_in_force

KINDS = ("items", "amendments", "comments", "documents")
KIND_LABELS = {
    "items": gettext_lazy("Plan items"),
    "amendments": gettext_lazy("Amendments"),
    "comments": gettext_lazy("Comments"),
    "documents": gettext_lazy("Documents"),
}
PER_KIND = 10  # shown per kind on the page of all kinds
PER_KIND_ALONE = 50  # when one kind is asked for
MAX_QUERY = 200  # characters read of a query; the rest is ignored (search_terms reads 100)
# When more rows than CANDIDATES_PER_HIT × the hits shown hold every word of a query (a word in
# a third of 100,000 amendments), the newest that many are ranked: the cost of a search stays
# bounded whatever the query.
CANDIDATES_PER_HIT = 20
WINDOW = 20_000  # the newest rows a common query's candidates are read from


@dataclass
class Hit:
    obj: object
    title: str  # highlighted
    snippet: str = ""  # highlighted
    url: str = ""
    detail: str = ""  # plain: code, status, committee, version range
    versions: list = field(default_factory=list)  # items searched in every version: where it matched


@dataclass
class Group:
    kind: str
    hits: list
    more: bool  # more than shown were found

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]


@dataclass
class SearchResults:
    query: str
    terms: list
    groups: list  # Group, in KINDS order, empty groups left out
    version: IssuedVersion | None  # the version items were searched in (None: every version)

    @property
    def total_shown(self) -> int:
        return sum(len(g.hits) for g in self.groups)


def _escaped(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _rank_sql(table: str, title: str, body: str, whole: str, terms: list[str]) -> tuple[str, list]:
    """A score. On PostgreSQL from the stored columns: the text starting with the whole query (the
    title comes first), holding it, and the full-text rank of its words (title over body). On
    SQLite from the fields: the title equal to the query, starting with it, holding it, the body
    holding it."""
    starts, holds = _escaped(whole) + "%", "%" + _escaped(whole) + "%"
    if connection.vendor == "postgresql":
        column = f'"{table}".search_folded'
        words = " || ".join(["plainto_tsquery('simple', %s)"] * len(terms))  # any word, safely parsed
        sql = (
            f"(CASE WHEN {column} LIKE %s ESCAPE '\\' THEN 4 ELSE 0 END"
            f" + CASE WHEN {column} LIKE %s ESCAPE '\\' THEN 2 ELSE 0 END"
            f' + ts_rank_cd("{table}".search_words, {words}))'
        )
        return sql, [starts, holds, *terms]
    fold = "baznegar_fold"
    sql = (
        f"(CASE WHEN {fold}({title}) = %s THEN 8 ELSE 0 END"
        f" + CASE WHEN {fold}({title}) LIKE %s ESCAPE '\\' THEN 4 ELSE 0 END"
        f" + CASE WHEN {fold}({title}) LIKE %s ESCAPE '\\' THEN 2 ELSE 0 END"
        f" + CASE WHEN {fold}({body}) LIKE %s ESCAPE '\\' THEN 1 ELSE 0 END)"
    )
    return sql, [whole, starts, holds, holds]


def _matching(queryset, text: FoldedText, terms: list[str]):
    """Rows whose folded text holds every term: each an index condition on PostgreSQL, through the
    trigram index, or for a term of one or two letters (too short for trigrams) through the words'
    index, as the start of a word."""
    queryset = queryset.annotate(_folded=text)
    table = queryset.model._meta.db_table
    for term in terms:
        if connection.vendor == "postgresql" and len(term) < 3:
            # the start of a word: one quoted lexeme with a prefix mark, built here, so a character
            # PostgreSQL's parser does not take for a letter ("²") gives an empty query (no match),
            # never a malformed one
            lexeme = "'" + term.replace("\\", "\\\\").replace("'", "''") + "':*"
            queryset = queryset.filter(
                RawSQL(  # noqa: S611 - the lexeme is a bound parameter; only our table's name is formatted in
                    f"\"{table}\".search_words @@ to_tsquery('simple', %s)",
                    [lexeme],
                    output_field=BooleanField(),
                )
            )
            continue
        queryset = queryset.filter(_folded__contains=term)
    return queryset


def _candidates(model, text: FoldedText, terms: list[str], scope: Q, limit: int) -> list[int]:
    """Up to `limit` × CANDIDATES_PER_HIT rows of `model` holding every term within `scope` (the
    plan, and what the person may see), newest first. Read in two bounded steps: the matches among
    the newest WINDOW rows (walking the primary key back, it stops once it has enough, however
    common the words); only when those are too few, the older rows (a rare query: the trigram
    index finds its few matches). PostgreSQL is not left to guess which: it takes a phrase's
    words as independent, and a phrase's words are not."""
    candidates, enough = limit * CANDIDATES_PER_HIT, limit * 2 + 1
    in_scope = _matching(model.objects.all(), text, terms).filter(scope).order_by("-pk").values_list("pk", flat=True)
    if connection.vendor != "postgresql":
        return list(in_scope[:candidates])
    newest = model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    found = list(in_scope.filter(pk__gt=newest - WINDOW)[:candidates])
    if len(found) < enough:
        found += list(in_scope.filter(pk__lte=newest - WINDOW)[: candidates - len(found)])
    return found


def _ranked(model, text, terms, scope: Q, *, title: str, body: str, whole: str, limit: int, related=()):
    """The best `limit` rows in scope (and whether there were more) among the candidates."""
    sql, params = _rank_sql(model._meta.db_table, title, body, whole, terms)
    score = RawSQL(sql, params)  # noqa: S611 - bound parameters; only our own names are formatted in
    rows = model.objects.filter(pk__in=_candidates(model, text, terms, scope, limit)).select_related(*related)
    rows = list(rows.annotate(_rank=score).order_by("-_rank", "-pk")[: limit + 1])
    return rows[:limit], len(rows) > limit


@dataclass
class _Reader:
    """Who searches, worked out once: which amendments they may see, in which plan."""

    plan: Plan
    visibility: Q | None  # amendment_visibility: None when every amendment
    single_plan: bool  # the installation holds one plan: "of this plan" needs no condition
    sees_revisions: bool  # any at all; which ones, revisions_visible_to says

    def amendments(self) -> Q:
        of_plan = Q() if self.single_plan else Q(plan=self.plan)
        return of_plan if self.visibility is None else of_plan & self.visibility

    def hanging_on_amendments(self) -> Q:
        """For a comment or a document: its amendment is one of those (a semi-join, not a join)."""
        if self.visibility is None:
            return Q(amendment__isnull=False) if self.single_plan else Q(amendment__plan=self.plan)
        return Q(amendment__in=Amendment.objects.filter(self.amendments()).values("pk"))


def _items(plan: Plan, terms, whole, version: IssuedVersion | None, limit: int) -> Group:
    scope = Q(plan=plan)
    if version is not None:
        scope &= Q(valid_from__lte=version.number) & (Q(valid_to__isnull=True) | Q(valid_to__gt=version.number))
    table = PlanItem._meta.db_table
    body = f'"{table}"."code" || \' \' || "{table}"."name_en"'
    text = FoldedText("name_fa", "code", "name_en")
    sql, params = _rank_sql(table, f'"{table}"."name_fa"', body, whole, terms)
    if version is not None:  # at most one state per item: every match is ranked
        rows = _matching(PlanItem.objects.filter(scope), text, terms)
    else:  # every version: the newest states first when the words are common (see _candidates)
        rows = PlanItem.objects.filter(pk__in=_candidates(PlanItem, text, terms, scope, limit))
    rows = rows.annotate(_rank=RawSQL(sql, params))  # noqa: S611 - bound parameters, our own names
    if version is not None:
        found = list(rows.order_by("-_rank", "code")[: limit + 1])
        more = len(found) > limit
        found = found[:limit]
        versions = {}
    else:  # every version: one hit per item, its newest matching state, with the versions that matched
        found, versions = [], {}
        for row in rows.order_by("-_rank", "code", "-valid_from"):
            if row.code not in versions:
                if len(found) == limit:
                    break
                found.append(row)
                versions[row.code] = []
            versions[row.code].append((row.valid_from, row.valid_to))
        more = len(found) == limit
    hits = [
        Hit(
            obj=row,
            title=highlight(row.name_fa, terms),
            snippet=highlight(row.name_en, terms) if row.name_en else "",
            url=_item_url(row, version),
            detail=highlight(row.code, terms),
            versions=sorted(versions.get(row.code, [])),
        )
        for row in found
    ]
    return Group("items", hits, more)


def _item_url(row, version) -> str:
    """An item's own page (its history through the versions), or the browser at the version searched."""
    if version is None or row.valid_to is None:
        return reverse("plan:item", args=[row.code])
    return reverse("plan:browser") + "?" + urlencode({"version": version.number, "q": row.code})


def _amendment_links(amendments, user: User) -> dict[int, str]:
    """Where a person reads each amendment: their own open draft on its drafting page, anything
    else on its newest step's page (which shows it to whoever may see it)."""
    links = {}
    kind = ContentType.objects.get_for_model(Amendment)
    newest = (
        Task.objects.filter(
            process__artifact_content_type=kind,
            process__artifact_object_id__in=[str(a.pk) for a in amendments],
            flow_task_type="HUMAN",
        )
        .order_by("process__artifact_object_id", "-created", "-pk")
        .values_list("process__artifact_object_id", "pk")
    )
    for object_id, task_pk in newest:
        links.setdefault(int(object_id), reverse("workflows:task", args=[task_pk]))
    for amendment in amendments:
        if amendment.drafted_by_id == user.pk and amendment.status in (
            Amendment.Status.DRAFT,
            Amendment.Status.RETURNED,
        ):
            links[amendment.pk] = reverse("drafting:amendment_edit", args=[amendment.pk])
    return links


def _amendments(reader, terms, whole, user, limit) -> Group:
    table = Amendment._meta.db_table
    found, more = _ranked(
        Amendment,
        FoldedText("title", "summary"),
        terms,
        reader.amendments(),
        title=f'"{table}"."title"',
        body=f'"{table}"."summary"',
        whole=whole,
        limit=limit,
        related=("committee",),
    )
    links = _amendment_links(found, user)
    hits = [
        Hit(
            obj=a,
            title=highlight(a.title, terms),
            snippet=highlight(a.summary, terms, around=160) if a.summary else "",
            url=links.get(a.pk, ""),
            detail=" · ".join(filter(None, [a.committee.name_fa if a.committee else "", a.get_status_display()])),
        )
        for a in found
    ]
    return Group("amendments", hits, more)


def _comments(reader, terms, whole, user, limit) -> Group:
    table = Comment._meta.db_table
    found, more = _ranked(
        Comment,
        FoldedText("body"),
        terms,
        reader.hanging_on_amendments(),
        title=f'"{table}"."body"',
        body="''",
        whole=whole,
        limit=limit,
        related=("author", "amendment"),
    )
    links = _amendment_links([c.amendment for c in found], user)
    hits = [
        Hit(
            obj=c,
            title=highlight(c.amendment.title, []),
            snippet=highlight(c.body, terms, around=200),
            url=links.get(c.amendment_id, "") + "#discussion" if links.get(c.amendment_id) else "",
            detail=str(c.author),
        )
        for c in found
    ]
    return Group("comments", hits, more)


def _documents(reader, user, terms, whole, limit) -> Group:
    scope = reader.hanging_on_amendments()
    if reader.sees_revisions:
        # a revision's documents where the person's role shows revisions (a seat elsewhere does not)
        visible = revisions_visible_to(user).filter(plan=reader.plan).values("pk")
        scope |= Q(revision__isnull=False) if reader.single_plan else Q(revision__in=visible)
    table = Attachment._meta.db_table
    found, more = _ranked(
        Attachment,
        FoldedText("name"),
        terms,
        scope & Q(removed_at__isnull=True),
        title=f'"{table}"."name"',
        body="''",
        whole=whole,
        limit=limit,
        related=("amendment", "revision"),
    )
    hits = [
        Hit(
            obj=a,
            title=highlight(a.name, terms),
            url=reverse("drafting:attachment", args=[a.pk]),
            detail=str(a.subject),
        )
        for a in found
    ]
    return Group("documents", hits, more)


def search(*args, **kwargs) -> SearchResults:
    """What the person may see that holds every word of the query (see `_search`). On PostgreSQL
    in one read-only transaction without parallel workers: each of its queries reads a bounded
    number of rows, and starting workers would cost more than they save."""
    if connection.vendor != "postgresql":
        return _search(*args, **kwargs)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0; SET LOCAL jit = off")
        return _search(*args, **kwargs)


def _search(
    user: User,
    query: str,
    *,
    plan: Plan | None = None,
    version: IssuedVersion | None = None,
    every_version: bool = False,
    kind: str | None = None,
) -> SearchResults:
    """What the person may see that holds every word of the query, ranked and grouped by kind.
    Items are searched in `version`, the version in force by default, or in every version."""
    # control characters (a NUL cannot even be sent to PostgreSQL) are not part of any word
    query = "".join(ch if ch.isprintable() or ch == "\u200c" else " " for ch in (query or "")[:MAX_QUERY])
    terms = search_terms(query)
    plan = plan or plans_visible_to(user).first()
    if version is None and not every_version and plan is not None:
        version = version_in_force(plan)
    if every_version:
        version = None
    results = SearchResults(query=query, terms=terms, groups=[], version=version)
    if not terms or plan is None:
        return results
    whole = search_fold(" ".join(query.split()))[:100]
    limit = PER_KIND_ALONE if kind else PER_KIND
    kinds = [kind] if kind in KINDS else list(KINDS)
    reader = _Reader(
        plan,
        amendment_visibility(user),
        single_plan=Plan.objects.count() == 1,  # the installation's, not the person's: one plan, no condition
        sees_revisions="documents" in kinds and revisions_visible_to(user).exists(),
    )
    for name in kinds:
        if name == "items":
            group = _items(plan, terms, whole, version, limit)
        elif name == "amendments":
            group = _amendments(reader, terms, whole, user, limit)
        elif name == "comments":
            group = _comments(reader, terms, whole, user, limit)
        else:
            group = _documents(reader, user, terms, whole, limit)
        if group.hits:
            results.groups.append(group)
    return results

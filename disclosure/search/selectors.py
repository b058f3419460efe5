"""The one way to search: ``search_public_records``. It hides how each database matches and ranks.

PostgreSQL: ``vector @@ to_tsquery('simple', 'a' & 'b' & 'c':*)``, ranked with ``ts_rank_cd`` (cover
density: terms close together and in the title rank first).
SQLite: a join to the FTS5 table with ``MATCH '"a" AND "b" AND "c"*'``, ranked with bm25.

Bounded work: a search considers at most ``SEARCH_CANDIDATES`` matching documents, the newest first,
and ranks, counts and facets only those. A rare word has fewer matches than that and is ranked over
all of them; a common two-character word (征收, 公示) matches hundreds of thousands of documents at a
province's scale, and ranking or counting all of them took seconds. The newest matches are found by
walking the documents' ``(published_at, record_id)`` index backwards and testing each one, which stops
after a few thousand rows; PostgreSQL's planner takes the GIN index instead when its statistics say the
words are rare. Either way no request reads more than a bounded number of rows.

Every query reads through the condition of ``disclosure.records.selectors.public_records()``: a search
document that outlived its record's publication is never returned.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.exceptions import EmptyResultSet, ImproperlyConfigured
from django.db import connection
from django.db.models import BooleanField, Exists, Expression, ExpressionWrapper, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.expressions import RawSQL
from django.utils import timezone

from catalog import selectors as catalog_selectors
from catalog.models import Organisation
from disclosure.core.tokens import query_terms
from disclosure.records.metadata import keyword_condition
from disclosure.records.models import Record, SearchDocument
from disclosure.records.selectors import public_record_condition, public_records
from disclosure.search.synonyms import Group, query_groups

QUERY_MAX_LENGTH = 100
"""Longer queries are cut to this many characters (a pasted title still finds its record)."""

SEARCH_CANDIDATES = 500
"""A search ranks, counts and pages at most this many matching documents: the newest ones.

More matches than this (``count() == SEARCH_CANDIDATES``) are shown as "至少 500 条"; narrowing by
words or filters reaches older records.
"""


@dataclass(frozen=True)
class SearchFilters:
    """Narrowing of a search, as on the columns. Empty values do not narrow.

    ``nodes``: catalog node codes (a domain, an item, ...), each with everything beneath it; all given
    must hold. ``organisation``: an organisation code.
    """

    organisation: str = ""
    nodes: tuple[str, ...] = ()
    year: int | None = None
    record_type: str = ""
    validity: str = ""
    topic: str = ""  # 主题分类 (disclosure/records/metadata.py)
    keyword: str = ""  # one 主题词, matched as a whole word


def _expression(groups: list[Group], match_all: bool, *, AND: str, OR: str, quote) -> str:
    """Every group (``match_all``) or any term at all; a group matches through any of its alternatives,
    an alternative when it holds all its terms."""
    if not match_all:
        terms = {term for group in groups for alternative in group.alternatives for term in alternative}
        return OR.join(quote(term) for term in sorted(terms, key=lambda t: (t.text, t.prefix)))

    def alternative(terms) -> str:
        return quote(terms[0]) if len(terms) == 1 else "(" + AND.join(quote(term) for term in terms) + ")"

    def group(g: Group) -> str:
        if len(g.alternatives) == 1:
            return alternative(g.alternatives[0])
        return "(" + OR.join(alternative(a) for a in g.alternatives) + ")"

    return AND.join(group(g) for g in groups)


def _postgresql_match(documents: QuerySet, groups: list[Group], match_all: bool) -> tuple[QuerySet, Expression]:
    # Terms are made only of CJK characters, a-z and 0-9 (tokens.py), so quoting them is all it takes.
    expression = _expression(
        groups, match_all, AND=" & ", OR=" | ", quote=lambda t: f"'{t.text}'" + (":*" if t.prefix else "")
    )
    query = SearchQuery(expression, search_type="raw", config="simple")
    return documents.filter(vector=query), SearchRank(F("vector"), query, cover_density=True)


def _sqlite_match(documents: QuerySet, groups: list[Group], match_all: bool) -> tuple[QuerySet, Expression]:
    expression = _expression(
        groups, match_all, AND=" AND ", OR=" OR ", quote=lambda t: f'"{t.text}"' + ("*" if t.prefix else "")
    )
    # bm25 is lower for better matches; negate it so that higher is better on both databases. FTS5's
    # rank exists only in the query that MATCHes, so the ranked query repeats the match.
    return documents.filter(fts__terms__fts_match=expression), -F("fts__rank")


_MATCHERS = {"postgresql": _postgresql_match, "sqlite": _sqlite_match}


_DOCUMENT_FIELDS = {
    "organisation": "organisation_id",
    "node": "node_id__in",
    "year": "year",
    "record_type": "record_type",
    "validity": "record__validity",
    "topic": "record__topic",
    "keyword_prefix": "record__",
}
_RECORD_FIELDS = {
    "organisation": "organisation_id",
    "node": "node_id__in",
    "year": "published_at__year",  # in the current (local) time zone, as SearchDocument.year
    "record_type": "record_type",
    "validity": "validity",
    "topic": "topic",
    "keyword_prefix": "",
}


def _narrow(queryset: QuerySet, filters: SearchFilters, tree, fields: dict[str, str]) -> QuerySet:
    if filters.organisation:
        # One value the database looks up first (a scalar subquery), not a join: it can then walk an
        # index on (organisation, published_at) in order and stop after a page.
        organisation = Organisation.objects.filter(code=filters.organisation).values("pk")[:1]
        queryset = queryset.filter(**{fields["organisation"]: Subquery(organisation)})
    if filters.nodes:
        roots = tree if tree is not None else catalog_selectors.catalog_tree()
        for code in filters.nodes:
            node = catalog_selectors.find_in_tree(roots, code)
            if node is None:
                return queryset.none()
            queryset = queryset.filter(**{fields["node"]: _node_ids([node])})
    if filters.year:
        queryset = queryset.filter(**{fields["year"]: filters.year})
    if filters.record_type:
        queryset = queryset.filter(**{fields["record_type"]: filters.record_type})
    if filters.validity:
        queryset = queryset.filter(**{fields["validity"]: filters.validity})
    if filters.topic:
        queryset = queryset.filter(**{fields["topic"]: filters.topic})
    if filters.keyword:
        queryset = queryset.filter(keyword_condition(filters.keyword, fields["keyword_prefix"]))
    return queryset


def filter_public_records(filters: SearchFilters | None = None, *, tree=None) -> QuerySet[Record]:
    """Public records narrowed by the filters, newest first, with organisation and node (no body).

    What a search without words lists. It reads the records themselves, not the search index.
    ``tree``: the cached catalog tree if the caller has it already (spares a query for ``nodes``).
    """
    records = _narrow(public_records(), filters or SearchFilters(), tree, _RECORD_FIELDS)
    return (
        records.select_related("organisation", "node")
        .defer("body", "summary", "openness_note")
        .order_by("-published_at", "-id")
    )


def has_terms(query: str) -> bool:
    """Whether ``query`` holds anything to search for (not only spaces and punctuation)."""
    return bool(query_terms(query[:QUERY_MAX_LENGTH]))


def search_public_records(
    query: str, filters: SearchFilters | None = None, *, tree=None, match_all: bool = True, by_date: bool = False
) -> SearchResults:
    """Search documents of public records that hold every term of ``query``, best first.

    Only the newest ``SEARCH_CANDIDATES`` matching documents are ranked, counted and paged: the
    queryset never holds more rows than that, whatever the data (see the module's docstring). Finding
    them and checking their records is one query, run by this call (a phrase of several terms on
    PostgreSQL: one more when the newest documents hold none, see below); the results load
    the documents of a page by primary key.

    ``match_all=False``: documents holding any of the terms, those holding more ranking higher (for
    a second try when nothing holds them all, see ``search_with_fallback``).

    Each result has ``score`` (higher is better) and its ``record`` (without body), ``organisation``
    and ``node`` loaded. A query without any term (empty, or punctuation only) finds nothing; to list
    by filters alone use ``filter_public_records``. Words of the synonym table also find what they
    stand for (disclosure/search/synonyms.py). ``by_date``: newest first instead of best first.
    """
    groups = query_groups(query[:QUERY_MAX_LENGTH])
    now = timezone.now()
    # The candidates: the newest matching documents whose own organisation, node and time are public,
    # found without reading the records (SearchDocument copies those columns from its record). The
    # visible organisations and nodes come from the process's public trees (catalog/trees.py): no query.
    trees = catalog_selectors.public_trees()
    if tree is None or tree is trees.roots:
        # Built once per version of the trees and cloned: the two lists of keys (150 organisations, 69
        # nodes here) cost more to build into a queryset than the rest of the search's Python. Never
        # evaluated itself (only filtered), so it holds no rows.
        visible = trees.fragment("search:visible-documents", lambda: _visible_documents(trees.node_ids, trees))
    else:
        visible = _visible_documents(_node_ids(tree), trees)
    documents = visible.filter(published_at__lte=now)
    documents = _narrow(documents, filters or SearchFilters(), tree, _DOCUMENT_FIELDS)
    if not groups:
        return SearchResults([])
    try:
        match = _MATCHERS[connection.vendor]
    except KeyError:
        raise ImproperlyConfigured(f"Search supports PostgreSQL and SQLite, not {connection.vendor}.") from None
    matching, score = match(documents, groups, match_all)
    # Then the whole public rule on each candidate's record, in the same query: a document that
    # outlived its record's publication (or was copied wrong) is never returned. The database tests it
    # on the candidates only: at most SEARCH_CANDIDATES probes of the record by primary key.
    public = Exists(Record.objects.filter(public_record_condition(now=now), pk=OuterRef("record_id")))
    columns = ("pk", "score", "published_at", "node_id", "year", "record_type", "public")

    def newest_of(documents: QuerySet) -> QuerySet:
        newest = documents.order_by("-published_at", "-record_id")
        if connection.vendor != "postgresql":
            # SQLite probes a correlated EXISTS row by row, for the rows of the page only.
            return newest.annotate(score=score, public=public).values_list(*columns)[:SEARCH_CANDIDATES]
        # PostgreSQL would turn a correlated EXISTS into one hash of every public record (88,000 rows
        # read at 100,000 records) rather than 500 probes. So the candidates' keys (the LIMIT) are found
        # first, and the rule is tested on the records of those keys only: both in this one query. The
        # keys are a MATERIALIZED common table expression, so the text match runs once; written as a
        # subquery in both places, it ran twice (p95 41 → 63 ms at 1M under load, issue 15).
        keys = newest.values("pk")[:SEARCH_CANDIDATES]
        listed = RawSQL(f"SELECT pk FROM {_CANDIDATES}", ())
        checked = Record.objects.filter(public_record_condition(now=now), pk__in=listed).values("pk")
        ranked = (
            SearchDocument.objects.filter(pk__in=listed)
            .annotate(score=score, public=ExpressionWrapper(Q(pk__in=checked), output_field=BooleanField()))
            .values_list(*columns)
        )
        return WithCandidates(keys, ranked)

    newest = newest_of(matching)
    candidates, partial = None, False
    if connection.vendor == "postgresql" and sum(len(a) for g in groups for a in g.alternatives) > 1:
        # Several terms (a phrase's bigrams) are correlated, and PostgreSQL's estimate of how many
        # documents hold them all can be off a thousandfold: it then fetches tens of thousands of rows
        # from the GIN index to sort them. So look among the newest RECENT_WINDOW documents first, a
        # bounded walk; if any of them match, those are the candidates (the newest matches; the page
        # says there may be more, as when the candidates are full). Only a phrase that none of them
        # holds, a rare one, is looked up in the whole index.
        threshold = recent_threshold(now)
        if threshold is not None:
            recent = list(newest_of(matching.filter(published_at__gte=threshold)))
            if recent:
                candidates, partial = recent, True
    if candidates is None:
        candidates = list(newest)
    return SearchResults(
        [row[:6] for row in candidates if row[6]], by_date=by_date, query=newest, partial=partial
    )


_CANDIDATES = "search_candidates"


class WithCandidates:
    """``SELECT * FROM (WITH search_candidates (pk) AS MATERIALIZED (keys) ranked)``: the rows of ``ranked`` (a
    values_list queryset reading ``search_candidates``), with the keys computed once. Iterating runs
    the query; ``explain()`` shows its plan. PostgreSQL only (MATERIALIZED is PostgreSQL 12+)."""

    def __init__(self, keys: QuerySet, ranked: QuerySet):
        self.keys, self.ranked = keys, ranked

    def sql_with_params(self) -> tuple[str, tuple]:
        keys_sql, keys_params = self.keys.query.sql_with_params()
        ranked_sql, ranked_params = self.ranked.query.sql_with_params()
        # Inside a SELECT: the page cache and the catalog trees take a statement that does not begin
        # with SELECT for a write, and PostgreSQL allows no writing WITH in a subquery.
        sql = f"SELECT * FROM (WITH {_CANDIDATES} (pk) AS MATERIALIZED ({keys_sql}) {ranked_sql}) AS ranked"
        return sql, (*keys_params, *ranked_params)

    def __iter__(self):
        try:
            sql, params = self.sql_with_params()
        except EmptyResultSet:  # a filter no row can meet (as a queryset, no query is run)
            return iter(())
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return iter(cursor.fetchall())

    def explain(self, **options) -> str:
        sql, params = self.sql_with_params()
        prefix = connection.ops.explain_query_prefix(options.pop("format", None), **options)
        with connection.cursor() as cursor:
            cursor.execute(f"{prefix} {sql}", params)
            return "\n".join(row[0] for row in cursor.fetchall())


RECENT_WINDOW = 5_000
"""How many of the newest documents a search of several terms looks through first (see above)."""

RECENT_THRESHOLD_SECONDS = 60
"""How long a process reuses the publication time that starts the newest RECENT_WINDOW documents.

Looking it up costs a query (a walk of RECENT_WINDOW index entries) that a search page cannot afford
on every request (issue 15: at most six queries a page). Reused a minute, it only lets the window
grow by what was published meanwhile: the window is a way to find candidates fast, never a rule of
what is public (every candidate's record is still checked, see ``search_public_records``).
"""

_threshold: tuple[float, datetime | None] | None = None  # (monotonic time looked up, threshold)


def recent_threshold(now: datetime) -> datetime | None:
    """The publication time of the RECENT_WINDOW-th newest document, or None when there are fewer;
    looked up at most once per RECENT_THRESHOLD_SECONDS in a process."""
    global _threshold
    found = _threshold
    if found is not None and time.monotonic() - found[0] < RECENT_THRESHOLD_SECONDS:
        return found[1]
    since = (
        SearchDocument.objects.filter(published_at__lte=now)
        .order_by("-published_at")
        .values_list("published_at", flat=True)[RECENT_WINDOW - 1 : RECENT_WINDOW]
    )
    threshold = next(iter(since), None)
    _threshold = (time.monotonic(), threshold)
    return threshold


def forget_recent_threshold() -> None:
    """Drop the reused threshold (tests: each starts from its own data)."""
    global _threshold
    _threshold = None


def _visible_documents(node_ids: list[int], trees) -> QuerySet:
    """Search documents of the visible organisations and of these nodes. The keys go in as lists of
    constants: PostgreSQL tests them against each row through a hash, where a subquery made it compare
    row by row."""
    return SearchDocument.objects.filter(organisation__in=trees.visible_organisation_ids, node__in=node_ids)


def _node_ids(tree) -> list[int]:
    """The keys of the cached nodes of ``tree`` and of all beneath them."""
    return [node.pk for node in catalog_selectors.descendants(tree)]


class SearchResults:
    """The documents a search found, best (or ``by_date``: newest) first: at most SEARCH_CANDIDATES.

    Ranked, counted and faceted in memory from the candidates' keys, scores and filter columns; a
    slice loads only its own documents (one query), each with ``score`` and its ``record`` (without
    body), ``organisation`` and ``node``. Works with Django's Paginator. ``capped``: there may be
    more matching documents than these (older ones).
    """

    def __init__(
        self,
        rows: list[tuple],
        *,
        by_date: bool = False,
        query: QuerySet | WithCandidates | None = None,
        partial: bool = False,
    ):
        self._query = query
        # Whether more documents may match than these: SEARCH_CANDIDATES reached, or only the newest
        # RECENT_WINDOW documents looked at.
        self.capped = partial or len(rows) >= SEARCH_CANDIDATES
        if by_date:
            key = lambda row: (row[2], row[0])  # noqa: E731
        else:
            key = lambda row: (row[1], row[2], row[0])  # noqa: E731
        self._rows = sorted(rows, key=key, reverse=True)

    def count(self) -> int:
        return len(self._rows)

    def explain(self, **options) -> str:
        """The plan of the query that found the candidates."""
        return self._query.explain(**options) if self._query is not None else ""

    def __len__(self) -> int:
        return len(self._rows)

    def exists(self) -> bool:
        return bool(self._rows)

    def facet_rows(self) -> list[tuple[int, int, str]]:
        """(node id, year, record type) of every result."""
        return [(row[3], row[4], row[5]) for row in self._rows]

    def __getitem__(self, index):
        if isinstance(index, int):
            return self[index : index + 1][0]
        rows = self._rows[index]
        if not rows:
            return []
        loaded = _loaded(SearchDocument.objects.filter(pk__in=[row[0] for row in rows])).in_bulk()
        documents = []
        for pk, score, *_rest in rows:
            document = loaded.get(pk)
            if document is not None:
                document.score = score
                documents.append(document)
        return documents

    def __iter__(self):
        return iter(self[:])


def _loaded(documents: QuerySet) -> QuerySet:
    """With the record (without body), organisation and node; without the index columns."""
    return documents.select_related("record", "organisation", "node").defer(
        "record__body",
        "record__summary",
        "record__openness_note",
        "title_tokens",
        "number_tokens",
        "body_tokens",
        "vector",
    )


def search_with_fallback(
    query: str, filters: SearchFilters | None = None, *, tree=None
) -> tuple[SearchResults, bool]:
    """Every term required; if that finds nothing, any term. Returns (documents, all terms matched).

    Bigrams make a query fail on a single character the text has in between: 房屋征收决定公告
    against 房屋征收决定的公告 lacks the bigram 定公. The second try still finds it, ranked by how
    many of the query's terms a document holds. One extra query, only when the first finds nothing.
    """
    documents = search_public_records(query, filters, tree=tree)
    if not can_relax(query) or documents.exists():
        return documents, True
    return search_public_records(query, filters, tree=tree, match_all=False), False


def can_relax(query: str) -> bool:
    """Whether "any term" would differ from "every term": the query has more than one part."""
    return len(query_groups(query[:QUERY_MAX_LENGTH])) > 1

"""What the search page offers around its results: counts per domain, item, year and type (as filters),
the most searched words of the last 30 days (anonymous counts of searches that found something), and,
when nothing is found, the catalog columns nearest to the query.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta

from django.core.cache import cache
from django.db import connection
from django.db.models import Sum
from django.utils import timezone

from catalog import selectors as catalog_selectors
from disclosure.core import privacy
from disclosure.core.tokens import document_terms, normalise
from disclosure.records.models import RecordType
from disclosure.search.models import SearchTermCount
from disclosure.search.synonyms import expansion_words, query_groups

POPULAR_DAYS = 30
POPULAR_SHOWN = 8
POPULAR_MIN_COUNT = 3  # a word searched fewer times is nobody's business but the searcher's
POPULAR_CACHE_SECONDS = 600
TERM_MAX_CHARS = 20
_LONG_DIGITS = re.compile(r"\d{5,}")


@dataclass(frozen=True)
class Facet:
    label: str
    count: int
    param: str
    value: str
    selected: bool


def facets(documents, tree, *, selected: dict) -> dict[str, list[Facet]]:
    """Counts of a search's results (``SearchResults``, at most ``SEARCH_CANDIDATES``: see
    disclosure/search/selectors.py) per domain, first-level item, year and type, in memory: no query
    (nodes are mapped onto the cached tree)."""
    per_node: Counter = Counter()
    per_year: Counter = Counter()
    per_type: Counter = Counter()
    for node_id, year, kind in documents.facet_rows():
        per_node[node_id] += 1
        per_year[year] += 1
        per_type[kind] += 1
    domains, items = [], []
    for domain in tree:
        domain_total = 0
        for item in catalog_selectors.children(domain):
            ids = _ids_under(item)
            count = sum(per_node.get(pk, 0) for pk in ids)
            domain_total += count
            if count:
                items.append(Facet(item.name, count, "item", item.code, selected.get("item") == item.code))
        domain_total += per_node.get(domain.pk, 0)
        if domain_total:
            domains.append(Facet(domain.name, domain_total, "domain", domain.code, selected.get("domain") == domain.code))
    years = [
        Facet(f"{year}年", n, "year", str(year), str(selected.get("year")) == str(year))
        for year, n in sorted(per_year.items(), reverse=True)
    ]
    labels = dict(RecordType.choices)
    types = [
        Facet(str(labels.get(kind, kind)), n, "type", kind, selected.get("type") == kind)
        for kind, n in sorted(per_type.items(), key=lambda pair: (-pair[1], pair[0]))
    ]
    return {"domain": domains, "item": sorted(items, key=lambda f: -f.count), "year": years, "type": types}


def _ids_under(node) -> list[int]:
    return [each.pk for each in catalog_selectors.descendants([node])]


def nearest_columns(query: str, tree, limit: int = 5) -> list:
    """Catalog columns whose name or content shares the most terms with the query (or its synonyms)."""
    groups = query_groups(query)
    wanted = {term.text for group in groups for alternative in group.alternatives for term in alternative}
    wanted |= {t for word in expansion_words(groups) for t in document_terms(word)}
    if not wanted:
        return []
    scored = []
    for node in catalog_selectors.descendants(tree):
        name_terms = set(document_terms(node.name))
        text_terms = set(document_terms(f"{node.content} {node.basis}"))
        score = 3 * len(wanted & name_terms) + len(wanted & text_terms)
        if score:
            scored.append((score, node.code, node))
    scored.sort(key=lambda row: (-row[0], row[1]))
    return [node for _score, _code, node in scored[:limit]]


def countable(query: str) -> str:
    """The query as it may be counted for 热门搜索, or "" when it must not be: too long, holding long
    digit runs (numbers of people or documents) or anything that looks like personal data."""
    text = " ".join(normalise(query).split())
    if not text or len(text) > TERM_MAX_CHARS or _LONG_DIGITS.search(text) or "@" in text:
        return ""
    if privacy.personal_values(text):
        return ""
    return text


def count_search(query: str) -> None:
    """One more successful search for this word today (an anonymous number, nothing else).

    One statement, whether or not the day's row exists (an upsert on the unique day and word, which
    PostgreSQL and SQLite both speak): the page's query budget (issue 15) and no race between two
    first searches. The table is one the page cache ignores (portal/pagecache.py QUIET_TABLES), so
    counting never expires cached pages."""
    text = countable(query)
    if not text:
        return
    table = connection.ops.quote_name(SearchTermCount._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO {table} ("day", "text", "count") VALUES (%s, %s, 1) '
            f'ON CONFLICT ("day", "text") DO UPDATE SET "count" = {table}."count" + 1',
            [timezone.localdate(), text],
        )


def popular_terms() -> list[str]:
    """The most searched words of the last POPULAR_DAYS days, each searched at least POPULAR_MIN_COUNT
    times (cached POPULAR_CACHE_SECONDS)."""
    cached = cache.get("search:popular")
    if cached is not None:
        return cached
    since = timezone.localdate() - timedelta(days=POPULAR_DAYS)
    terms = list(
        SearchTermCount.objects.filter(day__gt=since)
        .values("text")
        .annotate(total=Sum("count"))
        .filter(total__gte=POPULAR_MIN_COUNT)
        .order_by("-total", "text")
        .values_list("text", flat=True)[:POPULAR_SHOWN]
    )
    cache.set("search:popular", terms, POPULAR_CACHE_SECONDS)
    return terms

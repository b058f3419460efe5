"""The housing domain's synonyms and abbreviations, applied when a query is read (not when indexing):
a citizen types 棚改, 危改 or 公租房; the documents say 棚户区改造, 农村危房改造, 公共租赁住房.

A query is read as groups that must all match; a group is a word of the table (any of its expansions
will do) or one term of the rest of the query. ``BUILT_IN`` is the maintained table; staff add entries
in the admin (models.SearchSynonym), read through a short-lived cache.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from disclosure.core.tokens import MAX_QUERY_TERMS, QueryTerm, normalise, query_terms

# (term, expansions, both ways). Sources: the guideline's own wording for the four domains, the names
# of the 住房保障 programmes in 国办发〔2021〕22号 (保障性租赁住房) and common usage on county sites.
BUILT_IN: tuple[tuple[str, tuple[str, ...], bool], ...] = (
    ("公租房", ("公共租赁住房",), True),
    ("保租房", ("保障性租赁住房",), True),
    ("保障房", ("保障性住房", "保障性安居工程"), True),
    ("保障性住房", ("公租房", "公共租赁住房", "保障性租赁住房", "廉租住房", "经济适用住房", "共有产权住房"), False),
    ("廉租房", ("廉租住房",), True),
    ("经适房", ("经济适用住房", "经济适用房"), True),
    ("共有产权房", ("共有产权住房",), True),
    ("棚改", ("棚户区改造",), True),
    ("危改", ("危房改造",), True),
    ("危房", ("危房改造", "危险房屋"), False),
    ("拆迁", ("征收", "房屋征收"), False),
    ("拆迁补偿", ("征收补偿",), False),
    ("安置房", ("安置住房",), True),
    ("加装电梯", ("电梯加装",), True),
    ("老旧小区", ("老旧小区改造", "城镇老旧小区"), False),
    ("补贴", ("补助",), True),
    ("公积金", ("住房公积金",), False),
    ("预售证", ("预售许可",), True),
    ("施工证", ("施工许可",), True),
    ("燃气", ("天然气",), False),
    ("物业费", ("物业服务费", "物业服务收费"), False),
    ("招投标", ("招标投标",), True),
    ("户口", ("户籍",), True),
)

CACHE_SECONDS = 60
_SPLIT = re.compile(r"[、,，;；\s]+")
_cache: dict[str, object] = {}


def _table_from(entries) -> dict[str, tuple[str, ...]]:
    table: dict[str, set[str]] = {}
    for term, expansions, both_ways in entries:
        term = normalise(term).strip()
        words = {normalise(word).strip() for word in expansions} - {"", term}
        if not term or not words:
            continue
        table.setdefault(term, set()).update(words)
        if both_ways:
            for word in words:
                table.setdefault(word, set()).update((words - {word}) | {term})
    return {term: tuple(sorted(words)) for term, words in table.items()}


def table() -> dict[str, tuple[str, ...]]:
    """Term → what it also finds: the built-in table and the staff's entries (cached CACHE_SECONDS)."""
    if _cache.get("until", 0) > time.monotonic():
        return _cache["table"]
    from disclosure.search.models import SearchSynonym

    staff = [(s.term, tuple(_SPLIT.split(s.expansions)), s.both_ways) for s in SearchSynonym.objects.all()]
    _cache["table"] = _table_from(BUILT_IN + tuple(staff))
    _cache["until"] = time.monotonic() + CACHE_SECONDS
    return _cache["table"]


@receiver(post_save, sender="disclosure.SearchSynonym")
@receiver(post_delete, sender="disclosure.SearchSynonym")
def _forget(**kwargs) -> None:
    _cache.clear()


@dataclass(frozen=True)
class Group:
    """One part of a query: any of ``alternatives`` matches it (each a list of terms, all required)."""

    alternatives: tuple[tuple[QueryTerm, ...], ...]
    words: tuple[str, ...] = ()  # the expansions, for highlighting


def query_groups(query: str) -> list[Group]:
    """The groups of a query: each word of the table found in it (longest first) becomes a group with its
    expansions; every term of the text around those words is a group of its own."""
    text = normalise(query)
    synonyms = table()
    groups: list[Group] = []
    rest: list[str] = []
    i = 0
    keys = sorted(synonyms, key=len, reverse=True)
    while i < len(text):
        found = next((key for key in keys if text.startswith(key, i)), None)
        if found is None:
            rest.append(text[i])
            i += 1
            continue
        rest.append(" ")
        alternatives = [tuple(query_terms(found))] + [tuple(query_terms(word)) for word in synonyms[found]]
        groups.append(Group(tuple(a for a in alternatives if a), tuple(synonyms[found])))
        i += len(found)
    seen = {term for group in groups for alternative in group.alternatives for term in alternative}
    for term in query_terms("".join(rest)):
        if term not in seen:
            groups.append(Group(((term,),)))
    return groups[:MAX_QUERY_TERMS]


def expansion_words(groups: list[Group]) -> list[str]:
    return [word for group in groups for word in group.words]

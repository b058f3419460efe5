"""Segmentation of Chinese, digits and Latin text into search terms.

Why character bigrams, not a dictionary segmenter (jieba and the like):

- Recall. Government texts are full of words no general dictionary knows: place names (清河县, 柳林镇),
  project and estate names, document-number prefixes (豫建, 清建), new policy terms (保障性租赁住房).
  A dictionary segmenter splits unknown words unpredictably, and splits the same string differently
  in a query and in a document depending on context, so a citizen's query can silently miss. With
  bigrams, any run of two or more Chinese characters in a query is found wherever it occurs in a text.
- Two-character words (征收, 补偿, 公租, 配租) are themselves single bigrams: the most common query is
  the cheapest one.
- No dictionary to ship, load and keep current, no extra dependency; the same terms work in PostgreSQL
  (a ``tsvector`` of pre-tokenised text under the ``simple`` configuration) and in SQLite (FTS5).
- The cost: more terms per document (about one per character) and occasional false matches across
  word boundaries, e.g. 房屋征收 contains the bigram 屋征. Requiring every bigram of the query (AND)
  and ranking title hits and proximity first (ts_rank_cd cover density, bm25 with column weights)
  keeps such results at the bottom.

The rules:

- Text is NFKC-normalised (full-width ２０２４ and ＡＢＣ become 2024 and abc) and case-folded.
- A run of CJK characters yields its character bigrams, plus its last character alone; a run of one
  character yields that character. Every character of a text is thus the first character of some
  term, which lets a one-character query match as a prefix (``房*``) without indexing every single
  character.
- Runs of Latin letters and runs of digits are whole terms of their own, split where letters meet
  digits: GB50028 gives ``gb`` and ``50028``, so "GB 50028" and "GB50028" find each other.
- Punctuation, brackets (〔〕) and spaces separate runs and are dropped: 豫建〔2024〕12号 gives
  ``豫建 建 2024 12 号``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# CJK unified ideographs with extensions A–F and compatibility ideographs, plus 〇 and 々.
_CJK = "\u3005\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f"
_RUN = re.compile(rf"(?P<cjk>[{_CJK}]+)|(?P<latin>[a-z]+)|(?P<digits>[0-9]+)")

MAX_QUERY_TERMS = 32
"""A query longer than this (in terms) is cut: every further term only narrows an AND that already is narrow."""


def normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").casefold()


def _runs(text: str):
    for match in _RUN.finditer(normalise(text)):
        yield match.lastgroup, match.group()


def _cjk_terms(run: str) -> list[str]:
    if len(run) == 1:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)] + [run[-1]]


def document_terms(text: str) -> list[str]:
    """The terms under which a text is indexed, in text order (positions matter for ranking)."""
    terms: list[str] = []
    for kind, run in _runs(text):
        terms.extend(_cjk_terms(run) if kind == "cjk" else [run])
    return terms


def document_tokens(text: str) -> str:
    """The indexed form of a text: its terms separated by spaces, ready for to_tsvector or FTS5."""
    return " ".join(document_terms(text))


@dataclass(frozen=True)
class QueryTerm:
    """One term a matching document must contain; ``prefix`` for a lone character (see module doc)."""

    text: str
    prefix: bool = False


def query_terms(query: str) -> list[QueryTerm]:
    """The terms of a query, all required: bigrams of Chinese runs, whole Latin and digit runs.

    A lone Chinese character is a prefix term, so 房 finds 住房 (indexed as 住房 and 房) and 房屋
    (indexed as 房屋 and 屋). Duplicates are dropped; order is kept.
    """
    seen: set[QueryTerm] = set()
    terms: list[QueryTerm] = []
    for kind, run in _runs(query):
        if kind == "cjk":
            candidates = (
                [QueryTerm(run, prefix=True)]
                if len(run) == 1
                else [QueryTerm(run[i : i + 2]) for i in range(len(run) - 1)]
            )
        else:
            candidates = [QueryTerm(run)]
        for term in candidates:
            if term not in seen:
                seen.add(term)
                terms.append(term)
    return terms[:MAX_QUERY_TERMS]


def highlight_words(query: str) -> list[str]:
    """What to mark in result text: the query's runs, and for longer Chinese runs also their bigrams.

    Longest first, so that where the whole run occurs it is marked as one piece.
    """
    words: set[str] = set()
    for kind, run in _runs(query):
        words.add(run)
        if kind == "cjk" and len(run) > 2:
            words.update(run[i : i + 2] for i in range(len(run) - 1))
    return sorted(words, key=lambda word: (-len(word), word))

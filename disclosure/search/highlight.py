"""Highlighted titles and snippets: everything escaped first, then matches wrapped in <mark>."""

from __future__ import annotations

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from disclosure.core.tokens import highlight_words, normalise

SNIPPET_LENGTH = 120
SNIPPET_LEAD = 30


def _pattern(query: str) -> re.Pattern | None:
    words = highlight_words(query)
    if not words:
        return None
    return re.compile("|".join(re.escape(word) for word in words), re.IGNORECASE)


class _Folds(dict):
    """Code point → its folded character, for ``str.translate``: each character is folded once per
    process (a results page folds some 8,000 characters, most of them the same few hundred)."""

    def __missing__(self, code: int) -> str:
        character = chr(code)
        folded = normalise(character)
        self[code] = folded = folded if len(folded) == 1 else character
        return folded


_FOLDS = _Folds()


def _find_text(text: str) -> str:
    """The text matches are looked for in: full-width forms folded, same length as ``text``.

    NFKC may change a character into several (㎡ → m2); such characters are kept as they are so that
    positions in the folded text are positions in the original.
    """
    return text.translate(_FOLDS)


def _marked(text: str, pattern: re.Pattern | None) -> SafeString:
    if pattern is None:
        return escape(text)
    pieces, last = [], 0
    for match in pattern.finditer(_find_text(text)):
        pieces.append(escape(text[last : match.start()]))
        pieces.append(f"<mark>{escape(text[match.start() : match.end()])}</mark>")
        last = match.end()
    pieces.append(escape(text[last:]))
    return mark_safe("".join(pieces))


def highlight(text: str, query: str) -> SafeString:
    """``text`` escaped, with the query's words marked."""
    return _marked(text or "", _pattern(query))


def snippet(text: str, query: str, length: int = SNIPPET_LENGTH) -> SafeString:
    """About ``length`` characters of ``text`` around the first match, escaped and marked.

    Without a match (the record matched by its title), the beginning of the text.
    """
    text = text or ""
    pattern = _pattern(query)
    first = pattern.search(_find_text(text)) if pattern else None
    start = max(0, first.start() - SNIPPET_LEAD) if first else 0
    end = min(len(text), start + length)
    piece = _marked(text[start:end], pattern)
    return mark_safe(("…" if start else "") + piece + ("…" if end < len(text) else ""))


def matches(text: str, query: str) -> bool:
    """Whether any of the query's words occurs in ``text``."""
    pattern = _pattern(query)
    return bool(text and pattern and pattern.search(_find_text(text)))

"""A sanitised body laid out as a Chinese official document (党政机关公文格式, GB/T 9704): paragraphs
indented by two characters, and the 落款 (the issuing body's name and the date at the end) set right.

The 落款 is recognised, not marked by the author: the body's last paragraph is a date written out in full
("2026年11月20日" or "二〇二六年十一月二十日"), together with up to two short paragraphs before it that
are not sentences (the issuing bodies). They are wrapped in ``<div class="record-signature">`` when the
page is rendered; what is stored stays the sanitised body.
"""

from __future__ import annotations

import re

from django.utils.html import strip_tags
from django.utils.safestring import SafeString, mark_safe

LAST_PARAGRAPH = re.compile(r"<p(?:\s[^>]*)?>((?:(?!</p>).)*)</p>\s*$", re.DOTALL | re.IGNORECASE)
CHINESE_NUMERAL = "〇零一二三四五六七八九十"
DATE_LINE = re.compile(
    rf"^(?:\d{{4}}|[{CHINESE_NUMERAL}]{{4}})\s*年\s*(?:\d{{1,2}}|[{CHINESE_NUMERAL}]{{1,3}})\s*月"
    rf"\s*(?:\d{{1,2}}|[{CHINESE_NUMERAL}]{{1,3}})\s*日$"
)
SIGNER_MAX_CHARS = 40
SENTENCE_END = tuple("。；;：:，,！!？?")


def _text(fragment: str) -> str:
    return re.sub(r"[\s\u00a0\u3000]+", "", strip_tags(fragment))


TABLE = re.compile(r"<table\b.*?</table>", re.S | re.I)


def scrollable_tables(body: str) -> str:
    """Each table in a region that scrolls sideways on a narrow screen and can be reached and scrolled by
    keyboard (a focusable, labelled region: WCAG 2.1.1, axe's scrollable-region-focusable)."""
    return TABLE.sub(
        lambda m: f'<div class="table-scroll" role="region" tabindex="0" aria-label="表格（可左右滚动）">{m.group(0)}</div>',
        body,
    )


def official_layout(body: str) -> SafeString:
    """``body`` (already sanitised) with its tables scrollable and its 落款 wrapped for right alignment,
    when it has one."""
    body = scrollable_tables(body)
    head, tail = body.rstrip(), []
    match = LAST_PARAGRAPH.search(head)
    if match is None or not DATE_LINE.match(_text(match.group(1))):
        return mark_safe(body)
    tail.insert(0, match.group(0).strip())
    head = head[: match.start()].rstrip()
    for _signer in range(2):
        match = LAST_PARAGRAPH.search(head)
        if match is None:
            break
        text = _text(match.group(1))
        if not text or len(text) > SIGNER_MAX_CHARS or text.endswith(SENTENCE_END) or DATE_LINE.match(text):
            break
        tail.insert(0, match.group(0).strip())
        head = head[: match.start()].rstrip()
    return mark_safe(f'{head}<div class="record-signature">{"".join(tail)}</div>')

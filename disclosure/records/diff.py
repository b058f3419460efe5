"""What a revision changes: word-level differences of its text and the list of its attachments, against
the published version it revises (or between two saved versions, for the version history).

Chinese has no spaces between words, so the unit of comparison is the character for Chinese text and
the whole run for Latin letters and digits (a document number "2026" or a phone number changes as one
token). Paragraphs are matched first and only paragraphs that changed are compared token by token, so
a long body costs little and an inserted paragraph shows as one insertion. Python's ``difflib`` does
the matching (no extra dependency, and no word segmenter to be wrong about Chinese words).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

TOKEN = re.compile(r"[A-Za-z0-9]+(?:[.\-_/][A-Za-z0-9]+)*|\s+|.", re.S)
BLOCK_TAGS = {
    "p", "div", "br", "hr", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "blockquote", "pre",
    "ul", "ol", "dt", "dd", "caption",
}
CELL_TAGS = {"td", "th"}


class _Text(HTMLParser):
    """The text of sanitised HTML, one line per block (paragraph, heading, list item, table row)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in BLOCK_TAGS:
            self.parts.append("\n")
        elif tag in CELL_TAGS:
            self.parts.append(" | ")
        elif tag == "img":
            alt = dict(attrs).get("alt") or ""
            self.parts.append(f"[图片{('：' + alt) if alt else ''}]")

    def handle_endtag(self, tag):
        if tag in BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data):
        self.parts.append(data)


def html_paragraphs(html: str) -> list[str]:
    """The non-empty lines of text of an HTML body, whitespace inside each line collapsed."""
    parser = _Text()
    parser.feed(html or "")
    parser.close()
    lines = "".join(parser.parts).split("\n")
    return [line for line in (re.sub(r"[ \t\r\f\v\u3000]+", " ", raw).strip(" |") for raw in lines) if line]


def tokens(text: str) -> list[str]:
    return TOKEN.findall(text)


@dataclass(frozen=True)
class Segment:
    kind: str  # "same", "del" or "ins"
    text: str


def _token_diff(old: str, new: str) -> list[Segment]:
    a, b = tokens(old), tokens(new)
    segments = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            segments.append(Segment("same", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            segments.append(Segment("del", "".join(a[i1:i2])))
        if j2 > j1:
            segments.append(Segment("ins", "".join(b[j1:j2])))
    return segments


def text_diff(old_lines: list[str], new_lines: list[str]) -> list[list[Segment]]:
    """Paragraph by paragraph: each output paragraph is a list of segments."""
    paragraphs: list[list[Segment]] = []
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            paragraphs += [[Segment("same", line)] for line in old_lines[i1:i2]]
        elif op == "delete":
            paragraphs += [[Segment("del", line)] for line in old_lines[i1:i2]]
        elif op == "insert":
            paragraphs += [[Segment("ins", line)] for line in new_lines[j1:j2]]
        else:
            paragraphs += _pair_paragraphs(old_lines[i1:i2], new_lines[j1:j2])
    return paragraphs


SIMILAR = 0.5  # paragraphs at least this alike (difflib ratio) are one paragraph changed, not two


def _pair_paragraphs(old_block: list[str], new_block: list[str]) -> list[list[Segment]]:
    """Changed paragraphs in order: each old one is paired with the next new one that resembles it
    (new ones skipped on the way were inserted); an old one resembling none was deleted."""
    paragraphs: list[list[Segment]] = []
    j = 0
    for old in old_block:
        match = next(
            (
                k
                for k in range(j, len(new_block))
                if difflib.SequenceMatcher(None, old, new_block[k], autojunk=False).ratio() >= SIMILAR
            ),
            None,
        )
        if match is None:
            paragraphs.append([Segment("del", old)])
            continue
        paragraphs += [[Segment("ins", line)] for line in new_block[j:match]]
        paragraphs.append(_token_diff(old, new_block[match]))
        j = match + 1
    paragraphs += [[Segment("ins", line)] for line in new_block[j:]]
    return paragraphs


def render_segments(segments: list[Segment]) -> SafeString:
    html = []
    for segment in segments:
        text = escape(segment.text)
        if segment.kind == "del":
            html.append(f'<del class="diff-del">{text}</del>')
        elif segment.kind == "ins":
            html.append(f'<ins class="diff-ins">{text}</ins>')
        else:
            html.append(text)
    return mark_safe("".join(html))


def has_changes(paragraphs: list[list[Segment]]) -> bool:
    return any(segment.kind != "same" for paragraph in paragraphs for segment in paragraph)


# ----------------------------------------------------------------------------- records and versions

# Fields compared besides the body, with their labels (a value as a person reads it).
FIELD_LABELS = (
    ("title", _("标题")),
    ("document_number", _("文号")),
    ("issuing_body", _("发文机关")),
    ("written_on", _("成文日期")),
    ("formed_on", _("信息形成（变更）日期")),
    ("validity", _("有效性")),
    ("record_type", _("信息类别")),
    ("openness", _("公开属性")),
    ("withholding_ground", _("不公开的法定依据")),
    ("openness_note", _("属性说明")),
    ("summary", _("内容概述")),
    ("node", _("目录栏目")),
)


@dataclass
class AttachmentChange:
    name: str
    kind: str  # "added", "removed", "changed"

    @property
    def label(self) -> str:
        return {"added": "新增", "removed": "删除", "changed": "内容已更换"}[self.kind]


@dataclass
class Comparison:
    """Everything that differs between two states of a record."""

    fields: list[tuple[str, SafeString]] = field(default_factory=list)
    body: list[SafeString] = field(default_factory=list)
    body_changed: bool = False
    attachments: list[AttachmentChange] = field(default_factory=list)
    unchanged_attachments: int = 0

    @property
    def is_empty(self) -> bool:
        return not (self.fields or self.body_changed or self.attachments)


def compare(old: dict, new: dict) -> Comparison:
    """Compare two states given as {field: display text, "body": html, "attachments": {name: digest}}."""
    result = Comparison()
    for name, label in FIELD_LABELS:
        before, after = str(old.get(name) or ""), str(new.get(name) or "")
        if before != after:
            result.fields.append((str(label), render_segments(_token_diff(before, after))))
    paragraphs = text_diff(html_paragraphs(old.get("body", "")), html_paragraphs(new.get("body", "")))
    result.body_changed = has_changes(paragraphs)
    result.body = [render_segments(paragraph) for paragraph in paragraphs]
    before, after = old.get("attachments", {}), new.get("attachments", {})
    for name in after:
        if name not in before:
            result.attachments.append(AttachmentChange(name, "added"))
        elif before[name] != after[name]:
            result.attachments.append(AttachmentChange(name, "changed"))
        else:
            result.unchanged_attachments += 1
    result.attachments += [AttachmentChange(name, "removed") for name in before if name not in after]
    return result


def record_state(record) -> dict:
    """A record as ``compare`` reads it: display values, the body, attachments by name and digest."""
    state = {name: _display(record, name) for name, _label in FIELD_LABELS}
    state["node"] = f"{record.node.code} {record.node.name}"
    state["body"] = record.body
    state["attachments"] = {a.original_name: a.sha256 for a in record.attachments.all()}
    return state


def version_state(data: dict) -> dict:
    """A saved version (``RecordVersion.data``) as ``compare`` reads it. Versions keep attachment names
    only, so a file replaced under the same name shows as unchanged there."""
    from disclosure.records.models import Record

    state = dict(data)
    for name in ("validity", "record_type", "openness", "withholding_ground"):
        labels = dict(Record._meta.get_field(name).choices)
        if state.get(name):
            state[name] = str(labels.get(state[name], state[name]))
    state["attachments"] = {name: "" for name in data.get("attachments", [])}
    return state


def _display(record, name: str) -> str:
    value = getattr(record, name)
    display = getattr(record, f"get_{name}_display", None)
    if display is not None and value:
        return str(display())
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return "" if value is None else str(value)


def compare_revision(revision) -> Comparison | None:
    """A revision against the published record it revises (None for a record that revises nothing)."""
    if not revision.revises_id:
        return None
    return compare(record_state(revision.revises), record_state(revision))

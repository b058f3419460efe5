"""Cleaning record bodies pasted from Word: structure and tables stay, scripts and handlers never do."""

import re
from html.parser import HTMLParser

import nh3
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

ALLOWED_TAGS = {
    "p", "br", "hr", "div", "span", "blockquote", "pre", "code",
    "h1", "h2", "h3", "h4", "h5", "h6",
    "strong", "b", "em", "i", "u", "s", "sub", "sup", "small",
    "ul", "ol", "li", "dl", "dt", "dd",
    "table", "caption", "colgroup", "col", "thead", "tbody", "tfoot", "tr", "th", "td",
    "a", "img",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align", "scope"},
    "col": {"span"},
    "colgroup": {"span"},
    "p": {"align"},
    "ol": {"start", "type"},
}


def clean_html(html: str) -> str:
    """Sanitised HTML: only the tags and attributes above, only http(s)/mailto links, no comments."""
    return nh3.clean(
        html or "",
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
        strip_comments=True,
        clean_content_tags={"script", "style", "iframe", "object", "embed", "noscript", "template"},
    ).strip()


# A body holding none of these is plain text (typed into a bare textarea, or sent by a script): its lines
# are its paragraphs, as in a Chinese official document, where every paragraph starts on a new line.
BLOCK_TAG = re.compile(r"<\s*/?\s*(?:p|div|h[1-6]|ul|ol|li|table|tr|td|th|blockquote|pre|br|hr|dl)\b", re.IGNORECASE)
LINE_BREAK = re.compile(r"\r\n?|\n")


def text_paragraphs(text: str) -> str:
    """``text`` with each non-blank line made a ``<p>`` when it has no block markup of its own; HTML
    (what the editor, Word or a .docx import produce) is returned as it is."""
    if not text or BLOCK_TAG.search(text):
        return text or ""
    lines = (line.strip() for line in LINE_BREAK.split(text))
    return "".join(f"<p>{line}</p>" for line in lines if line)


EMPTY_PARAGRAPH = re.compile(r"<p>(?:\s|&nbsp;|<br>)*</p>")


def clean_body(text: str) -> str:
    """A rich body as it is stored: plain-text lines made paragraphs, then sanitised (clean_html), without
    the empty paragraphs an editor leaves behind (or that held only what the sanitiser removed)."""
    return EMPTY_PARAGRAPH.sub("", clean_html(text_paragraphs(text))).strip()


SCRIPT_SCHEMES = {"javascript", "vbscript"}


class _ImageSources(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.sources: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.sources += [value or "" for name, value in attrs if name == "src"]


def is_outside_url(url: str) -> bool:
    """Whether ``url`` points off this site: any scheme (http:, https:, data:, …) or a protocol-relative
    ``//host`` (browsers read ``/\\host`` and ``\\host`` the same way). Script URLs are left to clean_html. Spaces and control characters,
    which browsers skip, are skipped first."""
    url = "".join(char for char in url if char > " ")
    if url[:2] in ("//", "/\\", "\\\\", "\\/"):
        return True
    scheme, colon, _rest = url.partition(":")
    if not colon or any(char in scheme for char in "/?#"):
        return False
    # Script URLs fetch nothing; clean_html drops them with the rest of the unsafe markup.
    return scheme.lower() not in SCRIPT_SCHEMES


def refuse_outside_images(html: str) -> None:
    """ValidationError if the body shows an image from another site: the reader's browser would fetch it
    from there (telling that site who reads what), and what it shows could change after review."""
    parser = _ImageSources()
    parser.feed(html or "")
    parser.close()
    if any(is_outside_url(source) for source in parser.sources):
        raise ValidationError({"body": _("正文不得引用外部图片，请将图片作为附件上传。")})


def assign_content(instance, fields: dict, *, allowed, node=None) -> None:
    """Set an editor's content ``fields`` (and the catalog ``node``) on a draft, body sanitised.

    Records and consultations are edited this way; a field outside ``allowed`` is a programming error.
    """
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"unknown {type(instance).__name__} fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(instance, name, value)
    if node is not None:
        instance.node = node
    instance.body = clean_body(instance.body)

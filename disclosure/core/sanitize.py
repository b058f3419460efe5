"""Cleaning record bodies pasted from Word: structure and tables stay, scripts and handlers never do."""

import nh3

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
    instance.body = clean_html(instance.body)

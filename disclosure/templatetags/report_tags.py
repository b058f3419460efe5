"""Template helpers of the report pages: drill-down links and record links (no queries)."""

from urllib.parse import urlencode

from django import template
from django.urls import NoReverseMatch, reverse

register = template.Library()


@register.simple_tag
def report_url(name, base=None, **params):
    """``reverse(name)`` with the page's filters (``base``) overridden by ``params``; empty values dropped.

    ``own=1`` restricts a drill-down to the organisation itself; without it the subtree counts.
    """
    query = {**(base or {}), **params}
    query = {key: value for key, value in query.items() if value not in (None, "", False)}
    url = reverse(name)
    return f"{url}?{urlencode(query)}" if query else url


@register.simple_tag
def admin_record_url(record_id):
    """The record's change page in the admin, or "" where the records admin is not installed."""
    try:
        return reverse("admin:disclosure_record_change", args=[record_id])
    except NoReverseMatch:
        return ""


@register.simple_tag
def public_record_url(org_code, index_number):
    """The public page of a published record, or "" without an index number."""
    if not index_number:
        return ""
    try:
        return reverse(
            "disclosure:record", kwargs={"org": org_code, "number": index_number.rsplit("/", 1)[-1]}
        )
    except NoReverseMatch:
        return ""


@register.filter
def pct(value):
    """A coverage figure: "80.0%", or "—" when there was nothing to measure."""
    return "—" if value is None else f"{value:.1f}%"


# Deeper rows than this share its indentation (province → city → county → township is depth 3).
MAX_INDENT_DEPTH = 5


@register.filter
def indent(depth):
    """The class indenting a row of a tree table (static/css/reports.css): a class, not a style
    attribute, so the Content-Security-Policy needs no 'unsafe-inline'."""
    return f"depth-{min(max(depth or 0, 0), MAX_INDENT_DEPTH)}"

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


@register.filter
def indent(depth):
    """Indentation for a row of a tree table."""
    return f"{(depth or 0) * 1.25:.2f}em"

"""``{{ record.body|official_layout }}``: a sanitised body with its 落款 set right (disclosure/core/official.py)."""

from django import template

from disclosure.core.official import official_layout as layout

register = template.Library()


@register.filter
def official_layout(body):
    """Only for bodies sanitised on save (records, consultations): the result is marked safe."""
    return layout(body or "")

"""``{{ day|cn_date }}`` → 2026年12月20日, ``{{ moment|cn_datetime }}`` → 2026年12月20日 14:30: the one date
format of every page (disclosure/core/dates.py)."""

from django import template

from disclosure.core import dates

register = template.Library()


@register.filter
def cn_date(value):
    try:
        return dates.cn_date(value)
    except (AttributeError, TypeError, ValueError):
        return ""


@register.filter
def cn_datetime(value):
    try:
        return dates.cn_datetime(value)
    except (AttributeError, TypeError, ValueError):
        return ""

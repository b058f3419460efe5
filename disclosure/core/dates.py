"""The one way a date is written for people: 2026年12月20日 (and 2026年12月20日 14:30 with a time).

Pages use the ``cn_date`` / ``cn_datetime`` template filters (disclosure/templatetags/cn_dates.py),
messages and computed texts call these functions; machine formats (``<time datetime>``, CSV, ISO in
URLs) are not for people and stay ISO. Datetimes are shown in local time.
"""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone


def cn_date(value: date | datetime | None) -> str:
    """``2026年12月20日``; '' for None. A datetime is first put in local time."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        value = value.date()
    return f"{value.year}年{value.month}月{value.day}日"


def cn_datetime(value: datetime | None) -> str:
    """``2026年12月20日 14:30`` in local time; '' for None."""
    if value is None or value == "":
        return ""
    if not isinstance(value, datetime):
        return cn_date(value)
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{cn_date(local.date())} {local:%H:%M}"

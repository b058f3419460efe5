"""How the admin's lists show a state and a date, the same in every duty's list.

A list at 1366 px has about 1,050 px for its table once the filters take their column; a title needs 250
of them to be readable, so the other columns must be short: a state is a small coloured label whose text
says the state (colour only reinforces it), a date is "2026-03-02" (the time in the cell's tooltip), and a
column nobody scans (ids, long names) stays out. ``lists.css`` holds the look; each duty's admin says which
of its states is which ``Tone``.
"""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone
from django.utils.html import format_html


class Tone:
    """The colour family of a state: what the reader should feel, not which duty it belongs to."""

    DRAFT = "draft"  # being written, nothing to do for others
    WAITING = "waiting"  # waits for someone (review, reply, moderation)
    RETURNED = "returned"  # sent back, needs its author
    PLANNED = "planned"  # approved or scheduled, will happen by itself
    DONE = "done"  # public / answered / closed as intended
    ENDED = "ended"  # withdrawn, superseded, hidden


def state_label(text, tone: str):
    """A coloured label with the state written out."""
    return format_html('<span class="state-label state-{}">{}</span>', tone, text)


def short_date(value: datetime | date | None):
    """"2026-03-02" with the full local time as the cell's tooltip; "—" when there is none."""
    if value is None:
        return "—"
    if isinstance(value, datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return format_html(
            '<time datetime="{}" title="{}">{}</time>',
            local.isoformat(),
            local.strftime("%Y-%m-%d %H:%M"),
            local.strftime("%Y-%m-%d"),
        )
    return format_html('<time datetime="{}">{}</time>', value.isoformat(), value.strftime("%Y-%m-%d"))

"""The reply clock of applications for disclosure (条例 articles 30–33): its numbers and its arithmetic.

Every number of the clock is a constant here, defined once; the model's constraints, the services'
checks, the messages, the admin forms, the public pages, the dashboard and the reminders read them.

As applied here:

- ``received_on`` is the day the application arrived (for online applications the day it was
  submitted; the portal acknowledges it at once with a tracking code, which is the confirmation of
  article 31). Counting starts at ``clock_start``, which is ``received_on`` and, after a correction
  (补正), the day the correction arrived (article 30: the clock restarts).
- When ``clock_start`` is not a working day (an online application on a Saturday or during the
  National Day holiday), the application is treated as received on the next working day, and the
  REPLY_DAYS working days count after that day. This is the local practice "节假日期间提交的申请，
  顺延至节假日后第一个工作日受理"; it never shortens the applicant's deadline by more than the days
  the office was closed.
- Due date = ``add_working_days(start, REPLY_DAYS + extension_days + paused working days)``.
  Consultation days (征求意见, articles 32 and 34) are the working days in (started_on, ended_on] of
  each pause begun on or after ``clock_start``; an open pause counts up to today. Article 32 gives a
  third party THIRD_PARTY_DAYS (15) working days from the day the request was sent, and that time
  is not counted; the pause ends when those days do, answer or not: a pause counts at most
  THIRD_PARTY_DAYS working days, and an open pause older than that no longer stops the clock.
- While a correction is awaited the clock does not run (no due date). When the official holiday
  schedule of a year the count reaches is unknown, the due date is "无法计算（节假日安排未录入）":
  never a guess.

The functions take an ``Application`` and read its fields, its state properties and its pauses only;
this module imports no model, because the model's constraints import the numbers from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from disclosure.core.workdays import CalendarUnknown, add_working_days, is_working_day, working_days_between

REPLY_DAYS = 20  # 条例 article 33: reply within 20 working days of receipt
MAX_EXTENSION_DAYS = 20  # 条例 article 33: one extension, of at most 20 working days
CORRECTION_NOTICE_DAYS = 7  # 条例 article 30: ask for a correction, once, within 7 working days
THIRD_PARTY_DAYS = 15  # 条例 articles 32, 34: a third party's (or co-agency's) answer, not counted
UNKNOWN_DUE_TEXT = gettext_lazy("无法计算（节假日安排未录入）")


@dataclass(frozen=True)
class Clock:
    """Where an application stands against its time limit on a given day."""

    due_on: date | None
    unknown: bool = False
    running: bool = True
    paused: bool = False
    overdue: bool = False
    replied_late: bool = False
    paused_days: int = 0
    ended_without_correction: bool = False

    @property
    def due_text(self) -> str:
        if self.unknown:
            return str(UNKNOWN_DUE_TEXT)
        if self.ended_without_correction:
            return "—"
        if not self.running:
            return _("待申请人补正，补正后重新计算")
        due = f"{self.due_on:%Y-%m-%d}"
        if self.paused:
            return _("%(due)s（征求意见期间暂停计算）") % {"due": due}
        return due


def start_of_count(day: date) -> date:
    """The day counted as "received": ``day`` itself, or the first working day after it."""
    return day if is_working_day(day) else add_working_days(day, 1)


def pause_limit(pause) -> date:
    """The last day a consultation may stop the clock: THIRD_PARTY_DAYS working days after the
    request was sent (article 32). Raises CalendarUnknown."""
    return add_working_days(pause.started_on, THIRD_PARTY_DAYS)


def pause_stops_clock(pause, today: date) -> bool:
    """Whether the pause still stops the clock today: open, and within its statutory limit."""
    return pause.ended_on is None and today <= pause_limit(pause)


def paused_working_days(application, today: date) -> int:
    """Working days of consultation since the clock (re)started, each pause capped at its statutory
    limit; an open pause counts up to today."""
    total = 0
    for pause in application.pauses.all():
        if pause.started_on < application.clock_start:
            continue  # before a correction restarted the clock
        end = min(pause.ended_on or max(today, pause.started_on), pause_limit(pause))
        total += working_days_between(pause.started_on, end)
    return total


def due_on(application, *, today: date, with_extension: bool = True) -> tuple[date, int]:
    """The due date and the paused working days it includes. Raises CalendarUnknown."""
    paused = paused_working_days(application, today)
    days = REPLY_DAYS + paused + (application.extension_days if with_extension else 0)
    return add_working_days(start_of_count(application.clock_start), days), paused


def application_clock(application, *, today: date | None = None) -> Clock:
    """The due date and its flags. Never raises for an unknown calendar year: says so instead."""
    today = today or timezone.localdate()
    if application.correction_requested_on and not application.correction_received_on:
        # Awaiting the correction, or closed because it never came (逾期不补正): no reply was due.
        return Clock(due_on=None, running=False, ended_without_correction=not application.awaiting_correction)
    try:
        due, paused_days = due_on(application, today=today)
        paused = application.in_consultation and any(
            pause_stops_clock(pause, today) for pause in application.pauses.all()
        )
    except CalendarUnknown:
        return Clock(due_on=None, unknown=True)
    return Clock(
        due_on=due,
        paused=paused,
        # A consultation past its statutory limit no longer shields the application from being late.
        overdue=(application.being_handled or (application.in_consultation and not paused)) and today > due,
        replied_late=application.replied_on is not None and application.replied_on > due,
        paused_days=paused_days,
    )


def correction_notice_deadline(application) -> date | None:
    """The last day to ask for a correction: CORRECTION_NOTICE_DAYS working days after receipt
    (article 30), or None when the calendar is unknown. Counted from the original receipt, not from
    a restarted clock."""
    try:
        return add_working_days(start_of_count(application.received_on), CORRECTION_NOTICE_DAYS)
    except CalendarUnknown:
        return None


def correction_was_late(application) -> bool:
    """Whether the correction notice went out after the CORRECTION_NOTICE_DAYS limit."""
    if application.correction_requested_on is None:
        return False
    deadline = correction_notice_deadline(application)
    return deadline is not None and application.correction_requested_on > deadline

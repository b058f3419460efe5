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
- While a correction is awaited the clock does not run (no due date).
- When the official holiday schedule of a year the count reaches is not yet entered (every December,
  until the State Council's notice for next year is), the due date is *provisional* (预计): that year
  is counted on weekends only (workdays.Reckoner with ``estimate=True``) and the date is shown with
  PROVISIONAL_NOTE. Citizens never read "无法计算". Nothing is stored: every page and the reminders
  recompute the date, so once the year is entered the same date is final (or moves).

The functions take an ``Application`` and read its fields, its state properties and its pauses only;
this module imports no model, because the model's constraints import the numbers from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from disclosure.core.dates import cn_date
from disclosure.core.workdays import CalendarUnknown, Reckoner

REPLY_DAYS = 20  # 条例 article 33: reply within 20 working days of receipt
MAX_EXTENSION_DAYS = 20  # 条例 article 33: one extension, of at most 20 working days
CORRECTION_NOTICE_DAYS = 7  # 条例 article 30: ask for a correction, once, within 7 working days
THIRD_PARTY_DAYS = 15  # 条例 articles 32, 34: a third party's (or co-agency's) answer, not counted
PROVISIONAL_MARK = gettext_lazy("预计")
PROVISIONAL_NOTE = gettext_lazy(
    "标注“预计”的日期暂按周六、周日休息计算：%(years)s年法定节假日安排尚未公布（录入），"
    "国务院办公厅公布放假安排后以正式日期为准。"
)


def provisional_note(years) -> str:
    """The note that goes with a provisional date, naming the years not yet entered."""
    return str(PROVISIONAL_NOTE) % {"years": "、".join(str(year) for year in sorted(years))}


def dated(day: date, provisional: bool) -> str:
    """A date as people read it, marked 预计 when provisional: 2027年1月18日（预计）."""
    return f"{cn_date(day)}（{PROVISIONAL_MARK}）" if provisional else cn_date(day)


@dataclass(frozen=True)
class Clock:
    """Where an application stands against its time limit on a given day.

    ``provisional``: the due date was counted across a year whose holidays are not entered yet
    (``unknown_years``); it is an estimate, shown with 预计 and ``note``. ``overdue_days``: how many
    working days the reply is late today (at least 1 when ``overdue``, never 0).
    """

    due_on: date | None
    running: bool = True
    paused: bool = False
    overdue: bool = False
    replied_late: bool = False
    paused_days: int = 0
    ended_without_correction: bool = False
    provisional: bool = False
    unknown_years: tuple[int, ...] = ()
    overdue_days: int = 0
    late_days: int = 0

    @property
    def due_text(self) -> str:
        if self.ended_without_correction:
            return "—"
        if not self.running:
            return _("待申请人补正，补正后重新计算")
        due = dated(self.due_on, self.provisional)
        if self.paused:
            return _("%(due)s（征求意见期间暂停计算）") % {"due": due}
        return due

    @property
    def note(self) -> str:
        """The provisional note, or ''."""
        return provisional_note(self.unknown_years) if self.provisional else ""

    @property
    def overdue_text(self) -> str:
        """已逾期N个工作日, or '' when not overdue."""
        if not self.overdue:
            return ""
        return _("已逾期%(days)d个工作日") % {"days": self.overdue_days}


def start_of_count(day: date, reckoner: Reckoner | None = None) -> date:
    """The day counted as "received": ``day`` itself, or the first working day after it."""
    reckoner = reckoner or Reckoner()
    return day if reckoner.is_working_day(day) else reckoner.add(day, 1)


def pause_limit(pause, reckoner: Reckoner | None = None) -> date:
    """The last day a consultation may stop the clock: THIRD_PARTY_DAYS working days after the
    request was sent (article 32). Raises CalendarUnknown unless the reckoner estimates."""
    return (reckoner or Reckoner()).add(pause.started_on, THIRD_PARTY_DAYS)


def pause_stops_clock(pause, today: date, reckoner: Reckoner | None = None) -> bool:
    """Whether the pause still stops the clock today: open, and within its statutory limit."""
    return pause.ended_on is None and today <= pause_limit(pause, reckoner)


def pause_counted_until(pause, today: date, reckoner: Reckoner | None = None) -> date:
    """The last day the pause stopped (or stops) the clock: its end, today for an open one, never
    past its statutory limit."""
    return min(pause.ended_on or max(today, pause.started_on), pause_limit(pause, reckoner))


def paused_working_days(application, today: date, reckoner: Reckoner | None = None) -> int:
    """Working days of consultation since the clock (re)started, each pause capped at its statutory
    limit; an open pause counts up to today."""
    reckoner = reckoner or Reckoner()
    total = 0
    for pause in application.pauses.all():
        if pause.started_on < application.clock_start:
            continue  # before a correction restarted the clock
        total += reckoner.between(pause.started_on, pause_counted_until(pause, today, reckoner))
    return total


def due_on(
    application, *, today: date, with_extension: bool = True, reckoner: Reckoner | None = None
) -> tuple[date, int]:
    """The due date and the paused working days it includes. Raises CalendarUnknown unless the
    reckoner estimates (then ``reckoner.provisional`` says whether the date is an estimate)."""
    reckoner = reckoner or Reckoner()
    paused = paused_working_days(application, today, reckoner)
    days = REPLY_DAYS + paused + (application.extension_days if with_extension else 0)
    return reckoner.add(start_of_count(application.clock_start, reckoner), days), paused


def application_clock(application, *, today: date | None = None) -> Clock:
    """The due date and its flags. Never fails for a year whose holidays are not entered yet: the
    date is then provisional (counted on weekends only) and says so."""
    today = today or timezone.localdate()
    if application.correction_requested_on and not application.correction_received_on:
        # Awaiting the correction, or closed because it never came (逾期不补正): no reply was due.
        return Clock(due_on=None, running=False, ended_without_correction=not application.awaiting_correction)
    reckoner = Reckoner(estimate=True)
    due, paused_days = due_on(application, today=today, reckoner=reckoner)
    paused = application.in_consultation and any(
        pause_stops_clock(pause, today, reckoner) for pause in application.pauses.all()
    )
    # A consultation past its statutory limit no longer shields the application from being late.
    overdue = (application.being_handled or (application.in_consultation and not paused)) and today > due
    replied_late = application.replied_on is not None and application.replied_on > due
    return Clock(
        due_on=due,
        paused=paused,
        overdue=overdue,
        replied_late=replied_late,
        paused_days=paused_days,
        overdue_days=reckoner.late(due, today) if overdue else 0,
        late_days=reckoner.late(due, application.replied_on) if replied_late else 0,
        provisional=reckoner.provisional,
        unknown_years=tuple(sorted(reckoner.unknown_years)),
    )


def correction_notice_deadline(application) -> date | None:
    """The last day to ask for a correction: CORRECTION_NOTICE_DAYS working days after receipt
    (article 30), or None when the calendar is unknown. Counted from the original receipt, not from
    a restarted clock."""
    try:
        return correction_notice_reckoning(application)[0]
    except CalendarUnknown:
        return None


def correction_notice_reckoning(application, *, estimate: bool = False) -> tuple[date, bool]:
    """The correction-notice deadline and whether it is provisional (only when ``estimate``)."""
    reckoner = Reckoner(estimate=estimate)
    deadline = reckoner.add(start_of_count(application.received_on, reckoner), CORRECTION_NOTICE_DAYS)
    return deadline, reckoner.provisional


def correction_was_late(application) -> bool:
    """Whether the correction notice went out after the CORRECTION_NOTICE_DAYS limit (judged on the
    official calendar only: never on an estimate)."""
    if application.correction_requested_on is None:
        return False
    deadline = correction_notice_deadline(application)
    return deadline is not None and application.correction_requested_on > deadline

"""The clock of the feedback a consultation owes: what was adopted (意见采纳情况), due once the comment
window has closed.

No article names a separate limit for publishing the feedback. As applied here: the feedback is
government information formed when the window closes, so 条例 第二十六条's general rule applies, "自该
政府信息形成或者变更之日起20个工作日内予以公开"; the standard catalog's item 决策前预公开 (意见征集)
states the same, "信息形成（变更）20个工作日内". So the feedback is due FEEDBACK_DAYS working days after
the last day of the window (the day it closed), counted like every working-day limit
(disclosure/core/workdays.py: that day itself not counted).

While a year's holidays are not entered the due date is provisional (预计), as the applications' clock
does it (workdays.Reckoner with ``estimate=True``); nothing is stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from disclosure.consultations.models import ConsultationStatus
from disclosure.core.dates import cn_date
from disclosure.core.workdays import Reckoner

FEEDBACK_DAYS = 20  # 条例 第二十六条; catalog item 决策前预公开: 信息形成（变更）20个工作日内


@dataclass(frozen=True)
class FeedbackClock:
    """The feedback's due date on a given day; ``overdue_days`` ≥ 1 whenever ``overdue``."""

    due_on: date
    provisional: bool
    published_on: date | None
    overdue: bool
    overdue_days: int
    late_days: int

    @property
    def due_text(self) -> str:
        text = cn_date(self.due_on)
        return _("%(date)s（预计）") % {"date": text} if self.provisional else text

    @property
    def overdue_text(self) -> str:
        return _("已逾期%(days)d个工作日") % {"days": self.overdue_days} if self.overdue else ""

    def describe(self) -> str:
        """The state in words, for staff lists."""
        if self.published_on is not None:
            if self.late_days:
                return _("已公布，逾期%(days)d个工作日") % {"days": self.late_days}
            return _("已按时公布")
        if self.overdue:
            return _("应于%(due)s前公布，%(late)s") % {"due": self.due_text, "late": self.overdue_text}
        return _("应于%(due)s前公布") % {"due": self.due_text}


def window_closed_on(consultation) -> date:
    """The day the window closed: the local date of its last moment (closing at 00:00 ends the day
    before), as services.window_last_day has it."""
    return timezone.localdate(consultation.closes_at - timedelta(microseconds=1))


def feedback_clock(consultation, *, now: datetime | None = None) -> FeedbackClock | None:
    """The feedback clock of an opened consultation whose window has ended, else None."""
    now = now or timezone.now()
    if consultation.status == ConsultationStatus.DRAFT or now < consultation.closes_at:
        return None
    today = timezone.localdate(now)
    reckoner = Reckoner(estimate=True)
    due = reckoner.add(window_closed_on(consultation), FEEDBACK_DAYS)
    published_on = (
        timezone.localdate(consultation.feedback_published_at) if consultation.feedback_published_at else None
    )
    overdue = published_on is None and today > due
    return FeedbackClock(
        due_on=due,
        provisional=reckoner.provisional,
        published_on=published_on,
        overdue=overdue,
        overdue_days=reckoner.late(due, today) if overdue else 0,
        late_days=reckoner.late(due, published_on) if published_on else 0,
    )

"""The reply clock of a message from the public: N working days from the day it arrived.

The limits are the platform's commitment on its 留言与纠错 page, configurable per deployment
(``FEEDBACK_REPLY_DAYS``): by default 3 working days for an error report (纠错, as the national
我为政府网站找错 platform asks of a site's owner) and 5 for a question (咨询). The day of arrival is not
counted (disclosure.core.workdays.add_working_days); overdue is counted in working days and is never 0.
While the year's holiday schedule is not entered, the due date is unknown (None) and nothing is
claimed about it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.utils import timezone

from disclosure.core.workdays import CalendarUnknown, add_working_days, working_days_late
from disclosure.feedback.models import Feedback, FeedbackStatus


def reply_days(kind: str) -> int:
    return settings.FEEDBACK_REPLY_DAYS[kind]


@dataclass(frozen=True)
class FeedbackClock:
    due_on: date | None  # the last day of the limit; None while the calendar year is unknown
    answered_on: date | None
    days_late: int  # working days past due_on: now if unanswered, at the reply if answered; else 0

    @property
    def overdue(self) -> bool:
        return self.days_late > 0 and self.answered_on is None


def feedback_clock(feedback: Feedback, *, today: date | None = None) -> FeedbackClock:
    today = today or timezone.localdate()
    received_on = timezone.localdate(feedback.received_at)
    answered_on = timezone.localdate(feedback.replied_at) if feedback.replied_at else None
    try:
        due_on = add_working_days(received_on, reply_days(feedback.kind))
    except CalendarUnknown:
        return FeedbackClock(None, answered_on, 0)
    if feedback.status == FeedbackStatus.DISMISSED:
        return FeedbackClock(due_on, answered_on, 0)
    try:
        late = working_days_late(due_on, answered_on or today)
    except CalendarUnknown:
        late = 0
    return FeedbackClock(due_on, answered_on, late)

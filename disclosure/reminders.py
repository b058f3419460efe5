"""Deadline reminders of every duty with a clock: the one place that lists them.

Each duty keeps its own deadline source next to its clock; the kernel (disclosure/core/deadlines.py)
claims and sends the reminders. Like urls.py and admin.py, this module composes features, so no
feature and not the kernel needs to know the others.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from disclosure.applications.selectors import application_deadline_source
from disclosure.applications.services import applications_resume_expired_consultations
from disclosure.concerns.services import concern_deadline_source
from disclosure.consultations.selectors import feedback_deadline_source
from disclosure.core.deadlines import Outcome, check_deadlines
from disclosure.feedback.selectors import feedback_deadline_source as feedback_reply_deadline_source
from disclosure.records.publicity import objection_deadline_source
from disclosure.records.validity import record_expiry_deadline_source

DEADLINE_SOURCES = (concern_deadline_source, application_deadline_source, feedback_reply_deadline_source)
DEADLINE_SOURCES += (feedback_deadline_source,)  # consultations' feedback (采纳情况), issue 12
DEADLINE_SOURCES += (record_expiry_deadline_source, objection_deadline_source)


def send_deadline_reminders(*, now: datetime | None = None) -> Outcome:
    """Every reminder due now, for every duty (``manage.py check_deadlines``). First the clocks that
    resume by themselves are resumed (a consultation past 条例 第三十二条's 15 working days), so that
    their timelines say so."""
    applications_resume_expired_consultations(today=timezone.localdate(now or timezone.now()))
    return check_deadlines(sources=DEADLINE_SOURCES, now=now)

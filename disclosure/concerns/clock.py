"""The clock of a concern (回应关切): its limits in clock hours, which responses meet them, their state.

Guideline 四（四） (and 国办发〔2016〕61号) set the limits in hours from the moment a concern arises: for
特别重大 and 重大 emergencies authoritative information "最迟要在5小时内" and a press conference
"在24小时内"; other public concerns a response within 48 hours. These are clock hours, not working
days: an emergency at 22:00 on a Saturday of the Spring Festival is due authoritative information by
03:00 on Sunday. Nights, weekends and holidays are deliberately not skipped, and the working-day
calendar (disclosure/core/workdays.py) is deliberately not used here.

A deadline is met by the first response of a qualifying kind published by then (a press conference
also counts as authoritative information; for 一般 concerns any response counts). A late response
still meets it, late; a closed concern's unmet deadlines stop ticking and stay on record as unmet.

Every number of the clock is defined here once: the limits (``*_HOURS``), the reminder lead times
(``WARN_BEFORE``) and the tolerated clock skew. The model's help text, the validation, the admin
list, the deadline reminders and the overdue filter in SQL (``selectors.overdue_condition``) all read
them from here. This module is
the bottom of the feature, below the models, which is why the grading (``Severity``) and the kinds of
response (``ResponseKind``), the vocabulary of the rules, are defined here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import models
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from disclosure.core.dates import cn_datetime
from disclosure.core.deadlines import format_duration

AUTHORITATIVE_HOURS = 5  # 特别重大、重大: authoritative information
PRESS_CONFERENCE_HOURS = 24  # 特别重大、重大: a press conference
RESPONSE_HOURS = 48  # 一般: a response
# How long before a deadline the responsible staff hear of it (and the admin list marks it "soon").
WARN_BEFORE = {
    "authoritative": timedelta(hours=1),
    "press_conference": timedelta(hours=4),
    "response": timedelta(hours=4),
}
# Clock skew tolerated when checking that a time is "not in the future".
CLOCK_SKEW = timedelta(minutes=5)


class Severity(models.TextChoices):
    """Grading of a concern; it decides the deadlines (guideline 四（四）, 国办发〔2016〕61号)."""

    EXTRAORDINARY = "extraordinary", gettext_lazy("特别重大")
    MAJOR = "major", gettext_lazy("重大")
    GENERAL = "general", gettext_lazy("一般")


class ResponseKind(models.TextChoices):
    AUTHORITATIVE = "authoritative", gettext_lazy("权威信息发布")
    PRESS_CONFERENCE = "press_conference", gettext_lazy("新闻发布会")
    RESPONSE = "response", gettext_lazy("回应")


SEVERITY_HELP = format_lazy(
    gettext_lazy(
        "特别重大、重大：{authoritative}小时内发布权威信息，{press_conference}小时内举行新闻发布会；"
        "一般：{response}小时内回应。"
    ),
    authoritative=AUTHORITATIVE_HOURS,
    press_conference=PRESS_CONFERENCE_HOURS,
    response=RESPONSE_HOURS,
)


@dataclass(frozen=True)
class DeadlineRule:
    kind: str
    label: str
    hours: int
    satisfied_by: tuple[str, ...]

    @property
    def span(self) -> timedelta:
        return timedelta(hours=self.hours)

    @property
    def warn_before(self) -> timedelta:
        return WARN_BEFORE[self.kind]


AUTHORITATIVE = DeadlineRule(
    "authoritative",
    gettext_lazy("发布权威信息"),
    AUTHORITATIVE_HOURS,
    (ResponseKind.AUTHORITATIVE, ResponseKind.PRESS_CONFERENCE),
)
PRESS_CONFERENCE = DeadlineRule(
    "press_conference", gettext_lazy("举行新闻发布会"), PRESS_CONFERENCE_HOURS, (ResponseKind.PRESS_CONFERENCE,)
)
RESPONSE = DeadlineRule("response", gettext_lazy("回应"), RESPONSE_HOURS, tuple(ResponseKind.values))
RULES: dict[str, tuple[DeadlineRule, ...]] = {
    Severity.EXTRAORDINARY: (AUTHORITATIVE, PRESS_CONFERENCE),
    Severity.MAJOR: (AUTHORITATIVE, PRESS_CONFERENCE),
    Severity.GENERAL: (RESPONSE,),
}


class ClockState:
    MET = "met"
    MET_LATE = "met_late"
    PENDING = "pending"
    OVERDUE = "overdue"
    CLOSED_UNMET = "closed_unmet"


@dataclass(frozen=True)
class ConcernDeadline:
    """One deadline of one concern at one moment: when due, whether and when met, how far off."""

    rule: DeadlineRule
    due_at: datetime
    met_at: datetime | None
    state: str
    now: datetime

    @property
    def label(self) -> str:
        return str(self.rule.label)

    @property
    def is_open(self) -> bool:
        return self.state in (ClockState.PENDING, ClockState.OVERDUE)

    @property
    def is_soon(self) -> bool:
        """Pending and within its reminder lead time."""
        return self.state == ClockState.PENDING and self.remaining <= self.rule.warn_before

    @property
    def remaining(self) -> timedelta | None:
        return self.due_at - self.now if self.state == ClockState.PENDING else None

    @property
    def overdue_by(self) -> timedelta | None:
        if self.state == ClockState.OVERDUE:
            return self.now - self.due_at
        if self.state == ClockState.MET_LATE:
            return self.met_at - self.due_at
        return None

    def describe(self) -> str:
        """The state in words (never conveyed by colour alone)."""
        if self.state == ClockState.MET:
            return _("已按时完成（%s）") % cn_datetime(self.met_at)
        if self.state == ClockState.MET_LATE:
            return _("超时 %s 后完成") % format_duration(self.overdue_by)
        if self.state == ClockState.PENDING:
            return _("剩余 %s") % format_duration(self.remaining)
        if self.state == ClockState.OVERDUE:
            return _("已逾期 %s") % format_duration(self.overdue_by)
        return _("已办结，未完成")


def concern_deadlines(concern, *, now: datetime | None = None) -> list[ConcernDeadline]:
    """The deadlines of a concern and their state at ``now``; reads ``concern.responses`` (prefetch it).

    The clock stops when the concern is closed: closing sets ``closed_at``, and the model's constraint
    allows it on closed concerns only.
    """
    now = now or timezone.now()
    responses = list(concern.responses.all())
    deadlines = []
    for rule in RULES.get(concern.severity, ()):
        due_at = concern.arose_at + rule.span
        times = [r.published_at for r in responses if r.kind in rule.satisfied_by]
        met_at = min(times) if times else None
        if met_at is not None:
            state = ClockState.MET if met_at <= due_at else ClockState.MET_LATE
        elif concern.closed_at is not None:
            state = ClockState.CLOSED_UNMET
        else:
            state = ClockState.OVERDUE if now >= due_at else ClockState.PENDING
        deadlines.append(ConcernDeadline(rule, due_at, met_at, state, now))
    return deadlines


def next_deadline(concern, *, now: datetime | None = None) -> ConcernDeadline | None:
    """The earliest deadline still open (pending or overdue), or None."""
    open_ones = [d for d in concern_deadlines(concern, now=now) if d.is_open]
    return min(open_ones, key=lambda d: d.due_at) if open_ones else None


def unmet_deadlines(concern, *, now: datetime | None = None) -> list[ConcernDeadline]:
    return [d for d in concern_deadlines(concern, now=now) if d.met_at is None]


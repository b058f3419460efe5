"""Deadline reminders by email, for every duty that has a clock (`manage.py check_deadlines`, from cron).

How it works. Each *deadline source* is a function ``source(now) -> Iterable[Deadline]`` yielding the
deadlines that are still unmet (the source decides what "met", "closed" or "paused" means for its
objects). For each deadline this module decides which reminder is due:

- ``before``: from ``due_at - warn_before`` until ``due_at``;
- ``after``: from ``due_at`` on (a missed ``before`` is not sent late: only the ``after`` goes out).

A reminder is claimed by inserting its DeadlineNotice row, whose unique constraint on
(source, subject_id, deadline kind, notice kind) lets exactly one of several concurrent runs win; the
email is sent only after that insert has committed (``transaction.on_commit``), to the deadline's
recipients only. A failed send is recorded and retried by a later run (compare-and-set on
``attempts``), at most MAX_ATTEMPTS times.

Adding a source (e.g. applications for disclosure, 依申请公开): write a function in your module

    def application_deadline_source(now):
        for application in ...unanswered applications...:
            yield Deadline(source="application", subject_id=application.pk, subject_title=...,
                           organisation_id=..., kind="reply", label="答复", due_at=...,
                           warn_before=..., recipients=(...emails...), admin_path=...)

and add it to ``DEADLINE_SOURCES`` in disclosure/reminders.py, where the duties' sources are listed
(the kernel imports no feature). ``kind`` must be stable: it is part of the "sent once" key. Working-day deadlines are computed with disclosure.core.workdays only.

"Due soon" for a time limit counted in working days is defined here, once: ``DUE_SOON_WORKING_DAYS``.
A limit ending with the day ``due_on`` is due soon from ``due_soon_from(due_on)`` on, which is exactly
when ``due_on <= due_soon_horizon(today)``: the admin's to-do panel asks the second question, a deadline
source answers the first (``warn_before_working_days``), and the two never disagree.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from disclosure.core.dates import cn_datetime
from disclosure.core.models import DeadlineNotice, NoticeKind
from disclosure.core.workdays import Reckoner, add_working_days, is_working_day

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
RETRY_AFTER = timedelta(minutes=10)
# A working-day time limit is "due soon" when it ends within this many working days: the to-do panel
# lists it, and the reminder e-mail goes out from the start of the first of those days.
DUE_SOON_WORKING_DAYS = 3


def due_soon_horizon(today: date) -> date:
    """The last due date that is "due soon" on ``today``: the DUE_SOON_WORKING_DAYS-th working day after
    it. A limit ending on ``due_on`` is due soon today when ``due_on <= due_soon_horizon(today)``.

    Raises CalendarUnknown when the count reaches a year whose holidays are unknown.
    """
    return add_working_days(today, DUE_SOON_WORKING_DAYS)


def due_soon_from(due_on: date, reckoner: Reckoner | None = None) -> date:
    """The first day on which a limit ending with the day ``due_on`` is due soon: the working day
    DUE_SOON_WORKING_DAYS working days before ``due_on`` (the inverse of ``due_soon_horizon``: for
    every day d, ``d >= due_soon_from(due_on)`` exactly when ``due_on <= due_soon_horizon(d)``).

    Raises CalendarUnknown when the count reaches a year whose holidays are unknown, unless
    ``reckoner`` estimates (workdays.Reckoner): a provisional due date gets a provisional warning day.
    """
    if reckoner is not None:
        return reckoner.back(due_on, DUE_SOON_WORKING_DAYS)
    day, remaining = due_on, DUE_SOON_WORKING_DAYS
    while remaining:
        day -= timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


def warn_before_working_days(due_on: date, due_at: datetime, reckoner: Reckoner | None = None) -> timedelta:
    """``Deadline.warn_before`` for a limit ending with the day ``due_on`` and overdue at ``due_at``:
    the "before" reminder is due from the start (local time) of ``due_soon_from(due_on)``."""
    warn_at = datetime.combine(due_soon_from(due_on, reckoner), time.min, tzinfo=timezone.get_current_timezone())
    return due_at - warn_at


@dataclass(frozen=True)
class Deadline:
    """One unmet deadline of one object, as a source reports it."""

    source: str
    subject_id: int
    subject_title: str
    organisation_id: int | None
    kind: str
    label: str
    due_at: datetime
    warn_before: timedelta
    recipients: tuple[str, ...]
    admin_path: str = ""
    subject_label: str = field(default="")


@dataclass
class Outcome:
    """What one run did: the notices sent, and deadlines that needed a reminder nobody could receive."""

    sent: list[DeadlineNotice] = field(default_factory=list)
    failed: list[DeadlineNotice] = field(default_factory=list)
    without_recipients: list[Deadline] = field(default_factory=list)


DeadlineSource = Callable[[datetime], Iterable[Deadline]]


def notice_due(deadline: Deadline, now: datetime) -> str | None:
    """Which reminder the deadline calls for at ``now``: "before", "after" or None."""
    if now >= deadline.due_at:
        return NoticeKind.AFTER
    if now >= deadline.due_at - deadline.warn_before:
        return NoticeKind.BEFORE
    return None


def format_duration(span: timedelta) -> str:
    """A duration in Chinese, to the minute: "2天3小时", "4小时5分钟", "不到1分钟"."""
    minutes = int(abs(span).total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = []
    if days:
        parts.append(_("%d天") % days)
    if hours:
        parts.append(_("%d小时") % hours)
    if minutes and not days:
        parts.append(_("%d分钟") % minutes)
    return "".join(parts) or _("不到1分钟")


def _message(deadline: Deadline, notice_kind: str, now: datetime) -> tuple[str, str]:
    due_text = cn_datetime(deadline.due_at)
    prefix = deadline.subject_label or _("办理时限")
    if notice_kind == NoticeKind.BEFORE:
        subject = _("【%(prefix)s】“%(title)s”%(label)s时限将于 %(due)s 到期") % {
            "prefix": prefix,
            "title": deadline.subject_title,
            "label": deadline.label,
            "due": due_text,
        }
        state = _("距到期还有 %s。") % format_duration(deadline.due_at - now)
    else:
        subject = _("【%(prefix)s】“%(title)s”%(label)s已逾期") % {
            "prefix": prefix,
            "title": deadline.subject_title,
            "label": deadline.label,
        }
        state = _("已逾期 %s，请尽快办理。") % format_duration(now - deadline.due_at)
    lines = [
        _("事项：%s") % deadline.subject_title,
        _("时限：%s") % deadline.label,
        _("到期时间：%s") % due_text,
        state,
    ]
    if deadline.admin_path:
        lines.append(_("办理入口（管理后台）：%s") % deadline.admin_path)
    lines.append(_("本邮件由政务公开平台自动发送，每项提醒只发送一次。"))
    return subject, "\n".join(lines)


def _send(notice_pk: int, deadline: Deadline, notice_kind: str, now: datetime, outcome: Outcome) -> None:
    subject, body = _message(deadline, notice_kind, now)
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, list(deadline.recipients))
    except Exception as error:  # noqa: BLE001 - any delivery failure is recorded and retried later
        logger.exception("时限提醒发送失败（%s %s）", deadline.source, deadline.subject_id)
        DeadlineNotice.objects.filter(pk=notice_pk).update(last_error=str(error)[:2000])
        outcome.failed.append(DeadlineNotice.objects.get(pk=notice_pk))
        return
    DeadlineNotice.objects.filter(pk=notice_pk).update(sent_at=timezone.now(), last_error="")
    outcome.sent.append(DeadlineNotice.objects.get(pk=notice_pk))


def _claim(deadline: Deadline, notice_kind: str, now: datetime) -> int | None:
    """Insert the notice row (first claim) or take over a failed one; None if another run has it."""
    try:
        with transaction.atomic():
            notice = DeadlineNotice.objects.create(
                source=deadline.source,
                subject_id=deadline.subject_id,
                organisation_id=deadline.organisation_id,
                subject_title=deadline.subject_title[:300],
                deadline_kind=deadline.kind,
                notice_kind=notice_kind,
                due_at=deadline.due_at,
                recipients=", ".join(deadline.recipients),
                claimed_at=now,
            )
        return notice.pk
    except IntegrityError:
        pass
    existing = (
        DeadlineNotice.objects.filter(
            source=deadline.source,
            subject_id=deadline.subject_id,
            deadline_kind=deadline.kind,
            notice_kind=notice_kind,
            sent_at__isnull=True,
            attempts__lt=MAX_ATTEMPTS,
            claimed_at__lte=now - RETRY_AFTER,
        )
        .values_list("pk", "attempts")
        .first()
    )
    if existing is None:
        return None
    pk, attempts = existing
    # Compare-and-set: of several runs retrying at once, one wins.
    won = DeadlineNotice.objects.filter(pk=pk, attempts=attempts, sent_at__isnull=True).update(
        attempts=attempts + 1, claimed_at=now, recipients=", ".join(deadline.recipients)
    )
    return pk if won == 1 else None


def check_deadlines(*, sources: Iterable[DeadlineSource], now: datetime | None = None) -> Outcome:
    """Send every reminder of ``sources`` that is due and not yet sent; safe to run in several
    processes at once."""
    now = now or timezone.now()
    outcome = Outcome()
    for source in sources:
        for deadline in source(now):
            notice_kind = notice_due(deadline, now)
            if notice_kind is None:
                continue
            if not deadline.recipients:
                # Nobody to tell: claim nothing, so that the reminder goes out once someone is assigned.
                outcome.without_recipients.append(deadline)
                continue
            with transaction.atomic():
                notice_pk = _claim(deadline, notice_kind, now)
                if notice_pk is not None:
                    transaction.on_commit(
                        lambda pk=notice_pk, d=deadline, k=notice_kind: _send(pk, d, k, now, outcome)
                    )
    return outcome

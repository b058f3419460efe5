"""Reads of applications for disclosure: the public lookup by tracking code, the lists staff work from,
the activity log, and the reply deadlines for the reminders (disclosure/reminders.py).

Who may see which applications is ``policy.visible_applications``; the lists here narrow a queryset
that already came from it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from disclosure.applications.clock import application_clock
from disclosure.applications.models import CODE_ALPHABET, CODE_LENGTH, Application, ApplicationStatus
from disclosure.applications.policy import HANDLER_ROLES
from disclosure.core.deadlines import Deadline, warn_before_working_days
from disclosure.core.log import ActivityEntry
from disclosure.core.staff import StaffProfile
from disclosure.core.workdays import Reckoner

SUBJECT_TYPE = "application"  # ActivityEntry.subject_type and the reminders' source
# Not yet answered: being handled, awaiting a correction, or paused for consultation.
OPEN_STATUSES = (ApplicationStatus.RECEIVED, ApplicationStatus.CORRECTION, ApplicationStatus.CONSULTATION)
_CODE_NORMALISE = str.maketrans({"O": "0", "I": "1", "L": "1"})


def log_title(application: Application) -> str:
    """How logs and reminders name an application: by its tracking code, never by the applicant
    (auditors read the log)."""
    return _("依申请公开 %(code)s") % {"code": application.tracking_code}


# -- the public lookup -------------------------------------------------------------------------------


def normalise_tracking_code(text: str) -> str:
    """Upper case, separators and spaces removed, look-alike letters mapped; '' if it cannot be a code."""
    code = "".join(ch for ch in (text or "")[:40].upper() if ch not in " -_\t\r\n")
    code = code.translate(_CODE_NORMALISE)
    if len(code) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in code):
        return ""
    return code


def application_by_code(code: str) -> Application | None:
    """The application with this tracking code, or None (whatever was wrong with the code)."""
    normalised = normalise_tracking_code(code)
    if not normalised:
        return None
    return (
        Application.objects.filter(tracking_code=normalised)
        .select_related("organisation")
        .prefetch_related("pauses")
        .first()
    )


# -- lists for staff ---------------------------------------------------------------------------------


def open_applications(queryset: QuerySet[Application]) -> QuerySet[Application]:
    """Those of ``queryset`` not yet answered (办理中, 待补正, 征求意见中)."""
    return queryset.filter(status__in=OPEN_STATUSES)


def overdue_application_ids(queryset: QuerySet[Application], *, today: date | None = None) -> list[int]:
    """Ids of applications of ``queryset`` being handled past their due date (computed in Python: the
    working-day calendar is not SQL)."""
    today = today or timezone.localdate()
    running = queryset.filter(
        status__in=(ApplicationStatus.RECEIVED, ApplicationStatus.CONSULTATION)
    ).prefetch_related("pauses")
    return [a.pk for a in running if application_clock(a, today=today).overdue]


def replied_late_ids(queryset: QuerySet[Application]) -> list[int]:
    """Ids of applications of ``queryset`` answered after their due date (逾期答复)."""
    replied = queryset.exclude(replied_on=None).prefetch_related("pauses")
    return [a.pk for a in replied if application_clock(a).replied_late]


def application_history(application: Application) -> QuerySet[ActivityEntry]:
    """The application's activity log, oldest first."""
    return ActivityEntry.objects.filter(subject_type=SUBJECT_TYPE, subject_id=application.pk).order_by(
        "created_at", "id"
    )


# -- reminders (manage.py check_deadlines) -----------------------------------------------------------


def handler_emails_by_organisation(org_ids) -> dict[int, tuple[str, ...]]:
    """The e-mail addresses of the active handlers of each organisation."""
    emails: dict[int, set[str]] = {}
    profiles = StaffProfile.objects.filter(
        organisation_id__in=org_ids,
        user__is_active=True,
        user__groups__name__in=list(HANDLER_ROLES),
    ).exclude(user__email="").values_list("organisation_id", "user__email")
    for org_id, email in profiles:
        emails.setdefault(org_id, set()).add(email)
    return {org_id: tuple(sorted(found)) for org_id, found in emails.items()}


def _handler_email(application: Application) -> tuple[str, ...]:
    """The 承办人's address when one is assigned and can receive mail; else () (the organisation's handlers)."""
    handler = application.handler
    return (handler.email,) if handler is not None and handler.is_active and handler.email else ()


def application_deadline_source(now: datetime) -> Iterator[Deadline]:
    """Reply deadlines of applications whose clock runs, for the organisation's handlers.

    Being handled (办理中), or in a consultation past its statutory limit (条例 第三十二条: the clock
    runs again after THIRD_PARTY_DAYS working days, answer or not). Applications awaiting a correction,
    or in a consultation still within its limit, have no running clock and yield nothing.

    While the holidays of a year the count reaches are not entered, the due date is the clock's
    provisional one (counted on weekends only) and the reminders go out on it: a reminder a day off
    is better than none. The deadline kind carries the due date, so that a restarted, extended or
    (once the year is entered) confirmed date gets its own reminders. The "before" reminder is due
    when the dashboard starts listing the application as due soon
    (disclosure.core.deadlines.DUE_SOON_WORKING_DAYS working days ahead, on the same reckoning).
    """
    today = timezone.localdate(now)
    applications = list(
        Application.objects.filter(status__in=(ApplicationStatus.RECEIVED, ApplicationStatus.CONSULTATION))
        .select_related("handler")
        .prefetch_related("pauses")
        .order_by("received_on", "pk")
    )
    recipients = handler_emails_by_organisation({a.organisation_id for a in applications})
    tz = timezone.get_current_timezone()
    for application in applications:
        clock = application_clock(application, today=today)
        if clock.due_on is None or clock.paused:
            continue
        # Due "within" the due day: overdue from the start of the next day.
        due_at = datetime.combine(clock.due_on + timedelta(days=1), time.min, tzinfo=tz)
        warn_before = warn_before_working_days(clock.due_on, due_at, reckoner=Reckoner(estimate=True))
        yield Deadline(
            source=SUBJECT_TYPE,
            subject_id=application.pk,
            subject_title=log_title(application),
            organisation_id=application.organisation_id,
            kind=f"reply:{clock.due_on.isoformat()}",
            label=_("答复（预计日期）") if clock.provisional else _("答复"),
            due_at=due_at,
            warn_before=warn_before,
            recipients=_handler_email(application) or recipients.get(application.organisation_id, ()),
            admin_path=reverse("admin:disclosure_application_change", args=[application.pk]),
            subject_label=_("依申请公开"),
        )

"""Every write to an application for disclosure (依申请公开).

An application is created by the applicant online (``application_submit``) or registered by staff
(``application_register``); each later change is one move of workflow.TRANSITIONS, carried out by
``transitions.move()``: it locks the row, checks the state (``InvalidTransition``), checks the right
through policy.denial_reason (``PermissionDenied``), runs the move's own checks, changes the row with a
compare-and-set (a lost race hears ``transitions.STALE``) and writes an ActivityEntry (subject_type
"application"). Nothing is written when any step refuses. Admin actions, scripts and the demo all call
these functions; the clock they read is clock.py.

After an application has been closed for ``settings.APPLICATION_RETENTION_DAYS``,
``applications_purge_expired`` (``manage.py purge_applicant_data``) blanks the applicant's personal data.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Organisation
from disclosure.applications import clock, policy
from disclosure.applications.models import (
    CODE_ALPHABET,
    CODE_LENGTH,
    PERSONAL_FIELDS,
    ApplicantType,
    Application,
    ApplicationChannel,
    ApplicationPause,
    ApplicationStatus,
    ReplyType,
)
from disclosure.applications.selectors import SUBJECT_TYPE, log_title
from disclosure.applications.workflow import TRANSITIONS, Transition
from disclosure.core import transitions
from disclosure.core.dates import cn_date
from disclosure.core.log import ActivityEntry
from disclosure.core.models import actor_name
from disclosure.core.transitions import InvalidTransition
from disclosure.core.workdays import CalendarUnknown

PERSON_FIELDS = ("name", "id_type", "id_number")
ORGANISATION_FIELDS = ("organisation_name", "credit_code", "legal_representative", "contact_person")
APPLICANT_FIELDS = (
    "applicant_type",
    *PERSON_FIELDS,
    *ORGANISATION_FIELDS,
    "phone",
    "email",
    "address",
    "postcode",
    "description",
    "document_hint",
    "purpose",
    "delivery_form",
    "obtain_method",
)


# -- tracking codes and the applicant ---------------------------------------------------------------


def new_tracking_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))


def _log(
    application: Application, user, action: str, from_status: str, to_status: str, comment: str = "", nobody=None
):
    return ActivityEntry.write_for(
        application,
        subject_type=SUBJECT_TYPE,
        title=log_title(application),
        organisation_id=application.organisation_id,
        user=user,
        nobody=nobody or _("申请人（网上提交）"),
        action=action,
        from_status=from_status,
        to_status=to_status,
        comment=comment,
    )


def _check_day(day: date, *, not_before: date | None, today: date, what: str) -> None:
    if day > today:
        raise ValidationError(_("%(what)s不能晚于今天。") % {"what": what})
    if not_before is not None and day < not_before:
        raise ValidationError(
            _("%(what)s不能早于%(date)s。") % {"what": what, "date": cn_date(not_before)}
        )


def _validate_applicant(application: Application) -> None:
    """Required fields by applicant type, then the model's own validation (lengths, choices)."""
    errors = {}
    if application.applicant_type == ApplicantType.NATURAL_PERSON:
        required, cleared = PERSON_FIELDS, ORGANISATION_FIELDS
    else:
        required, cleared = ORGANISATION_FIELDS, PERSON_FIELDS
    for field_name in required:
        if not getattr(application, field_name):
            errors[field_name] = _("请填写%(field)s。") % {
                "field": Application._meta.get_field(field_name).verbose_name
            }
    for field_name in cleared:
        setattr(application, field_name, "")
    if errors:
        raise ValidationError(errors)
    application.full_clean(exclude=["tracking_code", "organisation"])


def _save_with_new_code(application: Application) -> Application:
    """Insert with a fresh random code; on the (astronomically rare) clash draw again."""
    for _attempt in range(5):
        application.tracking_code = new_tracking_code()
        try:
            with transaction.atomic():
                application.save(force_insert=True)
            return application
        except IntegrityError:
            if Application.objects.filter(tracking_code=application.tracking_code).exists():
                application.pk = None
                continue
            raise
    raise RuntimeError("could not draw a free tracking code")


def _check_fields(fields) -> None:
    unknown = set(fields) - set(APPLICANT_FIELDS)
    if unknown:
        raise TypeError(f"unknown application fields: {sorted(unknown)}")


# -- arrival ----------------------------------------------------------------------------------------


@transaction.atomic
def application_submit(*, organisation: Organisation, submitted_at: datetime | None = None, **fields) -> Application:
    """An online application from a citizen: saved before the tracking code is shown.

    ``received_on`` is the local date of submission (clock.py says how a non-working day is counted).
    """
    _check_fields(fields)
    submitted_at = submitted_at or timezone.now()
    received_on = timezone.localdate(submitted_at)
    application = Application(
        organisation=organisation,
        channel=ApplicationChannel.ONLINE,
        submitted_at=submitted_at,
        received_on=received_on,
        clock_start=received_on,
        **fields,
    )
    _validate_applicant(application)
    _save_with_new_code(application)
    _log(application, None, "submit", "", application.status, _("网上提交，已生成查询码。"))
    return application


@transaction.atomic
def application_register(
    *,
    user,
    organisation: Organisation,
    channel: str,
    received_on: date,
    today: date | None = None,
    is_demo: bool = False,
    **fields,
) -> Application:
    """Register an application that arrived by letter, in person, by fax or email (登记).

    ``is_demo`` marks the fictional applications of ``seed_demo``, the only ones it reads back."""
    if not policy.can_register_in(user, organisation.pk):
        raise PermissionDenied(_("只有本机关的工作人员可以登记申请。"))
    _check_fields(fields)
    _check_day(received_on, not_before=None, today=today or timezone.localdate(), what=_("收到申请日期"))
    application = Application(
        organisation=organisation,
        channel=channel,
        submitted_at=timezone.now(),
        received_on=received_on,
        clock_start=received_on,
        is_demo=is_demo,
        **fields,
    )
    _validate_applicant(application)
    _save_with_new_code(application)
    _log(application, user, "register", "", application.status, ApplicationChannel(channel).label)
    return application


# -- the moves --------------------------------------------------------------------------------------


def _move(
    *,
    user,
    application: Application,
    name: str,
    changes: dict | None = None,
    check: Callable[[Application, Transition], None] | None = None,
    comment: Callable[[Application], str] | str = "",
) -> Application:
    """Carry out the move ``name`` through the kernel. ``check(locked, transition)`` runs once state and
    right are known good and may refuse; ``comment`` is the log entry's comment, or a function of the
    locked application after the change that makes it. Must run inside a transaction."""
    locked, _previous = transitions.move(
        application,
        table=TRANSITIONS,
        name=name,
        user=user,
        denial=policy.denial_reason,
        log=lambda locked, previous, target, _note: _log(
            locked, user, name, previous, target, comment(locked) if callable(comment) else comment
        ),
        changes=changes,
        check=check,
    )
    return locked


@transaction.atomic
def application_request_correction(
    *, user, application: Application, note: str, on: date | None = None, today: date | None = None
) -> Application:
    """Ask the applicant, once, to correct an unclear application (补正告知, article 30).

    Allowed after the CORRECTION_NOTICE_DAYS limit too (the notice is still owed), but the log entry
    and ``clock.correction_was_late`` record that it was late.
    """
    today = today or timezone.localdate()
    on = on or today

    def check(locked: Application, _transition) -> None:
        if locked.correction_requested_on:
            raise InvalidTransition(_("补正告知应一次性提出，本申请已告知过补正。"))
        if not note.strip():
            raise ValidationError(_("请写明需要补正的事项。"))
        _check_day(on, not_before=locked.clock_start, today=today, what=_("补正告知日期"))

    def comment(locked: Application) -> str:
        if not clock.correction_was_late(locked):
            return note
        late = _("已超过收到申请后%(days)d个工作日的补正告知时限。") % {"days": clock.CORRECTION_NOTICE_DAYS}
        return f"{note}\n{late}"

    return _move(
        user=user,
        application=application,
        name="request_correction",
        changes={"correction_requested_on": on, "correction_note": note},
        check=check,
        comment=comment,
    )


@transaction.atomic
def application_receive_correction(
    *, user, application: Application, on: date | None = None, note: str = "", today: date | None = None
) -> Application:
    """The correction arrived: the reply clock restarts from that day."""
    today = today or timezone.localdate()
    on = on or today

    def check(locked: Application, _transition) -> None:
        _check_day(on, not_before=locked.correction_requested_on, today=today, what=_("收到补正日期"))

    return _move(
        user=user,
        application=application,
        name="receive_correction",
        changes={"correction_received_on": on, "clock_start": on},
        check=check,
        comment=note,
    )


@transaction.atomic
def application_start_consultation(
    *,
    user,
    application: Application,
    kind: str,
    party: str,
    on: date | None = None,
    note: str = "",
    today: date | None = None,
) -> Application:
    """Consult a third party or another agency: the clock pauses from ``on``."""
    today = today or timezone.localdate()
    on = on or today
    pause = ApplicationPause(kind=kind, party=party, started_on=on, note=note)

    def check(locked: Application, _transition) -> None:
        if not party.strip():
            raise ValidationError(_("请填写征求意见的对象。"))
        _check_day(on, not_before=locked.clock_start, today=today, what=_("发出征求意见日期"))
        last_end = (
            locked.pauses.exclude(ended_on=None).order_by("-ended_on").values_list("ended_on", flat=True).first()
        )
        if last_end and on < last_end:
            raise ValidationError(_("征求意见期间不能与此前的征求意见期间重叠。"))
        pause.full_clean(exclude=["application"])

    locked = _move(
        user=user,
        application=application,
        name="start_consultation",
        check=check,
        comment=f"{pause}，{cn_date(on)}",
    )
    pause.application = locked
    pause.save()
    return locked


@transaction.atomic
def application_end_consultation(
    *, user, application: Application, on: date | None = None, note: str = "", today: date | None = None
) -> Application:
    """The opinion came back (or the period ran out): the clock runs again after ``on``."""
    today = today or timezone.localdate()
    on = on or today
    found: list[ApplicationPause] = []

    def check(locked: Application, _transition) -> None:
        pause = locked.pauses.filter(ended_on=None).first()
        if pause is None:  # the state goes with an open pause; defensive
            raise InvalidTransition(_("没有进行中的征求意见。"))
        _check_day(on, not_before=pause.started_on, today=today, what=_("征求意见结束日期"))
        found.append(pause)

    locked = _move(
        user=user,
        application=application,
        name="end_consultation",
        check=check,
        comment=lambda _locked: f"{found[0]}，{cn_date(on)}",
    )
    pause = found[0]
    pause.ended_on = on
    if note:
        pause.note = f"{pause.note}\n{note}".strip()
    pause.save(update_fields=["ended_on", "note"])
    return locked


@transaction.atomic
def application_resume_consultation(*, application: Application, today: date | None = None) -> Application:
    """The clock resumes by itself (条例 第三十二条): the consultation's THIRD_PARTY_DAYS working days
    from the day the request was sent are over and no answer was recorded. By the system only
    (``manage.py check_deadlines``); the open pause is closed on its last day, the limit.

    Only on the official calendar: while the limit falls in a year whose holidays are not entered,
    nothing is stored (the clock already counts the pause as over on its provisional limit), so that
    no guessed date is ever written down.
    """
    today = today or timezone.localdate()
    found: list[tuple[ApplicationPause, date]] = []

    def check(locked: Application, _transition) -> None:
        pause = locked.pauses.filter(ended_on=None).first()
        if pause is None:  # the state goes with an open pause; defensive
            raise InvalidTransition(_("没有进行中的征求意见。"))
        limit = clock.pause_limit(pause)  # strict: CalendarUnknown refuses, nothing written
        if today <= limit:
            raise InvalidTransition(
                _("征求意见期限至%(limit)s，尚未届满。") % {"limit": cn_date(limit)}
            )
        found.append((pause, limit))

    def comment(_locked: Application) -> str:
        pause, limit = found[0]
        return _(
            "%(pause)s：自%(start)s发出征求意见起满%(days)d个工作日（%(limit)s），未登记收到意见，"
            "自动恢复计算答复期限（条例第三十二条）。"
        ) % {"pause": pause, "start": cn_date(pause.started_on), "days": clock.THIRD_PARTY_DAYS, "limit": cn_date(limit)}

    locked, _previous = transitions.move(
        application,
        table=TRANSITIONS,
        name="resume_consultation",
        user=None,
        denial=policy.denial_reason,
        log=lambda locked, previous, target, _note: _log(
            locked, None, "resume_consultation", previous, target, comment(locked), nobody=_("系统（期满自动恢复）")
        ),
        check=check,
    )
    pause, limit = found[0]
    pause.ended_on = limit
    pause.save(update_fields=["ended_on"])
    return locked


def applications_resume_expired_consultations(*, today: date | None = None) -> list[Application]:
    """Resume every consultation past its statutory limit (the reminder job runs this first).
    Each is its own transaction; one refused (answered meanwhile, calendar not entered) is skipped."""
    today = today or timezone.localdate()
    resumed = []
    ids = Application.objects.filter(status=ApplicationStatus.CONSULTATION).values_list("pk", flat=True)
    for pk in list(ids):
        try:
            resumed.append(application_resume_consultation(application=Application(pk=pk), today=today))
        except (InvalidTransition, CalendarUnknown):
            continue
    return resumed


@transaction.atomic
def application_extend(
    *, user, application: Application, days: int, reason: str, on: date | None = None, today: date | None = None
) -> Application:
    """Approve the one extension of article 33 (at most MAX_EXTENSION_DAYS working days), before the
    time runs out."""
    today = today or timezone.localdate()
    on = on or today

    def check(locked: Application, _transition) -> None:
        if locked.extension_approved_on:
            raise InvalidTransition(_("答复期限只能延长一次，本申请已延长过。"))
        if not isinstance(days, int) or not 1 <= days <= clock.MAX_EXTENSION_DAYS:
            raise ValidationError(_("延长期限应为1至%(max)d个工作日。") % {"max": clock.MAX_EXTENSION_DAYS})
        if not reason.strip():
            raise ValidationError(_("请填写延长答复期限的理由。"))
        _check_day(on, not_before=locked.clock_start, today=today, what=_("批准延期日期"))
        try:
            due, _paused = clock.due_on(locked, today=on, with_extension=False)
        except CalendarUnknown:
            due = None  # cannot tell; the extension is not refused for want of a calendar
        if due is not None and on > due:
            raise ValidationError(_("答复期限已于%(due)s届满，不能再延长。") % {"due": cn_date(due)})

    return _move(
        user=user,
        application=application,
        name="extend",
        changes={
            "extension_days": days,
            "extension_reason": reason,
            "extension_approved_by": user,
            "extension_approved_on": on,
        },
        check=check,
        comment=_("延长%(days)d个工作日：%(reason)s") % {"days": days, "reason": reason},
    )


@transaction.atomic
def application_record_extension_notice(
    *, user, application: Application, on: date | None = None, today: date | None = None
) -> Application:
    """Record the day the applicant was told of the extension (告知申请人)."""
    today = today or timezone.localdate()
    on = on or today

    def check(locked: Application, _transition) -> None:
        if not locked.extension_approved_on:
            raise InvalidTransition(_("本申请没有批准延期，无需告知。"))
        if locked.extension_notified_on:
            raise InvalidTransition(_("延期告知已登记。"))
        _check_day(on, not_before=locked.extension_approved_on, today=today, what=_("延期告知日期"))

    return _move(
        user=user,
        application=application,
        name="notify_extension",
        changes={"extension_notified_on": on},
        check=check,
        comment=cn_date(on),
    )


@transaction.atomic
def application_reply(
    *,
    user,
    application: Application,
    reply_type: str,
    note: str = "",
    on: date | None = None,
    today: date | None = None,
) -> Application:
    """Reply with one of the article-36 types (the sub-rows of table 3)."""
    today = today or timezone.localdate()
    on = on or today

    def check(locked: Application, _transition) -> None:
        if reply_type not in ReplyType.values:
            raise ValidationError(_("请选择答复类型。"))
        if locked.awaiting_correction and reply_type != ReplyType.OTHER_NO_CORRECTION:
            raise InvalidTransition(_("待补正的申请只能以“逾期不补正”办结；收到补正后再作其他答复。"))
        if reply_type == ReplyType.UNABLE_UNCLEAR and not locked.correction_received_on:
            raise ValidationError(_("“补正后申请内容仍不明确”只适用于已经补正的申请。"))
        not_before = locked.correction_requested_on if locked.awaiting_correction else locked.clock_start
        _check_day(on, not_before=not_before, today=today, what=_("答复日期"))

    return _move(
        user=user,
        application=application,
        name="reply",
        changes={"reply_type": reply_type, "replied_on": on, "reply_note": note},
        check=check,
        comment=lambda _locked: f"{ReplyType(reply_type).label}，{cn_date(on)}",
    )


@transaction.atomic
def application_close(*, user, application: Application, note: str = "") -> Application:
    """File a replied application (办结归档)."""
    return _move(user=user, application=application, name="close", changes={"closed_at": timezone.now()}, comment=note)


# -- retention of the applicant's personal data --------------------------------------------------------


def purge_cutoff(now: datetime | None = None, retention_days: int | None = None) -> datetime:
    """Applications closed before this moment have outlived ``settings.APPLICATION_RETENTION_DAYS``."""
    days = settings.APPLICATION_RETENTION_DAYS if retention_days is None else retention_days
    return (now or timezone.now()) - timedelta(days=days)


@transaction.atomic
def application_purge_personal_data(*, application: Application, now: datetime | None = None) -> bool:
    """Blank the applicant's personal data of one closed application (``PERSONAL_FIELDS``) and log it.

    What the annual report counts (applicant type, dates, organisation, reply type) stays. A
    compare-and-set on ``personal_data_removed_at`` claims the row, so that two runs at once purge
    and log it once: the loser returns False, as does an application that is not closed.
    """
    now = now or timezone.now()
    if application.status != ApplicationStatus.CLOSED:
        return False
    try:
        transitions.claim(
            application,
            field="personal_data_removed_at",
            expected=None,
            values={"personal_data_removed_at": now, **{name: "" for name in PERSONAL_FIELDS}},
        )
    except InvalidTransition:
        return False
    _log(
        application,
        None,
        "purge_personal_data",
        application.status,
        application.status,
        _("办结后保存期满，已清除申请人个人信息。"),
        nobody=_("系统（保存期满）"),
    )
    return True


def applications_past_retention(*, now: datetime | None = None, retention_days: int | None = None):
    """Closed applications whose retention has run out and whose personal data is still there."""
    return Application.objects.filter(
        status=ApplicationStatus.CLOSED,
        closed_at__lt=purge_cutoff(now, retention_days),
        personal_data_removed_at__isnull=True,
    ).order_by("pk")


def applications_purge_expired(*, now: datetime | None = None, retention_days: int | None = None) -> int:
    """Purge every application past retention (``manage.py purge_applicant_data``); returns how many
    this run purged. Each one is its own transaction: an interrupted run keeps what it did."""
    now = now or timezone.now()
    purged = 0
    for application in applications_past_retention(now=now, retention_days=retention_days).iterator():
        if application_purge_personal_data(application=application, now=now):
            purged += 1
    return purged


@transaction.atomic
def application_assign_handler(*, user, application: Application, handler) -> Application:
    """Make ``handler`` the application's 承办人 (any state but 已办结): a member of staff of the organisation it
    is addressed to, holding a handling role; ``user`` must be a handler there too. Logged; the reply
    reminders then go to the 承办人 alone. Assigning the current 承办人 again changes and logs nothing."""
    locked = Application.objects.select_for_update().get(pk=application.pk)
    if not policy.can_register_in(user, locked.organisation_id):
        raise PermissionDenied(_("只有本单位的办理人员可以指定承办人。"))
    if locked.status == ApplicationStatus.CLOSED:
        raise InvalidTransition(_("该申请已办结，不能再指定承办人。"))
    if handler is None or not handler.is_active or not policy.is_handler_of(handler, locked.organisation_id):
        raise ValidationError({"handler": _("承办人须为本单位在职的信息员、审核员或单位管理员。")})
    if locked.handler_id == handler.pk:
        return locked
    Application.objects.filter(pk=locked.pk).update(handler=handler, updated_at=timezone.now())
    locked.handler = handler
    _log(locked, user, "assign", locked.status, locked.status, _("承办人：%s") % actor_name(handler))
    return locked

"""Applications for disclosure (依申请公开): who may see them, their clock, their moves, their figures.

Every change of an application goes through a function here: it locks the row, checks the state
(``InvalidTransition``), checks the right (``PermissionDenied``), changes it and writes an
ActivityEntry (subject_type "application"). Admin actions, scripts and the demo all call them.

The reply clock (条例 articles 30–33), as applied here:

- ``received_on`` is the day the application arrived (for online applications the day it was
  submitted; the portal acknowledges it at once with a tracking code, which is the confirmation of
  article 31). Counting starts at ``clock_start``, which is ``received_on`` and, after a correction
  (补正), the day the correction arrived (article 30: the clock restarts).
- When ``clock_start`` is not a working day (an online application on a Saturday or during the
  National Day holiday), the application is treated as received on the next working day, and the
  20 working days count after that day. This is the local practice "节假日期间提交的申请，顺延至
  节假日后第一个工作日受理"; it never shortens the applicant's deadline by more than the days the
  office was closed.
- Due date = ``add_working_days(start, 20 + extension_days + paused working days)``. Consultation
  days (征求意见, articles 32 and 34) are the working days in (started_on, ended_on] of each pause
  begun on or after ``clock_start``; an open pause counts up to today.
- While a correction is awaited the clock does not run (no due date). When the official holiday
  schedule of a year the count reaches is unknown, the due date is "无法计算（节假日安排未录入）":
  never a guess.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.models import Organisation
from disclosure.applications.models import (
    ApplicantType,
    Application,
    ApplicationChannel,
    ApplicationPause,
    ApplicationStatus,
    ReplyType,
)
from disclosure.core.access import Role, organisation_of, roles_of
from disclosure.core.log import ActivityEntry
from disclosure.core.transitions import InvalidTransition
from disclosure.core.workdays import CalendarUnknown, add_working_days, is_working_day, working_days_between

SUBJECT_TYPE = "application"
REPLY_DAYS = 20  # 条例 article 33
MAX_EXTENSION_DAYS = 20  # 条例 article 33
CORRECTION_NOTICE_DAYS = 7  # 条例 article 30
UNKNOWN_DUE_TEXT = gettext_lazy("无法计算（节假日安排未录入）")

# Crockford's base32: no I, L, O or U, so a code read aloud or copied by hand survives; input is
# normalised (O→0, I/L→1) before lookup. 12 characters carry 60 random bits.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 12
_CODE_NORMALISE = str.maketrans({"O": "0", "I": "1", "L": "1"})

HANDLER_ROLES = frozenset({Role.EDITOR, Role.REVIEWER, Role.ORG_ADMIN})
READER_ROLES = HANDLER_ROLES | {Role.AUDITOR}

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


# ---------------------------------------------------------------------------------------------
# Who may see and handle applications. Personal data: the target organisation's staff only.
# ---------------------------------------------------------------------------------------------


def _is_super(user) -> bool:
    return bool(getattr(user, "is_superuser", False) and getattr(user, "is_active", False))


def _roles_in(user, organisation_id: int) -> frozenset[str]:
    organisation = organisation_of(user)
    if organisation is None or organisation.pk != organisation_id:
        return frozenset()
    return roles_of(user)


def visible_applications(user) -> QuerySet[Application]:
    """Applications a member of staff may open: those addressed to their own organisation.

    Auditors of a superior organisation do not see them (they read the annual figures instead):
    an application carries an applicant's personal data. System administrators see all.
    """
    if _is_super(user):
        return Application.objects.all()
    organisation = organisation_of(user)
    if organisation is None or not (roles_of(user) & READER_ROLES):
        return Application.objects.none()
    return Application.objects.filter(organisation=organisation)


def can_view(user, application: Application) -> bool:
    return _is_super(user) or bool(_roles_in(user, application.organisation_id) & READER_ROLES)


def can_handle_in(user, organisation_id: int) -> bool:
    """Register, correct, consult, reply, close: the organisation's 信息员, 审核员 or 单位管理员."""
    return _is_super(user) or bool(_roles_in(user, organisation_id) & HANDLER_ROLES)


def can_approve_extension(user, application: Application) -> bool:
    """Approving an extension is the reviewer's (the office head's consent of article 33)."""
    return _is_super(user) or Role.REVIEWER in _roles_in(user, application.organisation_id)


# ---------------------------------------------------------------------------------------------
# Tracking codes
# ---------------------------------------------------------------------------------------------


def new_tracking_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))


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


# ---------------------------------------------------------------------------------------------
# The clock
# ---------------------------------------------------------------------------------------------


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


def _start_of_count(day: date) -> date:
    """The day counted as "received": ``day`` itself, or the first working day after it."""
    return day if is_working_day(day) else add_working_days(day, 1)


def _paused_working_days(application: Application, pauses, today: date) -> int:
    total = 0
    for pause in pauses:
        if pause.started_on < application.clock_start:
            continue  # before a correction restarted the clock
        end = pause.ended_on or max(today, pause.started_on)
        total += working_days_between(pause.started_on, end)
    return total


def _due_on(application: Application, *, today: date, with_extension: bool = True) -> tuple[date, int]:
    pauses = list(application.pauses.all())
    paused = _paused_working_days(application, pauses, today)
    days = REPLY_DAYS + paused + (application.extension_days if with_extension else 0)
    return add_working_days(_start_of_count(application.clock_start), days), paused


def application_clock(application: Application, *, today: date | None = None) -> Clock:
    """The due date and its flags. Never raises for an unknown calendar year: says so instead."""
    today = today or timezone.localdate()
    if application.correction_requested_on and not application.correction_received_on:
        # Awaiting the correction, or closed because it never came (逾期不补正): no reply was due.
        ended = application.status != ApplicationStatus.CORRECTION
        return Clock(due_on=None, running=False, ended_without_correction=ended)
    try:
        due, paused_days = _due_on(application, today=today)
    except CalendarUnknown:
        return Clock(due_on=None, unknown=True)
    status = application.status
    return Clock(
        due_on=due,
        paused=status == ApplicationStatus.CONSULTATION,
        overdue=status == ApplicationStatus.RECEIVED and today > due,
        replied_late=application.replied_on is not None and application.replied_on > due,
        paused_days=paused_days,
    )


def correction_notice_deadline(application: Application) -> date | None:
    """The last day to ask for a correction: 7 working days after receipt (article 30), or None
    when the calendar is unknown. Counted from the original receipt, not from a restarted clock."""
    try:
        return add_working_days(_start_of_count(application.received_on), CORRECTION_NOTICE_DAYS)
    except CalendarUnknown:
        return None


def correction_was_late(application: Application) -> bool:
    """Whether the correction notice went out after the 7-working-day limit."""
    if application.correction_requested_on is None:
        return False
    deadline = correction_notice_deadline(application)
    return deadline is not None and application.correction_requested_on > deadline


def overdue_application_ids(queryset: QuerySet[Application], *, today: date | None = None) -> list[int]:
    """Ids of open applications past their due date (computed in Python: the calendar is not SQL)."""
    today = today or timezone.localdate()
    open_ones = queryset.filter(status=ApplicationStatus.RECEIVED).prefetch_related("pauses")
    return [a.pk for a in open_ones if application_clock(a, today=today).overdue]


# ---------------------------------------------------------------------------------------------
# Moves
# ---------------------------------------------------------------------------------------------


class Right:
    HANDLE = "handle"
    APPROVE = "approve"


@dataclass(frozen=True)
class Move:
    name: str
    label: str
    sources: tuple[str, ...]
    target: str | None  # None: the status stays (the move records a fact)
    right: str


S = ApplicationStatus
MOVES = {
    m.name: m
    for m in (
        Move("request_correction", gettext_lazy("告知补正"), (S.RECEIVED,), S.CORRECTION, Right.HANDLE),
        Move("receive_correction", gettext_lazy("收到补正"), (S.CORRECTION,), S.RECEIVED, Right.HANDLE),
        Move("start_consultation", gettext_lazy("征求意见"), (S.RECEIVED,), S.CONSULTATION, Right.HANDLE),
        Move("end_consultation", gettext_lazy("结束征求意见"), (S.CONSULTATION,), S.RECEIVED, Right.HANDLE),
        Move("extend", gettext_lazy("批准延期"), (S.RECEIVED, S.CONSULTATION), None, Right.APPROVE),
        Move(
            "notify_extension",
            gettext_lazy("登记延期告知"),
            (S.RECEIVED, S.CONSULTATION, S.REPLIED, S.CLOSED),
            None,
            Right.HANDLE,
        ),
        Move("reply", gettext_lazy("答复"), (S.RECEIVED, S.CORRECTION), S.REPLIED, Right.HANDLE),
        Move("close", gettext_lazy("办结归档"), (S.REPLIED,), S.CLOSED, Right.HANDLE),
    )
}
del S


def moves_for(user, application: Application) -> list[Move]:
    """The moves this user could make now (used to show buttons; services check again)."""
    moves = []
    for move in MOVES.values():
        if application.status not in move.sources or not _allowed(user, move, application):
            continue
        if move.name == "request_correction" and application.correction_requested_on:
            continue
        if move.name == "extend" and application.extension_approved_on:
            continue
        if move.name == "notify_extension" and (
            not application.extension_approved_on or application.extension_notified_on
        ):
            continue
        moves.append(move)
    return moves


def denial_reason(user, move: Move, application: Application) -> str | None:
    """Why the user may not make the move on this application (state not considered), or None."""
    if user is not None and _allowed(user, move, application):
        return None
    if move.right == Right.APPROVE:
        return _("只有本机关的审核员可以批准延长答复期限。")
    return _("只有本机关的工作人员可以办理该申请。")


def _allowed(user, move: Move, application: Application) -> bool:
    if move.right == Right.APPROVE:
        return can_approve_extension(user, application)
    return can_handle_in(user, application.organisation_id)


def _audit(application: Application, user, action: str, from_status: str, to_status: str, comment: str = ""):
    return ActivityEntry.write_for(
        application,
        subject_type=SUBJECT_TYPE,
        # The tracking code, never the applicant: auditors read this log.
        title=_("依申请公开 %(code)s") % {"code": application.tracking_code},
        organisation_id=application.organisation_id,
        user=user,
        nobody=_("申请人（网上提交）"),
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
            _("%(what)s不能早于%(date)s。") % {"what": what, "date": f"{not_before:%Y-%m-%d}"}
        )


def _lock_and_check(*, user, application: Application, name: str) -> tuple[Application, Move]:
    move = MOVES[name]
    locked = Application.objects.select_for_update().get(pk=application.pk)
    if locked.status not in move.sources:
        raise InvalidTransition(
            _("当前状态为“%(status)s”，不能执行“%(action)s”。")
            % {"status": ApplicationStatus(locked.status).label, "action": move.label}
        )
    reason = denial_reason(user, move, locked)
    if reason:
        raise PermissionDenied(reason)
    return locked, move


def _apply(*, user, locked: Application, move: Move, changes: dict, comment: str = "") -> Application:
    """Compare-and-set the new values (and status), write the audit row."""
    previous = locked.status
    values = dict(changes)
    if move.target is not None:
        values["status"] = move.target
    claimed = Application.objects.filter(pk=locked.pk, status=previous).update(
        **values, updated_at=timezone.now()
    )
    if claimed != 1:
        raise InvalidTransition(_("该申请的状态已被他人更改，请刷新后重试。"))
    for field_name, value in values.items():
        setattr(locked, field_name, value)
    _audit(locked, user, move.name, previous, locked.status, comment)
    return locked


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


@transaction.atomic
def application_submit(*, organisation: Organisation, submitted_at: datetime | None = None, **fields) -> Application:
    """An online application from a citizen: saved before the tracking code is shown.

    ``received_on`` is the local date of submission (see the module docstring for how a
    non-working day is counted).
    """
    unknown = set(fields) - set(APPLICANT_FIELDS)
    if unknown:
        raise TypeError(f"unknown application fields: {sorted(unknown)}")
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
    _audit(application, None, "submit", "", application.status, _("网上提交，已生成查询码。"))
    return application


@transaction.atomic
def application_register(
    *,
    user,
    organisation: Organisation,
    channel: str,
    received_on: date,
    today: date | None = None,
    **fields,
) -> Application:
    """Register an application that arrived by letter, in person, by fax or email (登记)."""
    if not can_handle_in(user, organisation.pk):
        raise PermissionDenied(_("只有本机关的工作人员可以登记申请。"))
    unknown = set(fields) - set(APPLICANT_FIELDS)
    if unknown:
        raise TypeError(f"unknown application fields: {sorted(unknown)}")
    _check_day(received_on, not_before=None, today=today or timezone.localdate(), what=_("收到申请日期"))
    application = Application(
        organisation=organisation,
        channel=channel,
        submitted_at=timezone.now(),
        received_on=received_on,
        clock_start=received_on,
        **fields,
    )
    _validate_applicant(application)
    _save_with_new_code(application)
    _audit(application, user, "register", "", application.status, ApplicationChannel(channel).label)
    return application


@transaction.atomic
def application_request_correction(
    *, user, application: Application, note: str, on: date | None = None, today: date | None = None
) -> Application:
    """Ask the applicant, once, to correct an unclear application (补正告知, article 30).

    Allowed after the 7-working-day limit too (the notice is still owed), but the audit entry and
    ``correction_was_late`` record that it was late.
    """
    locked, move = _lock_and_check(user=user, application=application, name="request_correction")
    if locked.correction_requested_on:
        raise InvalidTransition(_("补正告知应一次性提出，本申请已告知过补正。"))
    if not note.strip():
        raise ValidationError(_("请写明需要补正的事项。"))
    today = today or timezone.localdate()
    on = on or today
    _check_day(on, not_before=locked.clock_start, today=today, what=_("补正告知日期"))
    locked.correction_requested_on = on
    late = correction_was_late(locked)
    comment = note + ("\n" + _("已超过收到申请后7个工作日的补正告知时限。") if late else "")
    return _apply(
        user=user,
        locked=locked,
        move=move,
        changes={"correction_requested_on": on, "correction_note": note},
        comment=comment,
    )


@transaction.atomic
def application_receive_correction(
    *, user, application: Application, on: date | None = None, note: str = "", today: date | None = None
) -> Application:
    """The correction arrived: the reply clock restarts from that day."""
    locked, move = _lock_and_check(user=user, application=application, name="receive_correction")
    today = today or timezone.localdate()
    on = on or today
    _check_day(on, not_before=locked.correction_requested_on, today=today, what=_("收到补正日期"))
    return _apply(
        user=user,
        locked=locked,
        move=move,
        changes={"correction_received_on": on, "clock_start": on},
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
    locked, move = _lock_and_check(user=user, application=application, name="start_consultation")
    if not party.strip():
        raise ValidationError(_("请填写征求意见的对象。"))
    today = today or timezone.localdate()
    on = on or today
    _check_day(on, not_before=locked.clock_start, today=today, what=_("发出征求意见日期"))
    last_end = locked.pauses.exclude(ended_on=None).order_by("-ended_on").values_list("ended_on", flat=True).first()
    if last_end and on < last_end:
        raise ValidationError(_("征求意见期间不能与此前的征求意见期间重叠。"))
    pause = ApplicationPause(application=locked, kind=kind, party=party, started_on=on, note=note)
    pause.full_clean(exclude=["application"])
    pause.save()
    return _apply(user=user, locked=locked, move=move, changes={}, comment=f"{pause}，{on:%Y-%m-%d}")


@transaction.atomic
def application_end_consultation(
    *, user, application: Application, on: date | None = None, note: str = "", today: date | None = None
) -> Application:
    """The opinion came back (or the period ran out): the clock runs again after ``on``."""
    locked, move = _lock_and_check(user=user, application=application, name="end_consultation")
    pause = locked.pauses.filter(ended_on=None).first()
    if pause is None:  # the constraint pairs the state with an open pause; defensive
        raise InvalidTransition(_("没有进行中的征求意见。"))
    today = today or timezone.localdate()
    on = on or today
    _check_day(on, not_before=pause.started_on, today=today, what=_("征求意见结束日期"))
    pause.ended_on = on
    if note:
        pause.note = f"{pause.note}\n{note}".strip()
    pause.save(update_fields=["ended_on", "note"])
    return _apply(user=user, locked=locked, move=move, changes={}, comment=f"{pause}，{on:%Y-%m-%d}")


@transaction.atomic
def application_extend(
    *, user, application: Application, days: int, reason: str, on: date | None = None, today: date | None = None
) -> Application:
    """Approve the one extension of article 33 (at most 20 working days), before the time runs out."""
    locked, move = _lock_and_check(user=user, application=application, name="extend")
    if locked.extension_approved_on:
        raise InvalidTransition(_("答复期限只能延长一次，本申请已延长过。"))
    if not isinstance(days, int) or not 1 <= days <= MAX_EXTENSION_DAYS:
        raise ValidationError(_("延长期限应为1至20个工作日。"))
    if not reason.strip():
        raise ValidationError(_("请填写延长答复期限的理由。"))
    today = today or timezone.localdate()
    on = on or today
    _check_day(on, not_before=locked.clock_start, today=today, what=_("批准延期日期"))
    try:
        due, _paused = _due_on(locked, today=on, with_extension=False)
    except CalendarUnknown:
        due = None  # cannot tell; the extension is not refused for want of a calendar
    if due is not None and on > due:
        raise ValidationError(
            _("答复期限已于%(due)s届满，不能再延长。") % {"due": f"{due:%Y-%m-%d}"}
        )
    return _apply(
        user=user,
        locked=locked,
        move=move,
        changes={
            "extension_days": days,
            "extension_reason": reason,
            "extension_approved_by": user,
            "extension_approved_on": on,
        },
        comment=_("延长%(days)d个工作日：%(reason)s") % {"days": days, "reason": reason},
    )


@transaction.atomic
def application_record_extension_notice(
    *, user, application: Application, on: date | None = None, today: date | None = None
) -> Application:
    """Record the day the applicant was told of the extension (告知申请人)."""
    locked, move = _lock_and_check(user=user, application=application, name="notify_extension")
    if not locked.extension_approved_on:
        raise InvalidTransition(_("本申请没有批准延期，无需告知。"))
    if locked.extension_notified_on:
        raise InvalidTransition(_("延期告知已登记。"))
    today = today or timezone.localdate()
    on = on or today
    _check_day(on, not_before=locked.extension_approved_on, today=today, what=_("延期告知日期"))
    return _apply(
        user=user, locked=locked, move=move, changes={"extension_notified_on": on}, comment=f"{on:%Y-%m-%d}"
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
    locked, move = _lock_and_check(user=user, application=application, name="reply")
    if reply_type not in ReplyType.values:
        raise ValidationError(_("请选择答复类型。"))
    if locked.status == ApplicationStatus.CORRECTION and reply_type != ReplyType.OTHER_NO_CORRECTION:
        raise InvalidTransition(
            _("待补正的申请只能以“逾期不补正”办结；收到补正后再作其他答复。")
        )
    if reply_type == ReplyType.UNABLE_UNCLEAR and not locked.correction_received_on:
        raise ValidationError(_("“补正后申请内容仍不明确”只适用于已经补正的申请。"))
    today = today or timezone.localdate()
    on = on or today
    not_before = locked.correction_requested_on if locked.status == ApplicationStatus.CORRECTION else locked.clock_start
    _check_day(on, not_before=not_before, today=today, what=_("答复日期"))
    return _apply(
        user=user,
        locked=locked,
        move=move,
        changes={"reply_type": reply_type, "replied_on": on, "reply_note": note},
        comment=f"{ReplyType(reply_type).label}，{on:%Y-%m-%d}",
    )


@transaction.atomic
def application_close(*, user, application: Application, note: str = "") -> Application:
    """File a replied application (办结归档)."""
    locked, move = _lock_and_check(user=user, application=application, name="close")
    return _apply(user=user, locked=locked, move=move, changes={"closed_at": timezone.now()}, comment=note)


def application_history(application: Application) -> QuerySet[ActivityEntry]:
    return ActivityEntry.objects.filter(subject_type=SUBJECT_TYPE, subject_id=application.pk).order_by(
        "created_at", "id"
    )


# ---------------------------------------------------------------------------------------------
# Deadline reminders (manage.py check_deadlines, disclosure/deadlines.py)
# ---------------------------------------------------------------------------------------------


def _handler_emails_by_organisation(org_ids) -> dict[int, tuple[str, ...]]:
    from disclosure.core.staff import StaffProfile

    emails: dict[int, set[str]] = {}
    profiles = StaffProfile.objects.filter(
        organisation_id__in=org_ids,
        user__is_active=True,
        user__groups__name__in=list(HANDLER_ROLES),
    ).exclude(user__email="").values_list("organisation_id", "user__email")
    for org_id, email in profiles:
        emails.setdefault(org_id, set()).add(email)
    return {org_id: tuple(sorted(found)) for org_id, found in emails.items()}


def application_deadline_source(now: datetime):
    """Reply deadlines of applications being handled, for the organisation's handlers.

    Applications awaiting a correction or in consultation have no running clock and yield nothing;
    a year without a known holiday schedule yields nothing either (no reminder from a guess). The
    deadline kind carries the due date, so that a restarted or extended clock gets its own reminders.
    """
    from datetime import time, timedelta

    from django.urls import reverse

    from disclosure.core.deadlines import Deadline

    today = timezone.localdate(now)
    applications = list(
        Application.objects.filter(status=ApplicationStatus.RECEIVED)
        .prefetch_related("pauses")
        .order_by("received_on", "pk")
    )
    recipients = _handler_emails_by_organisation({a.organisation_id for a in applications})
    tz = timezone.get_current_timezone()
    for application in applications:
        clock = application_clock(application, today=today)
        if clock.due_on is None:
            continue
        # Due "within" the due day: overdue from the start of the next day.
        due_at = datetime.combine(clock.due_on + timedelta(days=1), time.min, tzinfo=tz)
        yield Deadline(
            source=SUBJECT_TYPE,
            subject_id=application.pk,
            subject_title=_("依申请公开 %(code)s") % {"code": application.tracking_code},
            organisation_id=application.organisation_id,
            kind=f"reply:{clock.due_on.isoformat()}",
            label=_("答复"),
            due_at=due_at,
            warn_before=timedelta(days=3),
            recipients=recipients.get(application.organisation_id, ()),
            admin_path=reverse("admin:disclosure_application_change", args=[application.pk]),
            subject_label=_("依申请公开"),
        )

"""公示期: the period, the objections (异议) filed during it, and what the daily job does when it ends.

The period. A 公示 of N days starts on the day the record is published (local time) and that day counts:
calendar days end on day N (7 days published on Monday 2026-06-01: 1 June to 7 June); working days count
the publication day if it is a working day and then working days on the official calendar
(``disclosure.core.workdays``), so 5 working days published on Friday 2026-09-25 (中秋节, not counted) run
to Friday 2026-10-09 across the National Day holiday (the notice: 10月1日至7日放假调休, 9月20日、10月10日上班). The rules
behind a 公示 (补助对象审核、轮候、征收补偿) set N; the bureau enters it (norms.md: "the period stated by the
rule or notice behind it").

The end. On the first day after the period the job (``public_notices_end_due``, ``manage.py
end_public_notices``) carries out what the publisher chose before publishing, as one system move of
``NOTICE_TRANSITIONS``: keep it public; withdraw it (the records' system move ``notice_withdraw``); or replace
it by a de-identified version (names kept; ID, phone and bank card numbers masked in the body and in
CSV/XLSX/DOCX attachments; a file that cannot be rewritten and holds, or may hold, personal data is left
out), published by the system move ``publish_deidentified`` under the same index number, the original
superseded. The de-identified version is scanned again before it is published; if anything is still found
the job refuses and says so in its log, and the list stays as it was for staff to handle.

Objections. While the period runs, anyone may file an objection online (the public form on the record
page, with the antispam of every public form). It is never public. It goes by e-mail to the notice's
responsible staff (异议承办人) and onto their to-do panel, with a reply due
``OBJECTION_REPLY_WORKING_DAYS`` working days after it arrived: a service standard of this platform, not a
statutory number (no law sets one; norms.md). Reply and close are moves of ``OBJECTION_TRANSITIONS``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from disclosure.core import access, deidentify, privacy, transitions
from disclosure.core.access import Role
from disclosure.core.deadlines import Deadline, warn_before_working_days
from disclosure.core.log import ActivityEntry
from disclosure.core.models import actor_name
from disclosure.core.staff import StaffProfile
from disclosure.core.transitions import InvalidTransition, Right, Transition, TransitionTable, claim
from disclosure.core.workdays import CalendarUnknown, add_working_days, is_working_day
from disclosure.records import policy, privacy_guard
from disclosure.records.models import UNPUBLISHED_STATUSES, Attachment, AuditEntry, Record, Status
from disclosure.records.publicity_models import (
    NOTICE_MAX_DAYS,
    DayKind,
    EndAction,
    NoticeObjection,
    NoticeStatus,
    ObjectionStatus,
    PublicNotice,
)
from disclosure.records.search_index import search_document_refresh
from disclosure.records.selectors import public_records
from disclosure.records.services import CONTENT_FIELDS, _snapshot
from disclosure.records.workflow import TRANSITIONS

logger = logging.getLogger(__name__)

OBJECTION_REPLY_WORKING_DAYS = 5
OBJECTION_SUBJECT = "notice_objection"

NOTICE_TRANSITIONS = TransitionTable(
    (
        Transition("notice_keep", gettext_lazy("公示期满继续公开"), (NoticeStatus.ACTIVE,), NoticeStatus.KEPT,
                   Right.SYSTEM),
        Transition("notice_withdraw", gettext_lazy("公示期满撤下"), (NoticeStatus.ACTIVE,), NoticeStatus.WITHDRAWN,
                   Right.SYSTEM),
        Transition("notice_deidentify", gettext_lazy("公示期满替换为去标识化版本"), (NoticeStatus.ACTIVE,),
                   NoticeStatus.DEIDENTIFIED, Right.SYSTEM),
    ),
    states=NoticeStatus,
)
END_MOVES = {
    EndAction.KEEP: "notice_keep",
    EndAction.WITHDRAW: "notice_withdraw",
    EndAction.DEIDENTIFY: "notice_deidentify",
}

OBJECTION_TRANSITIONS = TransitionTable(
    (
        Transition("reply", gettext_lazy("答复"), (ObjectionStatus.RECEIVED,), ObjectionStatus.REPLIED,
                   Right.HANDLE, True),
        Transition("close", gettext_lazy("不予答复并办结"), (ObjectionStatus.RECEIVED,), ObjectionStatus.CLOSED,
                   Right.HANDLE, True),
    ),
    states=ObjectionStatus,
)


class ObjectionsClosed(Exception):
    """The 公示 does not take objections now (not yet public, or its period is over)."""


# ------------------------------------------------------------------------------------------ the period


def period(notice: PublicNotice, published_at: datetime) -> tuple[date, date]:
    """(first day, last day) of the 公示 of a record published at ``published_at``. CalendarUnknown when
    working days reach a year whose holidays are not entered."""
    start = timezone.localdate(published_at)
    if notice.day_kind == DayKind.CALENDAR:
        return start, start + timedelta(days=notice.day_count - 1)
    first = start if is_working_day(start) else add_working_days(start, 1)
    return start, add_working_days(first, notice.day_count - 1)


@dataclass(frozen=True)
class NoticeState:
    """What the public page shows about a 公示."""

    notice: PublicNotice
    start: date | None
    end: date | None
    days_left: int | None  # calendar days after today up to the last day; 0 on the last day
    running: bool
    ended: bool
    unknown: bool = False  # the last day cannot be computed yet (next year's holidays not entered)


def notice_state(notice: PublicNotice, published_at: datetime | None, *, today: date | None = None) -> NoticeState:
    today = today or timezone.localdate()
    if published_at is None:
        return NoticeState(notice, None, None, None, False, False)
    try:
        start, end = period(notice, published_at)
    except CalendarUnknown:
        start = timezone.localdate(published_at)
        return NoticeState(notice, start, None, None, today >= start, False, unknown=True)
    ended = notice.status != NoticeStatus.ACTIVE or today > end
    return NoticeState(notice, start, end, max((end - today).days, 0), start <= today <= end and not ended, ended)


def notice_for_page(record: Record) -> PublicNotice | None:
    """The 公示 of a public record: its own; for a revision published during the period, its original's (the
    公示 goes on under the same index number); for a de-identified version, the one it ended."""
    try:
        notice = record.public_notice  # loaded with the record by selectors.public_record
    except PublicNotice.DoesNotExist:
        notice = None
    if notice is None and record.revises_id:
        notice = (
            PublicNotice.objects.filter(Q(replacement=record) | Q(record__in=version_chain_ids(record)))
            .select_related("record")
            .order_by("-id")
            .first()
        )
    return notice


def version_chain_ids(record: Record) -> list[int]:
    """The originals ``record`` revises, nearest first."""
    ids, current = [], record.revises_id
    while current and current not in ids:
        ids.append(current)
        current = Record.objects.filter(pk=current).values_list("revises_id", flat=True).first()
    return ids


def live_version(record: Record) -> Record | None:
    """The published version of the document ``record`` is (itself, or the revision that superseded it)."""
    if record.status == Status.PUBLISHED:
        return record
    if record.status != Status.SUPERSEDED or not record.index_number:
        return None
    return (
        Record.objects.select_for_update()
        .filter(organisation_id=record.organisation_id, index_number=record.index_number, status=Status.PUBLISHED)
        .first()
    )


# ------------------------------------------------------------------------------------------ setting it


def _may_set(user, record: Record) -> bool:
    return access.has_role_in(user, (Role.EDITOR, Role.REVIEWER), record.organisation_id)


@transaction.atomic
def public_notice_set(
    *, user, record: Record, day_count: int, day_kind: str, contact: str, end_action: str, responsible_staff
) -> PublicNotice:
    """Give an unpublished record its 公示期 (or change it): the editors and reviewers of its organisation,
    so that whoever publishes sees and confirms what happens when the period ends."""
    record = Record.objects.select_for_update().get(pk=record.pk)
    if record.status not in UNPUBLISHED_STATUSES:
        raise InvalidTransition(_("只能在发布前设置公示期；已发布的信息请修订后重新设置。"))
    if not _may_set(user, record):
        raise PermissionDenied(_("只有本单位的信息员或审核员可以设置公示期。"))
    staff = list(responsible_staff)
    errors = {}
    if not (isinstance(day_count, int) and 1 <= day_count <= NOTICE_MAX_DAYS):
        errors["day_count"] = _("公示期须为 1 至 %(max)s 天。") % {"max": NOTICE_MAX_DAYS}
    if day_kind not in DayKind.values:
        errors["day_kind"] = _("请选择按自然日或工作日计算。")
    if end_action not in EndAction.values:
        errors["end_action"] = _("请选择公示期满后的处理方式。")
    if not (contact or "").strip():
        errors["contact"] = _("请填写公示期间受理异议的联系方式。")
    if not staff:
        errors["responsible_staff"] = _("请至少指定一名异议承办人。")
    elif StaffProfile.objects.filter(
        user__in=staff, organisation_id=record.organisation_id, user__is_active=True
    ).count() != len({u.pk for u in staff}):
        errors["responsible_staff"] = _("异议承办人须为本单位在职工作人员。")
    if errors:
        raise ValidationError(errors)
    notice, _created = PublicNotice.objects.update_or_create(
        record=record,
        defaults={
            "day_count": day_count,
            "day_kind": day_kind,
            "contact": contact.strip()[:300],
            "end_action": end_action,
            "created_by": user,
        },
    )
    notice.responsible_staff.set(staff)
    AuditEntry.note(
        record,
        user,
        "set_public_notice",
        _("公示期 %(n)s 个%(kind)s，期满后%(end)s；异议受理：%(contact)s")
        % {
            "n": day_count,
            "kind": DayKind(day_kind).label,
            "end": EndAction(end_action).label,
            "contact": notice.contact,
        },
    )
    return notice


# ------------------------------------------------------------------------------------------ the end


def _record_audit(record: Record, name: str, previous: str, target: str, comment: str) -> AuditEntry:
    return AuditEntry.write(
        actor=None,
        record=record,
        record_title=record.title,
        organisation_id=record.organisation_id,
        action=name,
        from_status=previous,
        to_status=target,
        comment=comment,
    )


def _record_move(record: Record, name: str, *, comment: str = "", changes: dict | None = None) -> Record:
    locked, _previous = transitions.move(
        record,
        table=TRANSITIONS,
        name=name,
        user=None,
        denial=policy.denial_reason,
        log=lambda locked, previous, target, note: _record_audit(locked, name, previous, target, note),
        comment=comment,
        changes=changes,
    )
    return locked


def _deidentified_attachments(record: Record, revision: Record) -> tuple[int, list[str]]:
    """Copy the attachments to the revision, de-identified; returns (values masked, names left out)."""
    key = privacy_guard._key()
    masked, left_out = 0, []
    for attachment in record.attachments.all():
        with attachment.file.open("rb") as stored:
            data = stored.read()
        try:
            rewritten = deidentify.deidentify_file(attachment.original_name, data, kind=attachment.kind, key=key)
        except deidentify.StillIdentifying as error:
            logger.warning("%s", error)
            left_out.append(attachment.original_name)
            continue
        except Exception:  # noqa: BLE001 - a damaged file is left out, never published unchecked
            logger.exception("附件去标识化失败：%s", attachment.original_name)
            left_out.append(attachment.original_name)
            continue
        if rewritten is None:
            scan = privacy.scan_file(attachment.original_name, data, key=key, kind=attachment.kind)
            if scan.findings or scan.notes:
                left_out.append(attachment.original_name)
                continue
            Attachment.objects.create(
                record=revision, file=attachment.file.name, original_name=attachment.original_name,
                kind=attachment.kind, size=attachment.size, sha256=attachment.sha256,
                sort_order=attachment.sort_order,
            )
            continue
        data, count = rewritten
        masked += count
        copy = Attachment(record=revision, sort_order=attachment.sort_order)
        copy.store_upload(SimpleUploadedFile(attachment.original_name, data))
        copy.save()
    return masked, left_out


def _replace_by_deidentified(record: Record, now: datetime) -> Record:
    """Publish the de-identified version of ``record`` in its place (same index number)."""
    content = {name: getattr(record, name) for name in CONTENT_FIELDS}
    content["body"], masked = deidentify.deidentify_html(record.body)
    summary, count = deidentify.mask_unit([record.summary])
    content["summary"], masked = summary[0], masked + count
    revision = Record(organisation=record.organisation, node=record.node, created_by=None, revises=record, **content)
    revision.save()
    revision.related.set(record.related.all())
    attachment_masks, left_out = _deidentified_attachments(record, revision)
    masked += attachment_masks
    if left_out:
        names = "、".join(f"“{name}”" for name in left_out)
        revision.body += f"<p>（公示期已满：附件{names}含有或可能含有个人信息，不再公开。）</p>"
        revision.save(update_fields=["body"])
    _snapshot(revision, None)
    _record_audit(
        revision, "create", "", revision.status,
        _("公示期满，由系统根据 %(number)s 生成的去标识化版本：遮盖 %(count)s 项%(left)s")
        % {
            "number": record.index_number,
            "count": masked,
            "left": _("，不再公开附件 %s") % "、".join(left_out) if left_out else "",
        },
    )
    # Scanned like every version before it goes out; anything left would stop it here.
    privacy_guard.record_privacy_scan(user=None, record=revision)
    privacy_guard.check_publishable(revision)
    _record_move(record, "supersede", comment=_("公示期满，由去标识化版本替代"))
    revision = _record_move(
        revision,
        "publish_deidentified",
        comment=_("公示期满自动发布"),
        changes={"published_at": now, "index_number": record.index_number},
    )
    search_document_refresh(record_ids=[revision.pk, record.pk])
    return revision


@transaction.atomic
def public_notice_end(*, notice: PublicNotice, now: datetime | None = None, user=None) -> PublicNotice:
    """Carry out the end of a 公示 whose period is over (a system move of the daily job)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    if user is not None:
        raise PermissionDenied(_("公示期满的处理由系统按发布时的选择自动执行。"))
    locked = PublicNotice.objects.select_for_update().select_related("record").get(pk=notice.pk)
    name = END_MOVES[locked.end_action]
    NOTICE_TRANSITIONS.check_source(NOTICE_TRANSITIONS[name], locked.status)
    original = Record.objects.select_for_update().get(pk=locked.record_id)
    # A revision published during the period carries the 公示 on; the period runs from the first publication.
    record = live_version(original)
    if record is None or original.published_at is None:
        raise InvalidTransition(_("该信息不在发布状态，公示期满处理不适用。"))
    start, end = period(locked, original.published_at)
    if today <= end:
        raise InvalidTransition(_("公示期至 %s 结束，尚未期满。") % end.isoformat())
    changes = {"ended_at": now}
    if name == "notice_withdraw":
        _record_move(
            record, "notice_withdraw", comment=_("公示期（%(start)s 至 %(end)s）已满，按发布时的选择撤下")
            % {"start": start.isoformat(), "end": end.isoformat()},
            changes={"withdrawn_at": now, "withdrawal_notice": False},
        )
        search_document_refresh(record_ids=[record.pk])
    elif name == "notice_deidentify":
        changes["replacement"] = _replace_by_deidentified(record, now)
    else:
        AuditEntry.note(record, None, "notice_keep", _("公示期（%(start)s 至 %(end)s）已满，继续公开")
                        % {"start": start.isoformat(), "end": end.isoformat()})
    previous = locked.status
    claim(locked, expected=previous, values={"status": NOTICE_TRANSITIONS[name].target, **changes})
    if name == "notice_deidentify":
        AuditEntry.note(record, None, name, _("公示期 %(start)s 至 %(end)s") % {
            "start": start.isoformat(), "end": end.isoformat()})
    return locked


def public_notices_end_due(*, now: datetime | None = None) -> list[PublicNotice]:
    """End every 公示 whose period is over; safe to run again (each notice ends once)."""
    now = now or timezone.now()
    ended = []
    active = PublicNotice.objects.filter(
        status=NoticeStatus.ACTIVE, record__status__in=[Status.PUBLISHED, Status.SUPERSEDED]
    )
    for pk in list(active.values_list("pk", flat=True)):
        try:
            ended.append(public_notice_end(notice=PublicNotice(pk=pk), now=now))
        except CalendarUnknown as unknown:
            logger.warning("公示期满处理暂缓（公示编号 %s）：%s", pk, unknown)
        except InvalidTransition as refusal:
            if "尚未期满" not in str(refusal):
                logger.warning("公示期满处理未执行（公示编号 %s）：%s", pk, refusal)
    return ended


# ------------------------------------------------------------------------------------------ objections


def accepts_objections(notice: PublicNotice, record: Record, *, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    if not public_records(now=now).filter(pk=record.pk).exists():
        return False
    state = notice_state(notice, notice.record.published_at, today=timezone.localdate(now))
    return state.running or (state.unknown and notice.status == NoticeStatus.ACTIVE)


def _mail_responsible(objection: NoticeObjection, emails: list[str]) -> None:
    if not emails:
        return
    record = objection.notice.record
    subject = _("【公示异议】“%s”收到一条异议") % record.title
    body = "\n".join([
        _("公示：%s（%s）") % (record.title, record.index_number),
        _("收到时间：%s") % timezone.localtime(objection.submitted_at).strftime("%Y-%m-%d %H:%M"),
        _("答复期限：%s") % (objection.reply_due_on.isoformat() if objection.reply_due_on else _("待节假日安排录入后确定")),
        _("办理入口（管理后台）：%s") % reverse("admin:disclosure_noticeobjection_change", args=[objection.pk]),
        _("异议内容及提出人联系方式请登录管理后台查看（邮件中不含个人信息）。"),
    ])
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, emails)
    except Exception:  # noqa: BLE001 - the objection is saved and on the to-do panel; the reminder job retries
        logger.exception("公示异议通知邮件发送失败（异议编号 %s）", objection.pk)


@transaction.atomic
def objection_submit(*, notice: PublicNotice, name: str, contact: str, text: str,
                     now: datetime | None = None) -> NoticeObjection:
    """File an objection from the public form; refuses (ObjectionsClosed) outside the period."""
    now = now or timezone.now()
    notice = PublicNotice.objects.select_for_update().select_related("record").get(pk=notice.pk)
    live = live_version(notice.record)
    if live is None or not accepts_objections(notice, live, now=now):
        raise ObjectionsClosed(_("该公示不在公示期内，不再受理网上异议。"))
    errors = {}
    for field, value in (("name", name), ("contact", contact), ("text", text)):
        if not (value or "").strip():
            errors[field] = _("此项必填。")
    if errors:
        raise ValidationError(errors)
    try:
        due = add_working_days(timezone.localdate(now), OBJECTION_REPLY_WORKING_DAYS)
    except CalendarUnknown:
        due = None
    objection = NoticeObjection(
        notice=notice, name=name.strip(), contact=contact.strip(), text=text.strip(), reply_due_on=due
    )
    objection.full_clean(exclude=["notice"])
    objection.save()
    ActivityEntry.write_for(
        objection, subject_type=OBJECTION_SUBJECT, title=notice.record.title,
        organisation_id=notice.record.organisation_id, user=None, action="submit_objection",
        to_status=objection.status, nobody=_("公众"),
    )
    emails = sorted({u.email for u in notice.responsible_staff.all() if u.is_active and u.email})
    transaction.on_commit(lambda: _mail_responsible(objection, emails))
    return objection


def objection_denial(user, transition: Transition, objection: NoticeObjection) -> str | None:
    if user is None:
        return _("需要登录的工作人员执行该操作。")
    record = objection.notice.record
    if access.is_superuser(user) or access.has_role_in(user, Role.REVIEWER, record.organisation_id):
        return None
    if access.organisation_of(user) is not None and access.organisation_of(user).pk == record.organisation_id \
            and objection.notice.responsible_staff.filter(pk=user.pk).exists() and access.roles_of(user):
        return None
    return _("只有该公示的异议承办人或本单位审核员可以办理异议。")


def _objection_move(*, user, objection: NoticeObjection, name: str, comment: str, changes: dict) -> NoticeObjection:
    def log(locked, previous, target, note):
        return ActivityEntry.write_for(
            locked, subject_type=OBJECTION_SUBJECT, title=locked.notice.record.title,
            organisation_id=locked.notice.record.organisation_id, user=user, action=name,
            from_status=previous, to_status=target, comment=note,
        )

    locked, _previous = transitions.move(
        objection, table=OBJECTION_TRANSITIONS, name=name, user=user, denial=objection_denial, log=log,
        comment=comment, changes=changes,
    )
    return locked


@transaction.atomic
def objection_reply(*, user, objection: NoticeObjection, reply: str) -> NoticeObjection:
    """Record the reply given to the objector (by phone, letter or e-mail; the text is kept here)."""
    return _objection_move(
        user=user, objection=objection, name="reply", comment=(reply or "").strip(),
        changes={"reply": (reply or "").strip(), "replied_at": timezone.now(), "replied_by_name": actor_name(user)},
    )


@transaction.atomic
def objection_close(*, user, objection: NoticeObjection, reason: str) -> NoticeObjection:
    """Close without a reply (no contact reachable, not an objection), saying why."""
    return _objection_move(
        user=user, objection=objection, name="close", comment=(reason or "").strip(),
        changes={"reply": (reason or "").strip(), "replied_at": timezone.now(), "replied_by_name": actor_name(user)},
    )


def visible_objections(user) -> QuerySet[NoticeObjection]:
    """Objections a member of staff may read: they hold the objector's personal data, so only their own
    organisation's (a superuser: all)."""
    if access.is_superuser(user):
        return NoticeObjection.objects.all()
    organisation = access.organisation_of(user)
    if organisation is None or not access.roles_of(user):
        return NoticeObjection.objects.none()
    return NoticeObjection.objects.filter(notice__record__organisation=organisation)


def mine_condition(user) -> Q:
    """Objections ``user`` is responsible for (异议承办人)."""
    return Q(notice__responsible_staff=user)


def objection_deadline_source(now: datetime):
    """Reply deadlines of unanswered objections, for their responsible staff (disclosure/reminders.py)."""
    objections = (
        NoticeObjection.objects.filter(status=ObjectionStatus.RECEIVED, reply_due_on__isnull=False)
        .select_related("notice__record")
        .prefetch_related("notice__responsible_staff")
    )
    for objection in objections:
        due_at = datetime.combine(
            objection.reply_due_on + timedelta(days=1), time.min, tzinfo=timezone.get_current_timezone()
        )
        try:
            warn_before = warn_before_working_days(objection.reply_due_on, due_at)
        except CalendarUnknown:
            continue
        record = objection.notice.record
        yield Deadline(
            source=OBJECTION_SUBJECT,
            subject_id=objection.pk,
            subject_title=record.title,
            organisation_id=record.organisation_id,
            kind="reply",
            label=_("异议答复"),
            due_at=due_at,
            warn_before=warn_before,
            recipients=tuple(sorted({u.email for u in objection.notice.responsible_staff.all()
                                     if u.is_active and u.email})),
            admin_path=reverse("admin:disclosure_noticeobjection_change", args=[objection.pk]),
            subject_label=_("公示异议"),
        )

"""Decision drafts for public comment (决策预公开 / 意见征集): every write, and the public reads.

States: draft → open (a reviewer of the organisation who did not draft it opens it) → closed (once the
window has ended) → feedback published (采纳情况). Each move locks the row, checks state and right, and
writes an ActivityEntry (subject "consultation"); moderating a comment writes one too (subject
"consultation_comment").

The comment window (征求意见期限) counts from the day after opening, like every statutory time limit
here: at least 30 calendar days for a major administrative decision (重大行政决策), at least 7 working
days for a normative document (行政规范性文件), on the official calendar (disclosure.core.workdays), unless a
reason for a shorter window is recorded (and then published). The window's last day is the day on
which it closes (a window closing at 00:00 ends the day before).

Reads live in disclosure/consultation_selectors.py; what the public may see is decided there, in one
place: ``public_consultations``.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import CatalogNode, Organisation
from disclosure.consultations.models import (
    COMMENT_CONTACT_MAX_CHARS,
    COMMENT_MAX_CHARS,
    COMMENT_NAME_MAX_CHARS,
    Consultation,
    ConsultationAttachment,
    ConsultationComment,
    ConsultationStatus,
    DecisionKind,
    Moderation,
)
from disclosure.consultations.selectors import COMMENT_HANDLING_ROLES, comments_for_staff
from disclosure.core import access
from disclosure.core.access import Role
from disclosure.core.log import ActivityEntry
from disclosure.core.models import actor_name
from disclosure.core.sanitize import assign_content, clean_html
from disclosure.core.workdays import CalendarUnknown, add_working_days

DEFAULT_NODE_CODE = "020201"  # 保障性住房 › 重大决策 › 决策前预公开
MAJOR_DECISION_MIN_DAYS = 30
NORMATIVE_MIN_WORKING_DAYS = 7
CONTENT_FIELDS = (
    "title",
    "decision_kind",
    "summary",
    "body",
    "opens_at",
    "closes_at",
    "shorter_window_reason",
)
SUBJECT = "consultation"
COMMENT_SUBJECT = "consultation_comment"
PHONE_PATTERN = re.compile(r"^\+?[0-9][0-9 ()\-－]{5,24}$")


class ConsultationClosed(Exception):
    """A comment arrived outside the open window; the message says so in Chinese."""


def _log_consultation(consultation: Consultation, user, action: str, from_status: str, to_status: str, comment: str = ""):
    return ActivityEntry.write_for(
        consultation,
        subject_type=SUBJECT,
        title=consultation.title,
        organisation_id=consultation.organisation_id,
        user=user,
        action=action,
        from_status=from_status,
        to_status=to_status,
        comment=comment,
    )


def _has_role_in(user, roles, organisation_id) -> bool:
    if getattr(user, "is_superuser", False) and user.is_active:
        return True
    organisation = access.organisation_of(user)
    return (
        organisation is not None
        and organisation.pk == organisation_id
        and bool(set(roles) & access.roles_of(user))
    )


def can_draft(user, organisation: Organisation) -> bool:
    return _has_role_in(user, (Role.EDITOR,), organisation.pk)


def can_draft_anywhere(user) -> bool:
    """Whether the user drafts consultations at all (an editor somewhere, or a superuser)."""
    if getattr(user, "is_superuser", False) and user.is_active:
        return True
    return access.organisation_of(user) is not None and Role.EDITOR in access.roles_of(user)


def can_handle_any_comments(user) -> bool:
    if getattr(user, "is_superuser", False) and user.is_active:
        return True
    return access.organisation_of(user) is not None and bool(
        set(COMMENT_HANDLING_ROLES) & access.roles_of(user)
    )


def can_edit(user, consultation: Consultation) -> bool:
    return consultation.is_editable and _has_role_in(user, (Role.EDITOR,), consultation.organisation_id)


def can_open(user, consultation: Consultation) -> bool:
    """A reviewer (审核员) of the organisation who is not the author."""
    if user is None or not _has_role_in(user, (Role.REVIEWER,), consultation.organisation_id):
        return False
    return consultation.created_by_id is None or consultation.created_by_id != user.pk


def can_publish_feedback(user, consultation: Consultation) -> bool:
    return user is not None and _has_role_in(user, (Role.REVIEWER,), consultation.organisation_id)


def can_handle_comments(user, organisation_id: int) -> bool:
    """Moderate and export comments: the organisation's own staff only (contacts are personal data)."""
    return user is not None and _has_role_in(user, COMMENT_HANDLING_ROLES, organisation_id)


# ---------------------------------------------------------------------------------------- window


def window_last_day(closes_at: datetime) -> date:
    """The last day on which comments are accepted (closing at 00:00 ends the day before)."""
    return timezone.localdate(closes_at - timedelta(microseconds=1))


def earliest_last_day(decision_kind: str, opens_at: datetime) -> date | None:
    """The earliest last day of the window the law allows, or None where no minimum applies.

    Raises CalendarUnknown when the working days of a normative document reach a year whose holiday
    schedule is not known.
    """
    opened = timezone.localdate(opens_at)
    if decision_kind == DecisionKind.MAJOR:
        return opened + timedelta(days=MAJOR_DECISION_MIN_DAYS)
    if decision_kind == DecisionKind.NORMATIVE:
        return add_working_days(opened, NORMATIVE_MIN_WORKING_DAYS)
    return None


def window_errors(*, decision_kind: str, opens_at, closes_at, shorter_window_reason: str = "") -> dict:
    """Form-field errors of a comment window (empty if it is lawful)."""
    if opens_at is None or closes_at is None:
        return {}
    if closes_at <= opens_at:
        return {"closes_at": _("截止时间须晚于开始时间。")}
    if shorter_window_reason.strip():
        return {}
    try:
        earliest = earliest_last_day(decision_kind, opens_at)
    except CalendarUnknown as unknown:
        return {
            "closes_at": _(
                "%(year)s年的法定节假日安排尚未录入，无法核算7个工作日的征求意见期限。"
                "请管理员先在后台录入该年的放假安排，或填写缩短征求意见期限的理由。"
            )
            % {"year": unknown.year}
        }
    if earliest is not None and window_last_day(closes_at) < earliest:
        minimum = (
            _("不少于%(n)s日") % {"n": MAJOR_DECISION_MIN_DAYS}
            if decision_kind == DecisionKind.MAJOR
            else _("不少于%(n)s个工作日") % {"n": NORMATIVE_MIN_WORKING_DAYS}
        )
        return {
            "closes_at": _(
                "%(kind)s的征求意见期限%(minimum)s：自%(opened)s起算，最早截止于%(earliest)s当日。"
                "确需缩短的，请填写缩短理由。"
            )
            % {
                "kind": DecisionKind(decision_kind).label,
                "minimum": minimum,
                "opened": timezone.localdate(opens_at).strftime("%Y年%m月%d日"),
                "earliest": earliest.strftime("%Y年%m月%d日"),
            }
        }
    return {}


def _validate(consultation: Consultation) -> None:
    errors = window_errors(
        decision_kind=consultation.decision_kind,
        opens_at=consultation.opens_at,
        closes_at=consultation.closes_at,
        shorter_window_reason=consultation.shorter_window_reason,
    )
    if not clean_html(consultation.body):
        errors.setdefault("body", _("请填写草案正文。"))
    if errors:
        raise ValidationError(errors)
    consultation.full_clean(exclude=["created_by"])


def default_node() -> CatalogNode | None:
    return CatalogNode.objects.filter(code=DEFAULT_NODE_CODE).first()


# ------------------------------------------------------------------------------------ drafting


@transaction.atomic
def consultation_create(*, user, organisation: Organisation, node: CatalogNode | None = None, **fields) -> Consultation:
    """A new draft by an editor (信息员) of the organisation, under 决策前预公开 unless told otherwise."""
    if not can_draft(user, organisation):
        raise PermissionDenied(_("只有本单位的信息员可以新建意见征集。"))
    unknown = set(fields) - set(CONTENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown consultation fields: {sorted(unknown)}")
    node = node or default_node()
    if node is None:
        raise ValidationError({"node": _("标准目录尚未载入“决策前预公开”栏目，请选择目录栏目。")})
    consultation = Consultation(organisation=organisation, node=node, created_by=user, **fields)
    consultation.body = clean_html(consultation.body)
    _validate(consultation)
    consultation.save()
    _log_consultation(consultation, user, "create", "", consultation.status)
    return consultation


@transaction.atomic
def consultation_update(*, user, consultation: Consultation, node: CatalogNode | None = None, **fields) -> Consultation:
    """Change a draft. Once opened, the published text stays as the public read it."""
    locked = Consultation.objects.select_for_update().get(pk=consultation.pk)
    if locked.status != ConsultationStatus.DRAFT:
        raise ValidationError(_("意见征集已开始，草案内容和期限不能再修改。"))
    if not can_edit(user, locked):
        raise PermissionDenied(_("只有本单位的信息员可以修改意见征集草稿。"))
    assign_content(locked, fields, allowed=CONTENT_FIELDS, node=node)
    _validate(locked)
    locked.save()
    return locked


@transaction.atomic
def consultation_attachment_add(*, user, consultation: Consultation, upload) -> ConsultationAttachment:
    if not can_edit(user, consultation):
        raise PermissionDenied(_("只能在本单位的意见征集草稿上添加附件。"))
    attachment = ConsultationAttachment(consultation=consultation)
    attachment.store_upload(upload)
    attachment.save()
    return attachment


@transaction.atomic
def consultation_attachment_remove(*, user, attachment: ConsultationAttachment) -> None:
    if not can_edit(user, attachment.consultation):
        raise PermissionDenied(_("只能从本单位的意见征集草稿上删除附件。"))
    attachment.delete()


@transaction.atomic
def consultation_delete(*, user, consultation: Consultation) -> None:
    """Delete a draft that was never opened (so no citizen has seen or commented on it)."""
    locked = _lock(consultation)
    if locked.status != ConsultationStatus.DRAFT:
        raise ValidationError(_("只能删除尚未开始征求意见的草稿。"))
    if not can_edit(user, locked):
        raise PermissionDenied(_("只有本单位的信息员可以删除意见征集草稿。"))
    _log_consultation(locked, user, "delete", locked.status, "")
    locked.delete()


# ------------------------------------------------------------------------------------------ moves


def _lock(consultation: Consultation) -> Consultation:
    return Consultation.objects.select_for_update().get(pk=consultation.pk)


def _wrong_state(locked: Consultation, action: str) -> ValidationError:
    return ValidationError(
        _("当前状态为“%(status)s”，不能%(action)s。")
        % {"status": ConsultationStatus(locked.status).label, "action": action}
    )


def _set_status(locked: Consultation, to_status: str, **changes) -> str:
    previous = locked.status
    claimed = Consultation.objects.filter(pk=locked.pk, status=previous).update(
        status=to_status, updated_at=timezone.now(), **changes
    )
    if claimed != 1:  # pragma: no cover - the row is locked; kept for databases without row locks
        raise ValidationError(_("状态已被他人更改，请刷新后重试。"))
    locked.status = to_status
    for name, value in changes.items():
        setattr(locked, name, value)
    return previous


@transaction.atomic
def consultation_open(*, user, consultation: Consultation, comment: str = "", now: datetime | None = None) -> Consultation:
    """Publish the draft for comment (it shows on the public site from ``opens_at``)."""
    now = now or timezone.now()
    locked = _lock(consultation)
    if locked.status != ConsultationStatus.DRAFT:
        raise _wrong_state(locked, _("开始征求意见"))
    if not can_open(user, locked):
        if user is not None and locked.created_by_id == user.pk:
            raise PermissionDenied(_("起草人不能审核发布自己起草的意见征集。"))
        raise PermissionDenied(_("只有本单位的审核员可以发布意见征集。"))
    _validate(locked)
    if locked.closes_at <= now:
        raise ValidationError({"closes_at": _("截止时间已过，请先修改征求意见期限。")})
    previous = _set_status(locked, ConsultationStatus.OPEN)
    window = _("征求意见期限：%(start)s 至 %(end)s") % {
        "start": timezone.localtime(locked.opens_at).strftime("%Y-%m-%d %H:%M"),
        "end": timezone.localtime(locked.closes_at).strftime("%Y-%m-%d %H:%M"),
    }
    _log_consultation(locked, user, "open", previous, locked.status, "；".join(filter(None, [window, comment])))
    return locked


@transaction.atomic
def consultation_close(*, user=None, consultation: Consultation, now: datetime | None = None) -> Consultation:
    """Mark an open consultation closed once its window has ended (never earlier: that would cut the
    period the public was promised). By the system, or by a reviewer of the organisation."""
    now = now or timezone.now()
    locked = _lock(consultation)
    if locked.status != ConsultationStatus.OPEN:
        raise _wrong_state(locked, _("结束征求意见"))
    if user is not None and not can_publish_feedback(user, locked):
        raise PermissionDenied(_("只有本单位的审核员可以结束意见征集。"))
    if not locked.window_has_ended(now):
        raise ValidationError(_("征求意见期限尚未届满，不能提前结束。"))
    previous = _set_status(locked, ConsultationStatus.CLOSED)
    _log_consultation(locked, user, "close", previous, locked.status)
    return locked


def close_due_consultations(*, now: datetime | None = None) -> list[Consultation]:
    """Close every open consultation whose window has ended (for ``manage.py close_consultations``)."""
    now = now or timezone.now()
    closed = []
    for pk in list(
        Consultation.objects.filter(status=ConsultationStatus.OPEN, closes_at__lte=now).values_list("pk", flat=True)
    ):
        try:
            closed.append(consultation_close(consultation=Consultation(pk=pk), now=now))
        except ValidationError:
            continue  # closed meanwhile by another run
    return closed


@transaction.atomic
def consultation_publish_feedback(*, user, consultation: Consultation, feedback: str, now: datetime | None = None) -> Consultation:
    """Publish what was adopted (采纳情况) after the window has ended; the public page then shows it."""
    now = now or timezone.now()
    locked = _lock(consultation)
    if locked.status not in (ConsultationStatus.OPEN, ConsultationStatus.CLOSED):
        raise _wrong_state(locked, _("公布采纳情况"))
    if not can_publish_feedback(user, locked):
        raise PermissionDenied(_("只有本单位的审核员可以公布意见采纳情况。"))
    if not locked.window_has_ended(now):
        raise ValidationError(_("征求意见期限尚未届满，届满后才能公布采纳情况。"))
    feedback = (feedback or "").strip()
    if not feedback:
        raise ValidationError({"feedback": _("请填写意见采纳情况。")})
    if locked.status == ConsultationStatus.OPEN:
        previous = _set_status(locked, ConsultationStatus.CLOSED)
        _log_consultation(locked, user, "close", previous, locked.status)
    previous = _set_status(
        locked, ConsultationStatus.FEEDBACK_PUBLISHED, feedback=feedback, feedback_published_at=now
    )
    _log_consultation(locked, user, "publish_feedback", previous, locked.status)
    return locked


# --------------------------------------------------------------------------------------- comments


def clean_contact(value: str) -> str:
    """A phone number or an e-mail address, or ValidationError in Chinese."""
    value = (value or "").strip()
    if not value:
        raise ValidationError(_("请填写联系电话或电子邮箱，便于我们就您的意见与您联系（不会公开）。"))
    if len(value) > COMMENT_CONTACT_MAX_CHARS:
        raise ValidationError(_("联系方式过长。"))
    if "@" in value:
        try:
            validate_email(value)
        except ValidationError:
            raise ValidationError(_("电子邮箱格式不正确。")) from None
        return value
    if not PHONE_PATTERN.match(value) or sum(c.isdigit() for c in value) < 7:
        raise ValidationError(_("请填写有效的电话号码（如 0371-12345678 或 13800000000）或电子邮箱。"))
    return value


def comment_submit(*, consultation: Consultation, name: str, contact: str, text: str, now: datetime | None = None) -> ConsultationComment:
    """Save a citizen's comment, if the window is open at this moment. Returns it once committed.

    Raises ConsultationClosed outside the window and ValidationError for bad input; nothing is saved then.
    """
    name = (name or "").strip()
    text = (text or "").strip()
    errors = {}
    try:
        contact = clean_contact(contact)
    except ValidationError as error:
        errors["contact"] = error.messages
    if len(name) > COMMENT_NAME_MAX_CHARS:
        errors["name"] = [_("姓名或称呼不超过%(n)s个字。") % {"n": COMMENT_NAME_MAX_CHARS}]
    if not text:
        errors["text"] = [_("请填写意见内容。")]
    elif len(text) > COMMENT_MAX_CHARS:
        errors["text"] = [_("意见内容不超过%(n)s字（当前%(len)s字）。") % {"n": COMMENT_MAX_CHARS, "len": len(text)}]
    with transaction.atomic():
        # Locked so that the window is judged at the moment the row is written.
        locked = _lock(consultation)
        now = now or timezone.now()
        if not locked.accepts_comments(now):
            raise ConsultationClosed(closed_message(locked, now))
        if errors:
            raise ValidationError(errors)
        return ConsultationComment.objects.create(
            consultation=locked, name=name, contact=contact, text=text, submitted_at=now
        )


def closed_message(consultation: Consultation, now: datetime | None = None) -> str:
    now = now or timezone.now()
    if consultation.status == ConsultationStatus.OPEN and now < consultation.opens_at:
        return _("本次意见征集尚未开始，请于%(start)s后提交意见。") % {
            "start": timezone.localtime(consultation.opens_at).strftime("%Y年%m月%d日 %H:%M")
        }
    return _("本次意见征集已于%(end)s截止，不再接受意见。感谢您的关注。") % {
        "end": timezone.localtime(consultation.closes_at).strftime("%Y年%m月%d日 %H:%M")
    }


@transaction.atomic
def comment_moderate(*, user, comment: ConsultationComment, moderation: str, reason: str = "") -> ConsultationComment:
    """Show a comment publicly, or not (with a reason); back to pending is allowed too."""
    locked = ConsultationComment.objects.select_for_update().select_related("consultation").get(pk=comment.pk)
    if not can_handle_comments(user, locked.consultation.organisation_id):
        raise PermissionDenied(_("只有本单位的工作人员可以审核公众意见。"))
    if moderation not in Moderation.values:
        raise ValidationError({"moderation": _("请选择审核结果。")})
    reason = (reason or "").strip()
    if moderation == Moderation.HIDDEN and not reason:
        raise ValidationError({"hidden_reason": _("不予显示的，必须填写理由。")})
    previous = locked.moderation
    locked.moderation = moderation
    locked.hidden_reason = reason if moderation == Moderation.HIDDEN else ""
    locked.moderated_by = user
    locked.moderated_at = timezone.now()
    locked.save(update_fields=["moderation", "hidden_reason", "moderated_by", "moderated_at"])
    ActivityEntry.write_for(
        locked,
        subject_type=COMMENT_SUBJECT,
        title=_("对“%(title)s”的意见 #%(pk)s") % {"title": locked.consultation.title, "pk": locked.pk},
        organisation_id=locked.consultation.organisation_id,
        user=user,
        action="moderate",
        from_status=previous,
        to_status=moderation,
        comment=locked.hidden_reason,
    )
    return locked


CSV_HEADER = (
    "编号", "意见征集", "提交时间", "姓名或称呼", "联系方式", "意见内容", "审核状态", "不予显示的理由", "审核人", "审核时间",
)


def _cell(value) -> str:
    # A citizen's text must not become a spreadsheet formula when the export is opened in Excel/WPS.
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def comments_csv(*, user, consultation: Consultation | None = None, comments=None) -> str:
    """CSV (UTF-8 with BOM, for Excel/WPS) of the comments on one consultation, or of ``comments``;
    only staff of the organisation. Logged, because the file carries citizens' contacts."""
    queryset = comments_for_staff(user)
    if consultation is not None:
        if not can_handle_comments(user, consultation.organisation_id):
            raise PermissionDenied(_("只有本单位的工作人员可以导出公众意见。"))
        queryset = queryset.filter(consultation=consultation)
    if comments is not None:
        queryset = queryset.filter(pk__in=[c.pk for c in comments])
    rows = queryset.select_related("consultation", "moderated_by").order_by("consultation_id", "submitted_at", "id")
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    exported: dict[int, int] = {consultation.pk: 0} if consultation is not None else {}
    exported_subjects: dict[int, Consultation] = {consultation.pk: consultation} if consultation is not None else {}
    for comment in rows:
        writer.writerow(
            [
                comment.pk,
                _cell(comment.consultation.title),
                timezone.localtime(comment.submitted_at).strftime("%Y-%m-%d %H:%M"),
                _cell(comment.name),
                _cell(comment.contact),
                _cell(comment.text),
                comment.get_moderation_display(),
                _cell(comment.hidden_reason),
                _cell(actor_name(comment.moderated_by) if comment.moderated_by else ""),
                timezone.localtime(comment.moderated_at).strftime("%Y-%m-%d %H:%M") if comment.moderated_at else "",
            ]
        )
        exported[comment.consultation_id] = exported.get(comment.consultation_id, 0) + 1
        exported_subjects[comment.consultation_id] = comment.consultation
    for subject_id, count in sorted(exported.items()):
        subject = exported_subjects[subject_id]
        _log_consultation(
            subject, user, "export_comments", subject.status, subject.status, _("导出公众意见 %(n)s 条") % {"n": count}
        )
    return buffer.getvalue()


def days_left(consultation: Consultation, now: datetime | None = None) -> int:
    """Calendar days from today to the window's last day (0 on the last day)."""
    return (window_last_day(consultation.closes_at) - timezone.localdate(now or timezone.now())).days

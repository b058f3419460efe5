"""Decision drafts for public comment (决策预公开 / 意见征集): every write.

States: draft → open → closed → feedback published (采纳情况), the moves of workflow.py, each carried out
by ``disclosure.core.transitions.move``: lock the row, check the state (``InvalidTransition``), check the
right through policy.py (``PermissionDenied``), compare-and-set the status (a lost race hears
``transitions.STALE``), write an ActivityEntry (subject "consultation"). Every other write to a
consultation (create, edit, add or remove a file, delete) is logged the same way, with its actor, so
that the log knows who wrote any part of it (the four-eyes rule of policy.py reads it); moderating a
comment writes one too (subject "consultation_comment").

The comment window (征求意见期限) counts from the day after opening, like every statutory time limit
here: at least 30 calendar days for a major administrative decision (重大行政决策), at least 7 working
days for a normative document (行政规范性文件), on the official calendar (disclosure.core.workdays), unless a
reason for a shorter window is recorded (and then published). The window's last day is the day on
which it closes (a window closing at 00:00 ends the day before).

Reads live in selectors.py; what the public may see is decided there, in one place:
``public_consultations``.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import CatalogNode, Organisation
from disclosure.consultations import policy, privacy_guard
from disclosure.consultations.models import (
    COMMENT_CONTACT_MAX_CHARS,
    COMMENT_LOG_SUBJECT,
    COMMENT_MAX_CHARS,
    COMMENT_NAME_MAX_CHARS,
    LOG_SUBJECT,
    Consultation,
    ConsultationAttachment,
    ConsultationComment,
    ConsultationStatus,
    DecisionKind,
    Moderation,
)
from disclosure.consultations.workflow import TRANSITIONS
from disclosure.core import contact, transitions
from disclosure.core.dates import cn_date, cn_datetime
from disclosure.core.log import ActivityEntry
from disclosure.core.models import actor_name
from disclosure.core.sanitize import assign_content, clean_body, clean_html, refuse_outside_images
from disclosure.core.transitions import InvalidTransition
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
SUBJECT = LOG_SUBJECT
COMMENT_SUBJECT = COMMENT_LOG_SUBJECT


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
                "opened": cn_date(timezone.localdate(opens_at)),
                "earliest": cn_date(earliest),
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


def _lock(consultation: Consultation) -> Consultation:
    return Consultation.objects.select_for_update().get(pk=consultation.pk)


def _require_draft(locked: Consultation, message: str) -> None:
    """Content, files and existence change only while a draft: otherwise a wrong state."""
    if locked.status != ConsultationStatus.DRAFT:
        raise InvalidTransition(message)


def _changed_fields(before: dict, locked: Consultation) -> list[str]:
    """Verbose names of the content fields (and the node) whose value differs from ``before``."""
    return [
        str(Consultation._meta.get_field(name).verbose_name)
        for name, value in before.items()
        if getattr(locked, "node_id" if name == "node" else name) != value
    ]


@transaction.atomic
def consultation_create(*, user, organisation: Organisation, node: CatalogNode | None = None, **fields) -> Consultation:
    """A new draft by an editor (信息员) of the organisation, under 决策前预公开 unless told otherwise."""
    if not policy.can_create_in(user, organisation):
        raise PermissionDenied(_("只有本单位的信息员可以新建意见征集。"))
    unknown = set(fields) - set(CONTENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown consultation fields: {sorted(unknown)}")
    node = node or default_node()
    if node is None:
        raise ValidationError({"node": _("标准目录尚未载入“决策前预公开”栏目，请选择目录栏目。")})
    refuse_outside_images(fields.get("body", ""))
    consultation = Consultation(organisation=organisation, node=node, created_by=user, **fields)
    consultation.body = clean_body(consultation.body)
    _validate(consultation)
    consultation.save()
    _log_consultation(consultation, user, "create", "", consultation.status)
    privacy_guard.consultation_privacy_scan(user=user, consultation=consultation)
    return consultation


@transaction.atomic
def consultation_update(*, user, consultation: Consultation, node: CatalogNode | None = None, **fields) -> Consultation:
    """Change a draft. Once opened, the published text stays as the public read it.

    An edit that changes something is logged ("update", naming the fields), which makes its author a
    contributor who may not open the consultation; saving without a change logs nothing."""
    locked = _lock(consultation)
    _require_draft(locked, _("意见征集已开始，草案内容和期限不能再修改。"))
    if not policy.can_edit(user, locked):
        raise PermissionDenied(_("只有本单位的信息员可以修改意见征集草稿。"))
    before = {name: getattr(locked, name) for name in CONTENT_FIELDS}
    before["node"] = locked.node_id
    refuse_outside_images(fields.get("body", ""))
    assign_content(locked, fields, allowed=CONTENT_FIELDS, node=node)
    _validate(locked)
    changed = _changed_fields(before, locked)
    if changed:
        locked.save()
        _log_consultation(
            locked, user, "update", locked.status, locked.status, _("修改：%(fields)s") % {"fields": "、".join(changed)}
        )
        privacy_guard.consultation_privacy_scan(user=user, consultation=locked)
    return locked


@transaction.atomic
def consultation_attachment_add(*, user, consultation: Consultation, upload) -> ConsultationAttachment:
    """Attach a file to a draft (logged as an "update" naming the file: its uploader becomes a
    contributor)."""
    locked = _lock(consultation)
    _require_draft(locked, _("意见征集已开始，不能再添加附件。"))
    if not policy.can_edit(user, locked):
        raise PermissionDenied(_("只能在本单位的意见征集草稿上添加附件。"))
    attachment = ConsultationAttachment(consultation=locked)
    attachment.store_upload(upload)
    attachment.save()
    _log_consultation(
        locked, user, "update", locked.status, locked.status, _("添加附件：%(name)s") % {"name": attachment.original_name}
    )
    privacy_guard.consultation_privacy_scan(user=user, consultation=locked)
    return attachment


@transaction.atomic
def consultation_attachment_remove(*, user, attachment: ConsultationAttachment) -> None:
    """Remove a file from a draft (logged as an "update" naming the file: whoever removes it becomes a
    contributor)."""
    locked = _lock(Consultation(pk=attachment.consultation_id))
    _require_draft(locked, _("意见征集已开始，不能再删除附件。"))
    if not policy.can_edit(user, locked):
        raise PermissionDenied(_("只能从本单位的意见征集草稿上删除附件。"))
    name = attachment.original_name
    ConsultationAttachment.objects.filter(pk=attachment.pk, consultation=locked).delete()
    _log_consultation(
        locked, user, "update", locked.status, locked.status, _("删除附件：%(name)s") % {"name": name}
    )
    privacy_guard.consultation_privacy_scan(user=user, consultation=locked)


@transaction.atomic
def consultation_delete(*, user, consultation: Consultation) -> None:
    """Delete a draft that was never opened (so no citizen has seen or commented on it)."""
    locked = _lock(consultation)
    _require_draft(locked, _("只能删除尚未开始征求意见的草稿。"))
    if not policy.can_edit(user, locked):
        raise PermissionDenied(_("只有本单位的信息员可以删除意见征集草稿。"))
    _log_consultation(locked, user, "delete", locked.status, "")
    locked.delete()


# ------------------------------------------------------------------------------------------ moves


def _move(*, user, consultation: Consultation, name: str, comment: str = "", changes=None, check=None, log=None):
    """Carry out the move ``name`` of workflow.TRANSITIONS through the kernel (must run in a
    transaction); by default the log entry is the move itself, by ``user``."""
    return transitions.move(
        consultation,
        table=TRANSITIONS,
        name=name,
        user=user,
        denial=policy.denial_reason,
        log=log or (lambda locked, previous, target, note: _log_consultation(locked, user, name, previous, target, note)),
        comment=comment,
        changes=changes,
        check=check,
    )


def _window_text(consultation: Consultation) -> str:
    return _("征求意见期限：%(start)s 至 %(end)s") % {
        "start": cn_datetime(consultation.opens_at),
        "end": cn_datetime(consultation.closes_at),
    }


@transaction.atomic
def consultation_open(*, user, consultation: Consultation, comment: str = "", now: datetime | None = None) -> Consultation:
    """Publish the draft for comment (it shows on the public site from ``opens_at``). A reviewer of the
    organisation who wrote no part of it (policy.py)."""
    now = now or timezone.now()

    def check(locked, transition):
        _validate(locked)
        if locked.closes_at <= now:
            raise ValidationError({"closes_at": _("截止时间已过，请先修改征求意见期限。")})
        privacy_guard.check_openable(locked)  # personal data in the draft or its files: each one decided

    def log(locked, previous, target, note):
        _log_consultation(locked, user, "open", previous, target, "；".join(filter(None, [_window_text(locked), note])))

    locked, _previous = _move(user=user, consultation=consultation, name="open", comment=comment, check=check, log=log)
    return locked


def _window_over(now: datetime, message: str):
    def check(locked, transition):
        if not locked.window_has_ended(now):
            raise ValidationError(message)

    return check


@transaction.atomic
def consultation_close(*, user=None, consultation: Consultation, now: datetime | None = None) -> Consultation:
    """Mark an open consultation closed once its window has ended (never earlier: that would cut the
    period the public was promised). By the system (``user`` None), or by a reviewer of the organisation."""
    now = now or timezone.now()
    locked, _previous = _move(
        user=user,
        consultation=consultation,
        name="close",
        check=_window_over(now, _("征求意见期限尚未届满，不能提前结束。")),
    )
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
        except InvalidTransition:
            continue  # closed meanwhile by another run, or its feedback published
    return closed


@transaction.atomic
def consultation_publish_feedback(*, user, consultation: Consultation, feedback: str, now: datetime | None = None) -> Consultation:
    """Publish what was adopted (采纳情况) after the window has ended; the public page then shows it.

    A consultation still marked open (the closing job has not run) is closed by the same move: the log
    records the close, then the publication."""
    now = now or timezone.now()
    feedback = (feedback or "").strip()
    window_over = _window_over(now, _("征求意见期限尚未届满，届满后才能公布采纳情况。"))

    def check(locked, transition):
        window_over(locked, transition)
        if not feedback:
            raise ValidationError({"feedback": _("请填写意见采纳情况。")})

    def log(locked, previous, target, note):
        if previous == ConsultationStatus.OPEN:
            _log_consultation(locked, user, "close", previous, ConsultationStatus.CLOSED)
            previous = ConsultationStatus.CLOSED
        _log_consultation(locked, user, "publish_feedback", previous, target, note)

    locked, _previous = _move(
        user=user,
        consultation=consultation,
        name="publish_feedback",
        changes={"feedback": feedback, "feedback_published_at": now},
        check=check,
        log=log,
    )
    return locked


# --------------------------------------------------------------------------------------- comments


def clean_contact(value: str) -> str:
    """A phone number or an e-mail address, or ValidationError in Chinese."""
    return contact.clean_contact(
        value,
        required_message=_("请填写联系电话或电子邮箱，便于我们就您的意见与您联系（不会公开）。"),
        max_chars=COMMENT_CONTACT_MAX_CHARS,
    )


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
            "start": cn_datetime(consultation.opens_at)
        }
    return _("本次意见征集已于%(end)s截止，不再接受意见。感谢您的关注。") % {
        "end": cn_datetime(consultation.closes_at)
    }


@transaction.atomic
def comment_moderate(*, user, comment: ConsultationComment, moderation: str, reason: str = "") -> ConsultationComment:
    """Show a comment publicly, or not (with a reason); back to pending is allowed too."""
    locked = ConsultationComment.objects.select_for_update().select_related("consultation").get(pk=comment.pk)
    if not policy.can_handle_comments(user, locked.consultation.organisation_id):
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
    queryset = policy.handled_comments(user)
    if consultation is not None:
        if not policy.can_handle_comments(user, consultation.organisation_id):
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

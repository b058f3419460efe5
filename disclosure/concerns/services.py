"""Every write to a concern (回应关切): register it, change it, record a response, close it.

Each change of an existing concern is a move of disclosure/concerns/workflow.py carried out by the
kernel's ``transitions.move()``: lock the row, check the state (``InvalidTransition``), check the right
through disclosure/concerns/policy.py (``PermissionDenied``), validate, change the status with a
compare-and-set (a lost race hears ``transitions.STALE``), write the ActivityEntry. Nothing is written
when any step refuses. Admin screens, the demo and scripts all call these functions.

The clock the responses are measured against is disclosure/concerns/clock.py; the reminders read
``concern_deadline_source`` below (listed in disclosure/reminders.py).
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Organisation
from disclosure.concerns import policy, selectors
from disclosure.concerns.clock import CLOCK_SKEW, concern_deadlines, unmet_deadlines
from disclosure.concerns.models import Concern, ConcernResponse, ConcernStatus, ResponseKind
from disclosure.concerns.workflow import TRANSITIONS
from disclosure.core import transitions
from disclosure.core.dates import cn_datetime
from disclosure.core.deadlines import Deadline
from disclosure.core.log import ActivityEntry
from disclosure.core.models import actor_name
from disclosure.records.models import Record

SUBJECT_TYPE = "concern"
EDITABLE_FIELDS = ("title", "summary", "severity", "arose_at", "source", "source_detail")


def _log(concern: Concern, user, action: str, from_status: str, to_status: str, comment: str = "") -> None:
    ActivityEntry.write_for(
        concern,
        subject_type=SUBJECT_TYPE,
        title=concern.title,
        organisation_id=concern.organisation_id,
        user=user,
        action=action,
        from_status=from_status,
        to_status=to_status,
        comment=comment,
    )


def _move(*, user, concern: Concern, name: str, log_comment=lambda locked: "", **kwargs) -> Concern:
    """Carry out the move ``name`` through the kernel; ``log_comment(locked)`` is the log's comment,
    computed once the move is known good. Must run inside a transaction."""
    locked, _previous = transitions.move(
        concern,
        table=TRANSITIONS,
        name=name,
        user=user,
        denial=policy.denial_reason,
        log=lambda locked, previous, target, comment: _log(
            locked, user, name, previous, target, comment or log_comment(locked)
        ),
        **kwargs,
    )
    return locked


# --- validation (the admin's forms call these too, for errors on the right field) ----------------


def validate_concern(
    *, organisation_id: int, arose_at: datetime | None, responsible_staff, now: datetime | None = None
) -> None:
    """Checks beyond the model's own, with Chinese messages keyed by field."""
    now = now or timezone.now()
    errors = {}
    if arose_at is not None and arose_at > now + CLOCK_SKEW:
        errors["arose_at"] = _("舆情发生时间不能晚于当前时间。")
    staff = list(responsible_staff or [])
    if not staff:
        errors["responsible_staff"] = _("请至少指定一名责任人。")
    else:
        allowed = set(selectors.staff_of(organisation_id).values_list("pk", flat=True))
        outsiders = [actor_name(u) for u in staff if u.pk not in allowed]
        if outsiders:
            errors["responsible_staff"] = _("责任人必须是本单位在职的工作人员：%s。") % "、".join(outsiders)
    if errors:
        raise ValidationError(errors)


def validate_response(
    *,
    concern: Concern,
    kind: str,
    published_at: datetime | None,
    text: str,
    record: Record | None,
    now: datetime | None = None,
) -> None:
    now = now or timezone.now()
    errors = {}
    if concern.status == ConcernStatus.CLOSED:
        errors["__all__"] = _("该事项已办结，不能再登记回应。")
    if kind not in ResponseKind.values:
        errors["kind"] = _("请选择回应方式。")
    if published_at is not None:
        if published_at > now + CLOCK_SKEW:
            errors["published_at"] = _("发布时间不能晚于当前时间；请在回应实际发布后登记。")
        elif published_at < concern.arose_at:
            errors["published_at"] = _("发布时间不能早于舆情发生时间（%s）。") % cn_datetime(concern.arose_at)
    if not (text or "").strip() and record is None:
        errors["text"] = _("请填写回应内容摘要，或选择在“回应关切”栏目发布的对应信息。")
    if record is not None:
        if record.organisation_id != concern.organisation_id:
            errors["record"] = _("对应的公开信息必须是本单位发布的信息。")
        elif record.node_id not in selectors.concern_column_node_ids():
            errors["record"] = _("对应的公开信息必须发布在“回应关切”栏目。")
    if errors:
        raise ValidationError(errors)


def validate_close(*, concern: Concern, comment: str) -> None:
    if concern.status == ConcernStatus.CLOSED:
        raise ValidationError(_("该事项已经办结。"))
    unmet = unmet_deadlines(concern)
    if unmet and not comment.strip():
        raise ValidationError(
            {
                "comment": _("仍有未完成的时限（%s），办结时必须说明理由。")
                % "、".join(d.label for d in unmet)
            }
        )


# --- writes ----------------------------------------------------------------------------------------


@transaction.atomic
def concern_create(
    *,
    user,
    organisation: Organisation,
    title: str,
    severity: str,
    arose_at: datetime,
    source: str,
    responsible_staff,
    summary: str = "",
    source_detail: str = "",
) -> Concern:
    """Register a concern (待回应); its clock starts at ``arose_at``."""
    if not policy.can_register_in(user, organisation.pk):
        raise PermissionDenied(policy.denial_text())
    staff = list(responsible_staff)
    validate_concern(organisation_id=organisation.pk, arose_at=arose_at, responsible_staff=staff)
    concern = Concern(
        organisation=organisation,
        title=title,
        summary=summary,
        severity=severity,
        arose_at=arose_at,
        source=source,
        source_detail=source_detail,
        created_by=user,
    )
    concern.full_clean()
    concern.save()
    concern.responsible_staff.set(staff)
    _log(concern, user, "create", "", concern.status)
    return concern


@transaction.atomic
def concern_update(*, user, concern: Concern, responsible_staff=None, **fields) -> Concern:
    """Change a concern's facts or its responsible staff (not once closed). Re-grading changes its clock.

    Logged (naming the fields changed) only when something changed.
    """
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"unknown concern fields: {sorted(unknown)}")
    staff = list(responsible_staff) if responsible_staff is not None else None
    changed: list[str] = []

    def check(locked: Concern, _transition) -> None:
        changed.extend(name for name, value in fields.items() if getattr(locked, name) != value)
        for name, value in fields.items():
            setattr(locked, name, value)
        current = list(locked.responsible_staff.all())
        validate_concern(
            organisation_id=locked.organisation_id,
            arose_at=locked.arose_at,
            responsible_staff=current if staff is None else staff,
        )
        locked.full_clean()
        if staff is not None and {u.pk for u in current} != {u.pk for u in staff}:
            changed.append("responsible_staff")

    def log(locked, previous, target, _comment) -> None:
        if changed:
            labels = "、".join(str(Concern._meta.get_field(name).verbose_name) for name in changed)
            _log(locked, user, "update", previous, target, _("修改：%s") % labels)

    locked, _previous = transitions.move(
        concern,
        table=TRANSITIONS,
        name="update",
        user=user,
        denial=policy.denial_reason,
        log=log,
        check=check,
        changes=fields,
    )
    if staff is not None:
        locked.responsible_staff.set(staff)
    return locked


@transaction.atomic
def concern_respond(
    *,
    user,
    concern: Concern,
    kind: str,
    published_at: datetime,
    text: str = "",
    record: Record | None = None,
) -> ConcernResponse:
    """Record a response (append-only); the first one moves the concern from 待回应 to 已回应."""

    def check(locked: Concern, _transition) -> None:
        validate_response(concern=locked, kind=kind, published_at=published_at, text=text, record=record)

    def comment(_locked) -> str:
        return _("%(kind)s，发布时间 %(when)s") % {
            "kind": ResponseKind(kind).label,
            "when": cn_datetime(published_at),
        }

    locked = _move(user=user, concern=concern, name="respond", check=check, log_comment=comment)
    response = ConcernResponse(
        concern=locked, kind=kind, published_at=published_at, text=text.strip(), record=record, created_by=user
    )
    response.full_clean()
    response.save()
    return response


@transaction.atomic
def concern_close(*, user, concern: Concern, comment: str = "") -> Concern:
    """Close a concern (办结). With a deadline still unmet, a reason is required and kept in the log."""

    def check(locked: Concern, _transition) -> None:
        validate_close(concern=locked, comment=comment)

    return _move(
        user=user,
        concern=concern,
        name="close",
        check=check,
        comment=comment.strip(),
        changes={"closed_at": timezone.now()},
    )


# --- deadline source for `manage.py check_deadlines` -------------------------------------------------


def concern_deadline_source(now: datetime):
    """Unmet deadlines of concerns not closed, with the responsible staff's addresses (read by
    disclosure/reminders.py; see disclosure/core/deadlines.py)."""
    concerns = (
        Concern.objects.exclude(status=ConcernStatus.CLOSED)
        .prefetch_related("responses", "responsible_staff")
        .order_by("arose_at", "pk")
    )
    for concern in concerns:
        recipients = tuple(
            sorted({u.email for u in concern.responsible_staff.all() if u.is_active and u.email})
        )
        for deadline in concern_deadlines(concern, now=now):
            if not deadline.is_open:
                continue
            yield Deadline(
                source=SUBJECT_TYPE,
                subject_id=concern.pk,
                subject_title=concern.title,
                organisation_id=concern.organisation_id,
                kind=deadline.rule.kind,
                label=deadline.label,
                due_at=deadline.due_at,
                warn_before=deadline.rule.warn_before,
                recipients=recipients,
                admin_path=reverse("admin:disclosure_concern_change", args=[concern.pk]),
                subject_label=_("回应关切"),
            )

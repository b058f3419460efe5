"""Response to public concerns (回应关切): the clock, who may act, the reads and the writes.

The clock. Guideline 四（四） (and 国办发〔2016〕61号) set the limits in hours from the moment a concern
arises: for 特别重大 and 重大 emergencies authoritative information "最迟要在5小时内" and a press
conference "在24小时内"; other public concerns a response within 48 hours. These are clock hours,
not working days: an emergency at 22:00 on a Saturday of the Spring Festival is due authoritative
information by 03:00 on Sunday. Nights, weekends and holidays are deliberately not skipped, and the
working-day calendar (disclosure/workdays.py) is deliberately not used here.

A deadline is met by the first response of a qualifying kind published by then (a press conference
also counts as authoritative information; for 一般 concerns any response counts). A late response
still meets it, late; a closed concern's unmet deadlines stop ticking and stay on record as unmet.

Every change of a concern goes through the services below (rights checked, ActivityEntry written).
The public sees a concern only through responses published as public records in the 回应关切 column:
the concern itself (title, summary, source, staff) is internal monitoring and never public.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import reduce
from operator import or_

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog import selectors as catalog_selectors
from catalog.models import Organisation
from disclosure.concerns.models import Concern, ConcernResponse, ConcernStatus, ResponseKind, Severity
from disclosure.core import access
from disclosure.core.access import Role
from disclosure.core.deadlines import Deadline, format_duration
from disclosure.core.log import ActivityEntry
from disclosure.core.models import actor_name
from disclosure.core.transitions import InvalidTransition
from disclosure.records.models import Record

# The first-level catalog item whose columns carry responses to concerns (回应关切, 020901 beneath it).
CONCERN_COLUMN_CODE = "0209"
# Reminder lead times (configurable here): how long before a deadline the responsible staff hear of it.
WARN_BEFORE = {
    "authoritative": timedelta(hours=1),
    "press_conference": timedelta(hours=4),
    "response": timedelta(hours=4),
}
# Clock skew tolerated when checking that a time is "not in the future".
CLOCK_SKEW = timedelta(minutes=5)
MANAGING_ROLES = frozenset({Role.EDITOR, Role.REVIEWER, Role.ORG_ADMIN})
SUBJECT_TYPE = "concern"


# --- the clock ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeadlineRule:
    kind: str
    label: str
    hours: int
    satisfied_by: tuple[str, ...]

    @property
    def span(self) -> timedelta:
        return timedelta(hours=self.hours)


AUTHORITATIVE = DeadlineRule(
    "authoritative",
    gettext_lazy("发布权威信息"),
    5,
    (ResponseKind.AUTHORITATIVE, ResponseKind.PRESS_CONFERENCE),
)
PRESS_CONFERENCE = DeadlineRule(
    "press_conference", gettext_lazy("举行新闻发布会"), 24, (ResponseKind.PRESS_CONFERENCE,)
)
RESPONSE = DeadlineRule("response", gettext_lazy("回应"), 48, tuple(ResponseKind.values))
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
            return _("已按时完成（%s）") % timezone.localtime(self.met_at).strftime("%m-%d %H:%M")
        if self.state == ClockState.MET_LATE:
            return _("超时 %s 后完成") % format_duration(self.overdue_by)
        if self.state == ClockState.PENDING:
            return _("剩余 %s") % format_duration(self.remaining)
        if self.state == ClockState.OVERDUE:
            return _("已逾期 %s") % format_duration(self.overdue_by)
        return _("已办结，未完成")


def concern_deadlines(concern: Concern, *, now: datetime | None = None) -> list[ConcernDeadline]:
    """The deadlines of a concern and their state at ``now``; reads ``concern.responses`` (prefetch it)."""
    now = now or timezone.now()
    responses = list(concern.responses.all())
    deadlines = []
    for rule in RULES.get(concern.severity, ()):
        due_at = concern.arose_at + rule.span
        times = [r.published_at for r in responses if r.kind in rule.satisfied_by]
        met_at = min(times) if times else None
        if met_at is not None:
            state = ClockState.MET if met_at <= due_at else ClockState.MET_LATE
        elif concern.status == ConcernStatus.CLOSED:
            state = ClockState.CLOSED_UNMET
        else:
            state = ClockState.OVERDUE if now >= due_at else ClockState.PENDING
        deadlines.append(ConcernDeadline(rule, due_at, met_at, state, now))
    return deadlines


def next_deadline(concern: Concern, *, now: datetime | None = None) -> ConcernDeadline | None:
    """The earliest deadline still open (pending or overdue), or None."""
    open_ones = [d for d in concern_deadlines(concern, now=now) if d.is_open]
    return min(open_ones, key=lambda d: d.due_at) if open_ones else None


def overdue_condition(now: datetime | None = None) -> Q:
    """A filter for concerns, not closed, with a deadline past due and not met: the same rules in SQL."""
    now = now or timezone.now()
    parts = []
    for severity, rules in RULES.items():
        for rule in rules:
            satisfied = ConcernResponse.objects.filter(concern=OuterRef("pk"), kind__in=rule.satisfied_by)
            parts.append(Q(severity=severity, arose_at__lte=now - rule.span) & ~Exists(satisfied))
    return ~Q(status=ConcernStatus.CLOSED) & reduce(or_, parts)


# --- who may do what ---------------------------------------------------------------------------


def _is_super(user) -> bool:
    return bool(getattr(user, "is_superuser", False) and user.is_active)


def can_manage_concerns(user, organisation_id: int) -> bool:
    """Staff of the organisation (信息员, 审核员, 单位管理员) register and handle its concerns;
    auditors only read."""
    if _is_super(user):
        return True
    organisation = access.organisation_of(user)
    return (
        organisation is not None
        and organisation.pk == organisation_id
        and bool(MANAGING_ROLES & access.roles_of(user))
    )


def _check_manage(user, organisation_id: int) -> None:
    if not can_manage_concerns(user, organisation_id):
        raise PermissionDenied(_("只有本单位的工作人员可以登记和办理回应关切事项。"))


# --- reads -------------------------------------------------------------------------------------


def concerns_visible_to(user) -> QuerySet[Concern]:
    """Concerns a member of staff may see: those of the organisations in their scope."""
    if _is_super(user):
        return Concern.objects.all()
    return Concern.objects.filter(organisation__in=access.organisations_in_scope(user))


def overdue_concerns(queryset: QuerySet[Concern] | None = None, *, now: datetime | None = None) -> QuerySet[Concern]:
    queryset = Concern.objects.all() if queryset is None else queryset
    return queryset.filter(overdue_condition(now))


def staff_of(organisation_id: int) -> QuerySet:
    """Active accounts of an organisation's staff: the people who may be made responsible."""
    return get_user_model().objects.filter(
        is_active=True, staff_profile__organisation_id=organisation_id
    ).order_by("username")


def concern_column_node_ids() -> set[int]:
    """Catalog nodes where responses are published: 回应关切 and everything beneath it."""
    node = catalog_selectors.find_in_tree(catalog_selectors.catalog_tree(visible_only=False), CONCERN_COLUMN_CODE)
    if node is None:
        return set()
    codes = catalog_selectors.descendant_codes(node)
    from catalog.models import CatalogNode

    return set(CatalogNode.objects.filter(code__in=codes).values_list("pk", flat=True))


# --- writes ------------------------------------------------------------------------------------


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


def validate_concern(
    *, organisation_id: int, arose_at: datetime | None, responsible_staff, now: datetime | None = None
) -> None:
    """Checks beyond the model's own, with Chinese messages keyed by field (used by forms too)."""
    now = now or timezone.now()
    errors = {}
    if arose_at is not None and arose_at > now + CLOCK_SKEW:
        errors["arose_at"] = _("舆情发生时间不能晚于当前时间。")
    staff = list(responsible_staff or [])
    if not staff:
        errors["responsible_staff"] = _("请至少指定一名责任人。")
    else:
        allowed = set(staff_of(organisation_id).values_list("pk", flat=True))
        outsiders = [actor_name(u) for u in staff if u.pk not in allowed]
        if outsiders:
            errors["responsible_staff"] = _("责任人必须是本单位在职的工作人员：%s。") % "、".join(outsiders)
    if errors:
        raise ValidationError(errors)


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
    _check_manage(user, organisation.pk)
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


EDITABLE_FIELDS = ("title", "summary", "severity", "arose_at", "source", "source_detail")


@transaction.atomic
def concern_update(*, user, concern: Concern, responsible_staff=None, **fields) -> Concern:
    """Change a concern's facts or its responsible staff (not once closed). Re-grading changes its clock."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"unknown concern fields: {sorted(unknown)}")
    locked = Concern.objects.select_for_update().get(pk=concern.pk)
    _check_manage(user, locked.organisation_id)
    if locked.status == ConcernStatus.CLOSED:
        raise InvalidTransition(_("已办结的事项不能修改。"))
    changed = [name for name, value in fields.items() if getattr(locked, name) != value]
    for name, value in fields.items():
        setattr(locked, name, value)
    staff = list(responsible_staff) if responsible_staff is not None else list(locked.responsible_staff.all())
    validate_concern(organisation_id=locked.organisation_id, arose_at=locked.arose_at, responsible_staff=staff)
    locked.full_clean()
    locked.save()
    if responsible_staff is not None:
        before = set(locked.responsible_staff.values_list("pk", flat=True))
        locked.responsible_staff.set(staff)
        if before != {u.pk for u in staff}:
            changed.append("responsible_staff")
    if changed:
        labels = "、".join(str(Concern._meta.get_field(name).verbose_name) for name in changed)
        _log(locked, user, "update", locked.status, locked.status, _("修改：%s") % labels)
    return locked


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
            errors["published_at"] = _("发布时间不能早于舆情发生时间（%s）。") % timezone.localtime(
                concern.arose_at
            ).strftime("%Y-%m-%d %H:%M")
    if not (text or "").strip() and record is None:
        errors["text"] = _("请填写回应内容摘要，或选择在“回应关切”栏目发布的对应信息。")
    if record is not None:
        if record.organisation_id != concern.organisation_id:
            errors["record"] = _("对应的公开信息必须是本单位发布的信息。")
        elif record.node_id not in concern_column_node_ids():
            errors["record"] = _("对应的公开信息必须发布在“回应关切”栏目。")
    if errors:
        raise ValidationError(errors)


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
    """Record a response; the first one moves the concern from 待回应 to 已回应."""
    locked = Concern.objects.select_for_update().get(pk=concern.pk)
    _check_manage(user, locked.organisation_id)
    if locked.status == ConcernStatus.CLOSED:
        raise InvalidTransition(_("该事项已办结，不能再登记回应。"))
    validate_response(concern=locked, kind=kind, published_at=published_at, text=text, record=record)
    response = ConcernResponse(
        concern=locked, kind=kind, published_at=published_at, text=text.strip(), record=record, created_by=user
    )
    response.full_clean()
    response.save()
    previous = locked.status
    if previous == ConcernStatus.OPEN:
        claimed = Concern.objects.filter(pk=locked.pk, status=previous).update(
            status=ConcernStatus.RESPONDED, updated_at=timezone.now()
        )
        if claimed != 1:
            raise InvalidTransition(_("该事项的状态已被他人更改，请刷新后重试。"))
        locked.status = ConcernStatus.RESPONDED
    comment = _("%(kind)s，发布时间 %(when)s") % {
        "kind": ResponseKind(kind).label,
        "when": timezone.localtime(published_at).strftime("%Y-%m-%d %H:%M"),
    }
    _log(locked, user, "respond", previous, locked.status, comment)
    return response


def unmet_deadlines(concern: Concern, *, now: datetime | None = None) -> list[ConcernDeadline]:
    return [d for d in concern_deadlines(concern, now=now) if d.met_at is None]


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


@transaction.atomic
def concern_close(*, user, concern: Concern, comment: str = "") -> Concern:
    """Close a concern (办结). With a deadline still unmet, a reason is required and kept in the log."""
    locked = Concern.objects.select_for_update().get(pk=concern.pk)
    _check_manage(user, locked.organisation_id)
    if locked.status == ConcernStatus.CLOSED:
        raise InvalidTransition(_("该事项已经办结。"))
    validate_close(concern=locked, comment=comment)
    previous = locked.status
    now = timezone.now()
    claimed = Concern.objects.filter(pk=locked.pk, status=previous).update(
        status=ConcernStatus.CLOSED, closed_at=now, updated_at=now
    )
    if claimed != 1:
        raise InvalidTransition(_("该事项的状态已被他人更改，请刷新后重试。"))
    locked.status, locked.closed_at = ConcernStatus.CLOSED, now
    _log(locked, user, "close", previous, locked.status, comment.strip())
    return locked


# --- deadline source for `manage.py check_deadlines` -------------------------------------------------


def concern_deadline_source(now: datetime):
    """Unmet deadlines of concerns not closed, with the responsible staff's addresses (see disclosure/deadlines.py)."""
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
                warn_before=WARN_BEFORE[deadline.rule.kind],
                recipients=recipients,
                admin_path=reverse("admin:disclosure_concern_change", args=[concern.pk]),
                subject_label=_("回应关切"),
            )

"""有效性 of policy documents, derived from dates and links, and kept up to date by a daily job.

The rule (``derive_validity``), for a record with a 施行日期 or an 有效期至 or a link:

- 已废止 from the 施行日期 of the document that repeals it, 已失效 from the day after its 有效期至, whichever
  comes first (a document cannot expire once repealed, nor be repealed once expired);
- otherwise 尚未生效 before its own 施行日期;
- otherwise 已修改 from the 施行日期 of the first document that amends it;
- otherwise 现行有效.

A link counts once the later document is in force: published on the platform (or named as a document issued
elsewhere) and its date reached. A record without 施行日期, 有效期至 or links keeps the value it has.

The value on the record is a denormalised copy for filtering. For drafts the record services set it when the
content is saved; once a record is published it changes only by ``record_validity_update``: a system move of
``VALIDITY_TRANSITIONS`` (forward only), one audit entry each. ``validity_update_all`` runs it for every
record (``manage.py update_validity``, daily just after midnight). ``record_expiry_deadline_source`` reminds
the organisation's editors and reviewers six calendar months before a 行政规范性文件 expires, so that it is
cleaned up or assessed (清理、评估) in time.
"""

from __future__ import annotations

import calendar
import logging
from collections.abc import Iterable, Iterator
from datetime import date, datetime, time, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from disclosure.core.access import Role, has_role_in
from disclosure.core.deadlines import Deadline
from disclosure.core.staff import StaffProfile
from disclosure.core.transitions import InvalidTransition, Right, Transition, TransitionTable, claim
from disclosure.records import policy
from disclosure.records.models import AuditEntry, Record, RecordType, Status, Validity
from disclosure.records.validity_models import ChangeKind, PolicyChange

logger = logging.getLogger(__name__)

POLICY_TYPES = (RecordType.POLICY, RecordType.REGULATION, RecordType.NORMATIVE)
# A 行政规范性文件 is reviewed (清理/评估) before it expires: the reminder goes out this many months ahead.
EXPIRY_WARNING_MONTHS = 6
# States in which a record is the live version of a document (the others are history).
LIVE_STATUSES = (
    Status.DRAFT,
    Status.SUBMITTED,
    Status.CHANGES_REQUESTED,
    Status.APPROVED,
    Status.SCHEDULED,
    Status.PUBLISHED,
)
# A later document on the platform counts once it has been published (a revision of it still counts).
IN_FORCE_STATUSES = (Status.PUBLISHED, Status.SUPERSEDED)

VALIDITY_TRANSITIONS = TransitionTable(
    (
        Transition("take_effect", gettext_lazy("施行（生效）"), (Validity.UPCOMING,), Validity.CURRENT, Right.SYSTEM),
        Transition(
            "become_amended",
            gettext_lazy("被修改"),
            (Validity.UPCOMING, Validity.CURRENT),
            Validity.AMENDED,
            Right.SYSTEM,
        ),
        Transition(
            "become_repealed",
            gettext_lazy("被废止"),
            (Validity.UPCOMING, Validity.CURRENT, Validity.AMENDED),
            Validity.REPEALED,
            Right.SYSTEM,
        ),
        Transition(
            "become_expired",
            gettext_lazy("有效期届满失效"),
            (Validity.UPCOMING, Validity.CURRENT, Validity.AMENDED),
            Validity.EXPIRED,
            Right.SYSTEM,
        ),
    ),
    states=Validity,
)


# ------------------------------------------------------------------------------------------ the rule


def derive_validity(
    *, effective_on: date | None, expires_on: date | None, changes: Iterable[tuple[str, date]], today: date
) -> str:
    """The validity on ``today`` of a document with these dates and these changes in force ((kind, date))."""
    changes = list(changes)
    ends = []
    repeals = [on for kind, on in changes if kind == ChangeKind.REPEAL and on <= today]
    if repeals:
        ends.append((min(repeals), 0, Validity.REPEALED))
    if expires_on is not None and expires_on < today:
        ends.append((expires_on + timedelta(days=1), 1, Validity.EXPIRED))
    if ends:
        return min(ends)[2]
    if effective_on is not None and today < effective_on:
        return Validity.UPCOMING
    if any(kind == ChangeKind.AMEND and on <= today for kind, on in changes):
        return Validity.AMENDED
    return Validity.CURRENT


def in_force_condition(prefix: str = "") -> Q:
    """Links whose later document counts: named from elsewhere, or published on the platform."""
    return Q(**{f"{prefix}by_record__isnull": True}) | Q(**{f"{prefix}by_record__status__in": IN_FORCE_STATUSES})


def version_chain(record: Record) -> list[int]:
    """The record and the originals it revises (a link made to an original holds for its revisions)."""
    ids, current = [], record.revises_id
    if record.pk:
        ids.append(record.pk)
    seen = set(ids)
    while current and current not in seen:
        ids.append(current)
        seen.add(current)
        current = Record.objects.filter(pk=current).values_list("revises_id", flat=True).first()
    return ids


def changes_in_force(record: Record) -> list[tuple[str, date]]:
    chain = version_chain(record)
    if not chain:
        return []
    return list(
        PolicyChange.objects.filter(in_force_condition(), target_id__in=chain).values_list("kind", "effective_on")
    )


def is_derived(record: Record, changes: list | None = None) -> bool:
    """Whether the record's validity follows the rule (it has a date or a link to go by)."""
    return bool(record.effective_on or record.expires_on or (changes if changes is not None else False))


def validity_of(record: Record, today: date | None = None) -> str:
    """The derived validity of ``record`` on ``today``, or its stored value when nothing derives it."""
    today = today or timezone.localdate()
    changes = changes_in_force(record)
    if not is_derived(record, changes):
        return record.validity
    return derive_validity(
        effective_on=record.effective_on, expires_on=record.expires_on, changes=changes, today=today
    )


def check_dates(record: Record) -> dict[str, str]:
    """Form-level problems of the dates, in Chinese (the database refuses the inverted range too)."""
    errors = {}
    if record.expires_on and record.effective_on and record.expires_on < record.effective_on:
        errors["expires_on"] = _("有效期至不能早于施行日期。")
    return errors


# ------------------------------------------------------------------------------------------ the move


def _transition_to(source: str, target: str) -> Transition:
    for transition in VALIDITY_TRANSITIONS.values():
        if transition.target == target:
            if source in transition.sources:
                return transition
            VALIDITY_TRANSITIONS.check_source(transition, source)
    raise InvalidTransition(
        _("有效性不能由“%(source)s”变为“%(target)s”。")
        % {"source": VALIDITY_TRANSITIONS.state_label(source), "target": VALIDITY_TRANSITIONS.state_label(target)}
    )


def _explain(record: Record, target: str) -> str:
    if target == Validity.EXPIRED:
        return _("有效期至 %s 届满") % record.expires_on.isoformat()
    if target == Validity.CURRENT:
        return _("自 %s 起施行") % record.effective_on.isoformat()
    kind = ChangeKind.REPEAL if target == Validity.REPEALED else ChangeKind.AMEND
    change = (
        PolicyChange.objects.filter(in_force_condition(), target_id__in=version_chain(record), kind=kind)
        .order_by("effective_on", "id")
        .first()
    )
    if change is None:
        return ""
    number = f"（{change.by_document_number}）" if change.by_document_number else ""
    return _("自 %(on)s 起被《%(title)s》%(number)s%(kind)s") % {
        "on": change.effective_on.isoformat(),
        "title": change.by_title,
        "number": number,
        "kind": change.get_kind_display(),
    }


@transaction.atomic
def record_validity_update(*, record: Record, today: date | None = None, user=None) -> Record | None:
    """Bring a record's stored validity to what the rule says on ``today`` (a system move; None when
    nothing changes). A person never calls it: with a user, PermissionDenied; a move the table does not
    allow (backwards), InvalidTransition; nothing is written then."""
    if user is not None:
        raise PermissionDenied(_("有效性由系统按施行日期、有效期和修改废止关系自动更新，不能手工修改。"))
    locked = Record.objects.select_for_update().get(pk=record.pk)
    target = validity_of(locked, today)
    if target == locked.validity:
        return None
    transition = _transition_to(locked.validity, target)
    previous = locked.validity
    claim(locked, expected=previous, field="validity", values={"validity": target})
    reason = _explain(locked, target)
    AuditEntry.note(
        locked,
        None,
        transition.name,
        _("有效性：%(from)s → %(to)s%(reason)s")
        % {
            "from": VALIDITY_TRANSITIONS.state_label(previous),
            "to": VALIDITY_TRANSITIONS.state_label(target),
            "reason": f"（{reason}）" if reason else "",
        },
    )
    return locked


def follow_revisions() -> int:
    """Move links whose target was superseded by a published revision onto that revision (the live version
    of the same document, with the same index number), so that lists read them from the live record."""
    moved = 0
    for change in PolicyChange.objects.filter(target__status=Status.SUPERSEDED).select_related("target"):
        live = Record.objects.filter(
            index_number=change.target.index_number, organisation_id=change.target.organisation_id,
            status=Status.PUBLISHED,
        ).first()
        if live is not None and live.pk != change.by_record_id:
            moved += PolicyChange.objects.filter(pk=change.pk).update(target=live)
    return moved


def validity_update_all(*, today: date | None = None) -> list[tuple[Record, str]]:
    """Update every live record whose validity the rule now changes: (record, previous validity) each.
    Safe to run twice a day or in two processes at once (compare-and-set per record)."""
    today = today or timezone.localdate()
    follow_revisions()
    candidates = (
        Record.objects.filter(status__in=LIVE_STATUSES)
        .filter(
            Q(effective_on__isnull=False)
            | Q(expires_on__isnull=False)
            | Exists(PolicyChange.objects.filter(target=OuterRef("pk")))
        )
        .values_list("pk", "validity")
    )
    updated = []
    for pk, previous in list(candidates):
        try:
            record = record_validity_update(record=Record(pk=pk), today=today)
        except InvalidTransition as refusal:
            logger.warning("有效性未更新（信息编号 %s）：%s", pk, refusal)
            continue
        if record is not None:
            updated.append((record, previous))
    return updated


# ------------------------------------------------------------------------------------------ links


def _check_target(target: Record) -> None:
    if target.record_type not in POLICY_TYPES:
        raise ValidationError({"target": _("只有政策文件、规章和行政规范性文件可以登记修改或废止关系。")})
    if target.status != Status.PUBLISHED:
        raise ValidationError({"target": _("被修改或废止的文件须为已发布的现行文件。")})


@transaction.atomic
def policy_change_link(
    *,
    user,
    target: Record,
    kind: str,
    by_record: Record | None = None,
    by_title: str = "",
    by_document_number: str = "",
    effective_on: date | None = None,
    today: date | None = None,
) -> PolicyChange:
    """Record that ``target`` is amended or repealed by ``by_record`` (a draft of the same organisation,
    which takes effect once published and on its 施行日期) or by a document issued elsewhere
    (``by_title``, ``by_document_number``, ``effective_on``). Editors of the organisation only."""
    target = Record.objects.select_for_update().get(pk=target.pk)
    if kind not in ChangeKind.values:
        raise ValidationError({"kind": _("请选择修改或废止。")})
    if by_record is not None:
        by_record = Record.objects.select_for_update().get(pk=by_record.pk)
        if not policy.can_edit(user, by_record):
            raise PermissionDenied(_("只有本单位的信息员可以在起草中的文件上登记它修改或废止的文件。"))
        _check_target(target)
        if by_record.organisation_id != target.organisation_id:
            raise ValidationError({"target": _("只能登记本单位的文件；外单位文件请按名称和文号登记。")})
        if by_record.pk == target.pk:
            raise ValidationError({"target": _("文件不能修改或废止自身。")})
        effective_on = effective_on or by_record.effective_on
        by_title, by_document_number = by_record.title, by_record.document_number
    else:
        if not has_role_in(user, Role.EDITOR, target.organisation_id):
            raise PermissionDenied(_("只有本单位的信息员可以登记修改或废止关系。"))
        _check_target(target)
        by_title, by_document_number = (by_title or "").strip(), (by_document_number or "").strip()
        if not by_title:
            raise ValidationError({"by_title": _("请填写修改或废止该文件的文件名称。")})
    if effective_on is None:
        raise ValidationError({"effective_on": _("请填写修改或废止的生效日期（修改或废止文件的施行日期）。")})
    if by_record is not None and PolicyChange.objects.filter(target=target, by_record=by_record).exists():
        raise ValidationError({"target": _("已登记过该关系。")})
    change = PolicyChange(
        target=target,
        kind=kind,
        by_record=by_record,
        by_title=by_title[:300],
        by_document_number=by_document_number[:100],
        effective_on=effective_on,
        created_by=user,
    )
    change.full_clean()
    change.save()
    comment = _("登记：被《%(title)s》%(kind)s，自 %(on)s 起") % {
        "title": change.by_title, "kind": change.get_kind_display(), "on": effective_on.isoformat(),
    }
    AuditEntry.note(target, user, "link_policy_change", comment)
    if by_record is not None:
        AuditEntry.note(
            by_record, user, "link_policy_change",
            _("登记：%(kind)s《%(title)s》（%(number)s）") % {
                "kind": change.get_kind_display(), "title": target.title, "number": target.index_number,
            },
        )
    # A document from elsewhere already in force changes the target now, not tomorrow night.
    record_validity_update(record=target, today=today)
    return change


@transaction.atomic
def policy_change_unlink(*, user, change: PolicyChange, today: date | None = None) -> None:
    """Remove a link that has not taken effect (its document unpublished, or its date not reached)."""
    change = PolicyChange.objects.select_for_update(of=("self",)).select_related("target", "by_record").get(pk=change.pk)
    today = today or timezone.localdate()
    if change.by_record is not None:
        if change.by_record.status in IN_FORCE_STATUSES or change.by_record.published_at is not None:
            raise InvalidTransition(_("修改或废止文件已发布，该关系不能删除。"))
        allowed = policy.can_edit(user, change.by_record)
    else:
        if change.effective_on <= today:
            raise InvalidTransition(_("该修改或废止已生效，不能删除。"))
        allowed = has_role_in(user, Role.EDITOR, change.target.organisation_id)
    if not allowed:
        raise PermissionDenied(_("只有本单位的信息员可以删除修改或废止关系。"))
    AuditEntry.note(
        change.target, user, "unlink_policy_change",
        _("删除登记：被《%(title)s》%(kind)s") % {"title": change.by_title, "kind": change.get_kind_display()},
    )
    change.delete()


# ------------------------------------------------------------------------------------------ reads


def changes_of(record_ids: Iterable[int]) -> QuerySet[PolicyChange]:
    """Links in force whose target is one of ``record_ids``, with their later document."""
    return (
        PolicyChange.objects.filter(in_force_condition(), target_id__in=list(record_ids))
        .select_related("by_record__organisation")
        .order_by("effective_on", "id")
    )


# ------------------------------------------------------------------------------------------ reminder


def months_before(day: date, months: int) -> date:
    """The same day ``months`` calendar months earlier (the month's last day where it has fewer days):
    2027-01-01 → 2026-07-01; 2027-08-31 → 2027-02-28."""
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def expiry_warning_from(expires_on: date) -> date:
    """The first day of the reminder: six calendar months before the day the document becomes 已失效."""
    return months_before(expires_on + timedelta(days=1), EXPIRY_WARNING_MONTHS)


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def _staff_emails(org_ids) -> dict[int, tuple[str, ...]]:
    emails: dict[int, set[str]] = {}
    rows = (
        StaffProfile.objects.filter(
            organisation_id__in=org_ids, user__is_active=True, user__groups__name__in=[Role.EDITOR, Role.REVIEWER]
        )
        .exclude(user__email="")
        .values_list("organisation_id", "user__email")
    )
    for org_id, email in rows:
        emails.setdefault(org_id, set()).add(email)
    return {org_id: tuple(sorted(found)) for org_id, found in emails.items()}


def record_expiry_deadline_source(now: datetime) -> Iterator[Deadline]:
    """Published 行政规范性文件 in force with an 有效期至: due when they expire (the start of the day after
    有效期至), the reminder from six calendar months before (read by disclosure/reminders.py)."""
    records = list(
        Record.objects.filter(
            record_type=RecordType.NORMATIVE,
            status=Status.PUBLISHED,
            expires_on__isnull=False,
            validity__in=[Validity.UPCOMING, Validity.CURRENT, Validity.AMENDED],
        ).only("pk", "title", "organisation_id", "expires_on")
    )
    recipients = _staff_emails({record.organisation_id for record in records})
    for record in records:
        due_at = _local_midnight(record.expires_on + timedelta(days=1))
        yield Deadline(
            source="record_validity",
            subject_id=record.pk,
            subject_title=record.title,
            organisation_id=record.organisation_id,
            kind=f"expiry-{record.expires_on.isoformat()}",
            label=_("有效期届满（请及时清理、评估，确需继续施行的重新制发）"),
            due_at=due_at,
            warn_before=due_at - _local_midnight(expiry_warning_from(record.expires_on)),
            recipients=recipients.get(record.organisation_id, ()),
            admin_path=reverse("admin:disclosure_record_change", args=[record.pk]),
            subject_label=_("规范性文件有效期"),
        )

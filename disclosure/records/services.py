"""Every write to a record. Each state change: lock, check state, check right, change, audit.

Admin actions, management commands and scheduled jobs all call these functions; nothing else
changes ``Record.status``. Every content write leaves a version (``RecordVersion``) naming its author:
the policy reads them to keep whoever wrote a record from reviewing or publishing it (four eyes).

Publishing a policy publishes (schedules, unschedules) its approved interpretations with it, in the
same transaction and through the same services (政策解读 同步); the rules are in
``disclosure/records/interpretation_sync.py``.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import CatalogNode, Organisation
from disclosure.core import transitions
from disclosure.core.dates import cn_datetime
from disclosure.core.models import actor_name
from disclosure.core.sanitize import assign_content, clean_body, refuse_outside_images
from disclosure.core.transitions import InvalidTransition
from disclosure.records import (
    body_images,
    edit_lock,
    interpretation_sync,
    policy,
    privacy_guard,
    review_chain,
    site_checks,
    validity,
)
from disclosure.records.metadata import normalise_keywords
from disclosure.records.models import (
    Attachment,
    AuditEntry,
    IndexSequence,
    Openness,
    Record,
    RecordVersion,
    Review,
    Status,
)
from disclosure.records.review_models import ReviewCheck, ReviewStepEntry
from disclosure.records.search_index import search_document_refresh
from disclosure.records.workflow import REVISE, TRANSITIONS, Transition, check_source, get_transition

CONTENT_FIELDS = (
    "title",
    "document_number",
    "issuing_body",
    "written_on",
    "formed_on",
    "validity",
    "record_type",
    "topic",
    "keywords",
    "needs_interpretation",
    "openness",
    "withholding_ground",
    "openness_note",
    "summary",
    "body",
    "change_note",
    "effective_on",
    "expires_on",
)
logger = logging.getLogger(__name__)


def _audit(record: Record, user, action: str, from_status: str, to_status: str, comment: str = "") -> AuditEntry:
    return AuditEntry.write(
        actor=user,
        record=record,
        record_title=record.title,
        organisation_id=record.organisation_id,
        action=action,
        from_status=from_status,
        to_status=to_status,
        comment=comment,
    )


def _snapshot(record: Record, user) -> RecordVersion:
    data = {name: getattr(record, name) for name in CONTENT_FIELDS}
    for name in ("written_on", "formed_on", "effective_on", "expires_on"):
        data[name] = data[name].isoformat() if data[name] else None
    data["node"] = record.node.code
    data["attachments"] = list(record.attachments.values_list("original_name", flat=True))
    data["related"] = sorted(record.related.values_list("pk", flat=True))
    number = (record.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    return RecordVersion.objects.create(
        record=record, number=number, author=user, author_name=actor_name(user), data=data
    )


def _validate_content(record: Record) -> None:
    """Model-level validation with Chinese messages; the database constraints back it up."""
    errors = {}
    if record.openness != Openness.PROACTIVE and not record.withholding_ground:
        errors["withholding_ground"] = _("依申请公开或不予公开的信息必须选择法定依据（条例第十四至十六条）。")
    if record.openness == Openness.PROACTIVE and record.withholding_ground:
        record.withholding_ground = ""
    if not record.node.is_active:
        errors["node"] = _("该目录栏目已停用。")
    errors.update(validity.check_dates(record))
    if errors:
        raise ValidationError(errors)
    record.keywords = normalise_keywords(record.keywords)  # stored one way, so a 主题词 filter matches words
    record.full_clean(exclude=["related", "revises"])
    # Not yet published: the derived 有效性 is part of the content (published ones: validity.py's job).
    record.validity = validity.validity_of(record)


@transaction.atomic
def record_create(*, user, organisation: Organisation, node: CatalogNode, **fields) -> Record:
    if not policy.can_create_in(user, organisation):
        raise PermissionDenied(_("只有本单位的信息员可以新建信息。"))
    unknown = set(fields) - set(CONTENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown record fields: {sorted(unknown)}")
    refuse_outside_images(fields.get("body", ""))
    record = Record(organisation=organisation, node=node, created_by=user, **fields)
    record.body = clean_body(record.body)
    _validate_content(record)
    record.save()
    _snapshot(record, user)
    _audit(record, user, "create", "", record.status)
    return record


@transaction.atomic
def record_update(
    *, user, record: Record, node: CatalogNode | None = None, opened_version: int | None = None, **fields
) -> Record:
    """Change a draft's content. Published records are changed by revising them.

    ``opened_version``: the version the editing form was opened on; given, the save is refused while someone
    else holds the edit lock or has saved since, and releases the user's lock (disclosure/records/edit_lock.py).
    """
    locked = Record.objects.select_for_update().get(pk=record.pk)
    if not locked.is_editable:
        raise InvalidTransition(
            _("当前状态为“%(status)s”，不能修改内容；已发布的信息请使用“修订”。")
            % {"status": Status(locked.status).label}
        )
    if not policy.can_edit(user, locked):
        raise PermissionDenied(_("只有本单位的信息员可以修改该信息。"))
    if opened_version is not None:
        edit_lock.check_save(user=user, record=locked, opened_version=opened_version)
    refuse_outside_images(fields.get("body", ""))
    assign_content(locked, fields, allowed=CONTENT_FIELDS, node=node)
    _validate_content(locked)
    locked.save()
    _snapshot(locked, user)
    if opened_version is not None:
        edit_lock.lock_release(user=user, record=locked)
    return locked


@transaction.atomic
def attachment_add(*, user, record: Record, upload, sort_order: int = 0) -> Attachment:
    if not policy.can_edit(user, record):
        raise PermissionDenied(_("只能在本单位可编辑的信息上添加附件。"))
    attachment = Attachment(record=record, sort_order=sort_order)
    attachment.store_upload(upload)
    attachment.save()
    _snapshot(record, user)
    return attachment


@transaction.atomic
def attachment_remove(*, user, attachment: Attachment) -> None:
    record = attachment.record
    if not policy.can_edit(user, record):
        raise PermissionDenied(_("只能从本单位可编辑的信息上删除附件。"))
    body_images.refuse_removing_shown_image(attachment)
    attachment.delete()
    _snapshot(record, user)


def _move(
    *, user, record: Record, name: str, comment: str = "", changes: dict | None = None, check=None
) -> tuple[Record, str]:
    """Lock the row, check state and right, apply ``changes`` with the new status, write the audit row.

    The kernel's ``move`` does it (compare-and-set, so that two concurrent moves from the same state
    cannot both succeed). Must run inside a transaction.
    """
    return transitions.move(
        record,
        table=TRANSITIONS,
        name=name,
        user=user,
        denial=policy.denial_reason,
        log=lambda locked, previous, target, note: _audit(locked, user, name, previous, target, note),
        comment=comment,
        changes=changes,
        check=check,
    )


def _check_allowed(user, record: Record, transition: Transition) -> None:
    """The state and right steps of the kernel's ``move()``, in the same order and through the same
    policy (``denial_reason``), for the paths that must look before they write: the approval's checks,
    a publication's index number and superseded original, a revision, a policy's interpretations.
    Wrong state → InvalidTransition, missing right → PermissionDenied."""
    check_source(transition, record.status)
    reason = policy.denial_reason(user, transition, record)
    if reason:
        raise PermissionDenied(reason)


@transaction.atomic
def record_submit(*, user, record: Record, comment: str = "") -> Record:
    # The reviewer sees what personal data the version holds (个人信息检查); publication waits for decisions.
    # Scanned before the move (state and right checked first), so the log reads "scan, then submit".
    _check_allowed(user, Record.objects.get(pk=record.pk), get_transition("submit"))
    # 错敏词: a blocking phrase refuses here, before anything is written; others are noted for the reviewer.
    site_checks.check_submission(user=user, record=Record.objects.get(pk=record.pk))
    privacy_guard.record_privacy_scan(user=user, record=record)
    record, _previous = _move(user=user, record=record, name="submit", comment=comment)
    review = Review.objects.create(record=record, submitted_by=user, submitted_at=timezone.now(), comment="")
    # The chain this round follows is fixed now (disclosure/records/review_chain.py).
    review_chain.start_plan(review)
    return record


def _close_review(record: Record, user, decision: str, comment: str, **checks) -> None:
    review = Review.objects.select_for_update().get(record=record, decision=Review.Decision.OPEN)
    review.reviewer = user
    review.reviewer_name = actor_name(user)
    review.decision = decision
    review.decided_at = timezone.now()
    review.comment = comment
    for name, value in checks.items():
        setattr(review, name, value)
    review.save()


def _decide_step(
    *, user, record: Record, name: str, checks=(), comment: str = "", position: int | None = None
) -> Record:
    """One decision of the review chain: lock, state, right (policy, four eyes, one step per person),
    the step's own rules and checks (``review_chain.check_step``), then the move, the step's entry and,
    when the round ends, its review closed. Nothing is written when anything refuses.

    ``position``: the step the reviewer saw (the admin's form sends it); if another reviewer decided
    that step meanwhile, the decision is refused as stale rather than applied to the next step."""
    checks = list(checks)
    decided = {}

    def check(locked, transition):
        decided["progress"] = review_chain.check_step(locked, name, checks, position=position)

    record, _previous = _move(user=user, record=record, name=name, comment=comment, check=check)
    progress = decided["progress"]
    outcome = (
        ReviewStepEntry.Outcome.RETURNED if name == "request_changes" else ReviewStepEntry.Outcome.PASSED
    )
    closes_round = name == "request_changes" or progress.is_last
    review_chain.write_entry(
        progress, user=user, outcome=outcome, checks=checks, comment=comment, urgent=name == "approve_urgent"
    )
    if closes_round and name == "request_changes":
        _close_review(record, user, Review.Decision.CHANGES_REQUESTED, comment)
    elif closes_round:
        # Every chain holds the confidentiality review and the openness check (review_chain.check_steps).
        _close_review(
            record, user, Review.Decision.APPROVED, comment, confidentiality_checked=True, openness_checked=True
        )
    return record


@transaction.atomic
def record_request_changes(*, user, record: Record, comment: str, position: int | None = None) -> Record:
    """Any step sends the record back with a reason; the round is closed."""
    return _decide_step(user=user, record=record, name="request_changes", comment=comment, position=position)


@transaction.atomic
def record_pass_step(*, user, record: Record, checks, comment: str = "", position: int | None = None) -> Record:
    """A step before the last passes; the record waits for the next step (still 待审核)."""
    return _decide_step(user=user, record=record, name="pass_step", checks=checks, comment=comment, position=position)


@transaction.atomic
def record_approve(
    *,
    user,
    record: Record,
    confidentiality_checked: bool = False,
    openness_checked: bool = False,
    checks=None,
    comment: str = "",
    position: int | None = None,
) -> Record:
    """The last step passes: the record is approved and may be published.

    ``checks``: the codes of ``ReviewCheck`` the reviewer confirmed. Without it, the two booleans of the
    single-step review (保密审查 and the openness attribute) stand for NOT_SECRET and OPENNESS."""
    if checks is None:
        checks = [
            code
            for code, ticked in ((ReviewCheck.NOT_SECRET, confidentiality_checked), (ReviewCheck.OPENNESS, openness_checked))
            if ticked
        ]
    return _decide_step(user=user, record=record, name="approve", checks=checks, comment=comment, position=position)


@transaction.atomic
def record_approve_urgent(*, user, record: Record, checks, reason: str, position: int | None = None) -> Record:
    """紧急发布: the first step approves ahead of the others, with a reason; the remaining steps are due
    within the set hours (``record_follow_up``)."""
    return _decide_step(
        user=user, record=record, name="approve_urgent", checks=checks, comment=reason, position=position
    )


@transaction.atomic
def record_follow_up(*, user, record: Record, checks, comment: str = "", position: int | None = None) -> Record:
    """A remaining step of an urgent publication passes (the record may already be public)."""
    return _decide_step(user=user, record=record, name="follow_up", checks=checks, comment=comment, position=position)


def next_index_number(organisation: Organisation, year: int) -> str:
    """The organisation's next index number (索引号) of ``year``: "<code>/<year>-<serial>". Locks the
    year's sequence row, so concurrent publications never share a number."""
    sequence, _created = IndexSequence.objects.select_for_update().get_or_create(
        organisation=organisation, year=year
    )
    IndexSequence.objects.filter(pk=sequence.pk).update(last_serial=F("last_serial") + 1)
    sequence.refresh_from_db()
    return f"{organisation.code}/{year}-{sequence.last_serial:05d}"


def _require_publishable(record: Record) -> None:
    blocker = policy.publication_blocker(record)
    if blocker:
        raise InvalidTransition(blocker)
    privacy_guard.check_publishable(record)


def _publication_changes(record: Record, when: datetime) -> dict:
    """Publication time and index number; a revision takes over its original's number."""
    _require_publishable(record)
    if record.revises_id:
        original = Record.objects.select_for_update().get(pk=record.revises_id)
        if original.status != Status.PUBLISHED:
            raise InvalidTransition(_("被修订的原信息已不在发布状态，不能发布该修订稿。"))
        return {"published_at": when, "index_number": original.index_number}
    number = record.index_number or next_index_number(
        record.organisation, timezone.localtime(when).year
    )
    return {"published_at": when, "index_number": number}


def _supersede_original(record: Record, user) -> None:
    if record.revises_id:
        original = Record.objects.get(pk=record.revises_id)
        _move(
            user=None,
            record=original,
            name="supersede",
            comment=_("由修订稿（编号 %(pk)s）替代，操作人：%(who)s") % {"pk": record.pk, "who": actor_name(user)},
        )


# ------------------------------------------------------------ a policy and its interpretations (同步)


def _check_companions(user, record: Record, name: str, *statuses: str) -> None:
    """Before anything is written: may ``user`` make the move ``name`` on every interpretation that goes
    with ``record``? The same policy as for the record itself (four eyes included), with the
    interpretation named in the refusal."""
    transition = get_transition(name)
    for link in interpretation_sync.companions(record, *statuses):
        reason = policy.denial_reason(user, transition, link.record)
        if reason:
            raise PermissionDenied(
                _("须同步发布的政策解读“%(title)s”：%(reason)s") % {"title": link.record.title, "reason": reason}
            )


def _publish_with_policy(*, user, policy_record: Record, now: datetime | None = None) -> list[Record]:
    """Publish the interpretations of a policy that has just been published, in the same transaction.

    With a user: every approved or scheduled interpretation, now (a scheduled one is unscheduled first,
    so its audit trail shows both moves). Without (the scheduled-publication job): the scheduled ones
    whose time has come.
    """
    published = []
    if user is None:
        due = now or timezone.now()
        for link in interpretation_sync.companions(policy_record, Status.SCHEDULED):
            if link.record.publish_at is not None and link.record.publish_at <= due:
                published.append(record_publish_due(record=link.record, now=now))
        return published
    for link in interpretation_sync.companions(policy_record):
        interpretation = link.record
        if interpretation.status == Status.SCHEDULED:
            interpretation = record_unschedule(user=user, record=interpretation)
        published.append(record_publish(user=user, record=interpretation))
    return published


def _schedule_with_policy(*, user, policy_record: Record, publish_at: datetime) -> list[Record]:
    """Schedule the approved interpretations of a policy for the policy's own publication time."""
    scheduled = []
    for link in interpretation_sync.companions(policy_record):
        interpretation = link.record
        if interpretation.status == Status.SCHEDULED:
            if interpretation.publish_at == publish_at:
                continue
            interpretation = record_unschedule(user=user, record=interpretation)
        scheduled.append(record_publish(user=user, record=interpretation, publish_at=publish_at))
    return scheduled


def _unschedule_with_policy(*, user, policy_record: Record) -> list[Record]:
    """A policy taken off the schedule takes its scheduled interpretations with it."""
    return [
        record_unschedule(user=user, record=link.record)
        for link in interpretation_sync.companions(policy_record, Status.SCHEDULED)
    ]


# -------------------------------------------------------------------------------------- publication


@transaction.atomic
def record_publish(*, user, record: Record, publish_at: datetime | None = None) -> Record:
    """Publish now, or schedule for ``publish_at`` if that lies in the future; a policy's approved
    interpretations go with it (同步)."""
    now = timezone.now()
    locked = Record.objects.select_for_update().get(pk=record.pk)
    if publish_at is not None and publish_at > now:
        # State and right first, as for every move: a wrong user hears "no right", not "wrong attribute".
        _check_allowed(user, locked, get_transition("schedule"))
        _require_publishable(locked)
        interpretation_sync.check_publishable(locked, publish_at=publish_at)
        _check_companions(user, locked, "schedule")
        comment = _("定时发布时间：%s") % cn_datetime(publish_at)
        record, _previous = _move(
            user=user, record=locked, name="schedule", comment=comment, changes={"publish_at": publish_at}
        )
        # 同步: a policy's approved interpretations are scheduled for the same time.
        _schedule_with_policy(user=user, policy_record=record, publish_at=publish_at)
        return record
    _check_allowed(user, locked, get_transition("publish"))
    interpretation_sync.check_publishable(locked)
    _check_companions(user, locked, "publish")
    changes = _publication_changes(locked, now)
    # The original must step aside before the revision takes over its index number.
    _supersede_original(locked, user)
    record, _previous = _move(user=user, record=locked, name="publish", changes=changes)
    # 同步: a policy's approved interpretations are published with it, in this transaction.
    _publish_with_policy(user=user, policy_record=record)
    # Search index in the same transaction: the revision comes in, the superseded original goes.
    search_document_refresh(record_ids=[record.pk, record.revises_id])
    return record


@transaction.atomic
def record_unschedule(*, user, record: Record) -> Record:
    locked = Record.objects.select_for_update().get(pk=record.pk)
    _check_allowed(user, locked, get_transition("unschedule"))
    _check_companions(user, locked, "unschedule", Status.SCHEDULED)
    record, _previous = _move(user=user, record=locked, name="unschedule", changes={"publish_at": None})
    _unschedule_with_policy(user=user, policy_record=record)
    return record


@transaction.atomic
def record_publish_due(*, record: Record, now: datetime | None = None) -> Record:
    """Publish a scheduled record whose time has come (system move, for publish_scheduled)."""
    now = now or timezone.now()
    locked = Record.objects.select_for_update().get(pk=record.pk)
    _check_allowed(None, locked, get_transition("publish_due"))
    if locked.publish_at is None or locked.publish_at > now:
        raise InvalidTransition(_("该信息尚未到定时发布时间。"))
    interpretation_sync.check_publishable(locked, due_at=now)
    changes = _publication_changes(locked, locked.publish_at)
    _supersede_original(locked, None)
    record, _previous = _move(user=None, record=locked, name="publish_due", changes=changes)
    _publish_with_policy(user=None, policy_record=record, now=now)
    search_document_refresh(record_ids=[record.pk, record.revises_id])
    return record


def publish_due_records(*, now: datetime | None = None) -> list[Record]:
    """Publish every scheduled record that is due; safe to run in several processes at once."""
    now = now or timezone.now()
    published = []
    # Interpretations last: each is published with its policy, never before it.
    due = (
        Record.objects.filter(status=Status.SCHEDULED, publish_at__lte=now)
        .order_by(F("interpretation_link").asc(nulls_first=True), "publish_at", "pk")
        .values_list("pk", flat=True)
    )
    for pk in list(due):
        try:
            published.append(record_publish_due(record=Record(pk=pk), now=now))
        except InvalidTransition as refusal:
            # Usually another run published it first; if it is still scheduled, the move itself was
            # refused (e.g. a revision whose original was withdrawn meanwhile): say so, keep going.
            if Record.objects.filter(pk=pk, status=Status.SCHEDULED).exists():
                logger.warning("定时发布失败（信息编号 %s）：%s", pk, refusal)
            continue
    return published


@transaction.atomic
def record_withdraw(*, user, record: Record, reason: str, public_notice: bool = False) -> Record:
    record, _previous = _move(
        user=user,
        record=record,
        name="withdraw",
        comment=reason,
        changes={"withdrawn_at": timezone.now(), "withdrawal_notice": public_notice},
    )
    search_document_refresh(record_ids=[record.pk])
    return record


@transaction.atomic
def record_revise(*, user, record: Record) -> Record:
    """Start a revision of a published record: a new draft that will replace it once published.

    The published version stays up meanwhile. One open revision at a time.
    """
    locked = Record.objects.select_for_update().get(pk=record.pk)
    _check_allowed(user, locked, REVISE)
    if locked.revisions.exclude(status__in=[Status.SUPERSEDED, Status.WITHDRAWN, Status.PUBLISHED]).exists():
        raise InvalidTransition(_("该信息已有一份修订稿在办理中。"))
    revision = Record(
        organisation=locked.organisation,
        node=locked.node,
        created_by=user,
        revises=locked,
        **{name: getattr(locked, name) for name in CONTENT_FIELDS},
    )
    # The change note says what this revision changes: it starts empty, never the original's.
    revision.change_note = ""
    revision.save()
    revision.related.set(locked.related.all())
    for attachment in locked.attachments.all():
        # The stored file is shared; deleting rows never deletes stored files.
        Attachment.objects.create(
            record=revision,
            file=attachment.file.name,
            original_name=attachment.original_name,
            kind=attachment.kind,
            size=attachment.size,
            sha256=attachment.sha256,
            sort_order=attachment.sort_order,
        )
    _snapshot(revision, user)
    _audit(revision, user, "create", "", revision.status, _("修订自 %s") % locked.index_number)
    _audit(locked, user, "revise", locked.status, locked.status, _("新建修订稿（编号 %s）") % revision.pk)
    return revision


@transaction.atomic
def record_set_related(*, user, record: Record, related) -> Record:
    """Link an editable record to other records of its organisation (相关信息); links are mutual.

    A change of the links is a content change: it leaves a version by ``user``.
    """
    locked = Record.objects.select_for_update().get(pk=record.pk)
    if not policy.can_edit(user, locked):
        raise PermissionDenied(_("只有本单位的信息员可以修改该信息。"))
    related = list(related)
    if any(other.pk == locked.pk or other.organisation_id != locked.organisation_id for other in related):
        raise ValidationError({"related": _("相关信息只能选择本单位的其他信息。")})
    if set(locked.related.values_list("pk", flat=True)) != {other.pk for other in related}:
        locked.related.set(related)
        _snapshot(locked, user)
    return locked


@transaction.atomic
def record_delete(*, user, record: Record) -> None:
    """Delete a record that was never published, while it is a draft or returned for changes.

    Published information is never deleted (it is withdrawn or superseded); the audit entry of the
    deletion survives the record.
    """
    locked = Record.objects.select_for_update().get(pk=record.pk)
    if not locked.is_editable or locked.index_number or locked.published_at:
        raise InvalidTransition(_("只能删除从未发布、处于草稿或退回修改状态的信息。"))
    if not policy.can_edit(user, locked):
        raise PermissionDenied(_("只有本单位的信息员可以删除该信息。"))
    _audit(locked, user, "delete", locked.status, "")
    locked.delete()

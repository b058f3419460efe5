"""Policy interpretation (政策解读): linking an interpretation to its policy, and publishing them together.

"谁起草、谁解读"，同步 (guideline 四（三）):

- an interpretation is a Record of type ``interpretation`` of the same organisation as the policy;
- a policy marked ``needs_interpretation`` is published (or scheduled) only when an interpretation of it
  is approved (or already scheduled); the same publish service then publishes (or schedules) the
  interpretation too, in the same transaction, each with its own audit entry and index number;
- an interpretation is never published before its policy: alone, only once the policy is published
  (or scheduled, when it is scheduled for the same time or later).

``disclosure/services.py`` calls the hooks ``check_publishable``, ``publish_with_policy``,
``schedule_with_policy`` and ``unschedule_with_policy`` from its publish path; they re-enter the record
services for the interpretations, so rights, audit and index numbers work as for any record.

Interpretations of policies issued by higher bodies (上级政策解读) are not records here: an
interpretation record without a link publishes like any other record.

Public links between the two read through ``disclosure.records.selectors.public_records()`` and match by index
number, so that a revision (which takes over its original's index number) keeps the link.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from disclosure.core.transitions import InvalidTransition
from disclosure.interpretations.models import Interpretation, InterpretationForm
from disclosure.records import policy as record_policy
from disclosure.records.models import UNPUBLISHED_STATUSES, AuditEntry, Record, RecordType, Status

# An interpretation in one of these states may accompany its policy's publication.
READY_STATUSES = (Status.APPROVED, Status.SCHEDULED)
# A policy in one of these states can no longer be given a new interpretation.
CLOSED_POLICY_STATUSES = (Status.WITHDRAWN, Status.SUPERSEDED)


def _audit(record: Record, user, action: str, comment: str) -> AuditEntry:
    # A link is not a state change: from and to status are the record's current one.
    return AuditEntry.write(
        actor=user,
        record=record,
        record_title=record.title,
        organisation_id=record.organisation_id,
        action=action,
        from_status=record.status,
        to_status=record.status,
        comment=comment,
    )


def _describe(record: Record) -> str:
    return record.index_number or _("编号 %(pk)s") % {"pk": record.pk}


# ---------------------------------------------------------------------------------------- linking


def interpretation_validate(*, interpretation: Record, policy: Record, form: str) -> None:
    """Raise ValidationError (by form field) if ``interpretation`` may not be linked to ``policy``."""
    errors = {}
    if interpretation.record_type != RecordType.INTERPRETATION:
        errors["record"] = _("解读信息的信息类别须为“政策解读”。")
    elif interpretation.status not in UNPUBLISHED_STATUSES:
        errors["record"] = _("该解读已发布（或已撤回），不能再更改所解读的政策文件。")
    if policy.pk == interpretation.pk:
        errors["policy"] = _("一条信息不能解读它自己。")
    elif policy.record_type == RecordType.INTERPRETATION:
        errors["policy"] = _("所解读的信息不能也是政策解读，请选择政策文件。")
    elif policy.organisation_id != interpretation.organisation_id:
        errors["policy"] = _("谁起草、谁解读：解读与政策文件须属于同一单位。")
    elif policy.status in CLOSED_POLICY_STATUSES:
        errors["policy"] = _("该政策文件已撤回或已被新版本替代，请选择现行的版本。")
    if form not in InterpretationForm.values:
        errors["form"] = _("请选择解读形式。")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def interpretation_link(*, user, interpretation: Record, policy: Record, form: str) -> Interpretation:
    """Link an unpublished interpretation record to the policy it explains (or change the link)."""
    locked = Record.objects.select_for_update().get(pk=interpretation.pk)
    if not record_policy.can_create_in(user, locked.organisation):
        raise PermissionDenied(_("只有本单位的信息员可以关联政策解读。"))
    policy = Record.objects.get(pk=policy.pk)
    interpretation_validate(interpretation=locked, policy=policy, form=form)
    link, _created = Interpretation.objects.update_or_create(
        record=locked, defaults={"policy": policy, "form": form}
    )
    _audit(
        locked,
        user,
        "link_interpretation",
        _("%(form)s，解读“%(title)s”（%(number)s）")
        % {"form": InterpretationForm(form).label, "title": policy.title, "number": _describe(policy)},
    )
    return link


@transaction.atomic
def interpretation_unlink(*, user, link: Interpretation) -> None:
    """Remove the link of an interpretation that is not yet published."""
    locked = Record.objects.select_for_update().get(pk=link.record_id)
    if not record_policy.can_create_in(user, locked.organisation):
        raise PermissionDenied(_("只有本单位的信息员可以取消政策解读的关联。"))
    if locked.status not in UNPUBLISHED_STATUSES:
        raise InvalidTransition(_("该解读已发布（或已撤回），其关联作为历史保留，不能取消。"))
    policy = link.policy
    Interpretation.objects.filter(pk=link.pk).delete()
    _audit(
        locked,
        user,
        "unlink_interpretation",
        _("取消与“%(title)s”（%(number)s）的解读关联") % {"title": policy.title, "number": _describe(policy)},
    )


# ------------------------------------------------------------------------- rules of the publish path


def _policy_is_live(policy: Record) -> bool:
    """The policy, or the revision that took over its index number, is published."""
    if policy.status == Status.PUBLISHED:
        return True
    return bool(policy.index_number) and Record.objects.filter(
        index_number=policy.index_number, status=Status.PUBLISHED
    ).exists()


def check_publishable(record: Record, *, publish_at: datetime | None = None, due_at: datetime | None = None) -> None:
    """Raise InvalidTransition if publishing ``record`` now (or scheduling it for ``publish_at``, or the
    system publishing it at ``due_at``) would break the interpretation rules. Writes nothing."""
    link = Interpretation.objects.select_related("policy").filter(record_id=record.pk).first()
    if link is not None:
        policy = link.policy
        scheduled_first = (
            publish_at is not None
            and policy.status == Status.SCHEDULED
            and policy.publish_at is not None
            and policy.publish_at <= publish_at
        )
        if not (_policy_is_live(policy) or scheduled_first):
            raise InvalidTransition(
                _("政策解读不能先于所解读的政策文件“%(title)s”单独发布：请发布该政策文件，解读将随之同步发布。")
                % {"title": policy.title}
            )
    if record.needs_interpretation:
        lineage = [record.pk] + ([record.revises_id] if record.revises_id else [])
        candidates = Interpretation.objects.filter(
            policy_id__in=lineage, record__organisation_id=record.organisation_id
        )
        if due_at is not None:
            # The system can publish only what is scheduled; what is merely approved waits for a person.
            ready = Q(record__status=Status.SCHEDULED, record__publish_at__lte=due_at)
        else:
            ready = Q(record__status__in=READY_STATUSES)
        if not candidates.filter(ready | Q(record__status=Status.PUBLISHED)).exists():
            raise InvalidTransition(
                _("“%(title)s”标记为需要解读：须有本单位审核通过的政策解读与之关联，才能同步发布。")
                % {"title": record.title}
            )


def _ready_links(policy: Record, *statuses: str):
    return (
        Interpretation.objects.filter(policy_id=policy.pk, record__status__in=statuses or READY_STATUSES)
        .select_related("record")
        .order_by("id")
    )


def publish_with_policy(*, user, policy: Record, now: datetime | None = None) -> list[Record]:
    """Publish the interpretations of a policy that has just been published, in the same transaction.

    With a user: every approved or scheduled interpretation, now (a scheduled one is unscheduled first,
    so its audit trail shows both moves). Without (the scheduled-publication job): the scheduled ones
    whose time has come.
    """
    from disclosure.records import services  # the services call this module: import late

    published = []
    if user is None:
        for link in _ready_links(policy, Status.SCHEDULED):
            if link.record.publish_at is not None and link.record.publish_at <= (now or timezone.now()):
                published.append(services.record_publish_due(record=link.record, now=now))
        return published
    for link in _ready_links(policy):
        interpretation = link.record
        if interpretation.status == Status.SCHEDULED:
            interpretation = services.record_unschedule(user=user, record=interpretation)
        published.append(services.record_publish(user=user, record=interpretation))
    return published


def schedule_with_policy(*, user, policy: Record, publish_at: datetime) -> list[Record]:
    """Schedule the approved interpretations of a policy for the policy's own publication time."""
    from disclosure.records import services

    scheduled = []
    for link in _ready_links(policy):
        interpretation = link.record
        if interpretation.status == Status.SCHEDULED:
            if interpretation.publish_at == publish_at:
                continue
            interpretation = services.record_unschedule(user=user, record=interpretation)
        scheduled.append(services.record_publish(user=user, record=interpretation, publish_at=publish_at))
    return scheduled


def unschedule_with_policy(*, user, policy: Record) -> list[Record]:
    """A policy taken off the schedule takes its scheduled interpretations with it."""
    from disclosure.records import services

    return [
        services.record_unschedule(user=user, record=link.record)
        for link in _ready_links(policy, Status.SCHEDULED)
    ]


# ---------------------------------------------------------------------------------------- reading


def interpretation_links(record: Record) -> dict:
    """The public counterparts of a public record: ``policy`` (the public policy an interpretation
    explains, or None) and ``interpretations`` (public interpretations of a policy, each with
    ``form_label``). Reads through ``public_records()``; one query whatever the data."""
    from disclosure.records.selectors import public_records

    result = {"policy": None, "interpretations": []}
    if not record.index_number:
        return result
    if record.record_type == RecordType.INTERPRETATION:
        # An interpretation has a policy, never interpretations of its own (interpretation_validate).
        result["policy"] = (
            public_records()
            .filter(
                index_number__in=Interpretation.objects.filter(
                    record__index_number=record.index_number, policy__index_number__gt=""
                ).values("policy__index_number")
            )
            .exclude(pk=record.pk)
            .select_related("organisation")
            .first()
        )
        return result
    forms = Interpretation.objects.filter(record__index_number=OuterRef("index_number")).values("form")[:1]
    interpretations = list(
        public_records()
        .filter(
            index_number__in=Interpretation.objects.filter(
                policy__index_number=record.index_number, record__index_number__gt=""
            ).values("record__index_number")
        )
        .exclude(pk=record.pk)
        .annotate(interpretation_form=Subquery(forms))
        .select_related("organisation")
        .order_by("published_at", "id")
    )
    for interpretation in interpretations:
        interpretation.form_label = (
            InterpretationForm(interpretation.interpretation_form).label
            if interpretation.interpretation_form in InterpretationForm.values
            else ""
        )
    result["interpretations"] = interpretations
    return result

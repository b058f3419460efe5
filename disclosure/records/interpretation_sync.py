"""Policy and interpretation published together (政策解读 同步, guideline 四（三）): the rules the record
services apply on their publish path. Reads only; the moves are in disclosure/records/services.py.

"谁起草、谁解读"，同步:

- an interpretation is a Record of type ``interpretation`` of the same organisation as the policy,
  linked to it by an ``Interpretation`` row (made by disclosure/interpretations/services.py);
- a policy marked ``needs_interpretation`` is published (or scheduled) only when an interpretation of it
  is approved (or already scheduled); the same publish service then publishes (or schedules) the
  interpretation too, in the same transaction, each with its own audit entry and index number;
- an interpretation is never published before its policy: alone, only once the policy is published
  (or scheduled, when it is scheduled for the same time or later).

Interpretations of policies issued by higher bodies (上级政策解读) are not records here: an
interpretation record without a link publishes like any other record.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from disclosure.core.transitions import InvalidTransition
from disclosure.records.models import Interpretation, Record, Status

# An interpretation in one of these states may accompany its policy's publication.
READY_STATUSES = (Status.APPROVED, Status.SCHEDULED)


def policy_is_live(policy: Record) -> bool:
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
        if not (policy_is_live(policy) or scheduled_first):
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


def companions(policy: Record, *statuses: str) -> QuerySet[Interpretation]:
    """The links of the interpretations that go with ``policy`` when it is published (or scheduled, or
    unscheduled): those in ``statuses`` (by default approved or scheduled), in the order they were linked."""
    return (
        Interpretation.objects.filter(policy_id=policy.pk, record__status__in=statuses or READY_STATUSES)
        .select_related("record")
        .order_by("id")
    )

"""Who may do what with records: one policy, used to show buttons and to guard services.

Four eyes: whoever wrote any part of a record (created it, edited it, changed its attachments or
related records, started it as a revision — every such write leaves a ``RecordVersion`` naming its
author) never reviews, publishes, schedules or withdraws it, whatever roles the account holds.
And nobody decides two steps of one review round (the review chain, ``review_chain``).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from catalog.models import Organisation
from disclosure.core.access import Role, has_role_in, is_superuser, organisations_in_scope
from disclosure.records import review_chain
from disclosure.records.models import Openness, Record, RecordVersion
from disclosure.records.review_models import ReviewStepEntry
from disclosure.records.workflow import Right, Transition


def visible_records(user) -> QuerySet[Record]:
    """Records a member of staff may see in the admin."""
    if is_superuser(user):
        return Record.objects.all()
    return Record.objects.filter(organisation__in=organisations_in_scope(user))


def written_by(user) -> Q:
    """Records ``user`` wrote any part of: created, or left a version of (one condition, usable in
    filters and aggregates; the review queue and the admin's to-do panel read it)."""
    return Q(created_by=user) | Q(Exists(RecordVersion.objects.filter(record=OuterRef("pk"), author=user)))


def decided_a_step(user) -> Q:
    """Records whose open review round has a step ``user`` already decided (they decide no other)."""
    return Q(
        Exists(
            ReviewStepEntry.objects.filter(review__record=OuterRef("pk"), review__decision="", reviewer=user)
        )
    )


def has_written(user, record: Record) -> bool:
    """Whether ``user`` wrote any part of ``record``: its creator or the author of one of its versions."""
    if user is None or user.pk is None:
        return False
    if record.created_by_id is not None and record.created_by_id == user.pk:
        return True
    return RecordVersion.objects.filter(record_id=record.pk, author_id=user.pk).exists()


def can_create_in(user, organisation: Organisation) -> bool:
    return has_role_in(user, Role.EDITOR, organisation.pk)


def can_edit(user, record: Record) -> bool:
    return record.is_editable and has_role_in(user, Role.EDITOR, record.organisation_id)


def denial_reason(user, transition: Transition, record: Record) -> str | None:
    """Why ``user`` may not make ``transition`` on ``record``, or None if they may."""
    if transition.right == Right.SYSTEM:
        return None if user is None else _("该操作只能由系统执行。")
    if user is None:
        return _("需要登录的工作人员执行该操作。")
    if transition.right == Right.EDIT:
        if not has_role_in(user, Role.EDITOR, record.organisation_id):
            return _("只有本单位的信息员可以执行该操作。")
        return None
    if not has_role_in(user, Role.REVIEWER, record.organisation_id):
        return _("只有本单位的审核员可以执行该操作。")
    if has_written(user, record):
        return _("起草或修改过该信息的人员不能审核或发布该信息。")
    if transition.right == Right.REVIEW and review_chain.has_passed_a_step(user, record):
        # 三审: each step of a round by a different person (review_chain).
        return _("您已审核过该信息本轮的一个环节，其余环节须由其他审核员审核。")
    return None


def check(user, transition: Transition, record: Record) -> None:
    reason = denial_reason(user, transition, record)
    if reason:
        raise PermissionDenied(reason)


def can(user, transition: Transition, record: Record) -> bool:
    return denial_reason(user, transition, record) is None


def publication_blocker(record: Record) -> str | None:
    """Why ``record`` can never be published whoever asks, or None. The publish services refuse with
    this reason and the admin shows it in place of the publish buttons."""
    if record.openness != Openness.PROACTIVE:
        return _("只有公开属性为“主动公开”的信息可以发布。")
    return None

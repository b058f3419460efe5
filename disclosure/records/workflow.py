"""The records' review workflow as a transition table; disclosure/records/services.py carries moves out
through the kernel's mechanism (disclosure/core/transitions.py)."""

from django.utils.translation import gettext_lazy as _

from disclosure.core.transitions import InvalidTransition, Right, Transition, TransitionTable
from disclosure.records.models import Status

__all__ = ["InvalidTransition", "Right", "Transition", "TRANSITIONS", "REVISE", "get_transition", "moves_from"]

TRANSITIONS = TransitionTable(
    (
        Transition("submit", _("提交审核"), (Status.DRAFT, Status.CHANGES_REQUESTED), Status.SUBMITTED, Right.EDIT),
        Transition(
            "request_changes", _("退回修改"), (Status.SUBMITTED,), Status.CHANGES_REQUESTED, Right.REVIEW, True
        ),
        Transition("approve", _("审核通过"), (Status.SUBMITTED,), Status.APPROVED, Right.REVIEW),
        # The review chain (disclosure/records/review_chain.py): a step before the last passes and the
        # record waits for the next; the last step is "approve". 紧急发布: the first step approves ahead of
        # the others, which follow within the set hours (follow_up), also once it is published.
        Transition("pass_step", _("本环节审核通过"), (Status.SUBMITTED,), None, Right.REVIEW),
        Transition("approve_urgent", _("紧急发布（先行通过）"), (Status.SUBMITTED,), Status.APPROVED, Right.REVIEW, True),
        Transition(
            "follow_up", _("补充审核"), (Status.APPROVED, Status.SCHEDULED, Status.PUBLISHED), None, Right.REVIEW
        ),
        Transition("publish", _("发布"), (Status.APPROVED,), Status.PUBLISHED, Right.PUBLISH),
        Transition("schedule", _("定时发布"), (Status.APPROVED,), Status.SCHEDULED, Right.PUBLISH),
        Transition("unschedule", _("取消定时发布"), (Status.SCHEDULED,), Status.APPROVED, Right.PUBLISH),
        Transition("publish_due", _("到时发布"), (Status.SCHEDULED,), Status.PUBLISHED, Right.SYSTEM),
        Transition("withdraw", _("撤回"), (Status.PUBLISHED,), Status.WITHDRAWN, Right.PUBLISH, True),
        # Happens to the published original when its revision is published.
        Transition("supersede", _("被新版本替代"), (Status.PUBLISHED,), Status.SUPERSEDED, Right.SYSTEM),
        # The end of a 公示期 (disclosure/records/publicity.py), as the publisher chose before publishing.
        Transition("notice_withdraw", _("公示期满撤下"), (Status.PUBLISHED,), Status.WITHDRAWN, Right.SYSTEM),
        Transition(
            "publish_deidentified", _("发布去标识化版本"), (Status.DRAFT,), Status.PUBLISHED, Right.SYSTEM
        ),
    ),
    states=Status,
)

# Not a state change of the record itself: makes a new draft that revises it.
REVISE = Transition("revise", _("修订"), (Status.PUBLISHED,), Status.DRAFT, Right.EDIT)

get_transition = TRANSITIONS.transition
check_source = TRANSITIONS.check_source


def moves_from(status: str) -> list[Transition]:
    """The moves a person could make from a state (system moves left out), revising included."""
    moves = TRANSITIONS.moves_from(status)
    if status in REVISE.sources:
        moves.append(REVISE)
    return moves

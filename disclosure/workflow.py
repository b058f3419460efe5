"""The review workflow as a transition table. Services in disclosure/services.py carry moves out."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from disclosure.models import Status


class InvalidTransition(Exception):
    """The record is not in a state from which this move is allowed (not a permission problem)."""


class Right:
    """Which right a move needs; disclosure/policy.py says who holds it."""

    EDIT = "edit"
    REVIEW = "review"
    PUBLISH = "publish"
    SYSTEM = "system"


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: tuple[str, ...]
    target: str
    right: str
    needs_comment: bool = False


TRANSITIONS = {
    t.name: t
    for t in (
        Transition("submit", _("提交审核"), (Status.DRAFT, Status.CHANGES_REQUESTED), Status.SUBMITTED, Right.EDIT),
        Transition(
            "request_changes", _("退回修改"), (Status.SUBMITTED,), Status.CHANGES_REQUESTED, Right.REVIEW, True
        ),
        Transition("approve", _("审核通过"), (Status.SUBMITTED,), Status.APPROVED, Right.REVIEW),
        Transition("publish", _("发布"), (Status.APPROVED,), Status.PUBLISHED, Right.PUBLISH),
        Transition("schedule", _("定时发布"), (Status.APPROVED,), Status.SCHEDULED, Right.PUBLISH),
        Transition("unschedule", _("取消定时发布"), (Status.SCHEDULED,), Status.APPROVED, Right.PUBLISH),
        Transition("publish_due", _("到时发布"), (Status.SCHEDULED,), Status.PUBLISHED, Right.SYSTEM),
        Transition("withdraw", _("撤回"), (Status.PUBLISHED,), Status.WITHDRAWN, Right.PUBLISH, True),
        # Happens to the published original when its revision is published.
        Transition("supersede", _("被新版本替代"), (Status.PUBLISHED,), Status.SUPERSEDED, Right.SYSTEM),
    )
}

# Not a state change of the record itself: makes a new draft that revises it.
REVISE = Transition("revise", _("修订"), (Status.PUBLISHED,), Status.DRAFT, Right.EDIT)


def get_transition(name: str) -> Transition:
    try:
        return TRANSITIONS[name]
    except KeyError:
        raise InvalidTransition(_("未知的操作：%s") % name) from None


def moves_from(status: str) -> list[Transition]:
    """The moves a person could make from a state (system moves left out)."""
    moves = [t for t in TRANSITIONS.values() if status in t.sources and t.right != Right.SYSTEM]
    if status in REVISE.sources:
        moves.append(REVISE)
    return moves


def check_source(transition: Transition, status: str) -> None:
    if status not in transition.sources:
        raise InvalidTransition(
            _("当前状态为“%(status)s”，不能执行“%(action)s”。")
            % {"status": Status(status).label, "action": transition.label}
        )

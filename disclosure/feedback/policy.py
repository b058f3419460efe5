"""Who may do what with messages from the public (留言与纠错): one policy for the admin, the services and
the dashboard.

The organisation's 信息员, 审核员 and 单位管理员 handle its messages (assign, reply, dismiss); publishing a
reply on the public 互动 page, or taking it down, is for its 审核员 and 单位管理员; auditors read the
messages of their scope (contacts masked) and change nothing.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from disclosure.core.access import Role, has_role_in, is_superuser, organisations_in_scope, roles_of
from disclosure.core.transitions import Right, Transition
from disclosure.feedback.models import Feedback
from disclosure.feedback.workflow import TRANSITIONS

HANDLING_ROLES = frozenset({Role.EDITOR, Role.REVIEWER, Role.ORG_ADMIN})
PUBLISHING_ROLES = frozenset({Role.REVIEWER, Role.ORG_ADMIN})


def may_read(user) -> bool:
    return is_superuser(user) or bool(roles_of(user))


def visible_feedback(user) -> QuerySet[Feedback]:
    """The messages a member of staff may see: those of the organisations in their scope."""
    if is_superuser(user):
        return Feedback.objects.all()
    return Feedback.objects.filter(organisation__in=organisations_in_scope(user))


def handles(user, organisation_id: int) -> bool:
    return has_role_in(user, HANDLING_ROLES, organisation_id)


def sees_contact(user, feedback: Feedback) -> bool:
    """The citizen's name and contact: for the staff who handle the organisation's messages only."""
    return handles(user, feedback.organisation_id)


def denial_reason(user, transition: Transition, feedback: Feedback) -> str | None:
    """Why ``user`` may not make ``transition`` on ``feedback``, or None if they may."""
    if transition.right == Right.HANDLE:
        return None if handles(user, feedback.organisation_id) else _("只有本单位的工作人员可以办理留言。")
    if transition.right == Right.PUBLISH:
        if has_role_in(user, PUBLISHING_ROLES, feedback.organisation_id):
            return None
        return _("只有本单位的审核员或单位管理员可以公开或取消公开答复。")
    return _("操作被拒绝。")


def can(user, name: str, feedback: Feedback) -> bool:
    """Whether ``user`` may make the move ``name`` on ``feedback`` now (state and right)."""
    transition = TRANSITIONS[name]
    return feedback.status in transition.sources and denial_reason(user, transition, feedback) is None

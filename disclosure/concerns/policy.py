"""Who may do what with concerns (回应关切): one policy for the admin, the services and the dashboard.

Staff of an organisation (信息员, 审核员, 单位管理员) register its concerns and handle them (change,
respond, close); auditors read the concerns of their scope and change nothing. Built on
disclosure/core/access.py, like every duty's policy.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from catalog.models import Organisation
from disclosure.concerns.models import Concern
from disclosure.concerns.workflow import TRANSITIONS
from disclosure.core.access import (
    Role,
    has_role_anywhere,
    has_role_in,
    is_superuser,
    organisation_of,
    organisations_in_scope,
    roles_of,
)
from disclosure.core.transitions import Right, Transition

HANDLING_ROLES = frozenset({Role.EDITOR, Role.REVIEWER, Role.ORG_ADMIN})


def may_read(user) -> bool:
    """Any active member of staff with a role (auditors included) reads the concerns of their scope."""
    return is_superuser(user) or bool(roles_of(user))


def visible_concerns(user) -> QuerySet[Concern]:
    """Concerns a member of staff may see: those of the organisations in their scope."""
    if is_superuser(user):
        return Concern.objects.all()
    return Concern.objects.filter(organisation__in=organisations_in_scope(user))


def can_register_in(user, organisation_id: int) -> bool:
    """Whether the user may register a concern of this organisation."""
    return has_role_in(user, HANDLING_ROLES, organisation_id)


def may_register_anywhere(user) -> bool:
    """Whether the user may register a concern in some organisation (the admin's add button)."""
    return has_role_anywhere(user, HANDLING_ROLES)


def registering_organisations(user) -> QuerySet[Organisation]:
    """The organisations in which the user may register concerns."""
    if is_superuser(user):
        return Organisation.objects.all()
    organisation = organisation_of(user)
    if organisation is None or not can_register_in(user, organisation.pk):
        return Organisation.objects.none()
    return Organisation.objects.filter(pk=organisation.pk)


def can_handle(user, concern: Concern) -> bool:
    """Whether the user may change, respond to or close this concern (its state aside)."""
    return has_role_in(user, HANDLING_ROLES, concern.organisation_id)


def concerns_to_handle(user) -> QuerySet[Concern]:
    """The concerns the user may act on (closed ones included: the workflow refuses those)."""
    return Concern.objects.filter(organisation__in=registering_organisations(user))


def denial_reason(user, transition: Transition, concern: Concern) -> str | None:
    """Why ``user`` may not make ``transition`` on ``concern``, or None if they may."""
    if transition.right == Right.HANDLE and can_handle(user, concern):
        return None
    return denial_text()


def can(user, name: str, concern: Concern) -> bool:
    """Whether ``user`` may make the move ``name`` on ``concern`` now: its state allows the move and
    the user holds the right (what the admin's buttons and forms show)."""
    transition = TRANSITIONS[name]
    return concern.status in transition.sources and denial_reason(user, transition, concern) is None


def denial_text() -> str:
    return _("只有本单位的工作人员可以登记和办理回应关切事项。")

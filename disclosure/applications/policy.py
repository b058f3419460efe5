"""Who may see and handle applications for disclosure: one policy, used by the admin's buttons and
querysets, the services and the dashboard.

An application carries an applicant's personal data, so only the staff of the organisation it is
addressed to see it: auditors of a superior organisation do not (they read the annual figures
instead); system administrators see all. Within those who may open it, only its handlers (the target
organisation's 信息员, 审核员 and 单位管理员: ``sees_applicant``) see the applicant's data in full;
the organisation's auditor and a system administrator who is not one of its handlers see it masked
(disclosure/core/masking.py). A system administrator runs the platform, not the case: under the
个人信息保护法's rule of the minimum necessary, one who must handle an application is given a handler
role in that organisation like anyone else.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from disclosure.applications.models import Application
from disclosure.applications.workflow import TRANSITIONS, Right, Transition
from disclosure.core.access import Role, has_role_anywhere, has_role_in, is_superuser, organisation_of, roles_of

# Register, correct, consult, reply, close: the organisation's 信息员, 审核员 or 单位管理员.
HANDLER_ROLES = frozenset({Role.EDITOR, Role.REVIEWER, Role.ORG_ADMIN})
# Who may open an application: its handlers and the organisation's own auditor.
READER_ROLES = HANDLER_ROLES | {Role.AUDITOR}
# Approving an extension is the office head's consent (article 33): the reviewer's.
APPROVER_ROLES = frozenset({Role.REVIEWER})


def visible_applications(user) -> QuerySet[Application]:
    """Applications a member of staff may open: those addressed to their own organisation."""
    if is_superuser(user):
        return Application.objects.all()
    organisation = organisation_of(user)
    if organisation is None or not has_role_in(user, READER_ROLES, organisation.pk):
        return Application.objects.none()
    return Application.objects.filter(organisation=organisation)


def can_view(user, application: Application) -> bool:
    return has_role_in(user, READER_ROLES, application.organisation_id)


def sees_applicant(user, application: Application) -> bool:
    """Whether ``user`` may read ``application``'s applicant data unmasked: only a handler holding a
    role of HANDLER_ROLES in the organisation it is addressed to. Deliberately not ``has_role_in``,
    which lets a superuser hold every role: a superuser who is not a handler sees the data masked."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    organisation = organisation_of(user)
    return (
        organisation is not None
        and organisation.pk == application.organisation_id
        and bool(HANDLER_ROLES & roles_of(user))
    )


def can_register_in(user, organisation_id: int) -> bool:
    """Whether ``user`` may register an application that arrived at ``organisation_id``."""
    return has_role_in(user, HANDLER_ROLES, organisation_id)


def is_handler_of(user, organisation_id: int) -> bool:
    """Whether ``user`` is one of the organisation's own handlers: its staff, with a handling role (who may be
    made an application's 承办人). A superuser, who belongs to no organisation, is not."""
    organisation = organisation_of(user)
    return organisation is not None and organisation.pk == organisation_id and bool(HANDLER_ROLES & roles_of(user))


def is_handler(user) -> bool:
    """Whether ``user`` handles applications in their organisation (registers them, moves them);
    anyone else's view of applications is read-only."""
    return has_role_anywhere(user, HANDLER_ROLES)


def denial_reason(user, transition: Transition, application: Application) -> str | None:
    """Why ``user`` may not make ``transition`` on ``application`` (state not considered), or None.
    A system move (the clock resuming by itself) is made by nobody (``user`` None), and by nobody else."""
    if transition.right == Right.SYSTEM:
        return None if user is None else _("该操作只能由系统执行。")
    if transition.right == Right.APPROVE:
        if has_role_in(user, APPROVER_ROLES, application.organisation_id):
            return None
        return _("只有本机关的审核员可以批准延长答复期限。")
    if has_role_in(user, HANDLER_ROLES, application.organisation_id):
        return None
    return _("只有本机关的工作人员可以办理该申请。")


def can(user, transition: Transition, application: Application) -> bool:
    return denial_reason(user, transition, application) is None


def moves_for(user, application: Application) -> list[Transition]:
    """The moves this user could make now, for the buttons (the services check again): the moves from
    the current state the user holds the right to, less those already done once and for all."""
    moves = []
    for transition in TRANSITIONS.moves_from(application.status):
        if not can(user, transition, application):
            continue
        if transition.name == "request_correction" and application.correction_requested_on:
            continue
        if transition.name == "extend" and application.extension_approved_on:
            continue
        if transition.name == "notify_extension" and (
            not application.extension_approved_on or application.extension_notified_on
        ):
            continue
        moves.append(transition)
    return moves

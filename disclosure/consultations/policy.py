"""Who may do what with decision drafts for comment (意见征集) and the citizens' comments: one policy,
built on disclosure.core.access, read by the services (which enforce it), the admin (buttons, querysets)
and the dashboard (through selectors.py).

- Editors (信息员) of the organisation draft, edit, attach files to and delete a consultation while it is
  a draft.
- Reviewers (审核员) of the organisation open it (``open``), close it and publish the feedback. Four eyes:
  whoever wrote any part of it (created it, edited it, added or removed a file) never opens it, whatever
  roles the account holds; the contributors are read from the activity log, which every such write
  fills (services.py).
- The closing job closes a consultation without a user (workflow.BY_THE_SYSTEM_TOO).
- Comments carry personal data (contacts): only the organisation's editors, reviewers and unit
  administrators handle (moderate, export) them; auditors do not.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.models import Organisation
from disclosure.consultations.models import (
    LOG_SUBJECT,
    Consultation,
    ConsultationComment,
    ConsultationStatus,
)
from disclosure.consultations.workflow import BY_THE_SYSTEM_TOO, TRANSITIONS, Right, Transition
from disclosure.core.access import (
    Role,
    has_role_anywhere,
    has_role_in,
    is_superuser,
    organisation_of,
    organisations_in_scope,
)
from disclosure.core.log import ActivityEntry

# Roles that handle citizens' comments, whose contacts are personal data. Auditors are not among them.
COMMENT_HANDLING_ROLES = (Role.EDITOR, Role.REVIEWER, Role.ORG_ADMIN)
# Log actions by which someone writes part of a consultation: services.py writes "create" for a new
# draft and "update" for every change of its content or its files.
CONTRIBUTING_ACTIONS = ("create", "update")

FOUR_EYES_REFUSAL = gettext_lazy("起草或修改过该意见征集的人员不能审核发布，请由其他审核员办理。")
_NOT_A_REVIEWER = {
    "open": gettext_lazy("只有本单位的审核员可以发布意见征集。"),
    "close": gettext_lazy("只有本单位的审核员可以结束意见征集。"),
    "publish_feedback": gettext_lazy("只有本单位的审核员可以公布意见采纳情况。"),
}


# ------------------------------------------------------------------------------ single objects


def can_create_in(user, organisation: Organisation) -> bool:
    """Draft a new consultation for ``organisation``: its editors."""
    return has_role_in(user, Role.EDITOR, organisation.pk)


def can_create_anywhere(user) -> bool:
    """Whether the user drafts consultations at all (an editor somewhere, or a superuser)."""
    return has_role_anywhere(user, Role.EDITOR)


def can_edit(user, consultation: Consultation) -> bool:
    """Change the content or files of, or delete, ``consultation``: an editor of its organisation, while
    it is a draft."""
    return consultation.is_editable and has_role_in(user, Role.EDITOR, consultation.organisation_id)


def can_handle_comments(user, organisation_id: int) -> bool:
    """Moderate and export the comments of an organisation: its own staff only (contacts are personal
    data)."""
    return has_role_in(user, COMMENT_HANDLING_ROLES, organisation_id)


def can_handle_any_comments(user) -> bool:
    return has_role_anywhere(user, COMMENT_HANDLING_ROLES)


def contributor_ids(consultation: Consultation) -> set[int]:
    """The accounts that wrote any part of ``consultation``: its creator and every actor of a
    contributing entry in the activity log."""
    ids = set(
        ActivityEntry.objects.filter(
            subject_type=LOG_SUBJECT,
            subject_id=consultation.pk,
            action__in=CONTRIBUTING_ACTIONS,
            actor__isnull=False,
        ).values_list("actor_id", flat=True)
    )
    if consultation.created_by_id is not None:
        ids.add(consultation.created_by_id)
    return ids


def is_contributor(user, consultation: Consultation) -> bool:
    return user is not None and user.pk is not None and user.pk in contributor_ids(consultation)


def denial_reason(user, transition: Transition, consultation: Consultation) -> str | None:
    """Why ``user`` may not make ``transition`` on ``consultation`` (state aside), or None if they may.

    ``user`` None is the system (the closing job)."""
    if user is None:
        if transition.right == Right.SYSTEM or transition.name in BY_THE_SYSTEM_TOO:
            return None
        return _("需要登录的工作人员执行该操作。")
    if transition.right == Right.SYSTEM:
        return _("该操作只能由系统执行。")
    if not has_role_in(user, Role.REVIEWER, consultation.organisation_id):
        return str(_NOT_A_REVIEWER.get(transition.name) or _("只有本单位的审核员可以执行该操作。"))
    if transition.right == Right.PUBLISH and is_contributor(user, consultation):
        return str(FOUR_EYES_REFUSAL)
    return None


def can(user, transition: Transition | str, consultation: Consultation) -> bool:
    if isinstance(transition, str):
        transition = TRANSITIONS[transition]
    return denial_reason(user, transition, consultation) is None


def check(user, transition: Transition, consultation: Consultation) -> None:
    reason = denial_reason(user, transition, consultation)
    if reason:
        raise PermissionDenied(reason)


# ------------------------------------------------------------------------------------ querysets


def visible_consultations(user) -> QuerySet[Consultation]:
    """Consultations a member of staff may read in the admin: their scope, as for records."""
    if is_superuser(user):
        return Consultation.objects.all()
    return Consultation.objects.filter(organisation__in=organisations_in_scope(user))


def editable_consultations(user) -> QuerySet[Consultation]:
    """Drafts the user may change (``can_edit``)."""
    drafts = Consultation.objects.filter(status=ConsultationStatus.DRAFT)
    if is_superuser(user):
        return drafts
    organisation = organisation_of(user)
    if organisation is None or not has_role_in(user, Role.EDITOR, organisation.pk):
        return Consultation.objects.none()
    return drafts.filter(organisation=organisation)


def consultations_to_open(user) -> QuerySet[Consultation]:
    """Drafts the user may open (``can(user, "open", …)``): their organisation's, none they wrote."""
    drafts = Consultation.objects.filter(status=ConsultationStatus.DRAFT)
    if user is None or getattr(user, "pk", None) is None:
        return Consultation.objects.none()
    if not is_superuser(user):
        organisation = organisation_of(user)
        if organisation is None or not has_role_in(user, Role.REVIEWER, organisation.pk):
            return Consultation.objects.none()
        drafts = drafts.filter(organisation=organisation)
    contributed = ActivityEntry.objects.filter(
        subject_type=LOG_SUBJECT, subject_id=OuterRef("pk"), action__in=CONTRIBUTING_ACTIONS, actor=user
    )
    return drafts.exclude(created_by=user).exclude(Exists(contributed))


def handled_comments(user) -> QuerySet[ConsultationComment]:
    """Comments the user may moderate and export: their own organisation's (all, for a superuser)."""
    if is_superuser(user):
        return ConsultationComment.objects.all()
    organisation = organisation_of(user)
    if organisation is None or not can_handle_comments(user, organisation.pk):
        return ConsultationComment.objects.none()
    return ConsultationComment.objects.filter(consultation__organisation=organisation)

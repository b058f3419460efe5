"""Who may do what with policy interpretation links (政策解读关联): one policy for services and admin.

Built on disclosure.core.access: an organisation's editors (信息员) link and unlink its interpretations
while they are unpublished; everyone with a role in scope reads the links; a superuser does both
everywhere. Publishing an interpretation is a record move, governed by disclosure/records/policy.py.
"""

from __future__ import annotations

from django.db.models import QuerySet

from catalog.models import Organisation
from disclosure.core.access import Role, has_role_in, is_superuser, organisation_of, organisations_in_scope
from disclosure.records.models import UNPUBLISHED_STATUSES, Interpretation, Record


def linking_organisations(user) -> QuerySet[Organisation]:
    """Organisations whose interpretations ``user`` may link: their own for an editor, all for a superuser."""
    if is_superuser(user):
        return Organisation.objects.all()
    organisation = organisation_of(user)
    if organisation is None or not has_role_in(user, Role.EDITOR, organisation.pk):
        return Organisation.objects.none()
    return Organisation.objects.filter(pk=organisation.pk)


def may_link_in(user, organisation_id: int) -> bool:
    """Whether ``user`` may link (or unlink) interpretations of the organisation ``organisation_id``."""
    return has_role_in(user, Role.EDITOR, organisation_id)


def may_link_anywhere(user) -> bool:
    return linking_organisations(user).exists()


def may_change(user, link: Interpretation) -> bool:
    """Whether ``user`` may move or remove ``link``: its interpretation is unpublished and of their unit."""
    record: Record = link.record
    return record.status in UNPUBLISHED_STATUSES and may_link_in(user, record.organisation_id)


def visible_links(user) -> QuerySet[Interpretation]:
    """The links a member of staff may read: those of the organisations in their scope."""
    if is_superuser(user):
        return Interpretation.objects.all()
    return Interpretation.objects.filter(record__organisation__in=organisations_in_scope(user))


def may_read(user) -> bool:
    return is_superuser(user) or organisations_in_scope(user).exists()

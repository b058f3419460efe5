"""Who a member of staff is: the four roles (as Django groups), their organisation, and their scope.

Every duty's policy (``<feature>/policy.py``) asks these questions here and nowhere else: the superuser
test, "has this role in this organisation", and which organisations a user may read.

The roles are Django groups.

Migration 0002_roles creates them, through ``grant_role_permissions``. ``sync_role_groups`` calls the
same function after every migrate (and after the test runner flushes a database, which also re-emits
post_migrate) so the groups and the model permissions below always exist; it adds what is missing and
never removes a permission an administrator granted.
Each duty's own rights (who may submit, approve, publish, …) are in its feature's policy.py.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from catalog.models import Organisation


class Role(models.TextChoices):
    EDITOR = "信息员", _("信息员")
    REVIEWER = "审核员", _("审核员")
    ORG_ADMIN = "单位管理员", _("单位管理员")
    AUDITOR = "审计员", _("审计员")


# Model permissions for the admin screens that rely on Django's permission checks.
ROLE_PERMISSIONS = {
    Role.EDITOR: [
        "disclosure.add_record", "disclosure.change_record", "disclosure.view_record",
        "disclosure.delete_record",
        "disclosure.add_attachment", "disclosure.change_attachment", "disclosure.delete_attachment",
        "disclosure.view_attachment",
        "disclosure.view_review", "disclosure.view_auditentry", "disclosure.view_recordversion",
        "disclosure.view_activityentry",
        "catalog.view_catalognode", "catalog.view_organisation",
        "disclosure.add_policychange", "disclosure.view_policychange", "disclosure.delete_policychange",
        "disclosure.add_publicnotice", "disclosure.change_publicnotice", "disclosure.view_publicnotice",
        "disclosure.change_noticeobjection", "disclosure.view_noticeobjection",
    ],
    Role.REVIEWER: [
        "disclosure.view_record", "disclosure.change_record", "disclosure.view_attachment",
        "disclosure.view_review", "disclosure.view_auditentry", "disclosure.view_recordversion",
        "disclosure.view_activityentry",
        "catalog.view_catalognode", "catalog.view_organisation",
        "disclosure.view_policychange",
        "disclosure.add_publicnotice", "disclosure.change_publicnotice", "disclosure.view_publicnotice",
        "disclosure.change_noticeobjection", "disclosure.view_noticeobjection",
    ],
    Role.ORG_ADMIN: [
        "disclosure.view_record", "disclosure.view_attachment", "disclosure.view_auditentry",
        "disclosure.view_activityentry",
        "disclosure.add_staffprofile", "disclosure.change_staffprofile", "disclosure.view_staffprofile",
        "auth.add_user", "auth.change_user", "auth.view_user", "auth.view_group",
        "catalog.add_catalognode", "catalog.change_catalognode", "catalog.view_catalognode",
        "catalog.add_nodechannel", "catalog.change_nodechannel", "catalog.delete_nodechannel",
        "catalog.view_nodechannel",
        "catalog.view_organisation", "catalog.change_organisation",
        "disclosure.add_reviewchain", "disclosure.change_reviewchain", "disclosure.delete_reviewchain",
        "disclosure.view_reviewchain",
        "disclosure.add_reviewstep", "disclosure.change_reviewstep", "disclosure.delete_reviewstep",
        "disclosure.view_reviewstep",
    ],
    Role.AUDITOR: [
        "disclosure.view_record", "disclosure.view_attachment", "disclosure.view_review",
        "disclosure.view_auditentry", "disclosure.view_recordversion", "disclosure.view_activityentry",
        "catalog.view_catalognode", "catalog.view_organisation",
        "disclosure.view_reviewchain", "disclosure.view_reviewstep",
    ],
}


def grant_role_permissions(group_model, permission_model) -> None:
    """Make sure each role's group exists with at least its permissions; add what is missing, remove nothing.

    Takes the Group and Permission models so that the roles migration can pass its historical ones:
    the migration and the post_migrate receiver then cannot disagree about what a role holds.
    """
    wanted = {name for names in ROLE_PERMISSIONS.values() for name in names}
    by_name = {
        f"{p.content_type.app_label}.{p.codename}": p
        for p in permission_model.objects.select_related("content_type").filter(
            codename__in={name.split(".")[1] for name in wanted}
        )
    }
    for role, names in ROLE_PERMISSIONS.items():
        group, _created = group_model.objects.get_or_create(name=role.value)
        group.permissions.add(*(by_name[name] for name in names if name in by_name))


def sync_role_groups(**kwargs) -> None:
    """post_migrate receiver: make sure each role's group exists with at least its permissions."""
    from django.contrib.auth.models import Group, Permission

    grant_role_permissions(Group, Permission)


def is_superuser(user) -> bool:
    """An active system administrator (系统管理员): may do everything everywhere."""
    return bool(getattr(user, "is_superuser", False) and getattr(user, "is_active", False))


def roles_of(user) -> frozenset[str]:
    """The roles an active member of staff holds (cached on the user object for the request)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cached = getattr(user, "_disclosure_roles", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._disclosure_roles = cached
    return cached


def organisation_of(user) -> Organisation | None:
    """The organisation a member of staff works for, or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    profile = getattr(user, "staff_profile", None)
    return profile.organisation if profile else None


def has_role_in(user, roles: str | Iterable[str], organisation_id: int | None) -> bool:
    """Whether ``user`` holds one of ``roles`` in the organisation ``organisation_id`` (a superuser
    holds every role everywhere)."""
    if user is None:
        return False
    if is_superuser(user):
        return True
    wanted = {roles} if isinstance(roles, str) else set(roles)
    organisation = organisation_of(user)
    return organisation is not None and organisation.pk == organisation_id and bool(wanted & roles_of(user))


def has_role_anywhere(user, roles: str | Iterable[str]) -> bool:
    """Whether ``user`` holds one of ``roles`` in some organisation (or is a superuser)."""
    if user is None:
        return False
    if is_superuser(user):
        return True
    wanted = {roles} if isinstance(roles, str) else set(roles)
    return organisation_of(user) is not None and bool(wanted & roles_of(user))


def organisations_in_scope(user) -> QuerySet[Organisation]:
    """Organisations whose information the user may read: their own; auditors also everything beneath it."""
    if is_superuser(user):
        return Organisation.objects.all()
    organisation = organisation_of(user)
    if organisation is None or not roles_of(user):
        return Organisation.objects.none()
    if Role.AUDITOR in roles_of(user):
        return organisation.get_descendants(include_self=True)
    return Organisation.objects.filter(pk=organisation.pk)

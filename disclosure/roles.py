"""The four staff roles, as Django groups.

Migration 0002_roles creates them, through ``grant_role_permissions``. ``sync_role_groups`` calls the
same function after every migrate (and after the test runner flushes a database, which also re-emits
post_migrate) so the groups and the model permissions below always exist; it adds what is missing and
never removes a permission an administrator granted.
The workflow's own rights (who may submit, approve, publish, …) are in disclosure/policy.py.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


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
        "catalog.view_catalognode", "catalog.view_organisation",
    ],
    Role.REVIEWER: [
        "disclosure.view_record", "disclosure.change_record", "disclosure.view_attachment",
        "disclosure.view_review", "disclosure.view_auditentry", "disclosure.view_recordversion",
        "catalog.view_catalognode", "catalog.view_organisation",
    ],
    Role.ORG_ADMIN: [
        "disclosure.view_record", "disclosure.view_attachment", "disclosure.view_auditentry",
        "disclosure.add_staffprofile", "disclosure.change_staffprofile", "disclosure.view_staffprofile",
        "auth.add_user", "auth.change_user", "auth.view_user", "auth.view_group",
        "catalog.add_catalognode", "catalog.change_catalognode", "catalog.view_catalognode",
        "catalog.add_nodechannel", "catalog.change_nodechannel", "catalog.delete_nodechannel",
        "catalog.view_nodechannel",
        "catalog.view_organisation", "catalog.change_organisation",
    ],
    Role.AUDITOR: [
        "disclosure.view_record", "disclosure.view_attachment", "disclosure.view_review",
        "disclosure.view_auditentry", "disclosure.view_recordversion",
        "catalog.view_catalognode", "catalog.view_organisation",
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

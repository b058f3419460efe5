"""Who may do what with service guides (办事指南): one policy for the admin and the services.

A guide is part of its record: the record's editors (信息员 of its organisation) create and change it
exactly while the record is editable (draft or returned for changes), so what the public reads is
always what was reviewed. Everyone with a role reads the guides of the records they may see.
Built on disclosure/core/access.py and the records' policy.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from disclosure.core.access import Role, has_role_anywhere, is_superuser, roles_of
from disclosure.records import policy as record_policy
from disclosure.records.models import EDITABLE_STATUSES, Record, RecordType
from disclosure.service_guides import selectors
from disclosure.service_guides.models import ServiceGuide


def may_read(user) -> bool:
    """Any active member of staff with a role reads the guides in their scope."""
    return is_superuser(user) or bool(roles_of(user))


def visible_guides(user) -> QuerySet[ServiceGuide]:
    """Guides of the records the user may see in the admin."""
    return ServiceGuide.objects.filter(record__in=record_policy.visible_records(user))


def can_edit(user, record: Record) -> bool:
    """Whether the user may create or change the guide of ``record`` (and its steps, materials, FAQ)."""
    return record_policy.can_edit(user, record)


def check_edit(user, record: Record) -> None:
    """``PermissionDenied`` unless the user may edit the guide of ``record`` now."""
    if not can_edit(user, record):
        raise PermissionDenied(_("只能在本单位处于草稿或退回修改状态的办事指南信息上编辑办事指南。"))


def may_create_anywhere(user) -> bool:
    """Whether the user may add a guide to some record (the admin's add button)."""
    return has_role_anywhere(user, Role.EDITOR)


def records_open_for_guide(user) -> QuerySet[Record]:
    """Records this user may add a guide to: editable 办事指南 records in a guide column, without one."""
    candidates = record_policy.visible_records(user).filter(
        status__in=EDITABLE_STATUSES,
        record_type=RecordType.SERVICE_GUIDE,
        node_id__in=list(selectors.guide_item_of_node()),
        service_guide__isnull=True,
    )
    editable = [record.pk for record in candidates if can_edit(user, record)]
    return Record.objects.filter(pk__in=editable).order_by("-created_at")

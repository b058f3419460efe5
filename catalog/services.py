"""Writes to the catalog and organisation trees. Every django-mptt tree write lives here."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from catalog.models import CatalogNode, Channel, NodeChannel, Organisation

STANDARD_FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "standard-catalog.json"

# Attributes the standard sets. Only the platform edits them, and a reload puts the fixture's values
# back: an organisation's own view of a column lives in ColumnSetting and local items, never here.
STANDARD_FIELDS = (
    "name",
    "origin",
    "sort_order",
    "content",
    "basis",
    "time_limit_text",
    "time_limit_days",
    "time_limit_trigger",
    "subject",
    "channels_text",
    "audience",
    "audience_scope",
    "method",
    "levels",
    "provenance",
)


@dataclass
class LoadReport:
    created: list[str] = field(default_factory=list)
    # The standard itself changed: the node now carries the new values.
    updated: list[str] = field(default_factory=list)
    # The node had been edited away from the standard: the standard values were put back.
    restored: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.restored)


def read_fixture(path: Path = STANDARD_FIXTURE) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _node_channels(node: CatalogNode) -> list[dict]:
    return [
        {"channel": link.channel.code, "required": link.required, "note": link.note}
        for link in node.node_channels.select_related("channel").order_by("channel__sort_order")
    ]


def _set_node_channels(node: CatalogNode, channels: list[dict], by_code: dict[str, Channel]) -> None:
    node.node_channels.all().delete()
    NodeChannel.objects.bulk_create(
        NodeChannel(node=node, channel=by_code[c["channel"]], required=c["required"], note=c["note"])
        for c in channels
    )


def _standard_values(row: dict) -> dict:
    values = {name: row[name] for name in STANDARD_FIELDS if name in row}
    if "channels" in row:
        values["channels"] = row["channels"]
    return values


def _merge_node(
    row: dict, parent: CatalogNode | None, by_code: dict[str, Channel], report: LoadReport
) -> CatalogNode:
    """Create the node, or bring each standard attribute back to the fixture's value.

    The fixture is the standard: whatever differs is overwritten. A value that differs from the
    previous load too is a change of the standard (``updated``); one that equals the previous load was
    an edit of the node, now undone (``restored``).
    """
    new = _standard_values(row)
    node = CatalogNode.objects.filter(code=row["code"]).first()
    if node is None:
        node = CatalogNode(code=row["code"], parent=parent, standard_values=new)
        for name in STANDARD_FIELDS:
            if name in new:
                setattr(node, name, new[name])
        node.save()
        _set_node_channels(node, new.get("channels", []), by_code)
        report.created.append(node.code)
        return node

    previous = node.standard_values or {}
    standard_changed = edit_undone = False
    for name, value in new.items():
        current = _node_channels(node) if name == "channels" else getattr(node, name)
        if current == value:
            continue
        if name == "channels":
            _set_node_channels(node, value, by_code)
        else:
            setattr(node, name, value)
        if name in previous and previous[name] == value:
            edit_undone = True
        else:
            standard_changed = True
    if node.owner_id is not None:
        node.owner = None  # a platform node belongs to no organisation
        edit_undone = True
    if previous == new and not edit_undone:
        return node
    node.standard_values = new
    node.save()
    if standard_changed:
        report.updated.append(node.code)
    if edit_undone:
        report.restored.append(node.code)
    return node


@transaction.atomic
def catalog_load_standard(
    *, fixture: dict | None = None, include_extras: bool = False
) -> LoadReport:
    """Load or update the standard catalog by code. Idempotent; the standard attributes of platform
    nodes are restored, local items (本单位细化) and organisations' column settings are left alone."""
    fixture = fixture or read_fixture()
    report = LoadReport()
    for row in fixture["channels"]:
        Channel.objects.update_or_create(
            code=row["code"], defaults={"name": row["name"], "sort_order": row["sort_order"]}
        )
    by_code = {c.code: c for c in Channel.objects.all()}

    def walk(rows, parent):
        for row in rows:
            node = _merge_node(row, parent, by_code, report)
            walk(row.get("children", []), node)

    walk(fixture["domains"], None)
    if include_extras:
        for extra in fixture.get("extra_items", []):
            domain = CatalogNode.objects.get(code=extra["domain"])
            walk([extra], domain)
    return report


# --- placing nodes in a tree: the admin's add, change, list edits and deletes come here ---------


def validate_placement(*, node: CatalogNode | Organisation, parent: CatalogNode | Organisation | None) -> None:
    """Refuse a parent that is the node itself or lies beneath it: the tree would become a cycle.

    Raises ValidationError on the ``parent`` field. Forms call it in ``clean()`` to show the message
    where the user chose the parent; the save services call it again before writing.
    """
    if parent is None or node.pk is None:
        return
    if parent.pk == node.pk or parent.is_descendant_of(node):
        raise ValidationError(
            {"parent": _("不能把“%(node)s”移到它自己或它的下级之下。") % {"node": node.name}},
            code="cycle",
        )


def _save_tree_node(node):
    validate_placement(node=node, parent=node.parent)
    node.full_clean()
    # A new parent or sort order re-files the node among its siblings (order_insertion_by).
    node.save()
    return node


@transaction.atomic
def catalog_node_save(*, node: CatalogNode) -> CatalogNode:
    """Create a catalog node or save its edits; a changed parent or sort order moves it in the tree."""
    return _save_tree_node(node)


@transaction.atomic
def catalog_node_move(*, node: CatalogNode, parent: CatalogNode | None, sort_order: int) -> CatalogNode:
    """Move a node under another parent and/or change its position among its siblings."""
    node.parent = parent
    node.sort_order = sort_order
    return catalog_node_save(node=node)


@transaction.atomic
def catalog_node_delete(*, node: CatalogNode) -> None:
    """Delete a node without children (the parent link protects them: move or retire them first)."""
    node.delete()


@transaction.atomic
def organisation_save(*, organisation: Organisation) -> Organisation:
    """Create an organisation or save its edits; a changed parent or sort order moves it in the tree."""
    return _save_tree_node(organisation)


@transaction.atomic
def organisation_delete(*, organisation: Organisation) -> None:
    """Delete an organisation without children or records (both are protected)."""
    organisation.delete()

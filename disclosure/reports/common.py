"""What every report shares: the organisations in scope, the catalog items, per-column record figures.

Catalog items: a report row is a second-level catalog node (mptt level 2), standard or local. Nodes
deeper down (a bureau's refinements) count towards the second-level item above them, so an item
is disclosed when any record is filed on it or under it. Whether an item applies to an organisation
is decided by catalog.selectors.applies_to, the same rule the public columns, their navigation and
the sitemap follow.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta, tzinfo
from functools import cached_property

from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog import selectors as catalog_selectors
from catalog.models import CatalogNode, Method, Organisation
from disclosure.core import access
from disclosure.records.models import Record
from disclosure.records.selectors import public_column_figures, public_records, published_proactive

ITEM_LEVEL = 2  # mptt level of the catalog's second-level items


class OrganisationNotFound(LookupError):
    """No organisation with that code in the caller's scope."""

    def __init__(self, code: str):
        self.code = code
        super().__init__(_("找不到编码为“%(code)s”的单位，或该单位不在您的查看范围内。") % {"code": code})


# --- organisations ---------------------------------------------------------------------------


def scope_organisations(user) -> list[Organisation]:
    """Active organisations the user may report on, in tree order (one query after the policy's)."""
    return list(
        catalog_selectors.visible_organisations()
        .filter(pk__in=access.organisations_in_scope(user).values("pk"))
        .order_by("tree_id", "lft")
    )


def all_organisations() -> list[Organisation]:
    """Every active organisation, in tree order: the scope of commands run by an operator."""
    return list(catalog_selectors.visible_organisations().order_by("tree_id", "lft"))


def subtree(organisations: list[Organisation], root: Organisation) -> list[Organisation]:
    """The organisations of a tree-ordered list that are ``root`` or beneath it (in memory)."""
    return [
        org
        for org in organisations
        if org.tree_id == root.tree_id and root.lft <= org.lft and org.rght <= root.rght
    ]


def select_organisations(organisations: list[Organisation], code: str | None) -> list[Organisation]:
    """``organisations`` narrowed to the subtree of the one with ``code``; all of them without a code.

    Raises OrganisationNotFound when the code is not among them (outside scope, inactive, unknown).
    """
    if not code:
        return organisations
    for org in organisations:
        if org.code == code:
            return subtree(organisations, org)
    raise OrganisationNotFound(code)


def depth_map(organisations: list[Organisation]) -> dict[int, int]:
    """Indentation of each organisation below the shallowest one of the list."""
    if not organisations:
        return {}
    top = min(org.depth for org in organisations)
    return {org.pk: org.depth - top for org in organisations}


def ancestors_within(organisations: list[Organisation]) -> dict[int, list[int]]:
    """For each organisation, the ids of its ancestors that are in the list (nearest first)."""
    by_id = {org.pk: org for org in organisations}
    chains: dict[int, list[int]] = {}
    for org in organisations:
        chain, parent_id = [], org.parent_id
        while parent_id in by_id:
            chain.append(parent_id)
            parent_id = by_id[parent_id].parent_id
        chains[org.pk] = chain
    return chains


# --- figures per organisation, rolled up the tree ---------------------------------------------


class Counters:
    """Mixin of a report's tally dataclass: whole-number fields that add up field by field."""

    def bump(self, name: str) -> None:
        setattr(self, name, getattr(self, name) + 1)

    def add(self, other) -> None:
        for counter in fields(self):
            value = getattr(other, counter.name)
            if isinstance(value, int):
                setattr(self, counter.name, getattr(self, counter.name) + value)


def roll_up(organisations: list[Organisation], rows: dict, total):
    """Each row's ``own`` figures added to its ``total`` and to the totals of its ancestors in the
    list (rows by organisation id); returns ``total`` (an empty tally) with every ``own`` added."""
    for org_id, ancestors in ancestors_within(organisations).items():
        own = rows[org_id].own
        rows[org_id].total.add(own)
        for ancestor_id in ancestors:
            rows[ancestor_id].total.add(own)
    for row in rows.values():
        total.add(row.own)
    return total


def tree_row_dicts(rows: list, extra=None) -> list[dict]:
    """Organisation rows (with ``organisation``, ``depth``, ``own``, ``total``) as dicts naming their
    parent in the report; ``extra(row)`` adds keys at the end."""
    parents = {row.organisation.pk: row.organisation.code for row in rows}
    return [
        {
            **organisation_dict(row.organisation),
            "parent": parents.get(row.organisation.parent_id),
            "depth": row.depth,
            "own": row.own.as_dict(),
            "total": row.total.as_dict(),
            **(extra(row) if extra else {}),
        }
        for row in rows
    ]


# --- catalog items ----------------------------------------------------------------------------


@dataclass
class Item:
    """A second-level catalog item with what the reports need from its path."""

    node: CatalogNode
    domain: CatalogNode
    group: CatalogNode  # the first-level item
    levels: frozenset[str]  # catalog.selectors.applicable_levels(node): the levels the item applies to
    path: list[CatalogNode]

    @property
    def code(self) -> str:
        return self.node.code

    @property
    def name(self) -> str:
        return self.node.name

    @cached_property
    def proactive(self) -> bool:
        # Asked for every organisation's cell of the item: once per item (a report's items are its own).
        return self.node.method == Method.PROACTIVE

    @cached_property
    def owners(self) -> frozenset[int]:
        """The organisations owning a node of the path (a local refinement, 本单位细化): at most one."""
        return frozenset(step.owner_id for step in self.path if step.owner_id is not None)

    def applies_to(self, organisation: Organisation) -> bool:
        # ``levels`` is catalog.selectors.applicable_levels(node), computed once per item; a local
        # refinement (本单位细化) counts only for the organisation that owns it.
        return organisation.level in self.levels and (not self.owners or self.owners <= {organisation.pk})


@dataclass
class Catalog:
    items: list[Item]  # in catalog order
    domains: list[CatalogNode]
    item_of_node: dict[int, Item]  # every node at level ≥ 2 → its second-level item
    nodes: dict[int, CatalogNode]  # every visible node by id

    def items_of_domain(self, domain: CatalogNode) -> list[Item]:
        return [item for item in self.items if item.domain.pk == domain.pk]

    def by_code(self, code: str) -> Item | None:
        return next((item for item in self.items if item.code == code), None)


def load_catalog() -> Catalog:
    """The visible catalog as report items: one query (catalog_tree)."""
    items: list[Item] = []
    item_of_node: dict[int, Item] = {}
    domains = catalog_selectors.catalog_tree()

    def below(item: Item, node: CatalogNode) -> None:
        for child in catalog_selectors.children(node):
            item_of_node[child.pk] = item
            below(item, child)

    for domain in domains:
        for group in catalog_selectors.children(domain):
            for node in catalog_selectors.children(group):
                path = [domain, group, node]
                levels = catalog_selectors.applicable_levels(node)
                item = Item(node=node, domain=domain, group=group, levels=levels, path=path)
                items.append(item)
                item_of_node[node.pk] = item
                below(item, node)
    nodes: dict[int, CatalogNode] = {node.pk: node for node in catalog_selectors.descendants(domains)}
    return Catalog(items=items, domains=list(domains), item_of_node=item_of_node, nodes=nodes)


def organisation_levels_with_items(catalog: Catalog) -> set[str]:
    levels: set[str] = set()
    for item in catalog.items:
        levels |= item.levels
    return levels


# --- figures per column -----------------------------------------------------------------------


@dataclass
class ColumnFigure:
    """Public records of one organisation under one item: how many, and the latest publication."""

    count: int = 0
    latest: datetime | None = None
    zone: tzinfo | None = None  # the time zone of ``latest_date``, taken once per report (default: current)

    @property
    def latest_date(self) -> date | None:
        # timezone.localdate() without asking for the current zone again for each of thousands of columns.
        if not self.latest:
            return None
        return self.latest.astimezone(self.zone or timezone.get_current_timezone()).date()


def local_day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def published_within(records, published_from: date | None = None, published_to: date | None = None):
    """``records`` published on or after ``published_from`` and on or before ``published_to`` (local days)."""
    if published_from:
        records = records.filter(published_at__gte=local_day_start(published_from))
    if published_to:
        records = records.filter(published_at__lt=local_day_start(published_to + timedelta(days=1)))
    return records


def scoped_public_records(
    organisations: Iterable[Organisation],
    *,
    node: CatalogNode | None = None,
    published_from: date | None = None,
    published_to: date | None = None,
):
    """Public records of the organisations, on ``node`` or beneath it, published within the dates."""
    records = public_records().filter(organisation_id__in=[org.pk for org in organisations])
    if node is not None:
        records = records.filter(node__code__in=catalog_selectors.descendant_codes(node))
    return published_within(records, published_from, published_to)


def column_figures(
    organisation_ids: Iterable[int],
    catalog: Catalog,
    *,
    published_from: date | None = None,
    published_to: date | None = None,
) -> dict[tuple[int, int], ColumnFigure]:
    """(organisation id, item node id) → public record count and latest publication.

    Records on refinements below an item are added to the item in memory. ``organisation_ids`` are
    visible organisations (every report's scope is). The rule is public_records()'s, in two halves: the
    record's own half (published, 主动公开, publication time reached) in the database, the placement half
    (its organisation and catalog node active, with their ancestors) on the groups: the organisations are
    visible ones and ``catalog`` holds only visible nodes, so a group on any other node is dropped.

    Without dates, the counts the database keeps per column (``public_column_figures``: two queries,
    whatever the number of records). With dates, ONE aggregate query grouped by organisation and node over
    the partial index record_public_column_idx (an index-only scan of the records within the dates).
    """
    organisation_ids = list(organisation_ids)
    if published_from is None and published_to is None:
        rows = public_column_figures(organisation_ids)
    else:
        records = Record.objects.filter(published_proactive(), organisation_id__in=organisation_ids)
        records = published_within(records, published_from, published_to)
        rows = (
            records.order_by()
            .values("organisation_id", "node_id")
            .annotate(n=Count("*"), latest=Max("published_at"))
            .values_list("organisation_id", "node_id", "n", "latest")
        )
    figures: dict[tuple[int, int], ColumnFigure] = {}
    zone = timezone.get_current_timezone()
    for organisation_id, node_id, count, latest in rows:
        item = catalog.item_of_node.get(node_id)
        if item is None:
            continue  # filed above the item level, or on a node switched off: in no item's figures
        key = (organisation_id, item.node.pk)
        figure = figures.get(key) or figures.setdefault(key, ColumnFigure(zone=zone))
        figure.count += count
        if latest is not None and (figure.latest is None or latest > figure.latest):
            figure.latest = latest
    return figures


def percent(part: int, whole: int) -> float | None:
    """A percentage with one decimal, or None when there is nothing to measure."""
    if not whole:
        return None
    return round(100 * part / whole, 1)


def organisation_dict(org: Organisation) -> dict:
    return {"code": org.code, "name": org.name, "level": org.level}


def item_dict(item: Item) -> dict:
    return {
        "code": item.code,
        "name": item.name,
        "domain": item.domain.code,
        "domain_name": item.domain.name,
        "group": item.group.code,
        "group_name": item.group.name,
        "method": item.node.method,
    }


def column_dict(organisation: Organisation, item: Item, state: str, count: int, latest: date | None) -> dict:
    """What every per-column row (a completeness cell, a freshness column) exports first."""
    return {
        "organisation": organisation.code,
        "organisation_name": organisation.name,
        **{f"item_{key}": value for key, value in item_dict(item).items()},
        "state": state,
        "records": count,
        "latest": latest.isoformat() if latest else None,
    }

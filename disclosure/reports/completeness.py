"""Completeness: does every organisation disclose every catalog item that applies to it?

For each organisation and each second-level catalog item (standard or local):

- **disclosed**: the item applies, is 主动公开, and has at least one public record;
- **missing**: the item applies, is 主动公开, and has no public record;
- **on application** (依申请): the item applies but is disclosed on application only; never missing;
- **not applicable**: the item's levels do not include the organisation's level.

Coverage = disclosed / (disclosed + missing). Figures are given per cell, per item (across the
organisations), per domain, per organisation, and rolled up through the organisation tree (a city
sees its counties and their townships summed).

Extra findings: remarks other features attach to cells, read from their selectors by an explicit
call in ``completeness_report``: today the service guides lacking a required element (办事指南缺少必备
要素, ``service_guide_findings`` in disclosure/service_guides/selectors.py), which answers once per
report, with a fixed number of queries, ``{(organisation id, item node id): [remark, ...]}``: at most
``FINDINGS_PER_CELL`` (10) guides named per cell, then one remark “另有 K 份办事指南缺少必备要素” with
the rest, so that a province's report stays bounded. Findings are shown in the cell, counted in the
tallies (``flagged``: cells with any finding) and exported; they do not change a cell's state.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db import models
from django.utils.translation import gettext_lazy as _

from catalog.models import CatalogNode, Organisation
from disclosure.reports.common import (
    Catalog,
    ColumnFigure,
    Counters,
    Item,
    column_dict,
    column_figures,
    depth_map,
    item_dict,
    load_catalog,
    organisation_dict,
    percent,
    roll_up,
)
from disclosure.service_guides.selectors import service_guide_findings


class ItemState(models.TextChoices):
    DISCLOSED = "disclosed", _("已公开")
    MISSING = "missing", _("未公开")
    ON_APPLICATION = "on_application", _("依申请公开")
    NOT_APPLICABLE = "not_applicable", _("不适用")


@dataclass
class Tally(Counters):
    """Counts of cells by state, public records, and cells with findings."""

    disclosed: int = 0
    missing: int = 0
    on_application: int = 0
    not_applicable: int = 0
    records: int = 0
    flagged: int = 0
    latest: date | None = None

    @property
    def required(self) -> int:
        return self.disclosed + self.missing

    @property
    def coverage(self) -> float | None:
        return percent(self.disclosed, self.required)

    def count(self, cell: Cell) -> None:
        # Called four times per cell (organisation, its domain, the item, the domain): plain additions.
        state = cell.state
        if state == ItemState.DISCLOSED:
            self.disclosed += 1
        elif state == ItemState.MISSING:
            self.missing += 1
        elif state == ItemState.NOT_APPLICABLE:
            self.not_applicable += 1
        else:
            self.bump(state)
        self.records += cell.count
        if cell.findings:
            self.flagged += 1
        latest = cell.latest
        if latest and (self.latest is None or latest > self.latest):
            self.latest = latest

    def add(self, other: Tally) -> None:
        super().add(other)
        if other.latest and (self.latest is None or other.latest > self.latest):
            self.latest = other.latest

    def as_dict(self) -> dict:
        return {
            "required": self.required,
            "disclosed": self.disclosed,
            "missing": self.missing,
            "on_application": self.on_application,
            "not_applicable": self.not_applicable,
            "coverage": self.coverage,
            "records": self.records,
            "flagged": self.flagged,
            "latest": self.latest.isoformat() if self.latest else None,
        }


@dataclass
class Cell:
    organisation: Organisation
    item: Item
    state: str
    count: int = 0
    latest: date | None = None
    findings: list[str] = field(default_factory=list)

    @property
    def state_label(self) -> str:
        return ItemState(self.state).label

    def as_dict(self) -> dict:
        return {
            **column_dict(self.organisation, self.item, self.state, self.count, self.latest),
            "findings": list(self.findings),
        }


@dataclass
class OrganisationRow:
    organisation: Organisation
    depth: int
    own: Tally
    total: Tally  # own plus every organisation beneath it in the report
    domains: dict[int, Tally]  # own figures per domain node id

    @property
    def has_items(self) -> bool:
        return bool(self.own.required or self.own.on_application)

    def as_dict(self) -> dict:
        return {
            **organisation_dict(self.organisation),
            "depth": self.depth,
            "own": self.own.as_dict(),
            "total": self.total.as_dict(),
        }


@dataclass
class ItemRow:
    item: Item
    tally: Tally  # over the organisations of the report

    def as_dict(self) -> dict:
        return {**item_dict(self.item), **self.tally.as_dict()}


@dataclass
class DomainRow:
    domain: CatalogNode
    tally: Tally

    def as_dict(self) -> dict:
        return {"code": self.domain.code, "name": self.domain.name, **self.tally.as_dict()}


@dataclass
class CompletenessReport:
    organisations: list[OrganisationRow]
    items: list[ItemRow]
    domains: list[DomainRow]
    cells: list[Cell]
    total: Tally
    published_from: date | None = None
    published_to: date | None = None

    def row_of(self, organisation: Organisation) -> OrganisationRow | None:
        return next((row for row in self.organisations if row.organisation.pk == organisation.pk), None)

    def as_dict(self, *, include_cells: bool = True) -> dict:
        parents = {row.organisation.pk: row.organisation.code for row in self.organisations}
        organisations = []
        for row in self.organisations:
            data = row.as_dict()
            data["parent"] = parents.get(row.organisation.parent_id)
            organisations.append(data)
        data = {
            "published_from": self.published_from.isoformat() if self.published_from else None,
            "published_to": self.published_to.isoformat() if self.published_to else None,
            "total": self.total.as_dict(),
            "domains": [row.as_dict() for row in self.domains],
            "organisations": organisations,
            "items": [row.as_dict() for row in self.items],
        }
        if include_cells:
            data["cells"] = [cell.as_dict() for cell in self.cells]
        return data


def _state(organisation: Organisation, item: Item, figure: ColumnFigure | None) -> str:
    if not item.applies_to(organisation):
        return ItemState.NOT_APPLICABLE
    if not item.proactive:
        return ItemState.ON_APPLICATION
    return ItemState.DISCLOSED if figure and figure.count else ItemState.MISSING


def completeness_report(
    organisations: list[Organisation],
    *,
    catalog: Catalog | None = None,
    published_from: date | None = None,
    published_to: date | None = None,
) -> CompletenessReport:
    """The completeness report for a tree-ordered list of organisations (e.g. a subtree).

    Queries: the catalog (one, unless given), the figures (one), the service guides' findings (six,
    see ``incomplete_guides_by_cell``).
    Nothing grows with records or organisations.
    """
    catalog = catalog or load_catalog()
    org_ids = [org.pk for org in organisations]
    figures = column_figures(
        org_ids, catalog, published_from=published_from, published_to=published_to
    )
    findings = service_guide_findings(org_ids, [item.node.pk for item in catalog.items])

    depths = depth_map(organisations)
    org_rows: dict[int, OrganisationRow] = {}
    item_tallies = {item.node.pk: Tally() for item in catalog.items}
    domain_tallies = {domain.pk: Tally() for domain in catalog.domains}
    cells: list[Cell] = []
    # Per item, what every cell of it needs (looked up once, not once per organisation).
    columns = [(item, item.node.pk, item.domain.pk, item_tallies[item.node.pk], domain_tallies[item.domain.pk])
               for item in catalog.items]
    for org in organisations:
        own, per_domain = Tally(), {domain.pk: Tally() for domain in catalog.domains}
        org_cells = []
        shown = False
        org_id = org.pk
        for item, node_id, domain_id, item_tally, domain_tally in columns:
            key = (org_id, node_id)
            figure = figures.get(key)
            cell = Cell(
                organisation=org,
                item=item,
                state=_state(org, item, figure),
                count=figure.count if figure else 0,
                latest=figure.latest_date if figure else None,
                findings=findings.get(key, []),
            )
            org_cells.append((cell, domain_id, item_tally, domain_tally))
            shown = shown or cell.state != ItemState.NOT_APPLICABLE or bool(cell.count)
        # Organisations to which no item applies (a province or city office above the
        # disclosing bureaus) get no cells of their own unless they hold records.
        if shown:
            for cell, domain_id, item_tally, domain_tally in org_cells:
                own.count(cell)
                per_domain[domain_id].count(cell)
                item_tally.count(cell)
                domain_tally.count(cell)
                cells.append(cell)
        org_rows[org.pk] = OrganisationRow(
            organisation=org, depth=depths[org.pk], own=own, total=Tally(), domains=per_domain
        )

    total = roll_up(organisations, org_rows, Tally())
    return CompletenessReport(
        organisations=[org_rows[org.pk] for org in organisations],
        items=[ItemRow(item=item, tally=item_tallies[item.node.pk]) for item in catalog.items],
        domains=[DomainRow(domain=d, tally=domain_tallies[d.pk]) for d in catalog.domains],
        cells=cells,
        total=total,
        published_from=published_from,
        published_to=published_to,
    )


def completeness_summary(
    organisations: Iterable[Organisation],
    *,
    include_cells: bool = False,
    published_from: date | None = None,
    published_to: date | None = None,
) -> dict:
    """The completeness report as plain dicts and lists (for the API and JSON exports)."""
    return completeness_report(
        list(organisations), published_from=published_from, published_to=published_to
    ).as_dict(include_cells=include_cells)

"""Reads of service guides (办事指南): where guides go, what a guide must contain, and the public reads.

A guide is the structured content of a record of type 办事指南 in a service-guide column: the
children of the three 市政服务 approvals (0401, 0402, 0403) and 保障性住房 › 办事指南 (020701), with any
local refinements beneath them. It is public exactly while its record is: every public read below
goes through the records' ``public_records()`` (and so through disclosure/core/visibility.py: a
switched-off column, domain or organisation hides the guide and its blank forms with the record).

Required elements, in the order the public layout shows them: 实施主体, 设定依据, 申请条件, 办理流程
(at least one step), 申请材料 (at least one), 收费 (free, or amount and basis), 法定时限, 承诺时限,
咨询渠道, 监督渠道, 办理地点, 办理时间. A guide missing any of them may still be saved and published
(a bureau may have to publish what it has), but ``missing_elements`` names the gaps and the
completeness report flags the guide (``service_guide_findings``): at most ``FINDINGS_PER_CELL`` remarks
per report cell, then one remark with how many more there are, so that a province of a million records
costs a bounded read (records without any guide are counted and sampled in SQL; only records with a
guide are checked in Python).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Window
from django.db.models.expressions import RawSQL, RowRange
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog import selectors as catalog_selectors
from catalog.models import CatalogNode
from disclosure.records.models import Openness, PublicColumnCount, Record, RecordType, Status
from disclosure.records.selectors import public_records, public_records_ahead, published_proactive
from disclosure.service_guides.models import FeeMode, ServiceGuide, ServiceGuideMaterial, ServiceGuideStep

# First-level items whose children are service guides, and second-level items that are one.
GUIDE_GROUP_CODES = ("0401", "0402", "0403")
GUIDE_ITEM_CODES = ("020701",)

# (key, label) in the statutory order of the public layout.
REQUIRED_ELEMENTS = (
    ("responsible_body", gettext_lazy("实施主体")),
    ("legal_basis", gettext_lazy("设定依据")),
    ("conditions", gettext_lazy("申请条件")),
    ("steps", gettext_lazy("办理流程")),
    ("materials", gettext_lazy("申请材料")),
    ("fees", gettext_lazy("收费标准")),
    ("statutory_days", gettext_lazy("法定时限")),
    ("promised_days", gettext_lazy("承诺时限")),
    ("consultation", gettext_lazy("咨询渠道")),
    ("supervision", gettext_lazy("监督投诉渠道")),
    ("place", gettext_lazy("办理地点")),
    ("hours", gettext_lazy("办理时间")),
)


# The guide fields ``missing_elements`` reads (steps and materials are counted apart).
GUIDE_CHECK_FIELDS = (
    "record_id", "responsible_body", "legal_basis", "conditions", "fee_mode", "fee_amount", "fee_basis",
    "statutory_days", "promised_days", "consultation_phone", "consultation_address", "supervision_phone",
    "supervision_channel", "place", "hours",
)


# Remarks per completeness-report cell: the first incomplete guides by name, then how many more.
FINDINGS_PER_CELL = 10

# --- where guides go ---------------------------------------------------------------------------


def guide_item_of_node() -> dict[int, int]:
    """Every service-guide column's node id → the id of its second-level catalog item (one query)."""
    tree = catalog_selectors.catalog_tree(visible_only=False)
    mapping: dict[int, int] = {}
    items: list[CatalogNode] = []
    for code in GUIDE_GROUP_CODES:
        group = catalog_selectors.find_in_tree(tree, code)
        if group is not None:
            items.extend(catalog_selectors.children(group))
    for code in GUIDE_ITEM_CODES:
        item = catalog_selectors.find_in_tree(tree, code)
        if item is not None:
            items.append(item)
    for item in items:
        for node in catalog_selectors.descendants([item]):
            mapping[node.pk] = item.pk
    return mapping


def is_guide_node(node_id: int) -> bool:
    return node_id in guide_item_of_node()


# --- what a guide must contain ------------------------------------------------------------------


def _present(guide: ServiceGuide, key: str, step_count: int, material_count: int) -> bool:
    if key == "steps":
        return step_count > 0
    if key == "materials":
        return material_count > 0
    if key == "fees":
        return guide.fee_mode == FeeMode.FREE or (
            guide.fee_mode == FeeMode.CHARGED and bool(guide.fee_amount.strip()) and bool(guide.fee_basis.strip())
        )
    if key in ("statutory_days", "promised_days"):
        return getattr(guide, key) is not None
    if key == "consultation":
        return bool(guide.consultation_phone.strip() or guide.consultation_address.strip())
    if key == "supervision":
        return bool(guide.supervision_phone.strip() or guide.supervision_channel.strip())
    return bool(str(getattr(guide, key) or "").strip())


def element_labels() -> dict[str, str]:
    """The required elements' labels in the active language, in statutory order."""
    return {key: str(label) for key, label in REQUIRED_ELEMENTS}


def missing_elements(
    guide: ServiceGuide | None,
    *,
    step_count: int | None = None,
    material_count: int | None = None,
    labels: dict[str, str] | None = None,
) -> list[str]:
    """Labels of the required elements the guide lacks, in statutory order (all of them for no guide).

    Pass ``step_count``/``material_count`` when already known (e.g. annotated) to avoid queries, and
    ``labels`` (from ``element_labels``) when checking many guides: translating them is the costly part.
    """
    labels = labels or element_labels()
    if guide is None:
        return list(labels.values())
    if step_count is None:
        step_count = guide.steps.count()
    if material_count is None:
        material_count = guide.materials.count()
    return [label for key, label in labels.items() if not _present(guide, key, step_count, material_count)]


class _GuideValues:
    """A guide's checked fields as plain values (``missing_elements`` reads them by attribute)."""

    def __init__(self, values: dict):
        self.__dict__.update(values)


@dataclass(frozen=True)
class IncompleteGuide:
    record_id: int
    organisation_id: int
    item_node_id: int
    title: str
    index_number: str
    missing: list[str]


def _guide_rows(records):
    """The rows ``_incomplete`` reads, with whether steps and materials exist (EXISTS, no COUNT)."""
    guide_fields = [f"service_guide__{name}" for name in GUIDE_CHECK_FIELDS]
    return (
        # Whether steps and materials exist is all the check needs: EXISTS probes an index where a
        # COUNT over both joins would multiply steps by materials for every record.
        records.annotate(
            has_steps=Exists(ServiceGuideStep.objects.filter(guide__record_id=OuterRef("pk"))),
            has_materials=Exists(ServiceGuideMaterial.objects.filter(guide__record_id=OuterRef("pk"))),
        )
        .order_by("organisation_id", "node_id", "pk")
        # Plain values, not records and guides: only the columns the check needs.
        .values_list("pk", "organisation_id", "node_id", "title", "index_number", "has_steps", "has_materials",
                     *guide_fields)
    )


def _incomplete(row, item_of_node: dict[int, int], labels: dict[str, str]) -> IncompleteGuide | None:
    """The finding of one row of ``_guide_rows``, or None for a complete guide."""
    pk, organisation_id, node_id, title, index_number, has_steps, has_materials, *guide_values = row
    guide = _GuideValues(dict(zip(GUIDE_CHECK_FIELDS, guide_values))) if guide_values[0] is not None else None
    missing = missing_elements(guide, step_count=int(has_steps), material_count=int(has_materials), labels=labels)
    if not missing:
        return None
    return IncompleteGuide(
        record_id=pk,
        organisation_id=organisation_id,
        item_node_id=item_of_node[node_id],
        title=title,
        index_number=index_number,
        missing=missing,
    )


def _guide_records(organisation_ids, item_of_node: dict[int, int]):
    return public_records().filter(organisation_id__in=list(organisation_ids), node_id__in=list(item_of_node))


def incomplete_service_guides(organisation_ids) -> list[IncompleteGuide]:
    """Every public service-guide record of these organisations whose guide lacks a required element.

    A public record in a service-guide column without any structured guide counts as lacking all.
    Queries: two (the catalog tree, the records with their guides and counts), whatever the data; but
    the answer grows with the records: the completeness report reads ``incomplete_guides_by_cell``.
    """
    item_of_node = guide_item_of_node()
    labels = element_labels()
    rows = _guide_rows(_guide_records(organisation_ids, item_of_node))
    return [found for found in (_incomplete(row, item_of_node, labels) for row in rows) if found is not None]


def _titles(ids: list[int]):
    """(pk, title, index number) of the records with these primary keys: on PostgreSQL by one array
    parameter (``IN (SELECT unnest(...))``), not one placeholder per id, whose building cost more than
    the query itself for the thousands of numbered guides of a province; elsewhere ``IN`` in batches
    of the backend's parameter limit."""
    if connection.vendor == "postgresql":
        batches = [Record.objects.filter(pk__in=RawSQL("SELECT unnest(%s::bigint[])", [ids]))] if ids else []
    else:
        batch = connection.features.max_query_params or len(ids) or 1
        batches = [Record.objects.filter(pk__in=ids[start : start + batch]) for start in range(0, len(ids), batch)]
    for records in batches:
        yield from records.values_list("pk", "title", "index_number")


def _first_without_guide(organisation_ids, node_ids, now, limit: int):
    """Per column of these organisations and nodes that has held a public record: (organisation id, node
    id, the count the database keeps, then record id, title and index number) of each of the first
    ``limit`` public records by id without a guide, or one row with None in the last three when there
    is none (PostgreSQL: LEFT JOIN LATERAL, one index probe per column)."""
    sql = f"""
        SELECT c.organisation_id, c.node_id, c.records, r.id, r.title, r.index_number
        FROM {PublicColumnCount._meta.db_table} c
        LEFT JOIN LATERAL (
            SELECT r.id, r.title, r.index_number FROM {Record._meta.db_table} r
            WHERE r.organisation_id = c.organisation_id AND r.node_id = c.node_id
              AND r.status = %s AND r.openness = %s AND r.published_at <= %s
              AND NOT EXISTS (SELECT 1 FROM {ServiceGuide._meta.db_table} g WHERE g.record_id = r.id)
            ORDER BY r.id LIMIT %s
        ) r ON true
        WHERE c.organisation_id = ANY(%s) AND c.node_id = ANY(%s) AND c.records > 0
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [Status.PUBLISHED, Openness.PROACTIVE, now, limit, organisation_ids, node_ids])
        yield from cursor.fetchall()


@dataclass
class CellGuides:
    """The incomplete guides of one (organisation, item) cell: how many, and the first ``limit`` of them
    (by catalog node, then record id: the order ``incomplete_service_guides`` lists them in)."""

    total: int = 0
    first: list[IncompleteGuide] = field(default_factory=list)


def incomplete_guides_by_cell(
    organisation_ids, *, limit: int = FINDINGS_PER_CELL
) -> dict[tuple[int, int], CellGuides]:
    """(organisation id, item node id) → how many public service-guide records lack an element, and the
    first ``limit``: the same guides as ``incomplete_service_guides``, in bounded work.

    Records with a guide are checked by ``missing_elements`` in Python (its str.strip() whitespace rules),
    in one query over those rows only. A record without a structured guide lacks every element (a seeded
    province has 150,000 of them at a million records); they are never all read:

    - on PostgreSQL, how many a column holds is its public records (the counts the database keeps,
      ``public_column_figures``) less those with a guide, and the first ``limit`` by id are one LATERAL
      probe per column: the work follows the number of columns, not of records;
    - elsewhere, they are counted per (organisation, node) and the first ``limit`` of each numbered by a
      window function, in ONE query over the index entries.

    Queries: six whatever the number of records: the catalog tree, the visible organisations and guide
    nodes, the records with a guide, then on PostgreSQL the records whose publication time lies ahead and
    the counts with the numbered records, elsewhere the window and the numbered records' titles (one more
    query per ``max_query_params`` of them, at most ``limit`` per organisation and node).
    """
    if limit < 1:
        raise ValueError("limit must be at least 1")
    item_of_node = guide_item_of_node()
    labels = element_labels()
    # public_records() in its two halves (as disclosure/reports/common.py's column_figures): where a
    # record is placed (organisation and node, with their ancestors, active) decided first on the few
    # organisations and guide nodes, so that the record queries below read one index with plain lists.
    organisations = catalog_selectors.visible_organisations().filter(pk__in=list(organisation_ids))
    nodes = catalog_selectors.visible_nodes().filter(pk__in=list(item_of_node))
    organisation_ids = list(organisations.values_list("pk", flat=True))
    node_ids = list(nodes.values_list("pk", flat=True))
    now = timezone.now()
    records = Record.objects.filter(
        published_proactive(now=now), organisation_id__in=organisation_ids, node_id__in=node_ids
    )
    candidates: dict[tuple[int, int], list[tuple[int, int, IncompleteGuide]]] = {}
    cells: dict[tuple[int, int], CellGuides] = {}
    guided = list(_guide_rows(records.filter(service_guide__isnull=False)))

    # Records without a guide: how many per (organisation, node), and the first ``limit`` of each by id
    # as (record id, organisation id, node id, title, index number).
    numbered: list[tuple[int, int, int, str, str]] = []
    if connection.vendor == "postgresql":
        # How many: the column's public records (the counts the database keeps, less those whose
        # publication time lies ahead) less those with a guide. The first ``limit``: one probe of
        # record_public_column_pk_idx per column, which reads ``limit`` entries, not the column.
        with_guide = Counter((row[1], row[2]) for row in guided)
        ahead = public_records_ahead(organisation_ids, node_ids=node_ids, now=now)
        counted = set()
        for organisation_id, node_id, count, *found in _first_without_guide(organisation_ids, node_ids, now, limit):
            column = (organisation_id, node_id)
            if column not in counted:
                counted.add(column)
                without = count - ahead.get(column, 0) - with_guide[column]
                if without > 0:
                    cells.setdefault((organisation_id, item_of_node[node_id]), CellGuides()).total += without
            if found[0] is not None:
                numbered.append((found[0], organisation_id, node_id, found[1], found[2]))
    else:
        # Elsewhere (the embedded SQLite: a county's data) they are numbered by id within each
        # (organisation, node) and counted there by one window (same partition, order and frame: one
        # sort, one pass) over the index entries (record_public_column_pk_idx); then the titles of the
        # numbered ones alone, by primary key.
        def window(function):
            return Window(
                function,
                partition_by=[F("organisation_id"), F("node_id")],
                order_by=F("pk").asc(),
                frame=RowRange(start=None, end=None),
            )

        ranked = (
            records.filter(service_guide__isnull=True)
            .annotate(rank=window(RowNumber()), in_node=window(Count("*")))
            .filter(rank__lte=limit)
            .order_by()
            .values_list("pk", "organisation_id", "node_id", "rank", "in_node")
        )
        first: dict[int, tuple[int, int]] = {}  # record id → (organisation id, node id)
        for pk, organisation_id, node_id, rank, in_node in ranked:
            if rank == 1:  # each (organisation, node) counted once
                cells.setdefault((organisation_id, item_of_node[node_id]), CellGuides()).total += in_node
            first[pk] = (organisation_id, node_id)
        numbered = [(pk, *first[pk], title, index_number) for pk, title, index_number in _titles(sorted(first))]
    everything = list(labels.values())
    for pk, organisation_id, node_id, title, index_number in numbered:
        key = (organisation_id, item_of_node[node_id])
        found = IncompleteGuide(pk, organisation_id, key[1], title, index_number, list(everything))
        candidates.setdefault(key, []).append((node_id, pk, found))

    for row in guided:
        found = _incomplete(row, item_of_node, labels)
        if found is not None:
            key = (found.organisation_id, found.item_node_id)
            cells.setdefault(key, CellGuides()).total += 1
            candidates.setdefault(key, []).append((row[2], found.record_id, found))

    for key, cell in cells.items():
        cell.first = [found for _node, _pk, found in sorted(candidates.get(key, []), key=lambda c: c[:2])[:limit]]
    return cells


def service_guide_findings(organisation_ids, item_node_ids) -> dict[tuple[int, int], list[str]]:
    """Completeness-report findings (see disclosure/reports/completeness.py): one remark per incomplete
    guide, at most ``FINDINGS_PER_CELL`` per cell, then one remark with how many more lack an element."""
    wanted = set(item_node_ids)
    findings: dict[tuple[int, int], list[str]] = {}
    template = _("办事指南“%(title)s”（%(number)s）缺少必备要素：%(missing)s")
    more = _("另有 %(count)d 份办事指南缺少必备要素")
    for key, cell in incomplete_guides_by_cell(organisation_ids).items():
        if key[1] not in wanted:
            continue
        remarks = [
            template % {"title": guide.title, "number": guide.index_number, "missing": "、".join(guide.missing)}
            for guide in cell.first
        ]
        if cell.total > len(cell.first):
            remarks.append(more % {"count": cell.total - len(cell.first)})
        findings[key] = remarks
    return findings


# --- public reads ------------------------------------------------------------------------------


def public_service_guide(record: Record) -> ServiceGuide | None:
    """The guide of a record, only if the record is public; steps, materials and FAQ prefetched.

    Four queries (guide, steps, materials, FAQ) however long the guide; none for other record types.
    """
    if record is None or record.record_type != RecordType.SERVICE_GUIDE:
        return None
    return (
        ServiceGuide.objects.filter(record__in=public_records().filter(pk=record.pk))
        .prefetch_related("steps", "materials", "faqs")
        .first()
    )


def public_guide_form(*, org_code: str, serial: str, material_id: int) -> ServiceGuideMaterial | None:
    """A material's blank form, only if the guide's record is public and the form exists."""
    return (
        ServiceGuideMaterial.objects.filter(
            pk=material_id,
            guide__record__in=public_records().filter(
                organisation__code=org_code, index_number=f"{org_code}/{serial}"
            ),
        )
        .exclude(form_file="")
        .first()
    )

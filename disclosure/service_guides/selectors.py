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
completeness report flags the guide (``service_guide_findings``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog import selectors as catalog_selectors
from catalog.models import CatalogNode
from disclosure.records.models import Record, RecordType
from disclosure.records.selectors import public_records
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


# --- where guides go ---------------------------------------------------------------------------


def guide_item_of_node() -> dict[int, int]:
    """Every service-guide column's node id → the id of its second-level catalog item (one query)."""
    tree = catalog_selectors.catalog_tree(visible_only=False)
    mapping: dict[int, int] = {}
    items: list[CatalogNode] = []
    for code in GUIDE_GROUP_CODES:
        group = catalog_selectors.find_in_tree(tree, code)
        if group is not None:
            items.extend(group.get_children())
    for code in GUIDE_ITEM_CODES:
        item = catalog_selectors.find_in_tree(tree, code)
        if item is not None:
            items.append(item)
    for item in items:
        stack = [item]
        while stack:
            node = stack.pop()
            mapping[node.pk] = item.pk
            stack.extend(node.get_children())
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


def incomplete_service_guides(organisation_ids) -> list[IncompleteGuide]:
    """Public service-guide records of these organisations whose guide lacks a required element.

    A public record in a service-guide column without any structured guide counts as lacking all.
    Queries: two (the catalog tree, the records with their guides and counts), whatever the data.
    """
    item_of_node = guide_item_of_node()
    guide_fields = [f"service_guide__{name}" for name in GUIDE_CHECK_FIELDS]
    rows = (
        public_records()
        .filter(organisation_id__in=list(organisation_ids), node_id__in=list(item_of_node))
        # Whether steps and materials exist is all the check needs: EXISTS probes an index where a
        # COUNT over both joins would multiply steps by materials for every record.
        .annotate(
            has_steps=Exists(ServiceGuideStep.objects.filter(guide__record_id=OuterRef("pk"))),
            has_materials=Exists(ServiceGuideMaterial.objects.filter(guide__record_id=OuterRef("pk"))),
        )
        .order_by("organisation_id", "node_id", "pk")
        # Plain values, not records and guides: this runs inside the province completeness report
        # over every service-guide record, and reads only the columns the check needs.
        .values_list("pk", "organisation_id", "node_id", "title", "index_number", "has_steps", "has_materials",
                     *guide_fields)
    )
    labels = element_labels()
    found = []
    for pk, organisation_id, node_id, title, index_number, has_steps, has_materials, *guide_values in rows:
        guide = _GuideValues(dict(zip(GUIDE_CHECK_FIELDS, guide_values))) if guide_values[0] is not None else None
        missing = missing_elements(
            guide, step_count=int(has_steps), material_count=int(has_materials), labels=labels
        )
        if missing:
            found.append(
                IncompleteGuide(
                    record_id=pk,
                    organisation_id=organisation_id,
                    item_node_id=item_of_node[node_id],
                    title=title,
                    index_number=index_number,
                    missing=missing,
                )
            )
    return found


def service_guide_findings(organisation_ids, item_node_ids) -> dict[tuple[int, int], list[str]]:
    """Completeness-report findings (see disclosure/reports/completeness.py): one remark per incomplete guide."""
    wanted = set(item_node_ids)
    findings: dict[tuple[int, int], list[str]] = {}
    template = _("办事指南“%(title)s”（%(number)s）缺少必备要素：%(missing)s")
    for guide in incomplete_service_guides(organisation_ids):
        if guide.item_node_id not in wanted:
            continue
        remark = template % {
            "title": guide.title,
            "number": guide.index_number,
            "missing": "、".join(guide.missing),
        }
        findings.setdefault((guide.organisation_id, guide.item_node_id), []).append(remark)
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

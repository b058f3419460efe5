"""Service guides (办事指南): where they go, what they must contain, how the public reads them.

A guide is the structured content of a record of type 办事指南 in a service-guide column: the
children of the three 市政服务 approvals (0401, 0402, 0403) and 保障性住房 › 办事指南 (020701), with any
local refinements beneath them. It is reviewed, published, revised and withdrawn with its record, so
it is editable exactly while the record is (``policy.can_edit``) and public exactly while the record
is (``public_records()``).

Required elements, in the order the public layout shows them: 实施主体, 设定依据, 申请条件, 办理流程
(at least one step), 申请材料 (at least one), 收费 (free, or amount and basis), 法定时限, 承诺时限,
咨询渠道, 监督渠道, 办理地点, 办理时间. A guide missing any of them may still be saved and published
(a bureau may have to publish what it has), but ``missing_elements`` names the gaps and the
completeness report flags the guide.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog import selectors as catalog_selectors
from catalog.models import CatalogNode
from disclosure.core.files import check_upload
from disclosure.core.log import ActivityEntry
from disclosure.records import policy
from disclosure.records.models import EDITABLE_STATUSES, Record, RecordType
from disclosure.records.selectors import public_records
from disclosure.service_guides.models import (
    FeeMode,
    ServiceGuide,
    ServiceGuideFAQ,
    ServiceGuideMaterial,
    ServiceGuideStep,
)

# First-level items whose children are service guides, and second-level items that are one.
GUIDE_GROUP_CODES = ("0401", "0402", "0403")
GUIDE_ITEM_CODES = ("020701",)
SUBJECT_TYPE = "service_guide"

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
GUIDE_FIELDS = (
    "responsible_body",
    "legal_basis",
    "conditions",
    "fee_mode",
    "fee_amount",
    "fee_basis",
    "statutory_days",
    "promised_days",
    "consultation_phone",
    "consultation_address",
    "supervision_phone",
    "supervision_channel",
    "place",
    "hours",
    "online_url",
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
    records = (
        public_records()
        .filter(organisation_id__in=list(organisation_ids), node_id__in=list(item_of_node))
        .select_related("service_guide")
        # Whether steps and materials exist is all the check needs: EXISTS probes an index where a
        # COUNT over both joins would multiply steps by materials for every record.
        .annotate(
            has_steps=Exists(ServiceGuideStep.objects.filter(guide__record_id=OuterRef("pk"))),
            has_materials=Exists(ServiceGuideMaterial.objects.filter(guide__record_id=OuterRef("pk"))),
        )
        .order_by("organisation_id", "node_id", "pk")
    )
    labels = element_labels()
    found = []
    for record in records:
        guide = getattr(record, "service_guide", None)
        missing = missing_elements(
            guide, step_count=int(record.has_steps), material_count=int(record.has_materials), labels=labels
        )
        if missing:
            found.append(
                IncompleteGuide(
                    record_id=record.pk,
                    organisation_id=record.organisation_id,
                    item_node_id=item_of_node[record.node_id],
                    title=record.title,
                    index_number=record.index_number,
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


# --- staff reads -------------------------------------------------------------------------------


def guides_visible_to(user) -> QuerySet[ServiceGuide]:
    return ServiceGuide.objects.filter(record__in=policy.visible_records(user))


def records_open_for_guide(user) -> QuerySet[Record]:
    """Records this user may add a guide to: editable 办事指南 records in a guide column, without one."""
    candidates = policy.visible_records(user).filter(
        status__in=EDITABLE_STATUSES,
        record_type=RecordType.SERVICE_GUIDE,
        node_id__in=list(guide_item_of_node()),
        service_guide__isnull=True,
    )
    editable = [record.pk for record in candidates if policy.can_edit(user, record)]
    return Record.objects.filter(pk__in=editable).order_by("-created_at")


# --- writes ------------------------------------------------------------------------------------


def _log(guide: ServiceGuide, user, action: str, comment: str = "") -> None:
    ActivityEntry.write_for(
        guide,
        subject_type=SUBJECT_TYPE,
        title=guide.record.title,
        organisation_id=guide.record.organisation_id,
        user=user,
        action=action,
        comment=comment,
    )


def check_editable(user, record: Record) -> None:
    """A guide changes only while its record is editable by this user (draft or returned, own organisation)."""
    if not policy.can_edit(user, record):
        raise PermissionDenied(_("只能在本单位处于草稿或退回修改状态的办事指南信息上编辑办事指南。"))


def validate_guide_record(record: Record) -> None:
    errors = []
    if record.record_type != RecordType.SERVICE_GUIDE:
        errors.append(_("只有信息类别为“办事指南”的信息可以填写办事指南。"))
    if not is_guide_node(record.node_id):
        errors.append(_("办事指南只能发布在市政服务各审批事项或保障性住房“办事指南”栏目下。"))
    if errors:
        raise ValidationError({"record": errors})


def validate_guide_fields(guide: ServiceGuide) -> None:
    """Consistency checks (the completeness of a guide is reported, not enforced)."""
    errors = {}
    if guide.fee_mode == FeeMode.FREE and (guide.fee_amount.strip() or guide.fee_basis.strip()):
        errors["fee_mode"] = _("选择“不收费”时不应填写收费标准和收费依据。")
    if (
        guide.statutory_days is not None
        and guide.promised_days is not None
        and guide.promised_days > guide.statutory_days
    ):
        errors["promised_days"] = _("承诺办结时限不能长于法定办结时限。")
    if errors:
        raise ValidationError(errors)


def _copy_parts(source: ServiceGuide, target: ServiceGuide) -> None:
    for step in source.steps.all():
        ServiceGuideStep.objects.create(
            guide=target, order=step.order, name=step.name, description=step.description, time_limit=step.time_limit
        )
    for material in source.materials.all():
        # The stored form file is shared, as attachments are shared between a record and its revision.
        ServiceGuideMaterial.objects.create(
            guide=target,
            **{
                name: getattr(material, name)
                for name in (
                    "order", "name", "originals", "copies", "form", "required", "note",
                    "form_file_name", "form_file_size", "form_file_sha256",
                )
            },
            form_file=material.form_file.name,
        )
    for faq in source.faqs.all():
        ServiceGuideFAQ.objects.create(guide=target, order=faq.order, question=faq.question, answer=faq.answer)


@transaction.atomic
def service_guide_create(*, user, record: Record, **fields) -> ServiceGuide:
    """Add the guide of an editable service-guide record. A revision starts from its original's guide."""
    record = Record.objects.select_for_update().get(pk=record.pk)
    check_editable(user, record)
    validate_guide_record(record)
    if ServiceGuide.objects.filter(record=record).exists():
        raise ValidationError({"record": _("该信息已有办事指南。")})
    original = ServiceGuide.objects.filter(record_id=record.revises_id).first() if record.revises_id else None
    unknown = set(fields) - set(GUIDE_FIELDS)
    if unknown:
        raise TypeError(f"unknown guide fields: {sorted(unknown)}")
    base = {name: getattr(original, name) for name in GUIDE_FIELDS} if original else {}
    guide = ServiceGuide(record=record, **{**base, **fields})
    validate_guide_fields(guide)
    guide.full_clean()
    guide.save()
    if original is not None:
        _copy_parts(original, guide)
    _log(guide, user, "create", _("复制自原信息的办事指南") if original else "")
    return guide


@transaction.atomic
def service_guide_update(*, user, guide: ServiceGuide, **fields) -> ServiceGuide:
    unknown = set(fields) - set(GUIDE_FIELDS)
    if unknown:
        raise TypeError(f"unknown guide fields: {sorted(unknown)}")
    record = Record.objects.select_for_update().get(pk=guide.record_id)
    check_editable(user, record)
    locked = ServiceGuide.objects.select_for_update().get(pk=guide.pk)
    for name, value in fields.items():
        setattr(locked, name, value)
    validate_guide_fields(locked)
    locked.full_clean()
    locked.save()
    _log(locked, user, "update")
    return locked


def material_form_facts(upload) -> dict:
    """Check a blank form like a record attachment (type by content, size cap); its stored facts."""
    facts = check_upload(upload)
    return {"form_file_name": facts["name"], "form_file_size": facts["size"], "form_file_sha256": facts["sha256"]}


@transaction.atomic
def service_guide_add_step(*, user, guide: ServiceGuide, name: str, order: int, description: str = "", time_limit: str = "") -> ServiceGuideStep:
    check_editable(user, guide.record)
    step = ServiceGuideStep(guide=guide, order=order, name=name, description=description, time_limit=time_limit)
    step.full_clean()
    step.save()
    return step


@transaction.atomic
def service_guide_add_material(*, user, guide: ServiceGuide, name: str, order: int, upload=None, **fields) -> ServiceGuideMaterial:
    """Add a material; a blank form (``upload``) is checked like a record attachment."""
    check_editable(user, guide.record)
    material = ServiceGuideMaterial(guide=guide, name=name, order=order, **fields)
    if upload is not None:
        for field_name, value in material_form_facts(upload).items():
            setattr(material, field_name, value)
        material.form_file.save(material.form_file_name, upload, save=False)
    material.full_clean()
    material.save()
    return material


@transaction.atomic
def service_guide_add_faq(*, user, guide: ServiceGuide, question: str, answer: str, order: int) -> ServiceGuideFAQ:
    check_editable(user, guide.record)
    faq = ServiceGuideFAQ(guide=guide, order=order, question=question, answer=answer)
    faq.full_clean()
    faq.save()
    return faq

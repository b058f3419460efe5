"""Every write to a service guide (办事指南): create it, change it, add its steps, materials and FAQ.

A guide is reviewed, published, revised and withdrawn with its record and has no state of its own:
each write checks through disclosure/service_guides/policy.py that the user may edit the record now
(its organisation's editor, the record a draft or returned for changes), with the record's row locked
so that a concurrent submission cannot slip between the check and the write. Creating and changing a
guide write an ActivityEntry. Where guides go and what they must contain are read in
disclosure/service_guides/selectors.py.
"""

from __future__ import annotations

import hashlib

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from disclosure.core.files import check_upload
from disclosure.core.log import ActivityEntry
from disclosure.core.metadata import cleaned_content
from disclosure.records.models import Record, RecordType
from disclosure.service_guides import policy, selectors
from disclosure.service_guides.models import (
    FeeMode,
    ServiceGuide,
    ServiceGuideFAQ,
    ServiceGuideMaterial,
    ServiceGuideStep,
)

SUBJECT_TYPE = "service_guide"
# The guide's own fields a write may set.
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


def _locked_record(user, record_id: int) -> Record:
    """The guide's record, locked; ``PermissionDenied`` unless the user may edit its guide now."""
    record = Record.objects.select_for_update().get(pk=record_id)
    policy.check_edit(user, record)
    return record


def validate_guide_record(record: Record) -> None:
    errors = []
    if record.record_type != RecordType.SERVICE_GUIDE:
        errors.append(_("只有信息类别为“办事指南”的信息可以填写办事指南。"))
    if not selectors.is_guide_node(record.node_id):
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
    record = _locked_record(user, record.pk)
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
    _locked_record(user, guide.record_id)
    locked = ServiceGuide.objects.select_for_update().get(pk=guide.pk)
    for name, value in fields.items():
        setattr(locked, name, value)
    validate_guide_fields(locked)
    locked.full_clean()
    locked.save()
    _log(locked, user, "update")
    return locked


def material_form_content(upload):
    """Check a blank form like a record attachment (type by content, size cap) and remove its document
    metadata (disclosure.core.metadata): its stored facts and the content to store."""
    facts = check_upload(upload)
    content, _removed, _note = cleaned_content(upload, facts)
    data = content.read()
    content.seek(0)
    return {
        "form_file_name": facts["name"], "form_file_size": len(data), "form_file_sha256": hashlib.sha256(data).hexdigest()
    }, content


def material_form_facts(upload) -> dict:
    """The stored facts of a blank form (see ``material_form_content``)."""
    return material_form_content(upload)[0]


@transaction.atomic
def service_guide_add_step(*, user, guide: ServiceGuide, name: str, order: int, description: str = "", time_limit: str = "") -> ServiceGuideStep:
    _locked_record(user, guide.record_id)
    step = ServiceGuideStep(guide=guide, order=order, name=name, description=description, time_limit=time_limit)
    step.full_clean()
    step.save()
    return step


@transaction.atomic
def service_guide_add_material(*, user, guide: ServiceGuide, name: str, order: int, upload=None, **fields) -> ServiceGuideMaterial:
    """Add a material; a blank form (``upload``) is checked like a record attachment."""
    _locked_record(user, guide.record_id)
    material = ServiceGuideMaterial(guide=guide, name=name, order=order, **fields)
    if upload is not None:
        facts, content = material_form_content(upload)
        for field_name, value in facts.items():
            setattr(material, field_name, value)
        material.form_file.save(material.form_file_name, content, save=False)
    material.full_clean()
    material.save()
    return material


@transaction.atomic
def service_guide_add_faq(*, user, guide: ServiceGuide, question: str, answer: str, order: int) -> ServiceGuideFAQ:
    _locked_record(user, guide.record_id)
    faq = ServiceGuideFAQ(guide=guide, order=order, question=question, answer=answer)
    faq.full_clean()
    faq.save()
    return faq

"""Who may write a service guide (disclosure/service_guides/policy.py), through every write service.

A guide has no state of its own: its record's editors create and change it, and add its steps,
materials and FAQ, exactly while the record is editable (a draft, or returned for changes). For each
write: allowed for the record's editors in both editable states; refused (PermissionDenied) to every
other user and in every other state of the record; nothing written on refusal, not even a stored file.
"""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from catalog.models import CatalogNode
from disclosure.core.access import Role
from disclosure.core.log import ActivityEntry
from disclosure.records import services as records
from disclosure.records.models import Status
from disclosure.service_guides import policy
from disclosure.service_guides import services as service_guides
from disclosure.service_guides.models import ServiceGuide, ServiceGuideFAQ, ServiceGuideMaterial, ServiceGuideStep
from tests.factories import UserFactory, make_staff, record_fields

COUNTY = "419901"
TOWNSHIP = "419901001"
ROAD = "040101"  # 占用、挖掘城市道路审批, a service-guide column
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EDITABLE = [Status.DRAFT, Status.CHANGES_REQUESTED]
NOT_EDITABLE = [Status.SUBMITTED, Status.APPROVED, Status.SCHEDULED, Status.PUBLISHED, Status.WITHDRAWN]


@pytest.fixture
def w(standard_catalog, demo_orgs, settings, tmp_path):
    """The demo county's staff in every role, a township editor, an account without a role, a superuser;
    uploads go to a temporary media folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    county, township = demo_orgs[COUNTY], demo_orgs[TOWNSHIP]
    return SimpleNamespace(
        media=tmp_path / "media",
        county=county,
        node=CatalogNode.objects.get(code=ROAD),
        editor=make_staff(county, Role.EDITOR, username="editor"),
        editor2=make_staff(county, Role.EDITOR, username="editor2"),
        reviewer=make_staff(county, Role.REVIEWER, username="reviewer"),
        orgadmin=make_staff(county, Role.ORG_ADMIN, username="orgadmin"),
        auditor=make_staff(county, Role.AUDITOR, username="auditor"),
        no_role=make_staff(county, username="no_role"),
        town_editor=make_staff(township, Role.EDITOR, username="town_editor"),
        superuser=UserFactory(username="root", is_superuser=True),
        anonymous=AnonymousUser(),
        nobody=None,
    )


def record_in(w, status: str, *, with_guide: bool):
    """A service-guide record of the county brought to ``status`` the way staff would; its guide (if
    any) made while it was a draft."""
    record = records.record_create(
        user=w.editor, organisation=w.county, node=w.node,
        **record_fields(title="占用、挖掘城市道路审批办事指南", record_type="service_guide"),
    )
    guide = service_guides.service_guide_create(user=w.editor, record=record, place="政务服务中心") if with_guide else None
    if status != Status.DRAFT:
        record = records.record_submit(user=w.editor, record=record)
    if status == Status.CHANGES_REQUESTED:
        record = records.record_request_changes(user=w.reviewer, record=record, comment="请补充材料")
    elif status not in (Status.DRAFT, Status.SUBMITTED):
        record = records.record_approve(
            user=w.reviewer, record=record, confidentiality_checked=True, openness_checked=True
        )
        if status == Status.SCHEDULED:
            record = records.record_publish(user=w.reviewer, record=record, publish_at=timezone.now() + timedelta(days=1))
        elif status in (Status.PUBLISHED, Status.WITHDRAWN):
            record = records.record_publish(user=w.reviewer, record=record)
            if status == Status.WITHDRAWN:
                record = records.record_withdraw(user=w.reviewer, record=record, reason="有误")
    assert record.status == status
    return record, guide


WRITES = {
    "create": lambda user, record, guide: service_guides.service_guide_create(
        user=user, record=record, responsible_body="清河县住房和城乡建设局"
    ),
    "update": lambda user, record, guide: service_guides.service_guide_update(user=user, guide=guide, place="新址"),
    "add_step": lambda user, record, guide: service_guides.service_guide_add_step(
        user=user, guide=guide, order=1, name="受理", time_limit="即时"
    ),
    "add_material": lambda user, record, guide: service_guides.service_guide_add_material(
        user=user, guide=guide, order=1, name="申请书", upload=SimpleUploadedFile("申请书.pdf", PDF)
    ),
    "add_faq": lambda user, record, guide: service_guides.service_guide_add_faq(
        user=user, guide=guide, order=1, question="可以网上申请吗？", answer="可以。"
    ),
}
# Creating needs a record without a guide; every other write a guide.
NEEDS_GUIDE = {name: name != "create" for name in WRITES}
LOGGED = {"create", "update"}  # the writes that leave an ActivityEntry


def db_state(w) -> dict:
    """Everything a refused write could have touched, the stored files included."""
    return {
        "guides": list(ServiceGuide.objects.order_by("pk").values()),
        "steps": list(ServiceGuideStep.objects.order_by("pk").values()),
        "materials": list(ServiceGuideMaterial.objects.order_by("pk").values()),
        "faqs": list(ServiceGuideFAQ.objects.order_by("pk").values()),
        "log": list(ActivityEntry.objects.order_by("pk").values_list("pk", flat=True)),
        "files": sorted(str(p) for p in w.media.rglob("*") if p.is_file()) if w.media.exists() else [],
    }


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["editor", "editor2", "superuser"])
@pytest.mark.parametrize("status", EDITABLE)
@pytest.mark.parametrize("name", list(WRITES))
def test_the_records_editors_write_the_guide_while_the_record_is_editable(w, name, status, who):
    """The record's author, a colleague editor and a superuser make every write on a draft or a record
    returned for changes; creating and changing the guide are logged."""
    record, guide = record_in(w, status, with_guide=NEEDS_GUIDE[name])
    entries = ActivityEntry.objects.count()
    written = WRITES[name](getattr(w, who), record, guide)
    assert written.pk is not None
    if name in LOGGED:
        entry = ActivityEntry.objects.latest("id")
        assert (entry.subject_type, entry.action, entry.actor) == ("service_guide", name, getattr(w, who))
        assert entry.subject_title == record.title and entry.organisation_id == w.county.pk
    else:
        assert ActivityEntry.objects.count() == entries
    if name == "add_material":
        assert written.form_file_name == "申请书.pdf" and (w.media / written.form_file.name).read_bytes() == PDF


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["reviewer", "orgadmin", "auditor", "no_role", "town_editor", "anonymous", "nobody"])
@pytest.mark.parametrize("name", list(WRITES))
def test_every_write_by_someone_else_is_denied_and_writes_nothing(w, name, who):
    """On a draft, a reviewer, an organisation administrator, an auditor, an account without a role,
    another organisation's editor and nobody are refused every write; nothing is written."""
    record, guide = record_in(w, Status.DRAFT, with_guide=NEEDS_GUIDE[name])
    before = db_state(w)
    with pytest.raises(PermissionDenied):
        WRITES[name](getattr(w, who), record, guide)
    assert db_state(w) == before


@pytest.mark.django_db
@pytest.mark.parametrize("status", NOT_EDITABLE)
@pytest.mark.parametrize("name", list(WRITES))
def test_every_write_once_the_record_left_editing_is_denied_and_writes_nothing(w, name, status):
    """Once the record is submitted, approved, scheduled, published or withdrawn, even its author is
    refused every write (a guide changes by revising its record); nothing is written."""
    record, guide = record_in(w, status, with_guide=NEEDS_GUIDE[name])
    before = db_state(w)
    with pytest.raises(PermissionDenied) as refused:
        WRITES[name](w.editor, record, guide)
    assert "草稿或退回修改" in str(refused.value)
    assert db_state(w) == before


@pytest.mark.django_db
def test_the_policy_offers_records_only_to_their_editors(w):
    """Records open for a guide: the editors' editable guide records without one; nobody else's."""
    record, _guide = record_in(w, Status.DRAFT, with_guide=False)
    record_in(w, Status.SUBMITTED, with_guide=False)
    assert list(policy.records_open_for_guide(w.editor)) == [record]
    assert list(policy.records_open_for_guide(w.editor2)) == [record]
    for who in ("reviewer", "auditor", "town_editor"):
        assert not policy.records_open_for_guide(getattr(w, who)).exists(), who
    assert policy.may_create_anywhere(w.editor) and not policy.may_create_anywhere(w.reviewer)
    _, guide = record_in(w, Status.DRAFT, with_guide=True)
    assert list(policy.visible_guides(w.auditor)) == [guide]
    assert not policy.visible_guides(w.town_editor).exists()

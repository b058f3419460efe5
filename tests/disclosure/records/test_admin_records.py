"""The record workflow in Django admin, driven through the test client against the real database.

Who sees what (scope by organisation, read-only when not editable), that saving goes through the
services (sanitised body, revision history, audit log, checked attachments), that every move goes
through the move view and its service, and that refusals are Chinese messages, never a 500.
"""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from catalog.models import CatalogNode
from disclosure.core.access import Role
from disclosure.records import services
from disclosure.records.models import Attachment, AuditEntry, Record, RecordVersion, Review, Status
from tests.admin_client import client_for, messages_of
from tests.factories import UserFactory, make_staff, record_fields

COUNTY = "419901"
TOWNSHIP = "419901001"
NODE = "020503"  # 保障性住房 › 配给管理 › 配租（分配）结果, county level
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64

ADD_URL = reverse("admin:disclosure_record_add")
LIST_URL = reverse("admin:disclosure_record_changelist")


def change_url(record) -> str:
    return reverse("admin:disclosure_record_change", args=[record.pk])


def move_url(record, name) -> str:
    return reverse("admin:disclosure_record_move", args=[record.pk, name])


def delete_url(record) -> str:
    return reverse("admin:disclosure_record_delete", args=[record.pk])




@pytest.fixture(autouse=True)
def fast_admin_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # Accounts are made per test; the production hasher would spend seconds on each of them.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def a(standard_catalog, demo_orgs):
    """The demo county, one of its townships, and one account per kind of actor the admin meets."""
    county, township = demo_orgs[COUNTY], demo_orgs[TOWNSHIP]
    return SimpleNamespace(
        county=county,
        township=township,
        node=CatalogNode.objects.get(code=NODE),
        editor=make_staff(county, Role.EDITOR, username="editor", first_name="张晓梅"),
        reviewer=make_staff(county, Role.REVIEWER, username="reviewer", first_name="李建国"),
        author_reviewer=make_staff(county, Role.EDITOR, Role.REVIEWER, username="both"),
        auditor=make_staff(county, Role.AUDITOR, username="auditor"),
        town_reviewer=make_staff(township, Role.REVIEWER, username="town_reviewer"),
        town_editor=make_staff(township, Role.EDITOR, username="town_editor"),
    )


def draft(a, author=None, **overrides) -> Record:
    return services.record_create(
        user=author or a.editor, organisation=a.county, node=a.node, **record_fields(**overrides)
    )


def submitted(a, author=None, **overrides) -> Record:
    return services.record_submit(user=author or a.editor, record=draft(a, author, **overrides))


def approved(a, **overrides) -> Record:
    return services.record_approve(
        user=a.reviewer, record=submitted(a, **overrides), confidentiality_checked=True, openness_checked=True
    )


def published(a, **overrides) -> Record:
    return services.record_publish(user=a.reviewer, record=approved(a, **overrides))


def form_data(node, **overrides) -> dict:
    """A POST of the record form with an empty attachment formset."""
    data = {
        "title": "关于公布2026年度公租房配租结果的公告",
        "document_number": "清建〔2026〕12号",
        "issuing_body": "清河县住房和城乡建设局",
        "node": str(node.pk),
        "written_on": "2026-03-02",
        "formed_on": "2026-03-02",
        "validity": "current",
        "record_type": "result",
        "topic": "construction",
        "keywords": "公租房、配租 公租房",
        "openness": "proactive",
        "withholding_ground": "",
        "openness_note": "",
        "summary": "",
        "body": "<p>配租结果如下。</p>",
        "attachments-TOTAL_FORMS": "0",
        "attachments-INITIAL_FORMS": "0",
        "attachments-MIN_NUM_FORMS": "0",
        "attachments-MAX_NUM_FORMS": "1000",
        "_save": "保存",
    }
    data.update(overrides)
    return data


def with_upload(data: dict, name: str, content: bytes) -> dict:
    return {
        **data,
        "attachments-TOTAL_FORMS": "1",
        "attachments-0-upload": SimpleUploadedFile(name, content),
        "attachments-0-sort_order": "0",
    }


# Adding and editing ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_editor_adds_record_with_attachment_through_services(a):
    """The add form saves through record_create and attachment_add: the body is sanitised, the record
    belongs to the editor's organisation, a version and a "create" audit entry are written."""
    client = client_for(a.editor)
    body = '<p onclick="steal()">配租结果</p><script>alert(1)</script><img src="javascript:alert(2)">'
    data = with_upload(form_data(a.node, body=body), "配租结果.pdf", PDF)
    response = client.post(ADD_URL, data)

    assert response.status_code == 302, response.content.decode()[:3000]
    record = Record.objects.get()
    assert record.organisation == a.county
    assert record.created_by == a.editor
    assert record.status == Status.DRAFT
    # 主题分类 and 主题词 come from the form, the words stored once each, space-separated.
    assert (record.topic, record.keywords) == ("construction", "公租房 配租")
    assert "script" not in record.body and "onclick" not in record.body and "javascript" not in record.body
    assert "配租结果" in record.body
    attachment = Attachment.objects.get(record=record)
    assert attachment.original_name == "配租结果.pdf" and attachment.kind == "pdf" and attachment.size == len(PDF)
    assert RecordVersion.objects.filter(record=record).exists()
    latest = RecordVersion.objects.filter(record=record).order_by("-number").first()
    assert latest.data["attachments"] == ["配租结果.pdf"]
    assert list(AuditEntry.objects.filter(record=record).values_list("action", "actor")) == [
        ("create", a.editor.pk)
    ]


@pytest.mark.django_db
def test_add_form_offers_applicable_second_level_items_by_path(a):
    """The node choice lists active second-level items for the organisation's level, labelled with
    their path and grouped by domain; first-level items and items of other levels are not offered."""
    html = client_for(a.editor).get(ADD_URL).content.decode()
    assert "保障性住房 › 配给管理 › 配租（分配）结果" in html
    assert '<optgroup label="保障性住房">' in html
    town_html = client_for(a.town_editor).get(ADD_URL).content.decode()
    # 配租（分配）结果 is a county-level item; 公租房承租资格审核 applies to townships too.
    assert "配租（分配）结果" not in town_html
    assert "保障性住房 › 配给管理 › 公租房承租资格审核" in town_html

    first_level = CatalogNode.objects.get(code="0205")
    response = client_for(a.editor).post(ADD_URL, form_data(first_level))
    assert response.status_code == 200
    assert "选择一个有效的选项" in response.content.decode() or "有效" in response.content.decode()
    assert not Record.objects.exists()


@pytest.mark.django_db
def test_editor_cannot_file_a_record_for_another_organisation(a):
    """The organisation is fixed to the editor's own: a POSTed organisation is ignored."""
    response = client_for(a.editor).post(ADD_URL, form_data(a.node, organisation=str(a.township.pk)))
    assert response.status_code == 302
    assert Record.objects.get().organisation == a.county


@pytest.mark.django_db
def test_superuser_chooses_the_organisation_and_a_node_of_its_level(a):
    """A superuser picks the organisation; a node that does not apply to its level is a form error."""
    root = UserFactory(username="root", is_superuser=True)
    client = client_for(root)
    response = client.post(ADD_URL, form_data(a.node, organisation=str(a.township.pk)))
    assert response.status_code == 200
    assert "不适用于乡级机构" in response.content.decode()
    assert not Record.objects.exists()
    town_node = CatalogNode.objects.get(code="020501")
    response = client.post(ADD_URL, form_data(town_node, organisation=str(a.township.pk)))
    assert response.status_code == 302
    assert Record.objects.get().organisation == a.township


@pytest.mark.django_db
def test_service_refusals_land_on_the_form(a):
    """A service's ValidationError goes to its field, InvalidTransition / PermissionDenied to the form."""
    from django.core.exceptions import PermissionDenied, ValidationError

    from disclosure.core.transitions import InvalidTransition
    from disclosure.records.forms import RecordForm

    record = draft(a)
    data = form_data(a.node)
    for refusal, field, message in [
        (ValidationError({"node": "该目录栏目已停用。"}), "node", "该目录栏目已停用。"),
        (InvalidTransition("该信息的状态已被他人更改，请刷新后重试。"), "__all__", "已被他人更改"),
        (PermissionDenied("只有本单位的信息员可以修改该信息。"), "__all__", "只有本单位的信息员"),
    ]:
        form_class = type("Form", (RecordForm,), {"request_user": a.editor, "refusal": refusal})
        form = form_class(data, instance=record)
        assert not form.is_valid()
        assert message in " ".join(form.errors[field])


@pytest.mark.django_db
def test_withholding_ground_is_required_for_non_proactive_records(a):
    """依申请公开 without a legal ground is a Chinese form error on that field; nothing is written."""
    response = client_for(a.editor).post(ADD_URL, form_data(a.node, openness="on_application"))
    assert response.status_code == 200
    assert "必须选择法定依据" in response.content.decode()
    assert not Record.objects.exists() and not AuditEntry.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("通知.pdf", EXE, "内容与扩展名不符"),  # an executable renamed to .pdf
        ("setup.exe", EXE, "不支持的附件格式"),
    ],
)
def test_bad_uploads_are_rejected_with_a_chinese_form_error(a, name, content, message):
    """A renamed executable or an unsupported type is refused on the attachment row; no record is saved."""
    response = client_for(a.editor).post(ADD_URL, with_upload(form_data(a.node), name, content))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Record.objects.exists() and not Attachment.objects.exists()


@pytest.mark.django_db
def test_oversized_upload_is_rejected(a, settings):
    """A file over ATTACHMENT_MAX_BYTES is refused with its size and the limit."""
    settings.ATTACHMENT_MAX_BYTES = 100
    response = client_for(a.editor).post(ADD_URL, with_upload(form_data(a.node), "大.pdf", PDF + b"0" * 200))
    assert response.status_code == 200
    assert "超过上限" in response.content.decode()
    assert not Record.objects.exists()


@pytest.mark.django_db
def test_status_cannot_be_changed_by_posting_a_status_field(a):
    """Posting status, index number or publication time with an edit changes the content only."""
    record = draft(a)
    versions = record.versions.count()
    data = form_data(
        a.node,
        title="修改后的标题",
        status="published",
        index_number=f"{COUNTY}/2026-00001",
        published_at="2026-01-01 00:00:00",
    )
    response = client_for(a.editor).post(change_url(record), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    record.refresh_from_db()
    assert record.title == "修改后的标题"
    assert record.status == Status.DRAFT
    assert record.index_number == "" and record.published_at is None
    assert record.versions.count() == versions + 1


@pytest.mark.django_db
def test_editor_removes_and_adds_attachments_on_a_draft(a):
    """Deleting an attachment row and uploading another go through the attachment services."""
    record = draft(a)
    old = services.attachment_add(user=a.editor, record=record, upload=SimpleUploadedFile("旧.pdf", PDF))
    data = form_data(
        a.node,
        **{
            "attachments-TOTAL_FORMS": "2",
            "attachments-INITIAL_FORMS": "1",
            "attachments-0-id": str(old.pk),
            "attachments-0-record": str(record.pk),
            "attachments-0-DELETE": "on",
            "attachments-1-upload": SimpleUploadedFile("新.pdf", PDF),
            "attachments-1-sort_order": "1",
        },
    )
    response = client_for(a.editor).post(change_url(record), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert list(record.attachments.values_list("original_name", flat=True)) == ["新.pdf"]


@pytest.mark.django_db
def test_submitted_record_is_read_only_to_its_editor(a):
    """Once submitted, the change form shows no inputs for the content and a POST changes nothing."""
    record = submitted(a)
    client = client_for(a.editor)
    html = client.get(change_url(record)).content.decode()
    assert 'name="title"' not in html
    assert "待审核" in html
    response = client.post(change_url(record), form_data(a.node, title="偷偷修改"))
    assert response.status_code == 302
    assert "不能修改内容" in " ".join(messages_of(response))
    record.refresh_from_db()
    assert record.title == record_fields()["title"]


# Moves -------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_editor_submits_through_the_move_view(a):
    """The change page offers 提交审核; GET shows a confirmation, POST submits and opens a review."""
    record = draft(a)
    client = client_for(a.editor)
    html = client.get(change_url(record)).content.decode()
    assert move_url(record, "submit") in html
    assert move_url(record, "approve") not in html

    confirm = client.get(move_url(record, "submit"))
    assert confirm.status_code == 200 and "确认提交审核" in confirm.content.decode()
    record.refresh_from_db()
    assert record.status == Status.DRAFT  # a GET changes nothing

    response = client.post(move_url(record, "submit"), {"comment": "请审核"})
    assert response.status_code == 302 and response["Location"] == change_url(record)
    record.refresh_from_db()
    assert record.status == Status.SUBMITTED
    assert Review.objects.filter(record=record, decision="").count() == 1
    entry = AuditEntry.objects.filter(record=record).first()
    assert (entry.action, entry.actor, entry.from_status, entry.to_status) == (
        "submit",
        a.editor,
        Status.DRAFT,
        Status.SUBMITTED,
    )
    assert any("提交审核" in message for message in messages_of(response))


@pytest.mark.django_db
def test_approval_needs_both_checks_then_reviewer_publishes(a):
    """Approving without ticking 公开属性已核定 is a form error and writes nothing; with both checks the
    record is approved, the review records them, and 发布 publishes it with an index number."""
    record = submitted(a)
    client = client_for(a.reviewer)
    entries = AuditEntry.objects.count()

    response = client.post(move_url(record, "approve"), {"confidentiality_checked": "on"})
    assert response.status_code == 200
    assert "请确认已核定公开属性" in response.content.decode()
    record.refresh_from_db()
    assert record.status == Status.SUBMITTED and AuditEntry.objects.count() == entries

    response = client.post(
        move_url(record, "approve"), {"confidentiality_checked": "on", "openness_checked": "on", "comment": "同意"}
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.status == Status.APPROVED
    review = record.reviews.get()
    assert (review.reviewer, review.confidentiality_checked, review.openness_checked, review.comment) == (
        a.reviewer,
        True,
        True,
        "同意",
    )
    html = client.get(change_url(record)).content.decode()
    assert "已完成" in html and "已核定" in html  # the review trail on the change form

    response = client.post(move_url(record, "publish"), {"publish_at": ""})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.status == Status.PUBLISHED
    assert record.index_number.startswith(f"{COUNTY}/")


@pytest.mark.django_db
def test_publish_with_a_future_time_schedules(a):
    """A future publish_at schedules the record; a past one is a form error."""
    record = approved(a)
    client = client_for(a.reviewer)
    past = timezone.localtime() - timedelta(hours=1)
    response = client.post(move_url(record, "publish"), {"publish_at": past.strftime("%Y-%m-%dT%H:%M")})
    assert response.status_code == 200 and "必须晚于当前时间" in response.content.decode()
    future = timezone.localtime() + timedelta(days=2)
    response = client.post(move_url(record, "publish"), {"publish_at": future.strftime("%Y-%m-%dT%H:%M")})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.status == Status.SCHEDULED
    assert timezone.localtime(record.publish_at).strftime("%Y-%m-%d %H:%M") == future.strftime("%Y-%m-%d %H:%M")


@pytest.mark.django_db
def test_approved_proactive_record_offers_publish_and_schedule(a):
    """The reviewer of an approved 主动公开 record sees 发布 and 定时发布, and no note against publishing."""
    record = approved(a)
    html = client_for(a.reviewer).get(change_url(record)).content.decode()
    assert move_url(record, "publish") in html and move_url(record, "schedule") in html
    assert "不能发布" not in html


@pytest.mark.django_db
@pytest.mark.parametrize("openness, label", [("on_application", "依申请公开"), ("withheld", "不予公开")])
def test_approved_record_that_is_not_proactive_shows_why_instead_of_publish(a, openness, label):
    """An approved 依申请公开 / 不予公开 record shows its reviewer no 发布 or 定时发布 button but a note
    saying why. Posting to the publish move anyway is still refused by the service; nothing changes."""
    record = approved(a, openness=openness, withholding_ground="art16_process")
    client = client_for(a.reviewer)
    html = client.get(change_url(record)).content.decode()
    assert move_url(record, "publish") not in html and move_url(record, "schedule") not in html
    assert f"公开属性为“{label}”，不能发布。" in html
    assert "您当前没有可执行的办理操作" not in html

    # The editor could not publish anyway: no note for them, just no moves.
    html = client_for(a.editor).get(change_url(record)).content.decode()
    assert "不能发布" not in html and "您当前没有可执行的办理操作" in html

    entries = AuditEntry.objects.count()
    response = client.post(move_url(record, "publish"), {"publish_at": ""})
    assert response.status_code == 302 and response["Location"] == change_url(record)
    assert "只有公开属性为“主动公开”的信息可以发布" in " ".join(messages_of(response))
    record.refresh_from_db()
    assert record.status == Status.APPROVED and not record.index_number
    assert AuditEntry.objects.count() == entries


@pytest.mark.django_db
def test_request_changes_needs_a_reason(a):
    """退回修改 without a reason is refused on the form; with one the record goes back to its author."""
    record = submitted(a)
    client = client_for(a.reviewer)
    response = client.post(move_url(record, "request_changes"), {"comment": "  "})
    assert response.status_code == 200 and "请填写理由" in response.content.decode()
    response = client.post(move_url(record, "request_changes"), {"comment": "附件缺少盖章页"})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.status == Status.CHANGES_REQUESTED


@pytest.mark.django_db
def test_withdraw_needs_reason_and_choice_of_what_the_public_sees(a):
    """撤回 asks for a reason and for what the public sees; the choice is stored on the record."""
    record = published(a)
    client = client_for(a.reviewer)
    response = client.post(move_url(record, "withdraw"), {"comment": "内容有误"})
    assert response.status_code == 200 and "请选择撤回后公众看到的内容" in response.content.decode()
    response = client.post(move_url(record, "withdraw"), {"comment": "内容有误", "public_view": "notice"})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.status == Status.WITHDRAWN and record.withdrawal_notice is True


@pytest.mark.django_db
def test_revise_creates_a_revision_draft_and_opens_it(a):
    """修订 on a published record makes a new draft revising it and redirects to that draft."""
    record = published(a)
    response = client_for(a.editor).post(move_url(record, "revise"))
    revision = Record.objects.get(revises=record)
    assert response.status_code == 302 and response["Location"] == change_url(revision)
    assert revision.status == Status.DRAFT
    record.refresh_from_db()
    assert record.status == Status.PUBLISHED


@pytest.mark.django_db
def test_author_cannot_approve_own_record(a):
    """A reviewer who wrote the record sees no approve button, gets 403 on the confirmation page, and
    a POST is refused with a Chinese message; nothing changes."""
    record = submitted(a, author=a.author_reviewer)
    client = client_for(a.author_reviewer)
    assert move_url(record, "approve") not in client.get(change_url(record)).content.decode()
    assert client.get(move_url(record, "approve")).status_code == 403
    entries = AuditEntry.objects.count()
    response = client.post(move_url(record, "approve"), {"confidentiality_checked": "on", "openness_checked": "on"})
    assert response.status_code == 302 and response["Location"] == change_url(record)
    assert "起草或修改过该信息的人员不能审核或发布该信息" in " ".join(messages_of(response))
    record.refresh_from_db()
    assert record.status == Status.SUBMITTED and AuditEntry.objects.count() == entries


@pytest.mark.django_db
def test_move_from_the_wrong_state_is_a_message_not_an_error(a):
    """Publishing a record that is still submitted redirects back with the reason; nothing changes."""
    record = submitted(a)
    response = client_for(a.reviewer).post(move_url(record, "publish"), {})
    assert response.status_code == 302
    assert "不能执行“发布”" in " ".join(messages_of(response))
    record.refresh_from_db()
    assert record.status == Status.SUBMITTED


@pytest.mark.django_db
def test_unknown_or_system_move_is_404(a):
    """Only moves a person can make have a view; system moves (到时发布) and nonsense names are 404."""
    record = approved(a)
    client = client_for(a.reviewer)
    assert client.get(move_url(record, "publish_due")).status_code == 404
    assert client.post(move_url(record, "supersede")).status_code == 404
    assert client.get(move_url(record, "explode")).status_code == 404


@pytest.mark.django_db
def test_move_post_needs_csrf_token(a):
    """A cross-site POST to a move view is refused by CSRF protection; the record stays submitted."""
    record = submitted(a)
    client = Client(enforce_csrf_checks=True)
    client.force_login(a.reviewer)
    response = client.post(move_url(record, "approve"), {"confidentiality_checked": "on", "openness_checked": "on"})
    assert response.status_code == 403
    record.refresh_from_db()
    assert record.status == Status.SUBMITTED


# Scope and read-only users -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_reviewer_of_another_organisation_gets_404(a):
    """A township reviewer cannot see the county's records: change page, move view and delete are 404,
    the list does not show them, and a POST changes nothing."""
    record = submitted(a)
    client = client_for(a.town_reviewer)
    assert client.get(change_url(record)).status_code == 404
    assert client.get(move_url(record, "approve")).status_code == 404
    response = client.post(move_url(record, "approve"), {"confidentiality_checked": "on", "openness_checked": "on"})
    assert response.status_code == 404
    assert client.get(delete_url(record)).status_code == 404
    assert record.title not in client.get(LIST_URL).content.decode()
    record.refresh_from_db()
    assert record.status == Status.SUBMITTED


@pytest.mark.django_db
def test_auditor_reads_everything_and_changes_nothing(a):
    """An auditor sees the list and the change page, without workflow buttons; a POST to a move view
    or to the change form changes nothing."""
    record = submitted(a)
    town_record = services.record_create(
        user=a.town_editor,
        organisation=a.township,
        node=CatalogNode.objects.get(code="020501"),
        **record_fields(title="柳林镇公租房资格审核结果"),
    )
    client = client_for(a.auditor)
    listing = client.get(LIST_URL).content.decode()
    assert record.title in listing and town_record.title in listing  # the county's subtree

    page = client.get(change_url(record))
    assert page.status_code == 200
    html = page.content.decode()
    assert "/move/" not in html and 'name="title"' not in html
    assert "您当前没有可执行的办理操作" in html

    entries = AuditEntry.objects.count()
    response = client.post(move_url(record, "approve"), {"confidentiality_checked": "on", "openness_checked": "on"})
    assert response.status_code == 302
    assert "只有本单位的审核员" in " ".join(messages_of(response))
    response = client.post(change_url(record), form_data(a.node, title="审计员改的"))
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.status == Status.SUBMITTED and record.title != "审计员改的"
    assert AuditEntry.objects.count() == entries
    assert client.get(ADD_URL).status_code == 403


@pytest.mark.django_db
def test_review_queue_lists_what_others_submitted(a):
    """待我审核 shows submitted records of the reviewer's organisation written by someone else."""
    mine = submitted(a, author=a.author_reviewer, title="我自己起草的通知")
    theirs = submitted(a, title="别人起草的通知")
    still_draft = draft(a, title="还在起草的通知")
    html = client_for(a.author_reviewer).get(LIST_URL, {"queue": "mine"}).content.decode()
    assert theirs.title in html
    assert mine.title not in html and still_draft.title not in html
    assert "待我审核" in html


# Deleting ----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_published_record_cannot_be_deleted(a):
    """The delete view of a published record is 403, for its editor and for a superuser alike."""
    record = published(a)
    assert client_for(a.editor).get(delete_url(record)).status_code == 403
    assert client_for(a.editor).post(delete_url(record), {"post": "yes"}).status_code == 403
    superuser = UserFactory(username="root", is_superuser=True)
    assert client_for(superuser).post(delete_url(record), {"post": "yes"}).status_code == 403
    assert Record.objects.filter(pk=record.pk).exists()


@pytest.mark.django_db
def test_editor_deletes_a_draft_and_the_audit_entry_stays(a):
    """A never-published draft can be deleted by its organisation's editor; the log keeps a row."""
    record = draft(a, title="误建的草稿")
    response = client_for(a.editor).post(delete_url(record), {"post": "yes"})
    assert response.status_code == 302
    assert not Record.objects.filter(pk=record.pk).exists()
    assert AuditEntry.objects.filter(record_title="误建的草稿", action="delete", actor=a.editor).exists()


@pytest.mark.django_db
def test_no_bulk_delete_action(a):
    """The changelist offers no bulk delete; posting the action deletes nothing."""
    record = published(a)
    client = client_for(a.editor)
    assert "delete_selected" not in client.get(LIST_URL).content.decode()
    client.post(LIST_URL, {"action": "delete_selected", "_selected_action": [record.pk], "post": "yes"})
    assert Record.objects.filter(pk=record.pk).exists()


# The audit log -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_audit_log_is_read_only_and_scoped(a):
    """The audit log lists the user's organisations only and offers no add, change or delete."""
    submitted(a, title="县局信息")
    services.record_create(
        user=a.town_editor,
        organisation=a.township,
        node=CatalogNode.objects.get(code="020501"),
        **record_fields(title="镇上的信息"),
    )
    url = reverse("admin:disclosure_auditentry_changelist")
    html = client_for(a.reviewer).get(url).content.decode()
    assert "县局信息" in html and "镇上的信息" not in html
    assert "提交审核" in html  # actions by their Chinese label
    entry = AuditEntry.objects.filter(record_title="县局信息").first()
    client = client_for(a.reviewer)
    assert client.get(reverse("admin:disclosure_auditentry_add")).status_code == 403
    assert client.post(reverse("admin:disclosure_auditentry_delete", args=[entry.pk]), {"post": "yes"}).status_code == 403
    assert client.get(reverse("admin:disclosure_auditentry_change", args=[entry.pk])).status_code == 200
    town_entry = AuditEntry.objects.get(record_title="镇上的信息")
    assert client.get(reverse("admin:disclosure_auditentry_change", args=[town_entry.pk])).status_code == 302

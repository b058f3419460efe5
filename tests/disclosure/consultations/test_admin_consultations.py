"""The consultation duty in Django admin, driven through the test client against the real database.

Every admin form of the duty is posted as the role that owns it: the add and change forms with and
without files in the inline (信息员), the open and feedback confirmation pages of the move view (审核员),
the comment moderation form and its bulk action (信息员, 审核员, 单位管理员), the delete confirmation
(信息员). Saving goes through the services (log, four eyes); refusals are Chinese messages, never a 500.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from disclosure.consultations import services
from disclosure.consultations.models import (
    Consultation,
    ConsultationAttachment,
    ConsultationComment,
    ConsultationStatus,
    DecisionKind,
    Moderation,
)
from disclosure.core.log import ActivityEntry
from tests.admin_client import client_for, messages_of
from tests.disclosure.consultations.desk import PDF, activity, db_state, pdf

S = ConsultationStatus
ADD_URL = reverse("admin:disclosure_consultation_add")
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64
FOUR_EYES = "起草或修改过该意见征集的人员不能审核发布，请由其他审核员办理。"


def change_url(consultation) -> str:
    return reverse("admin:disclosure_consultation_change", args=[consultation.pk])


def move_url(consultation, name) -> str:
    return reverse("admin:disclosure_consultation_move", args=[consultation.pk, name])


def comment_url(comment) -> str:
    return reverse("admin:disclosure_consultationcomment_change", args=[comment.pk])




def local_parts(moment) -> tuple[str, str]:
    moment = timezone.localtime(moment)
    return moment.strftime("%Y-%m-%d"), moment.strftime("%H:%M:%S")


def form_data(node, *, attachments: list | None = None, existing: list | None = None, **overrides) -> dict:
    """A POST of the consultation form: a major decision open from tomorrow for 40 days, with the
    inline holding ``existing`` attachment rows (instance, delete?) and one new row per upload."""
    opens = timezone.now().replace(microsecond=0) + timedelta(days=1)
    closes = opens + timedelta(days=40)
    existing = existing or []
    attachments = attachments or []
    data = {
        "node": str(node.pk),
        "title": "清河县公共租赁住房保障办法（征求意见稿）",
        "decision_kind": DecisionKind.MAJOR,
        "summary": "起草背景",
        "body": "<p>第一条 为了规范公共租赁住房管理，制定本办法。</p>",
        "opens_at_0": local_parts(opens)[0],
        "opens_at_1": local_parts(opens)[1],
        "closes_at_0": local_parts(closes)[0],
        "closes_at_1": local_parts(closes)[1],
        "shorter_window_reason": "",
        "attachments-TOTAL_FORMS": str(len(existing) + len(attachments)),
        "attachments-INITIAL_FORMS": str(len(existing)),
        "attachments-MIN_NUM_FORMS": "0",
        "attachments-MAX_NUM_FORMS": "1000",
        "_save": "保存",
    }
    for n, (attachment, delete) in enumerate(existing):
        data[f"attachments-{n}-id"] = str(attachment.pk)
        data[f"attachments-{n}-consultation"] = str(attachment.consultation_id)
        if delete:
            data[f"attachments-{n}-DELETE"] = "on"
    for n, upload in enumerate(attachments, start=len(existing)):
        data[f"attachments-{n}-upload"] = upload
    data.update(overrides)
    return data


def content_of(consultation) -> dict:
    """The change form's content fields as they stand (so that a POST changes only what a test says)."""
    opens, closes = local_parts(consultation.opens_at), local_parts(consultation.closes_at)
    return {
        "title": consultation.title,
        "decision_kind": consultation.decision_kind,
        "summary": consultation.summary,
        "body": consultation.body,
        "opens_at_0": opens[0],
        "opens_at_1": opens[1],
        "closes_at_0": closes[0],
        "closes_at_1": closes[1],
        "shorter_window_reason": consultation.shorter_window_reason,
    }


# ------------------------------------------------------------------------- add and change forms


@pytest.mark.django_db
def test_editor_adds_a_consultation_without_files(people):
    """The 信息员's add form saves a draft of their organisation through the service (sanitised body,
    "create" log entry) and redirects; no 500."""
    response = client_for(people.editor).post(
        ADD_URL, form_data(people.nodes.default, body='<p onclick="x()">正文</p><script>alert(1)</script>')
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    consultation = Consultation.objects.get()
    assert (consultation.organisation, consultation.node, consultation.status) == (
        people.county, people.nodes.default, S.DRAFT,
    )
    assert consultation.created_by == people.editor
    assert consultation.body == "<p>正文</p>"
    assert activity(consultation) == [("create", "", S.DRAFT, people.editor.pk)]
    assert not consultation.attachments.exists()
    assert LogEntry.objects.filter(object_id=str(consultation.pk)).exists()  # Django's own admin history


@pytest.mark.django_db
def test_editor_adds_a_consultation_with_files(people):
    """Files uploaded in the inline of the add form are stored through the attachment service, each
    logged as a change by the editor."""
    data = form_data(people.nodes.default, attachments=[pdf("征求意见稿.pdf"), pdf("起草说明.pdf")])
    response = client_for(people.editor).post(ADD_URL, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    consultation = Consultation.objects.get()
    assert sorted(consultation.attachments.values_list("original_name", flat=True)) == ["征求意见稿.pdf", "起草说明.pdf"]
    attachment = consultation.attachments.get(original_name="征求意见稿.pdf")
    with attachment.file.open("rb") as stored:
        assert stored.read() == PDF
    assert [entry[0] for entry in activity(consultation)] == ["create", "update", "update"]
    assert {entry[3] for entry in activity(consultation)} == {people.editor.pk}


@pytest.mark.django_db
def test_editor_changes_a_draft_without_files(people):
    """The change form saves the edit through the service, which logs it naming the changed fields."""
    consultation = people.desk.draft()
    data = form_data(people.nodes.default, **content_of(consultation))
    data["title"] = "修改后的草案名称"
    response = client_for(people.editor2).post(change_url(consultation), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    consultation.refresh_from_db()
    assert consultation.title == "修改后的草案名称"
    entry = ActivityEntry.objects.filter(subject_type="consultation", subject_id=consultation.pk).latest("id")
    assert (entry.action, entry.actor, entry.comment) == ("update", people.editor2, "修改：草案名称")


@pytest.mark.django_db
def test_editor_removes_and_adds_files_on_the_change_form(people):
    """Deleting an attachment row and uploading another go through the attachment services, each logged."""
    consultation = people.desk.draft()
    old = services.consultation_attachment_add(user=people.editor, consultation=consultation, upload=pdf("旧.pdf"))
    data = form_data(
        people.nodes.default, existing=[(old, True)], attachments=[pdf("新.pdf")], **content_of(consultation)
    )
    response = client_for(people.editor2).post(change_url(consultation), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert list(consultation.attachments.values_list("original_name", flat=True)) == ["新.pdf"]
    entries = ActivityEntry.objects.filter(subject_id=consultation.pk, actor=people.editor2).order_by("id")
    assert list(entries.values_list("action", "comment")) == [("update", "删除附件：旧.pdf"), ("update", "添加附件：新.pdf")]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name,content,message",
    [("通知.pdf", EXE, "内容与扩展名不符"), ("setup.exe", EXE, "不支持的附件格式"), ("长" * 200 + ".pdf", PDF, "文件名过长")],
)
def test_a_bad_upload_is_a_chinese_form_error_and_saves_nothing(people, name, content, message):
    """A file whose content does not match an accepted kind, or whose name is too long, is a form error
    on the inline; neither the consultation nor any file is saved."""
    response = client_for(people.editor).post(
        ADD_URL, form_data(people.nodes.default, attachments=[SimpleUploadedFile(name, content)])
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Consultation.objects.exists() and not ConsultationAttachment.objects.exists()
    assert not ActivityEntry.objects.exists()


@pytest.mark.django_db
def test_a_service_refusal_lands_on_the_form_and_nothing_is_kept(people):
    """A body that is nothing once cleaned passes the form but the service refuses it: the same form
    comes back with the reason, and nothing (draft, files, log) is kept."""
    data = form_data(people.nodes.default, body="<script>alert(1)</script>", attachments=[pdf()])
    response = client_for(people.editor).post(ADD_URL, data)
    assert response.status_code == 200
    assert "请填写草案正文" in response.content.decode()
    assert not Consultation.objects.exists() and not ConsultationAttachment.objects.exists()
    assert not ActivityEntry.objects.exists()


@pytest.mark.django_db
def test_add_form_refuses_a_short_window(people):
    """The editor's add form reports a window that is too short as a field error, saving nothing."""
    data = form_data(
        people.nodes.default,
        decision_kind=DecisionKind.NORMATIVE,
        opens_at_0="2025-09-30", opens_at_1="09:00:00", closes_at_0="2025-10-10", closes_at_1="18:00:00",
    )
    response = client_for(people.editor).post(ADD_URL, data)
    assert response.status_code == 200
    assert "最早截止于2025年10月16日" in response.content.decode()
    assert not Consultation.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["reviewer", "auditor", "town_editor"])
def test_only_editors_get_the_add_form(people, who):
    """Reviewers, auditors and other roles have no add form; another organisation's editor cannot
    reach this one's drafts."""
    consultation = people.desk.draft()
    client = client_for(getattr(people, who))
    if who == "town_editor":
        assert client.get(change_url(consultation)).status_code == 404
        return
    assert client.get(ADD_URL).status_code == 403
    assert client.post(ADD_URL, form_data(people.nodes.default)).status_code == 403
    assert Consultation.objects.count() == 1


@pytest.mark.django_db
def test_an_opened_consultation_is_read_only_to_its_editor(people):
    """Once opened, the change form shows no inputs and a POST changes nothing."""
    consultation = people.desk.bring_to("open")
    client = client_for(people.editor)
    html = client.get(change_url(consultation)).content.decode()
    assert 'name="title"' not in html and "草案内容和期限不能再修改" in html
    before = db_state(consultation)
    response = client.post(change_url(consultation), form_data(people.nodes.default, title="偷偷修改"))
    assert response.status_code == 403
    assert db_state(consultation) == before


@pytest.mark.django_db
def test_editor_deletes_a_draft_and_its_log_stays(people):
    """The delete confirmation, posted by the editor, deletes the draft through the service; the log
    keeps the deletion."""
    consultation = people.desk.draft()
    url = reverse("admin:disclosure_consultation_delete", args=[consultation.pk])
    response = client_for(people.editor).post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not Consultation.objects.exists()
    assert ActivityEntry.objects.filter(subject_id=consultation.pk, action="delete", actor=people.editor).exists()


# ------------------------------------------------------------------------------------- the moves


@pytest.mark.django_db
def test_reviewer_opens_a_draft_through_the_move_view(people):
    """The reviewer's change page offers 审核发布; the confirmation page (GET) changes nothing; its POST
    opens the consultation through the service, logged, with a success message."""
    consultation = people.desk.draft()
    client = client_for(people.reviewer)
    html = client.get(change_url(consultation)).content.decode()
    assert move_url(consultation, "open") in html and "审核发布，开始征求意见" in html
    confirm = client.get(move_url(consultation, "open"))
    assert confirm.status_code == 200 and "开始征求意见" in confirm.content.decode()
    assert Consultation.objects.get(pk=consultation.pk).status == S.DRAFT
    response = client.post(move_url(consultation, "open"), {"comment": "同意发布"})
    assert response.status_code == 302 and response["Location"] == change_url(consultation)
    assert Consultation.objects.get(pk=consultation.pk).status == S.OPEN
    assert activity(consultation)[-1] == ("open", S.DRAFT, S.OPEN, people.reviewer.pk)
    assert any("已开始征求意见" in message for message in messages_of(response))


@pytest.mark.django_db
def test_a_reviewer_who_edited_the_draft_in_the_admin_is_not_offered_the_open_move(people):
    """The account holding both roles edits another editor's draft in the admin; its change page then
    offers no 审核发布, the confirmation page is refused, and a POST is a message that changes nothing.
    Another reviewer opens it."""
    consultation = people.desk.draft()
    client = client_for(people.both)
    data = form_data(people.nodes.default, **content_of(consultation))
    data["summary"] = "赵敏补充的起草说明"
    assert client.post(change_url(consultation), data).status_code == 302
    html = client.get(change_url(consultation)).content.decode()
    assert move_url(consultation, "open") not in html
    assert client.get(move_url(consultation, "open")).status_code == 403
    before = db_state(consultation)
    response = client.post(move_url(consultation, "open"), {"comment": ""})
    assert response.status_code == 302 and FOUR_EYES in messages_of(response)
    assert db_state(consultation) == before
    assert client_for(people.reviewer).post(move_url(consultation, "open"), {"comment": ""}).status_code == 302
    assert Consultation.objects.get(pk=consultation.pk).status == S.OPEN


@pytest.mark.django_db
def test_the_editor_gets_no_open_page(people):
    """An editor (not a reviewer) is refused the confirmation page."""
    consultation = people.desk.draft()
    assert client_for(people.editor).get(move_url(consultation, "open")).status_code == 403


@pytest.mark.django_db
def test_a_move_from_the_wrong_state_is_a_message_not_an_error(people):
    """Opening an open consultation again: back to the change page with the wrong-state message."""
    consultation = people.desk.bring_to("open")
    before = db_state(consultation)
    response = client_for(people.reviewer).post(move_url(consultation, "open"), {"comment": ""})
    assert response.status_code == 302
    assert "当前状态为“征求意见中”，不能执行“开始征求意见”。" in messages_of(response)
    assert db_state(consultation) == before


@pytest.mark.django_db
def test_reviewer_publishes_the_feedback_through_the_move_view(people):
    """After the window, the reviewer's change page offers 公布意见采纳情况; an empty text is a form
    error; the text is then published through the service and shown on the change page."""
    consultation = people.desk.bring_to("closed")
    client = client_for(people.reviewer)
    url = move_url(consultation, "publish_feedback")
    assert url in client.get(change_url(consultation)).content.decode()
    response = client.post(url, {"feedback": ""})
    assert response.status_code == 200 and "请填写意见采纳情况" in response.content.decode()
    assert Consultation.objects.get(pk=consultation.pk).status == S.CLOSED
    response = client.post(url, {"feedback": "共收到意见2条，采纳2条。"})
    assert response.status_code == 302
    consultation.refresh_from_db()
    assert consultation.status == S.FEEDBACK_PUBLISHED and consultation.feedback == "共收到意见2条，采纳2条。"
    assert "意见采纳情况已公布。" in messages_of(response)
    change = client.get(change_url(consultation)).content.decode()
    assert "共收到意见2条，采纳2条。" in change and "公布采纳情况" in change


@pytest.mark.django_db
def test_feedback_before_the_window_ends_is_a_message(people):
    """While the window runs there is no feedback button, and a POST is refused with the service's
    reason; nothing is written."""
    consultation = people.desk.bring_to("open")
    client = client_for(people.reviewer)
    url = move_url(consultation, "publish_feedback")
    assert url not in client.get(change_url(consultation)).content.decode()
    before = db_state(consultation)
    response = client.post(url, {"feedback": "采纳1条"})
    assert response.status_code == 302
    assert any("尚未届满" in message for message in messages_of(response))
    assert db_state(consultation) == before


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["close", "nope"])
def test_moves_not_offered_in_the_admin_are_404(people, name):
    """Closing is the closing job's; an unknown move does not exist."""
    consultation = people.desk.bring_to("open_ended")
    assert client_for(people.reviewer).post(move_url(consultation, name)).status_code == 404
    assert Consultation.objects.get(pk=consultation.pk).status == S.OPEN


@pytest.mark.django_db
def test_another_organisations_reviewer_gets_404(people):
    """The same answer for "not yours" as for "does not exist"."""
    consultation = people.desk.draft()
    client = client_for(people.town_reviewer)
    assert client.get(change_url(consultation)).status_code == 404
    assert client.post(move_url(consultation, "open"), {"comment": ""}).status_code == 404
    assert Consultation.objects.get(pk=consultation.pk).status == S.DRAFT


# ------------------------------------------------------------------------------------- comments


def submitted_comment(people, **fields):
    consultation = people.desk.bring_to("open")
    return services.comment_submit(
        consultation=consultation,
        name=fields.get("name", "王先生"),
        contact="13800000000",
        text=fields.get("text", "建议将申请条件中的收入线适当放宽。"),
    )


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["editor", "reviewer", "orgadmin"])
def test_the_moderation_form_posted_by_each_role_that_handles_comments(people, who):
    """信息员, 审核员 and 单位管理员 moderate through the comment form: showing, hiding (a reason is
    required, a Chinese form error without), and showing again a hidden one; each logged."""
    comment = submitted_comment(people)
    client = client_for(getattr(people, who))
    assert "13800000000" in client.get(comment_url(comment)).content.decode()

    response = client.post(comment_url(comment), {"decision": Moderation.SHOWN, "hidden_reason": "", "_save": "保存"})
    assert response.status_code == 302, response.content.decode()[:3000]
    assert ConsultationComment.objects.get(pk=comment.pk).moderation == Moderation.SHOWN

    response = client.post(comment_url(comment), {"decision": Moderation.HIDDEN, "hidden_reason": "", "_save": "保存"})
    assert response.status_code == 200 and "不予显示的，必须填写理由" in response.content.decode()
    assert ConsultationComment.objects.get(pk=comment.pk).moderation == Moderation.SHOWN

    response = client.post(comment_url(comment), {"decision": Moderation.HIDDEN, "hidden_reason": "含个人信息", "_save": "保存"})
    assert response.status_code == 302
    hidden = ConsultationComment.objects.get(pk=comment.pk)
    assert (hidden.moderation, hidden.hidden_reason, hidden.moderated_by) == (Moderation.HIDDEN, "含个人信息", getattr(people, who))

    # Showing a hidden comment again drops its reason (the database requires a reason only when hidden).
    response = client.post(comment_url(comment), {"decision": Moderation.SHOWN, "hidden_reason": "", "_save": "保存"})
    assert response.status_code == 302, response.content.decode()[:3000]
    shown = ConsultationComment.objects.get(pk=comment.pk)
    assert (shown.moderation, shown.hidden_reason) == (Moderation.SHOWN, "")

    entries = ActivityEntry.objects.filter(subject_type="consultation_comment", subject_id=comment.pk).order_by("id")
    assert list(entries.values_list("from_status", "to_status")) == [
        (Moderation.PENDING, Moderation.SHOWN), (Moderation.SHOWN, Moderation.HIDDEN), (Moderation.HIDDEN, Moderation.SHOWN),
    ]
    assert {entry.actor for entry in entries} == {getattr(people, who)}


@pytest.mark.django_db
def test_the_show_selected_action_posted_by_the_unit_administrator(people):
    """The bulk action shows the selected comments, each through the moderation service."""
    first = submitted_comment(people)
    second = services.comment_submit(consultation=first.consultation, name="", contact="a@example.com", text="赞成")
    response = client_for(people.orgadmin).post(
        reverse("admin:disclosure_consultationcomment_changelist"),
        {"action": "show_selected", "_selected_action": [first.pk, second.pk]},
    )
    assert response.status_code == 302
    assert set(ConsultationComment.objects.values_list("moderation", flat=True)) == {Moderation.SHOWN}
    assert ActivityEntry.objects.filter(subject_type="consultation_comment", actor=people.orgadmin).count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["auditor", "town_editor", "town_reviewer"])
def test_others_cannot_moderate(people, who):
    """Auditors and other organisations' staff neither read contacts nor moderate; a POST changes nothing."""
    comment = submitted_comment(people)
    client = client_for(getattr(people, who))
    page = client.get(comment_url(comment))
    assert page.status_code in (302, 403, 404) and "13800000000" not in page.content.decode()
    client.post(comment_url(comment), {"decision": Moderation.SHOWN, "hidden_reason": "", "_save": "保存"})
    assert ConsultationComment.objects.get(pk=comment.pk).moderation == Moderation.PENDING

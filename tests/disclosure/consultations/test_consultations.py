"""Decision drafts for public comment (决策预公开 / 意见征集).

The window clock (30 calendar days for a major decision, 7 working days for a normative document, on the
official calendar with its holidays), the states and who moves them, the citizen's comment form and its
protections, moderation, the CSV export and its scope, and the public pages with their query counts.
The full transition matrix is in test_workflow.py, the admin forms in test_admin_consultations.py and
the no-leak world in test_public_leaks.py.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from catalog.models import Organisation
from disclosure.consultations import services as consultations
from disclosure.consultations.models import (
    Consultation,
    ConsultationComment,
    ConsultationStatus,
    DecisionKind,
    Moderation,
)
from disclosure.consultations.services import (
    ConsultationClosed,
    comment_moderate,
    comment_submit,
    comments_csv,
    consultation_close,
    consultation_create,
    consultation_open,
    consultation_publish_feedback,
    consultation_update,
    earliest_last_day,
    window_errors,
)
from disclosure.consultations.workflow import InvalidTransition
from disclosure.core.access import Role
from disclosure.core.log import ActivityEntry
from tests.factories import make_staff

COUNTY = "419901"
TOWNSHIP = "419901001"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def local(*args) -> datetime:
    return timezone.make_aware(datetime(*args))


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """The per-address rate limit lives in the cache: every test starts with none used."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def w(standard_catalog, demo_orgs):
    county, township = demo_orgs[COUNTY], demo_orgs[TOWNSHIP]
    return SimpleNamespace(
        county=county,
        township=township,
        editor=make_staff(county, Role.EDITOR, username="editor", first_name="张晓梅"),
        reviewer=make_staff(county, Role.REVIEWER, username="reviewer", first_name="李建国"),
        both=make_staff(county, Role.EDITOR, Role.REVIEWER, username="both", first_name="赵敏"),
        auditor=make_staff(county, Role.AUDITOR, username="auditor"),
        town_editor=make_staff(township, Role.EDITOR, username="town_editor"),
        town_reviewer=make_staff(township, Role.REVIEWER, username="town_reviewer"),
    )


EDITOR = object()  # the default author: the county's editor


def draft(w, *, kind=DecisionKind.MAJOR, opens_at=None, closes_at=None, author=EDITOR, organisation=None, **fields):
    now = timezone.now()
    opens_at = opens_at or now - timedelta(days=1)
    closes_at = closes_at or opens_at + timedelta(days=40)
    return consultation_create(
        user=w.editor if author is EDITOR else author,
        organisation=organisation or w.county,
        title=fields.pop("title", "清河县公共租赁住房保障办法（征求意见稿）"),
        decision_kind=kind,
        body=fields.pop("body", "<p>第一条 为了规范公共租赁住房管理，制定本办法。</p>"),
        opens_at=opens_at,
        closes_at=closes_at,
        **fields,
    )


def opened(w, **kwargs) -> Consultation:
    """A consultation open for comment now (opened yesterday, closing in 40 days)."""
    reviewer = kwargs.pop("reviewer", None) or w.reviewer
    consultation = draft(w, **kwargs)
    return consultation_open(user=reviewer, consultation=consultation, now=consultation.opens_at)


def ended(w, **kwargs) -> Consultation:
    """A consultation whose window ended yesterday (opened, as it was then, 32 days ago)."""
    start = timezone.now() - timedelta(days=32)
    consultation = draft(w, opens_at=start, closes_at=start + timedelta(days=31), **kwargs)
    return consultation_open(user=w.reviewer, consultation=consultation, now=start)


def activity(consultation) -> list[tuple]:
    return list(
        ActivityEntry.objects.filter(subject_type="consultation", subject_id=consultation.pk)
        .order_by("id")
        .values_list("action", "from_status", "to_status", "actor_id")
    )


def post_comment(client, consultation, **overrides):
    data = {"name": "王先生", "contact": "13800000000", "text": "建议将申请条件中的收入线适当放宽。", "homepage": ""}
    data.update(overrides)
    return client.post(consultation.get_absolute_url(), data)


# ------------------------------------------------------------------------------------- the window


@pytest.mark.django_db
def test_normative_document_opened_before_national_day_2025_needs_seven_working_days():
    """Opened Tuesday 30 September 2025: 1–8 October are holidays, Saturday 11 October a make-up
    working day. Counting from the day after opening: 9 Oct (1), 10 Oct (2), 11 Oct (3), 13 Oct (4),
    14 Oct (5), 15 Oct (6), 16 Oct (7): the window may close no earlier than Thursday 16 October."""
    opens = local(2025, 9, 30, 9, 0)
    assert earliest_last_day(DecisionKind.NORMATIVE, opens) == date(2025, 10, 16)
    ok = window_errors(decision_kind=DecisionKind.NORMATIVE, opens_at=opens, closes_at=local(2025, 10, 16, 17, 30))
    assert ok == {}
    short = window_errors(decision_kind=DecisionKind.NORMATIVE, opens_at=opens, closes_at=local(2025, 10, 15, 23, 59))
    assert "不少于7个工作日" in short["closes_at"] and "2025年10月16日" in short["closes_at"]
    # Closing at midnight ends the day before: 16 October would not be part of the window.
    assert window_errors(decision_kind=DecisionKind.NORMATIVE, opens_at=opens, closes_at=local(2025, 10, 16, 0, 0))
    # A week of calendar days (or 7 weekdays ignoring the holiday) is not enough.
    assert window_errors(decision_kind=DecisionKind.NORMATIVE, opens_at=opens, closes_at=local(2025, 10, 9, 18, 0))


@pytest.mark.django_db
def test_normative_window_counts_the_sunday_make_up_day():
    """Opened Friday 26 September 2025: Sunday 28 Sept is a make-up working day (1), 29 Sept (2),
    30 Sept (3), then after the holiday 9 Oct (4), 10 Oct (5), Saturday 11 Oct (6), Monday 13 Oct (7)."""
    assert earliest_last_day(DecisionKind.NORMATIVE, local(2025, 9, 26, 15, 0)) == date(2025, 10, 13)


@pytest.mark.django_db
def test_major_decision_needs_thirty_calendar_days_whatever_the_holidays():
    """30 calendar days from the day after opening; holidays count as days."""
    opens = local(2026, 3, 2, 10, 0)
    assert earliest_last_day(DecisionKind.MAJOR, opens) == date(2026, 4, 1)
    assert window_errors(decision_kind=DecisionKind.MAJOR, opens_at=opens, closes_at=local(2026, 4, 1, 9, 0)) == {}
    error = window_errors(decision_kind=DecisionKind.MAJOR, opens_at=opens, closes_at=local(2026, 3, 31, 23, 0))
    assert "重大行政决策" in error["closes_at"] and "不少于30日" in error["closes_at"]
    assert earliest_last_day(DecisionKind.MAJOR, local(2025, 9, 30, 9, 0)) == date(2025, 10, 30)


@pytest.mark.django_db
def test_shorter_window_only_with_a_recorded_reason(w):
    """A shorter window is refused, unless a reason is recorded; the reason is then published."""
    opens = local(2025, 9, 30, 9, 0)
    with pytest.raises(ValidationError) as error:
        draft(w, kind=DecisionKind.NORMATIVE, opens_at=opens, closes_at=local(2025, 10, 10, 18, 0))
    assert "closes_at" in error.value.message_dict
    assert not Consultation.objects.exists()
    consultation = draft(
        w,
        kind=DecisionKind.NORMATIVE,
        opens_at=opens,
        closes_at=local(2025, 10, 10, 18, 0),
        shorter_window_reason="上级文件要求10月底前出台，时间紧迫。",
    )
    assert consultation.shorter_window_reason
    # Whitespace is not a reason.
    assert window_errors(
        decision_kind=DecisionKind.MAJOR, opens_at=opens, closes_at=opens + timedelta(days=3), shorter_window_reason="  "
    )


@pytest.mark.django_db
def test_other_decisions_need_only_a_window_that_closes_after_it_opens():
    """Decisions other than the two statutory kinds have no minimum, but the window must not be reversed."""
    opens = local(2026, 3, 2, 10, 0)
    assert window_errors(decision_kind=DecisionKind.OTHER, opens_at=opens, closes_at=opens + timedelta(days=2)) == {}
    assert "晚于" in window_errors(decision_kind=DecisionKind.OTHER, opens_at=opens, closes_at=opens)["closes_at"]


@pytest.mark.django_db
def test_unknown_calendar_year_is_a_clear_validation_error(w):
    """Working days in a year whose holiday schedule is unknown cannot be counted: say so, do not guess."""
    opens = local(2031, 3, 3, 9, 0)
    errors = window_errors(decision_kind=DecisionKind.NORMATIVE, opens_at=opens, closes_at=opens + timedelta(days=20))
    assert "2031年的法定节假日安排尚未录入" in errors["closes_at"]
    # A major decision counts calendar days and needs no holiday schedule.
    assert window_errors(decision_kind=DecisionKind.MAJOR, opens_at=opens, closes_at=opens + timedelta(days=31)) == {}


# --------------------------------------------------------------------------------------- states


@pytest.mark.django_db
def test_editor_creates_a_sanitised_draft_under_decision_pre_disclosure(w):
    """Only an editor of the organisation drafts; the default node is 决策前预公开; the body is cleaned."""
    consultation = draft(w, body='<p onclick="x()">草案</p><script>alert(1)</script>')
    assert consultation.node.code == "020201"
    assert consultation.status == ConsultationStatus.DRAFT
    assert "script" not in consultation.body and "onclick" not in consultation.body
    assert activity(consultation) == [("create", "", "draft", w.editor.pk)]
    for user in (w.reviewer, w.auditor, w.town_editor, None):
        with pytest.raises(PermissionDenied):
            draft(w, author=user)
    with pytest.raises(ValidationError) as error:
        draft(w, body="<script>x</script>")
    assert "body" in error.value.message_dict


@pytest.mark.django_db
def test_reviewer_who_did_not_draft_it_opens_it(w):
    """The author (even holding the reviewer role), an editor or another organisation's reviewer cannot
    open a draft; the organisation's reviewer can, once; each refusal writes nothing."""
    consultation = draft(w, author=w.both)
    for user in (w.both, w.editor, w.town_reviewer, w.auditor, None):
        with pytest.raises(PermissionDenied):
            consultation_open(user=user, consultation=consultation)
    assert Consultation.objects.get(pk=consultation.pk).status == ConsultationStatus.DRAFT
    assert len(activity(consultation)) == 1
    consultation = consultation_open(user=w.reviewer, consultation=consultation, comment="同意发布")
    assert consultation.status == ConsultationStatus.OPEN
    log = activity(consultation)
    assert log[-1] == ("open", "draft", "open", w.reviewer.pk)
    assert "同意发布" in ActivityEntry.objects.filter(subject_id=consultation.pk, action="open").get().comment
    with pytest.raises(InvalidTransition):
        consultation_open(user=w.reviewer, consultation=consultation)
    # Once open, the published text cannot change.
    with pytest.raises(InvalidTransition):
        consultation_update(user=w.both, consultation=consultation, title="改个标题")


@pytest.mark.django_db
def test_a_window_already_over_cannot_be_opened(w):
    """Opening a draft whose closing time has passed is refused with a message."""
    start = timezone.now() - timedelta(days=40)
    consultation = draft(w, opens_at=start, closes_at=start + timedelta(days=31))
    with pytest.raises(ValidationError) as error:
        consultation_open(user=w.reviewer, consultation=consultation)
    assert "截止时间已过" in str(error.value)


@pytest.mark.django_db
def test_closing_and_feedback_only_after_the_window(w):
    """The window is never cut short; afterwards the system closes it and a reviewer publishes the
    feedback (采纳情况), each with an activity entry."""
    consultation = opened(w)
    with pytest.raises(ValidationError):
        consultation_close(consultation=consultation)
    with pytest.raises(ValidationError) as error:
        consultation_publish_feedback(user=w.reviewer, consultation=consultation, feedback="采纳3条")
    assert "尚未届满" in str(error.value)

    over = ended(w, title="已截止的草案")
    assert [c.pk for c in consultations.close_due_consultations()] == [over.pk]
    assert activity(over)[-1] == ("close", "open", "closed", None)
    with pytest.raises(PermissionDenied):
        consultation_publish_feedback(user=w.editor, consultation=over, feedback="采纳3条")
    with pytest.raises(ValidationError) as error:
        consultation_publish_feedback(user=w.reviewer, consultation=over, feedback="   ")
    assert "feedback" in error.value.message_dict
    over = consultation_publish_feedback(user=w.reviewer, consultation=over, feedback="共收到意见5条，采纳3条。")
    assert over.status == ConsultationStatus.FEEDBACK_PUBLISHED and over.feedback_published_at
    assert activity(over)[-1] == ("publish_feedback", "closed", "feedback_published", w.reviewer.pk)
    with pytest.raises(InvalidTransition):
        consultation_publish_feedback(user=w.reviewer, consultation=over, feedback="再改一次")


@pytest.mark.django_db
def test_feedback_on_a_still_open_but_ended_window_closes_it_first(w):
    """Without the closing job having run, publishing the feedback records the close, then the feedback."""
    consultation = ended(w)
    consultation_publish_feedback(user=w.reviewer, consultation=consultation, feedback="全部采纳。")
    assert [a[0] for a in activity(consultation)] == ["create", "open", "close", "publish_feedback"]


# ----------------------------------------------------------------------------------- comments


@pytest.mark.django_db
def test_comment_is_saved_before_it_is_acknowledged_and_shown_only_after_moderation(w, client):
    """A valid comment is saved (pending), the citizen is told its number; it appears publicly only once
    shown, under the given name or 匿名, and the contact never appears on any public page."""
    consultation = opened(w)
    response = post_comment(client, consultation, name="", contact="zhang.citizen@example.com")
    assert response.status_code == 302
    comment = ConsultationComment.objects.get()
    assert (comment.moderation, comment.contact, comment.name) == (Moderation.PENDING, "zhang.citizen@example.com", "")
    page = client.get(response["Location"]).content.decode()
    assert f"编号 {comment.pk}" in page and "经审核后公开显示" in page
    assert comment.text not in page  # pending: not public yet

    comment_moderate(user=w.editor, comment=comment, moderation=Moderation.SHOWN)
    second = comment_submit(consultation=consultation, name="李女士", contact="0371-12345678", text="同意。")
    comment_moderate(user=w.reviewer, comment=second, moderation=Moderation.SHOWN)
    page = client.get(consultation.get_absolute_url()).content.decode()
    assert comment.text in page and "匿名" in page and "李女士" in page
    listing = client.get(f"/consultations/{COUNTY}/").content.decode()
    for html in (page, listing):
        assert "zhang.citizen@example.com" not in html and "0371-12345678" not in html


@pytest.mark.django_db
def test_hidden_comment_needs_a_reason_and_stays_hidden(w, client):
    """不予显示 requires a reason; a hidden comment is not public; each decision is logged."""
    consultation = opened(w)
    comment = comment_submit(consultation=consultation, name="某网友", contact="13900000000", text="广告：出售发票")
    with pytest.raises(ValidationError) as error:
        comment_moderate(user=w.editor, comment=comment, moderation=Moderation.HIDDEN, reason=" ")
    assert "理由" in str(error.value)
    comment_moderate(user=w.editor, comment=comment, moderation=Moderation.HIDDEN, reason="与草案无关的广告")
    comment.refresh_from_db()
    assert comment.moderation == Moderation.HIDDEN and comment.moderated_by == w.editor
    assert "出售发票" not in client.get(consultation.get_absolute_url()).content.decode()
    entry = ActivityEntry.objects.get(subject_type="consultation_comment", subject_id=comment.pk)
    assert (entry.from_status, entry.to_status, entry.comment) == ("pending", "hidden", "与草案无关的广告")
    for user in (w.auditor, w.town_editor, None):
        with pytest.raises(PermissionDenied):
            comment_moderate(user=user, comment=comment, moderation=Moderation.SHOWN)


@pytest.mark.django_db
def test_closed_window_refuses_comments_with_a_clear_message(w, client):
    """After the window no comment is accepted: the page says so (400), keeps the typed text in view,
    and nothing is saved; the service refuses too, even if the page was loaded while open."""
    consultation = ended(w)
    page = client.get(consultation.get_absolute_url()).content.decode()
    assert "不再接受意见" in page and 'name="contact"' not in page
    response = post_comment(client, consultation, text="我的意见在截止后才写完。")
    assert response.status_code == 400
    html = response.content.decode()
    assert "截止，不再接受意见" in html and "我的意见在截止后才写完。" in html
    assert not ConsultationComment.objects.exists()

    still_open = opened(w, title="另一份草案")
    with pytest.raises(ConsultationClosed):
        comment_submit(
            consultation=still_open, name="", contact="13800000000", text="晚了", now=still_open.closes_at
        )
    assert not ConsultationComment.objects.exists()


@pytest.mark.django_db
def test_honeypot_refuses_the_submission(w, client):
    """A filled-in honeypot field is refused (400) and nothing is saved."""
    consultation = opened(w)
    response = post_comment(client, consultation, homepage="http://spam.example")
    assert response.status_code == 400
    assert "提交未被接受" in response.content.decode()
    assert not ConsultationComment.objects.exists()


@pytest.mark.django_db
def test_rate_limit_per_address(w, client):
    """Five comments an hour per address; the sixth is refused (429) with the text kept, nothing saved."""
    consultation = opened(w)
    for n in range(5):
        assert post_comment(client, consultation, text=f"第{n}条意见").status_code == 302
    response = post_comment(client, consultation, text="第六条意见")
    assert response.status_code == 429
    assert "提交过于频繁" in response.content.decode() and "第六条意见" in response.content.decode()
    assert ConsultationComment.objects.count() == 5
    # Another address is not affected.
    other = Client(REMOTE_ADDR="10.0.0.8")
    assert post_comment(other, consultation).status_code == 302


@pytest.mark.django_db
def test_csrf_token_is_required(w):
    """A POST without the CSRF token is refused."""
    consultation = opened(w)
    response = post_comment(Client(enforce_csrf_checks=True), consultation)
    assert response.status_code == 403
    assert not ConsultationComment.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "overrides, field_message",
    [
        ({"text": "长" * 2001}, "最多2000字"),
        ({"text": "   "}, "请填写意见内容"),
        ({"name": "名" * 51}, "最多50个字"),
        ({"contact": ""}, "请填写联系电话或电子邮箱"),
        ({"contact": "随便写写"}, "有效的电话号码"),
        ({"contact": "a@b"}, "电子邮箱格式不正确"),
        ({"contact": "1" * 101}, "最多100个字"),
    ],
)
def test_bad_input_is_refused_with_a_chinese_message(w, client, overrides, field_message):
    """Oversize or missing fields: 400 with a Chinese message, nothing saved, the form still there."""
    consultation = opened(w)
    response = post_comment(client, consultation, **overrides)
    assert response.status_code == 400
    html = response.content.decode()
    assert field_message in html and "意见尚未提交" in html
    assert not ConsultationComment.objects.exists()


@pytest.mark.django_db
def test_text_of_exactly_the_cap_is_accepted(w, client):
    """2,000 characters is within the cap."""
    consultation = opened(w)
    assert post_comment(client, consultation, text="字" * 2000).status_code == 302
    assert len(ConsultationComment.objects.get().text) == 2000


# ------------------------------------------------------------------------------------ CSV export


def read_csv(text: str) -> list[list[str]]:
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


@pytest.mark.django_db
def test_csv_export_content_and_scope(w):
    """The export lists one consultation's comments with contacts and moderation, guards formulas,
    leaves out other consultations and organisations, and is logged; others may not export."""
    consultation = opened(w)
    other = opened(w, title="另一份草案")
    town = opened(w, author=w.town_editor, organisation=w.township, reviewer=w.town_reviewer, title="乡镇草案")
    first = comment_submit(consultation=consultation, name="王先生", contact="13800000000", text="=HYPERLINK(\"x\")")
    comment_moderate(user=w.reviewer, comment=first, moderation=Moderation.HIDDEN, reason="含链接")
    comment_submit(consultation=consultation, name="", contact="a@example.com", text="赞成")
    comment_submit(consultation=other, name="", contact="b@example.com", text="其他草案的意见")
    comment_submit(consultation=town, name="", contact="c@example.com", text="乡镇的意见")

    rows = read_csv(comments_csv(user=w.editor, consultation=consultation))
    assert rows[0] == list(consultations.CSV_HEADER)
    assert [row[4] for row in rows[1:]] == ["13800000000", "a@example.com"]
    assert rows[1][5] == "'=HYPERLINK(\"x\")"  # not a formula when opened in a spreadsheet
    assert (rows[1][6], rows[1][7], rows[1][8]) == ("不予显示", "含链接", "李建国")
    assert rows[2][3] == "" and rows[2][6] == "待审核"
    assert ActivityEntry.objects.filter(subject_id=consultation.pk, action="export_comments").get().comment == "导出公众意见 2 条"

    for user in (w.auditor, w.town_editor, w.town_reviewer):
        with pytest.raises(PermissionDenied):
            comments_csv(user=user, consultation=consultation)
    # A selection (admin action) never reaches beyond the user's organisation.
    everything = list(ConsultationComment.objects.all())
    contacts = [row[4] for row in read_csv(comments_csv(user=w.editor, comments=everything))[1:]]
    assert sorted(contacts) == ["13800000000", "a@example.com", "b@example.com"]


@pytest.mark.django_db
def test_admin_export_and_moderation_are_scoped_to_the_organisation(w):
    """Staff of the organisation download the CSV from the admin and see its comments; an auditor or
    another organisation's staff get neither."""
    consultation = opened(w)
    comment_submit(consultation=consultation, name="", contact="13800000000", text="赞成")
    editor = Client()
    editor.force_login(w.editor)
    response = editor.get(f"/admin/disclosure/consultation/{consultation.pk}/comments.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "13800000000" in response.content.decode("utf-8-sig")
    changelist = editor.get("/admin/disclosure/consultationcomment/").content.decode()
    assert "13800000000" in changelist

    for user in (w.auditor, w.town_editor):
        other = Client()
        other.force_login(user)
        assert other.get(f"/admin/disclosure/consultation/{consultation.pk}/comments.csv").status_code in (403, 404)
        listing = other.get("/admin/disclosure/consultationcomment/")
        assert listing.status_code in (200, 403)
        assert "13800000000" not in listing.content.decode()


# ------------------------------------------------------------------------------------- public pages


@pytest.mark.django_db
def test_public_pages_show_only_opened_consultations_of_visible_organisations(w, client):
    """Drafts, consultations whose opening time has not come, and those of an inactive organisation
    answer 404 and are not listed; open ones are listed first."""
    hidden_draft = draft(w, title="尚未发布的草稿")
    future = draft(w, title="下周开始的草案", opens_at=timezone.now() + timedelta(days=7))
    future = consultation_open(user=w.reviewer, consultation=future)
    over = ended(w, title="已截止的草案")
    current = opened(w, title="正在征求意见的草案")
    listing = client.get(f"/consultations/{COUNTY}/").content.decode()
    assert "尚未发布的草稿" not in listing and "下周开始的草案" not in listing
    assert listing.index("正在征求意见的草案") < listing.index("已截止的草案")
    for hidden in (hidden_draft, future):
        assert client.get(f"/consultations/{COUNTY}/{hidden.pk}/").status_code == 404
    assert client.get(f"/consultations/{TOWNSHIP}/{current.pk}/").status_code == 404  # wrong organisation
    assert client.get(over.get_absolute_url()).status_code == 200

    Organisation.objects.filter(code=COUNTY).update(is_active=False)
    assert client.get(current.get_absolute_url()).status_code == 404
    assert client.get(f"/consultations/{COUNTY}/").status_code == 404


@pytest.mark.django_db
def test_detail_page_shows_window_days_left_attachments_and_feedback(w, client):
    """The page shows the window with its dates and days left, the draft's files, and after closing the
    published feedback."""
    consultation = draft(w, summary="起草背景说明")
    consultations.consultation_attachment_add(
        user=w.editor, consultation=consultation, upload=SimpleUploadedFile("征求意见稿.pdf", PDF)
    )
    consultation = consultation_open(user=w.reviewer, consultation=consultation, now=consultation.opens_at)
    html = client.get(consultation.get_absolute_url()).content.decode()
    left = (consultations.window_last_day(consultation.closes_at) - timezone.localdate()).days
    assert f"还剩 {left} 天" in html and "起草背景说明" in html and "征求意见稿.pdf" in html
    attachment = consultation.attachments.get()
    download = client.get(f"/consultations/{COUNTY}/{consultation.pk}/files/{attachment.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF

    over = ended(w, title="已截止")
    consultation_publish_feedback(user=w.reviewer, consultation=over, feedback="共收到意见5条，采纳3条。")
    html = client.get(over.get_absolute_url()).content.decode()
    assert "意见采纳情况" in html and "共收到意见5条，采纳3条。" in html


@pytest.mark.django_db
def test_draft_attachment_is_not_downloadable(w, client):
    """A draft's file answers 404 like a file that does not exist."""
    consultation = draft(w)
    attachment = consultations.consultation_attachment_add(
        user=w.editor, consultation=consultation, upload=SimpleUploadedFile("草稿.pdf", PDF)
    )
    assert client.get(f"/consultations/{COUNTY}/{consultation.pk}/files/{attachment.pk}/").status_code == 404


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


@pytest.mark.django_db
def test_public_page_query_counts_do_not_grow_with_data(w, client):
    """The list and the detail page run a fixed number of queries with 1 or 12 consultations, and with
    1 or 25 shown comments and several files."""
    consultation = opened(w)
    comment = comment_submit(consultation=consultation, name="", contact="13800000000", text="意见")
    comment_moderate(user=w.editor, comment=comment, moderation=Moderation.SHOWN)
    urls = [f"/consultations/{COUNTY}/", consultation.get_absolute_url()]
    client.get(urls[0])  # warm per-process caches
    small = [count_queries(client, url) for url in urls]

    for n in range(11):
        opened(w, title=f"草案{n}")
    for n in range(24):
        extra = comment_submit(consultation=consultation, name=f"市民{n}", contact="13800000000", text=f"意见{n}")
        comment_moderate(user=w.editor, comment=extra, moderation=Moderation.SHOWN)
    large = [count_queries(client, url) for url in urls]
    # list: organisation, count, page; detail: consultation, files, shown comments.
    assert small == large == [3, 3]


@pytest.mark.django_db
def test_seed_demo_shows_consultations_and_an_interpretation_pair(standard_catalog, demo_orgs, client):
    """The demo has an open consultation with shown comments, a closed one with its feedback, one
    closed and awaiting its feedback, and a policy published together with its interpretation;
    running it again makes nothing new."""
    from disclosure.consultations.demo import ensure_demo_consultations
    from disclosure.core.demo import ensure_demo_accounts
    from disclosure.interpretations.demo import ensure_demo_interpretations
    from disclosure.records.models import Interpretation, Record, Status

    ensure_demo_accounts()
    assert ensure_demo_consultations() == 3
    assert ensure_demo_interpretations() == 2
    open_one = Consultation.objects.get(status=ConsultationStatus.OPEN)
    closed = Consultation.objects.get(status=ConsultationStatus.FEEDBACK_PUBLISHED)
    awaiting = Consultation.objects.get(status=ConsultationStatus.CLOSED)
    assert open_one.accepts_comments() and not closed.accepts_comments() and not awaiting.accepts_comments()
    assert not awaiting.feedback and awaiting.comments.filter(moderation="shown").exists()
    assert set(open_one.comments.values_list("moderation", flat=True)) == {"shown", "pending", "hidden"}
    assert "采纳" in client.get(closed.get_absolute_url()).content.decode()
    published = Interpretation.objects.get(record__status=Status.PUBLISHED)
    assert published.policy.status == Status.PUBLISHED and published.policy.needs_interpretation
    waiting = Interpretation.objects.get(record__status=Status.SUBMITTED)
    assert waiting.policy.status == Status.APPROVED  # cannot be published before its interpretation
    records = Record.objects.count()
    assert ensure_demo_consultations() == 0 and ensure_demo_interpretations() == 0
    assert Record.objects.count() == records and Consultation.objects.count() == 3

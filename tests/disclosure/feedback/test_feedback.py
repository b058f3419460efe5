"""留言与纠错: a citizen's question or error report reaches the organisation's staff with the page it came
from, is answered within its working-day limit (or shown overdue), and the answer is published on the
organisation's 互动交流 page without the citizen's name or contact."""

from __future__ import annotations

import re
from datetime import date, datetime
from urllib.parse import parse_qs, urlparse

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from catalog.models import Organisation
from disclosure.core.access import Role
from disclosure.core.log import ActivityEntry
from disclosure.core.transitions import InvalidTransition
from disclosure.feedback import selectors, services
from disclosure.feedback.clock import feedback_clock
from disclosure.feedback.models import Feedback, FeedbackKind, FeedbackStatus
from disclosure.reminders import send_deadline_reminders
from tests.admin_client import client_for, messages_of
from tests.disclosure.publishing import COUNTY, TOWNSHIP, Desk
from tests.factories import make_staff

CONTACT = "13912345678"
NAME = "周慧敏"
TZ = timezone.get_default_timezone()


@pytest.fixture
def county(standard_catalog, demo_orgs):
    return demo_orgs[COUNTY]


@pytest.fixture
def staff(county):
    return {
        "editor": make_staff(county, Role.EDITOR, username="fb-editor", email="editor@qinghe.example"),
        "reviewer": make_staff(county, Role.REVIEWER, username="fb-reviewer", email="reviewer@qinghe.example"),
        "orgadmin": make_staff(county, Role.ORG_ADMIN, username="fb-orgadmin"),
        "auditor": make_staff(county, Role.AUDITOR, username="fb-auditor"),
        "outsider": make_staff(Organisation.objects.get(code=TOWNSHIP), Role.REVIEWER, username="fb-township"),
    }


def submit(county, *, kind=FeedbackKind.ERROR, text="附件链接打不开。", contact=CONTACT, name=NAME, **extra):
    return services.feedback_submit(
        organisation=county, kind=kind, subject="附件无法下载", text=text, name=name, contact=contact, **extra
    )


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=TZ)


# ----------------------------------------------------------------------------- the whole story


@pytest.mark.django_db
def test_an_error_report_from_a_record_page_is_answered_and_published_without_contact(client, county, staff):
    record = Desk(county).publish("020503", title="公租房配租结果公示")
    page = client.get(record.get_absolute_url()).content.decode()
    link = re.search(r'<a href="(/interact/new/\?kind=error[^"]+)"[^>]*>我为政府网站找错</a>', page)
    assert link, "every page's footer offers 我为政府网站找错"
    url = link.group(1).replace("&amp;", "&")
    query = parse_qs(urlparse(url).query)
    assert query["org"] == [COUNTY] and query["from"] == [record.get_absolute_url()]

    form = client.get(url).content.decode()
    assert re.search(rf'<option value="{COUNTY}" selected>', form)
    assert f'value="{record.get_absolute_url()}"' in form  # the page it came from travels with the form
    response = client.post("/interact/new/", {
        "organisation": COUNTY, "kind": "error", "subject": "附件无法下载",
        "text": f"点击附件后显示404，请核实。我的电话{CONTACT}。", "name": NAME, "contact": CONTACT,
        "page_url": record.get_absolute_url(), "homepage": "",
    })
    assert response.status_code == 302 and response["Location"] == "/interact/received/"
    receipt = client.get("/interact/received/").content.decode()
    assert "您的留言已收到" in receipt and "3个工作日内处理" in receipt
    feedback = Feedback.objects.get()
    assert feedback.page_url == record.get_absolute_url() and feedback.status == FeedbackStatus.RECEIVED

    # The organisation's staff see it on their dashboard and in their list, with the page address.
    editor = client_for(staff["editor"])
    home = editor.get("/admin/").content.decode()
    assert "待答复的留言" in home
    change = editor.get(f"/admin/disclosure/feedback/{feedback.pk}/change/").content.decode()
    assert f'href="{record.get_absolute_url()}"' in change and CONTACT in change

    # The editor answers, the reviewer publishes a restated question.
    response = editor.post(f"/admin/disclosure/feedback/{feedback.pk}/move/reply/", {"reply": "已修复附件链接，感谢指正。"})
    assert response.status_code == 302, messages_of(response)
    reviewer = client_for(staff["reviewer"])
    form = reviewer.get(f"/admin/disclosure/feedback/{feedback.pk}/move/publish/").content.decode()
    assert "139****5678" not in form or CONTACT not in form.split("公开的留言内容", 1)[1]
    response = reviewer.post(
        f"/admin/disclosure/feedback/{feedback.pk}/move/publish/", {"public_text": "点击附件后显示404，请核实。"}
    )
    assert response.status_code == 302, messages_of(response)

    public = client.get(f"/org/{COUNTY}/interact/").content.decode()
    assert "已修复附件链接，感谢指正。" in public and "点击附件后显示404，请核实。" in public
    assert CONTACT not in public and NAME not in public and "我的电话" not in public
    assert [entry.action for entry in ActivityEntry.objects.filter(subject_type="feedback").order_by("id")] == [
        "submit", "reply", "publish",
    ]


@pytest.mark.django_db
def test_the_publish_form_starts_from_a_masked_text_and_refuses_personal_data(county, staff):
    feedback = submit(county, kind=FeedbackKind.QUESTION, text=f"{NAME}的身份证110101199003071233，电话{CONTACT}。")
    services.feedback_reply(user=staff["editor"], feedback=feedback, reply="请携带材料到窗口办理。")
    reviewer = client_for(staff["reviewer"])
    url = f"/admin/disclosure/feedback/{feedback.pk}/move/publish/"
    form = reviewer.get(url).content.decode()
    start = form.split('name="public_text"', 1)[1].split("</textarea>", 1)[0]
    assert "110101199003071233" not in start and CONTACT not in start and NAME not in start
    assert "1101**********1233" in start
    response = reviewer.post(url, {"public_text": "身份证110101199003071233能否代办？"})
    assert response.status_code == 200  # the form again, with what is wrong
    html = response.content.decode()
    assert "身份证号码（1101**********1233）" in html and "请删除或隐去个人信息后再公开" in html
    feedback.refresh_from_db()
    assert feedback.status == FeedbackStatus.REPLIED and feedback.published_at is None


# ----------------------------------------------------------------------------- the clock


@pytest.mark.django_db
def test_reply_limits_count_working_days_across_national_day_2025(county):
    """国办发明电〔2024〕12号 (2025 holidays): 国庆节、中秋节 10月1日至8日放假调休，共8天；9月28日（周日）、
    10月11日（周六）上班. A message received on Friday 26 September 2025 (the day itself not counted):
    working days are Sun 28 Sep (1), Mon 29 (2), Tue 30 (3), Thu 9 Oct (4), Fri 10 (5), Sat 11 (6).
    An error report (3 working days) is due Tuesday 30 September, a question (5) Friday 10 October.
    Unanswered on Thursday 9 October the report is 1 working day overdue; on Saturday 11 October (a
    make-up working day) 3."""
    report = submit(county, now=at(date(2025, 9, 26)))
    question = submit(county, kind=FeedbackKind.QUESTION, now=at(date(2025, 9, 26)))
    assert feedback_clock(report, today=date(2025, 9, 30)).due_on == date(2025, 9, 30)
    assert not feedback_clock(report, today=date(2025, 9, 30)).overdue
    assert feedback_clock(question, today=date(2025, 9, 30)).due_on == date(2025, 10, 10)
    assert feedback_clock(report, today=date(2025, 10, 5)).days_late == 1  # holiday: the next working day
    assert feedback_clock(report, today=date(2025, 10, 9)).days_late == 1
    assert feedback_clock(report, today=date(2025, 10, 11)).days_late == 3
    assert not feedback_clock(question, today=date(2025, 10, 10)).overdue


@pytest.mark.django_db
def test_an_unanswered_message_turns_overdue_in_the_list_on_the_dashboard_and_by_mail(
    county, staff, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    old = submit(county, now=timezone.now() - timezone.timedelta(days=30))
    fresh = submit(county)
    editor = client_for(staff["editor"])
    listing = editor.get("/admin/disclosure/feedback/?clock=overdue").content.decode()
    assert f"/admin/disclosure/feedback/{old.pk}/change/" in listing
    assert f"/admin/disclosure/feedback/{fresh.pk}/change/" not in listing
    assert re.search(r"已逾期\d+个工作日", listing) and "已逾期0个工作日" not in listing
    home = editor.get("/admin/").content.decode()
    assert "已逾期未答复的留言" in home
    with django_capture_on_commit_callbacks(execute=True):
        outcome = send_deadline_reminders()
    sent = [notice for notice in outcome.sent if notice.source == "feedback"]
    # The old one is overdue ("after"); a 3-working-day limit is due soon from the start ("before").
    assert {(notice.subject_id, notice.notice_kind) for notice in sent} == {(old.pk, "after"), (fresh.pk, "before")}
    assert set(mail.outbox[-1].to) >= {"editor@qinghe.example"}


@pytest.mark.django_db
def test_an_assigned_handler_gets_the_reminder_alone(county, staff):
    feedback = submit(county, now=timezone.now() - timezone.timedelta(days=30))
    services.feedback_assign(user=staff["orgadmin"], feedback=feedback, handler=staff["reviewer"])
    deadlines = list(selectors.feedback_deadline_source(timezone.now()))
    assert [d.recipients for d in deadlines] == [("reviewer@qinghe.example",)]


# ----------------------------------------------------------------------------- the transition table

MOVES = {
    "assign": lambda user, f, staff: services.feedback_assign(user=user, feedback=f, handler=staff["editor"]),
    "reply": lambda user, f, staff: services.feedback_reply(user=user, feedback=f, reply="答复"),
    "publish": lambda user, f, staff: services.feedback_publish(user=user, feedback=f, public_text="问题"),
    "unpublish": lambda user, f, staff: services.feedback_unpublish(user=user, feedback=f, comment="内容有误"),
    "dismiss": lambda user, f, staff: services.feedback_dismiss(user=user, feedback=f, comment="广告"),
}
# Written down from the workflow's docstring, not read from the table.
ALLOWED_FROM = {
    "assign": {"received"}, "reply": {"received"}, "publish": {"replied"}, "unpublish": {"published"},
    "dismiss": {"received"},
}
TARGET = {"assign": "received", "reply": "replied", "publish": "published", "unpublish": "replied",
          "dismiss": "dismissed"}
OWNER = {"assign": "editor", "reply": "editor", "publish": "reviewer", "unpublish": "orgadmin", "dismiss": "editor"}


def bring_to(county, staff, state: str) -> Feedback:
    feedback = submit(county, text="留言内容")
    if state in ("replied", "published"):
        feedback = services.feedback_reply(user=staff["editor"], feedback=feedback, reply="答复")
    if state == "published":
        feedback = services.feedback_publish(user=staff["reviewer"], feedback=feedback, public_text="问题")
    if state == "dismissed":
        feedback = services.feedback_dismiss(user=staff["editor"], feedback=feedback, comment="广告")
    return feedback


def log_count(feedback) -> int:
    return ActivityEntry.objects.filter(subject_type="feedback", subject_id=feedback.pk).count()


@pytest.mark.django_db
@pytest.mark.parametrize("move", MOVES)
@pytest.mark.parametrize("state", ["received", "replied", "published", "dismissed"])
def test_each_move_from_each_state(county, staff, move, state):
    feedback = bring_to(county, staff, state)
    before = log_count(feedback)
    if state in ALLOWED_FROM[move]:
        moved = MOVES[move](staff[OWNER[move]], feedback, staff)
        assert moved.status == TARGET[move]
        entry = ActivityEntry.objects.filter(subject_type="feedback", subject_id=feedback.pk).latest("id")
        assert (entry.action, entry.from_status, entry.to_status) == (move, state, TARGET[move])
        assert log_count(feedback) == before + 1
    else:
        with pytest.raises(InvalidTransition):
            MOVES[move](staff[OWNER[move]], feedback, staff)
        feedback.refresh_from_db()
        assert feedback.status == state and log_count(feedback) == before


@pytest.mark.django_db
@pytest.mark.parametrize("move,state,who", [
    ("reply", "received", "auditor"), ("reply", "received", "outsider"), ("dismiss", "received", "auditor"),
    ("assign", "received", "outsider"), ("publish", "replied", "editor"), ("publish", "replied", "auditor"),
    ("unpublish", "published", "editor"), ("publish", "replied", "outsider"),
])
def test_the_wrong_user_is_refused_and_nothing_is_written(county, staff, move, state, who):
    feedback = bring_to(county, staff, state)
    before = log_count(feedback)
    with pytest.raises(PermissionDenied):
        MOVES[move](staff[who], feedback, staff)
    feedback.refresh_from_db()
    assert feedback.status == state and log_count(feedback) == before


@pytest.mark.django_db
def test_refusals_for_bad_input_write_nothing(county, staff):
    feedback = bring_to(county, staff, "received")
    for call in (
        lambda: services.feedback_reply(user=staff["editor"], feedback=feedback, reply="  "),
        lambda: services.feedback_dismiss(user=staff["editor"], feedback=feedback, comment=""),
        lambda: services.feedback_assign(user=staff["editor"], feedback=feedback, handler=staff["outsider"]),
    ):
        with pytest.raises(ValidationError):
            call()
    feedback.refresh_from_db()
    assert feedback.status == "received" and feedback.handler is None and log_count(feedback) == 1


@pytest.mark.django_db
def test_an_answer_to_an_email_address_is_mailed(county, staff, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    feedback = submit(county, kind=FeedbackKind.QUESTION, contact="zhou@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        services.feedback_reply(user=staff["editor"], feedback=feedback, reply="可以网上申请。")
    assert [message.to for message in mail.outbox] == [["zhou@example.com"]]
    assert "可以网上申请。" in mail.outbox[0].body


# ----------------------------------------------------------------------------- the admin, as each role


@pytest.mark.django_db
def test_every_move_form_posted_as_its_role(county, staff):
    feedback = bring_to(county, staff, "received")
    base = f"/admin/disclosure/feedback/{feedback.pk}/move"
    orgadmin, editor, reviewer = (client_for(staff[k]) for k in ("orgadmin", "editor", "reviewer"))
    assert orgadmin.post(f"{base}/assign/", {"handler": staff["editor"].pk}).status_code == 302
    assert editor.post(f"{base}/reply/", {"reply": "已答复。"}).status_code == 302
    assert reviewer.post(f"{base}/publish/", {"public_text": "问题"}).status_code == 302
    assert orgadmin.post(f"{base}/unpublish/", {"comment": "答复需更新"}).status_code == 302
    other = bring_to(county, staff, "received")
    assert editor.post(f"/admin/disclosure/feedback/{other.pk}/move/dismiss/", {"comment": "广告"}).status_code == 302
    feedback.refresh_from_db()
    other.refresh_from_db()
    assert (feedback.status, feedback.handler, other.status) == ("replied", staff["editor"], "dismissed")
    # A form with a mistake comes back with the message in Chinese, nothing done.
    third = bring_to(county, staff, "received")
    response = editor.post(f"/admin/disclosure/feedback/{third.pk}/move/dismiss/", {"comment": ""})
    assert response.status_code == 200 and "请填写理由" in response.content.decode()


@pytest.mark.django_db
def test_auditors_read_with_the_contact_masked_and_cannot_act(county, staff):
    feedback = bring_to(county, staff, "received")
    auditor = client_for(staff["auditor"])
    html = auditor.get(f"/admin/disclosure/feedback/{feedback.pk}/change/").content.decode()
    assert CONTACT not in html and "139****5678" in html and NAME not in html
    assert "/move/" not in html
    assert auditor.get(f"/admin/disclosure/feedback/{feedback.pk}/move/reply/").status_code == 403
    assert auditor.get("/admin/disclosure/feedback/add/").status_code in (403, 404)
    outsider = client_for(staff["outsider"])
    assert outsider.get(f"/admin/disclosure/feedback/{feedback.pk}/change/").status_code in (302, 404)


# ----------------------------------------------------------------------------- the public form


@pytest.mark.django_db
def test_public_form_checks_in_chinese(client, county):
    def post(**data):
        fields = {"organisation": COUNTY, "kind": "question", "subject": "咨询", "text": "请问如何申请？",
                  "name": "", "contact": "", "page_url": "", "homepage": ""}
        return client.post("/interact/new/", {**fields, **data})

    response = post()
    assert response.status_code == 400 and "咨询需要答复，请填写联系电话或电子邮箱" in response.content.decode()
    response = post(contact="abc")
    assert response.status_code == 400 and "请填写有效的电话号码" in response.content.decode()
    response = post(organisation="\x00")
    assert response.status_code == 400
    assert post(kind="error", page_url="https://evil.example/").status_code == 302  # anonymous error report
    assert Feedback.objects.get().page_url == ""  # only a page of this site is kept
    assert post(kind="error", homepage="http://spam").status_code == 400  # the honeypot
    assert Feedback.objects.count() == 1


@pytest.mark.django_db
def test_public_form_is_rate_limited(client, county):
    data = {"organisation": COUNTY, "kind": "error", "subject": "错字", "text": "第二段有错字。", "homepage": ""}
    codes = [client.post("/interact/new/", data).status_code for _ in range(6)]
    assert codes == [302] * 5 + [429]
    assert Feedback.objects.count() == 5


# ----------------------------------------------------------------------------- the leak world


@pytest.mark.django_db
def test_only_published_answers_reach_the_public(client, county, staff):
    """Messages in every state, one of a switched-off township: the 互动 pages show exactly the published
    one, with neither the name, the contact nor the original wording of any message."""
    world = {state: bring_to(county, staff, state) for state in ("received", "replied", "published", "dismissed")}
    unpublished = bring_to(county, staff, "published")
    services.feedback_unpublish(user=staff["reviewer"], feedback=unpublished, comment="撤下")
    township = Organisation.objects.get(code="419901002")
    closed = submit(township, text="镇里的留言")
    tstaff = make_staff(township, Role.EDITOR, Role.REVIEWER, username="fb-closed")
    services.feedback_reply(user=tstaff, feedback=closed, reply="镇里的答复")
    services.feedback_publish(user=make_staff(township, Role.ORG_ADMIN, username="fb-closed-admin"),
                              feedback=closed, public_text="镇里的问题")
    Organisation.objects.filter(code="419901002").update(is_active=False)

    assert set(selectors.public_feedback()) == {world["published"]}
    html = client.get(f"/org/{COUNTY}/interact/").content.decode()
    assert html.count('id="feedback-') == 1 and f'id="feedback-{world["published"].pk}"' in html
    assert CONTACT not in html and NAME not in html and "留言内容" not in html.split("<main", 1)[1]
    assert client.get("/org/419901002/interact/").status_code == 404
    assert client.get("/org/%00/interact/").status_code in (400, 404)
    for url in ("/", f"/org/{COUNTY}/", "/search/?q=镇里", "/feed/rss/", "/sitemap.xml"):
        text = client.get(url).content.decode()
        assert "镇里的" not in text and CONTACT not in text, url

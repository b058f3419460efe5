"""While a year's holidays are not entered, reply deadlines are provisional (预计), never "无法计算";
entering the year makes them final everywhere at once, because nothing is stored.

The fixture: an online application received Sunday 2026-12-20, while 2027 is neither built into
chinesecalendar (it stops at 2026) nor entered. Counted by hand: a Sunday application counts as received
on Monday 2026-12-21 (clock.py); the 20 working days are then 22–25 Dec = 1–4, 28–31 Dec = 5–8 (the 2026
notice has no holiday or make-up day after 4 October), and, 2027 counted on weekends only, Friday
1 Jan = 9, 4–8 Jan = 10–14, 11–15 Jan = 15–19, Monday 18 Jan = 20: provisional due date 2027-01-18.

Then 2027 is entered with one line, ``元旦：1月1日（周五）至3日（周日）放假，共3天。`` — a test fixture
written in the notice's form, not the State Council's 2027 notice (not in the reference material). With
1 January a day off, day 9 becomes Monday 4 Jan and day 20 Tuesday 2027-01-19: the final due date.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.test import RequestFactory
from django.urls import reverse

from disclosure.applications import services, views
from disclosure.applications.clock import application_clock
from disclosure.applications.models import Application
from disclosure.core.calendar_notice import enter_year, parse_notice
from disclosure.core.models import DeadlineNotice
from disclosure.core.workdays import library_covers
from disclosure.reminders import send_deadline_reminders
from tests.disclosure.applications.world import PERSON, make_desk
from tests.factories import UserFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOTICE_2027_FIXTURE = "一、元旦：1月1日（周五）至3日（周日）放假，共3天。"
PROVISIONAL_DUE = date(2027, 1, 18)
FINAL_DUE = date(2027, 1, 19)


@pytest.fixture
def desk(county):
    return make_desk(county)


@pytest.fixture
def application(desk) -> Application:
    assert library_covers(2026) and not library_covers(2027)
    return services.application_submit(
        organisation=desk.organisation, submitted_at=datetime(2026, 12, 20, 10, 30, tzinfo=SHANGHAI), **PERSON
    )


def enter_2027():
    enter_year(parse_notice(2027, NOTICE_2027_FIXTURE), note="测试用通知")


def receipt_html(client, application) -> str:
    """The receipt as the applicant's browser sees it after submitting (the signed cookie the apply view
    sets, then the receipt page)."""
    request = RequestFactory().post(reverse("disclosure:application_apply"))
    redirect = views._receipt_redirect(request, application)
    client.cookies[views.RECEIPT_COOKIE] = redirect.cookies[views.RECEIPT_COOKIE].value
    response = client.get(reverse("disclosure:application_receipt"))
    assert response.status_code == 200
    return response.content.decode()


def status_html(client, application) -> str:
    response = client.post(
        reverse("disclosure:application_status"), {"code": application.tracking_code, "homepage": ""}
    )
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_the_clock_gives_a_provisional_date_then_the_final_one(application):
    clock = application_clock(application, today=date(2026, 12, 21))
    assert clock.due_on == PROVISIONAL_DUE and clock.provisional and clock.unknown_years == (2027,)
    assert clock.due_text == "2027年1月18日（预计）"
    assert "2027年法定节假日安排尚未公布" in clock.note and "国务院办公厅公布放假安排后" in clock.note
    enter_2027()
    final = application_clock(Application.objects.get(pk=application.pk), today=date(2026, 12, 21))
    assert final.due_on == FINAL_DUE and not final.provisional and final.note == ""
    assert final.due_text == "2027年1月19日"


@pytest.mark.django_db
def test_receipt_and_status_page_show_the_provisional_date_marked_then_the_final_one(client, application):
    """The citizen sees 2027年1月18日（预计） and the note on the receipt and on the status page, never
    "无法计算"; after 2027 is entered, both show 2027年1月19日 without the mark (the receipt recomputes it)."""
    for html in (receipt_html(client, application), status_html(client, application)):
        assert "2027年1月18日（预计）" in html
        assert "国务院办公厅公布放假安排后以正式日期为准" in html
        assert "无法计算" not in html
    enter_2027()
    for html in (receipt_html(client, application), status_html(client, application)):
        assert "2027年1月19日" in html and "预计" not in html and "无法计算" not in html


@pytest.mark.django_db
def test_the_admin_list_and_page_show_the_provisional_date(client, desk, application):
    client.force_login(desk.handler)
    listing = client.get(reverse("admin:disclosure_application_changelist")).content.decode()
    assert "2027年1月18日（预计）" in listing
    page = client.get(reverse("admin:disclosure_application_change", args=[application.pk])).content.decode()
    assert "2027年1月18日（预计）" in page and "请管理员按通知录入" in page


@pytest.mark.django_db
def test_the_reminder_job_uses_the_provisional_date_then_the_final_one(desk, application, django_capture_on_commit_callbacks):
    """"Due soon" starts 3 working days before the due date (core.deadlines.DUE_SOON_WORKING_DAYS): for the
    provisional 2027-01-18 that is Wednesday 2027-01-13 (15, 14, 13 Jan counted back, weekends only), so
    the job run on 13 January reminds the handler of 2027-01-18. After 2027 is entered the date is
    2027-01-19; its reminder is its own (new deadline kind), due from Thursday 14 January."""
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        early = send_deadline_reminders(now=datetime(2027, 1, 12, 9, 0, tzinfo=SHANGHAI))
    assert not [n for n in early.sent if n.source == "application"]
    with django_capture_on_commit_callbacks(execute=True):
        outcome = send_deadline_reminders(now=datetime(2027, 1, 13, 9, 0, tzinfo=SHANGHAI))
    (notice,) = [n for n in outcome.sent if n.source == "application"]
    assert notice.deadline_kind == "reply:2027-01-18" and notice.notice_kind == "before"
    assert notice.recipients == "handler@qinghe.example"
    assert "预计" in mail.outbox[-1].subject and PERSON["name"] not in mail.outbox[-1].body

    enter_2027()
    with django_capture_on_commit_callbacks(execute=True):
        outcome = send_deadline_reminders(now=datetime(2027, 1, 14, 9, 0, tzinfo=SHANGHAI))
    (notice,) = [n for n in outcome.sent if n.source == "application"]
    assert notice.deadline_kind == "reply:2027-01-19" and notice.notice_kind == "before"
    assert "预计" not in mail.outbox[-1].subject
    assert DeadlineNotice.objects.filter(source="application", subject_id=application.pk).count() == 2


@pytest.mark.django_db
def test_entering_the_year_through_the_admin_form_changes_the_date_at_once(client, application):
    """The calendar entry form (posted by a system administrator, who owns the calendar) confirms 2027;
    the very next status lookup shows the final date."""
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = reverse("admin:disclosure_calendaryear_enter_notice")
    saved = client.post(url, {"year": 2027, "notice": NOTICE_2027_FIXTURE, "note": "测试", "confirm": "1"})
    assert saved.status_code == 302
    client.logout()
    html = status_html(client, application)
    assert "2027年1月19日" in html and "预计" not in html

"""The admin home reminds staff, from 1 November, that next year's holiday schedule is not entered yet
(chinesecalendar ends at 2026; every December the next year must be entered from the State Council
notice), and always when the current year's is missing."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib import admin
from django.test import RequestFactory

from disclosure.core.calendar_notice import enter_year, parse_notice
from disclosure.dashboard.todo import todo_panel
from tests.factories import UserFactory, make_staff

SHANGHAI = ZoneInfo("Asia/Shanghai")


def rows_for(user, now):
    request = RequestFactory().get("/admin/")
    request.user = user
    panel = todo_panel(user, admin.site.get_app_list(request), now=now)
    return [(row.label, row.status, row.url) for section in panel.sections for row in section.rows]


@pytest.mark.django_db
def test_from_november_next_year_missing_is_a_reminder_with_the_entry_link():
    """On 2026-11-02 the superuser sees '2027年法定节假日安排尚未录入' linking to the notice entry; on
    2026-10-30 nothing is said yet; once 2027 is entered the reminder is gone."""
    superuser = UserFactory(is_superuser=True)
    october = rows_for(superuser, datetime(2026, 10, 30, 10, tzinfo=SHANGHAI))
    assert not [row for row in october if "节假日" in row[0]]
    november = rows_for(superuser, datetime(2026, 11, 2, 10, tzinfo=SHANGHAI))
    assert ("2027年法定节假日安排尚未录入", "未录入", "/admin/disclosure/calendaryear/notice/") in november
    enter_year(parse_notice(2027, "元旦：1月1日至1月1日放假，共1天。"))
    assert not [row for row in rows_for(superuser, datetime(2026, 11, 2, 10, tzinfo=SHANGHAI)) if "节假日" in row[0]]


@pytest.mark.django_db
def test_staff_without_the_calendar_screen_are_told_to_ask_the_administrator(county):
    """A reviewer cannot enter the calendar: the reminder has no link and says who can."""
    reviewer = make_staff(county, "审核员")
    rows = rows_for(reviewer, datetime(2026, 12, 6, 10, tzinfo=SHANGHAI))
    assert ("2027年法定节假日安排尚未录入", "未录入", "") in rows

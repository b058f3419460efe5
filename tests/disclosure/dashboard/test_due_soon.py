""""Due soon" is one definition (disclosure.core.deadlines.DUE_SOON_WORKING_DAYS): the to-do panel lists an
application as due soon on exactly the days the reminder e-mail's "before" notice is due, across weekends
and holidays.

Dates from the State Council's notice on the 2026 holidays (国务院办公厅关于2026年部分节假日安排的通知,
November 2025), as disclosure/core/workdays.py carries them: 中秋节 Friday 25 to Sunday 27 September off;
国庆节 1 to 7 October off, Sunday 20 September and Saturday 10 October make-up working days.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib import admin
from django.test import RequestFactory

from disclosure.applications import selectors, services
from disclosure.applications.clock import application_clock
from disclosure.core.access import Role
from disclosure.core.deadlines import DUE_SOON_WORKING_DAYS, due_soon_from, due_soon_horizon, notice_due
from disclosure.core.models import NoticeKind
from disclosure.dashboard.todo import todo_panel
from tests.factories import make_staff

SHANGHAI = ZoneInfo("Asia/Shanghai")
SOON_ROW = "3个工作日内到期的申请"
OVERDUE_ROW = "已逾期未答复的申请"
PERSON = {
    "applicant_type": "natural_person",
    "name": "王某某",
    "id_type": "resident_id",
    "id_number": "11010519491231002X",
    "phone": "13800000000",
    "description": "请公开2026年度公租房配租对象名单",
    "delivery_form": "email",
    "obtain_method": "email",
}
# Received Friday 4 September 2026. Its 20 working days: 7–11 Sept are days 1–5, 14–18 Sept 6–10,
# Sunday 20 Sept (make-up) 11, 21–24 Sept 12–15 (25–27 Sept off), 28–30 Sept 16–18, 1–7 Oct off,
# Thursday 8 Oct 19, Friday 9 Oct 20: due Friday 2026-10-09, overdue from Saturday 10 October.
RECEIVED = date(2026, 9, 4)
DUE = date(2026, 10, 9)
# Three working days before the due date, counting back: 8 Oct (1), 30 Sept (2), 29 Sept (3). From
# Tuesday 29 September on, the due date is at most three working days away: 29 Sept → 30 Sept, 8 Oct,
# 9 Oct. On Monday 28 September it is four (29, 30 Sept, 8, 9 Oct). Three calendar days, the reminder's
# old window, would have started only on 7 October, in the middle of the holiday.
SOON_FROM = date(2026, 9, 29)


@pytest.mark.django_db
def test_due_soon_is_three_working_days():
    """The one number, and its two readings on the hand-counted dates above."""
    assert DUE_SOON_WORKING_DAYS == 3
    assert due_soon_from(DUE) == SOON_FROM
    assert due_soon_horizon(date(2026, 9, 29)) == DUE
    assert due_soon_horizon(date(2026, 9, 28)) == date(2026, 10, 8)
    assert due_soon_horizon(date(2026, 10, 1)) == date(2026, 10, 10)  # a holiday: 8, 9 Oct, Saturday 10 Oct
    # Across a plain weekend: due Monday 14 September 2026 is due soon from Wednesday 9 September.
    assert due_soon_from(date(2026, 9, 14)) == date(2026, 9, 9)


@pytest.mark.django_db
def test_the_two_readings_agree_on_every_day_around_the_holidays():
    """For every due date and every day of September–October 2026: "today is on or after the warning
    day" exactly when "the due date is within the horizon of today"."""
    days = [date(2026, 9, 1) + timedelta(days=n) for n in range(61)]
    for due in days[10:]:
        start = due_soon_from(due)
        for today in days:
            assert (today >= start) == (due <= due_soon_horizon(today)), (due, today)


def panel_rows(user, now):
    request = RequestFactory().get("/admin/")
    request.user = user
    panel = todo_panel(user, admin.site.get_app_list(request), now=now)
    return {row.label: row for section in panel.sections for row in section.rows}


def reminder_for(application, now):
    (deadline,) = [d for d in selectors.application_deadline_source(now) if d.subject_id == application.pk]
    return deadline


@pytest.mark.django_db
def test_the_panel_and_the_reminder_agree_across_mid_autumn_and_national_day(demo_orgs):
    """At noon on every day from 18 September to 12 October 2026 the panel counts the application as due
    soon exactly when the reminder's "before" notice is due: from Tuesday 29 September to Friday 9
    October; from Saturday 10 October it is overdue on both. The notice is due from the first moment of
    29 September, not before."""
    county = demo_orgs["419901"]
    handler = make_staff(county, Role.EDITOR, username="handler", email="handler@qinghe.example")
    application = services.application_register(
        user=handler, organisation=county, channel="letter", received_on=RECEIVED, today=RECEIVED, **PERSON
    )
    assert application_clock(application, today=RECEIVED).due_on == DUE

    soon_days, overdue_days = [], []
    for n in range(25):
        day = date(2026, 9, 18) + timedelta(days=n)
        now = datetime(day.year, day.month, day.day, 12, 0, tzinfo=SHANGHAI)
        rows = panel_rows(handler, now)
        notice = notice_due(reminder_for(application, now), now)
        on_panel = SOON_ROW in rows and rows[SOON_ROW].count == 1
        assert on_panel == (notice == NoticeKind.BEFORE), day
        assert (OVERDUE_ROW in rows) == (notice == NoticeKind.AFTER), day
        if on_panel:
            soon_days.append(day)
        if OVERDUE_ROW in rows:
            overdue_days.append(day)
    assert soon_days == [SOON_FROM + timedelta(days=n) for n in range(11)]  # 29 Sept … 9 Oct
    assert overdue_days == [date(2026, 10, 10), date(2026, 10, 11), date(2026, 10, 12)]

    deadline = reminder_for(application, datetime(2026, 9, 20, 9, 0, tzinfo=SHANGHAI))
    assert deadline.due_at == datetime(2026, 10, 10, 0, 0, tzinfo=SHANGHAI)
    assert deadline.due_at - deadline.warn_before == datetime(2026, 9, 29, 0, 0, tzinfo=SHANGHAI)
    assert notice_due(deadline, datetime(2026, 9, 28, 23, 59, 59, tzinfo=SHANGHAI)) is None
    assert notice_due(deadline, datetime(2026, 9, 29, 0, 0, tzinfo=SHANGHAI)) == NoticeKind.BEFORE

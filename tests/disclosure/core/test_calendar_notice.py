"""Entering a year's holiday schedule as the State Council notice is written (disclosure/core/calendar_notice.py).

NOTICE_2026 is typed from 《国务院办公厅关于2026年部分节假日安排的通知》 (published November 2025), one
line per holiday as the notice prints them. It is compared with chinesecalendar's 2026 data, which was
compiled independently from the same notice: the two must agree on every day of the year.
"""

from datetime import date, timedelta

import chinese_calendar
import pytest
from django.core.management import call_command
from django.urls import reverse

from disclosure.core.calendar import CalendarDay, CalendarSource, CalendarYear, DayKind
from disclosure.core.calendar_notice import check_notice, enter_year, parse_notice, year_grid
from disclosure.core.workdays import add_working_days, is_working_day
from tests.admin_client import client_for
from tests.factories import UserFactory

NOTICE_2026 = """\
一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。
二、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，共9天。2月14日（周六）、2月28日（周六）上班。
三、清明节：4月4日（周六）至6日（周一）放假，共3天。
四、劳动节：5月1日（周五）至5日（周二）放假调休，共5天。5月9日（周六）上班。
五、端午节：6月19日（周五）至21日（周日）放假，共3天。
六、中秋节：9月25日（周五）至27日（周日）放假，共3天。
七、国庆节：10月1日（周四）至7日（周三）放假调休，共7天。9月20日（周日）、10月10日（周六）上班。
"""


def test_the_2026_notice_parses_without_problems():
    """The notice as printed passes every check: 33 days off, 6 make-up working days."""
    parsed = parse_notice(2026, NOTICE_2026)
    assert check_notice(parsed) == []
    assert len(parsed.holidays) == 3 + 9 + 3 + 5 + 3 + 3 + 7
    assert sorted(parsed.workdays) == [
        date(2026, 1, 4), date(2026, 2, 14), date(2026, 2, 28),
        date(2026, 5, 9), date(2026, 9, 20), date(2026, 10, 10),
    ]
    assert parsed.holidays[date(2026, 2, 15)] == "春节"
    assert parsed.workdays[date(2026, 9, 20)] == "国庆节"


@pytest.mark.django_db
def test_entering_the_2026_notice_reproduces_chinesecalendar_exactly():
    """Once entered, the clock (now reading only the entered rows) agrees with chinesecalendar on every
    day of 2026."""
    calendar_year = enter_year(parse_notice(2026, NOTICE_2026), note="国办发明电〔2025〕7号")
    assert calendar_year.source == CalendarSource.ADMIN and calendar_year.confirmed
    day, differences = date(2026, 1, 1), []
    while day.year == 2026:
        if is_working_day(day) != chinese_calendar.is_workday(day):
            differences.append(day)
        day += timedelta(days=1)
    assert differences == []
    assert CalendarDay.objects.filter(kind=DayKind.HOLIDAY).count() == 33
    assert CalendarDay.objects.filter(kind=DayKind.WORKDAY).count() == 6


@pytest.mark.django_db
def test_a_year_entered_changes_the_due_dates_at_once():
    """2030 is not built in: counting into it fails until the notice is entered, then 20 working days
    from Friday 2030-09-27 skip the National Day week and count the make-up days.

    Hand count with the fictional 2030 notice below (国庆节 10月1日至7日放假, 9月29日（周日）、10月12日
    （周六）上班): the working days after Fri 27 Sep are 29 Sep (Sun, make-up) = 1, 30 Sep = 2,
    8–11 Oct = 3–6, 12 Oct (Sat, make-up) = 7, 14–18 Oct = 8–12, 21–25 Oct = 13–17, 28–30 Oct = 18–20
    → the 20th is Wed 30 Oct 2030.
    """
    from disclosure.core.workdays import CalendarUnknown

    with pytest.raises(CalendarUnknown):
        add_working_days(date(2030, 9, 27), 20)
    notice = "国庆节：10月1日（周二）至7日（周一）放假调休，共7天。9月29日（周日）、10月12日（周六）上班。"
    enter_year(parse_notice(2030, notice))
    assert add_working_days(date(2030, 9, 27), 20) == date(2030, 10, 30)


@pytest.mark.parametrize(
    "line, problem",
    [
        ("春节：2月15日至23日放假调休，共8天。", "共9天，与通知所写“共8天”不符"),
        ("劳动节：5月1日至5日放假调休，共5天。5月8日（周五）上班。", "不是周末"),
        ("元旦：1月1日（周五）至3日放假，共3天。", "通知中写的是周五"),
        ("春节：2月30日至3月2日放假，共3天。", "没有2月30日"),
        ("国庆节10月1日至7日放假", "应以“节日名称：”开头"),
        ("中秋节：9月25日起休息三天。", "没有找到“放假”"),
    ],
)
def test_mistyped_lines_are_refused_with_a_chinese_reason(line, problem):
    """Each kind of slip a clerk can make is caught before anything is saved."""
    problems = check_notice(parse_notice(2026, line))
    assert any(problem in p for p in problems), problems


@pytest.mark.django_db
def test_a_refused_notice_changes_nothing():
    """A notice with a problem raises and leaves the year's rows as they were."""
    enter_year(parse_notice(2026, NOTICE_2026))
    before = list(CalendarDay.objects.values_list("date", "kind"))
    with pytest.raises(ValueError, match="不是周末"):
        enter_year(parse_notice(2026, "劳动节：5月1日至5日放假调休，共5天。5月8日（周五）上班。"))
    assert list(CalendarDay.objects.values_list("date", "kind")) == before


def test_the_preview_shows_the_year_as_months_of_weeks():
    """The preview grid puts each day under its weekday and marks holidays and make-up days."""
    months = year_grid(parse_notice(2026, NOTICE_2026))
    assert len(months) == 12
    january = months[0]["weeks"]
    assert january[0][:3] == [None, None, None]  # 1 January 2026 is a Thursday
    assert january[0][3]["kind"] == "holiday" and january[0][6]["kind"] == "workday"  # Sun 4 Jan works
    assert all(len(week) == 7 for month in months for week in month["weeks"])


@pytest.mark.django_db
def test_the_command_reads_a_notice_file(tmp_path, capsys):
    """`manage.py enter_calendar --year 2026 FILE` enters the year; --dry-run only checks and prints."""
    notice = tmp_path / "2026.txt"
    notice.write_text(NOTICE_2026, encoding="utf-8")
    call_command("enter_calendar", "--year", "2026", "--dry-run", str(notice))
    assert not CalendarYear.objects.filter(year=2026).exists()
    assert "放假 33 天" in capsys.readouterr().out
    call_command("enter_calendar", "--year", "2026", "--note", "国办发明电〔2025〕7号", str(notice))
    assert CalendarYear.objects.get(year=2026).confirmed


@pytest.mark.django_db
def test_the_admin_form_previews_then_saves(client):
    """A superuser pastes the notice, sees the year as a calendar, and saves it with a second click."""
    client = client_for(UserFactory(is_staff=True, is_superuser=True))
    url = reverse("admin:disclosure_calendaryear_enter_notice")
    assert client.get(url).status_code == 200
    preview = client.post(url, {"year": 2026, "notice": NOTICE_2026, "note": "国办发明电〔2025〕7号"})
    assert preview.status_code == 200
    page = preview.content.decode()
    assert "春节" in page and "确认保存" in page
    assert not CalendarYear.objects.filter(year=2026).exists()
    saved = client.post(url, {"year": 2026, "notice": NOTICE_2026, "note": "国办发明电〔2025〕7号", "confirm": "1"})
    assert saved.status_code == 302
    assert CalendarYear.objects.get(year=2026).confirmed
    assert CalendarDay.objects.filter(date__year=2026).count() == 39


@pytest.mark.django_db
def test_the_admin_form_shows_problems_and_saves_nothing(client):
    """A mistyped notice comes back with its problems listed and nothing written."""
    client = client_for(UserFactory(is_staff=True, is_superuser=True))
    url = reverse("admin:disclosure_calendaryear_enter_notice")
    response = client.post(
        url, {"year": 2026, "notice": "春节：2月15日至23日放假调休，共8天。", "note": "", "confirm": "1"}
    )
    assert response.status_code == 200
    assert "不符" in response.content.decode()
    assert not CalendarDay.objects.exists()

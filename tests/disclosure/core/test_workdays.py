"""The working-day clock (disclosure/workdays.py), with hand-computed dates from the official schedules."""

from datetime import date, timedelta

import pytest
from django.core.management import CommandError, call_command

from disclosure.core import workdays
from disclosure.core.calendar import CalendarDay, CalendarSource, CalendarYear, DayKind
from disclosure.core.workdays import (
    CalendarUnknown,
    add_working_days,
    is_working_day,
    working_days_between,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache():
    # A rolled-back test transaction sends no post_delete, so a year cached in one test would
    # otherwise leak its rows into the next.
    workdays.clear_cache()
    yield
    workdays.clear_cache()


def admin_year(year: int, days: dict[date, str]) -> None:
    CalendarYear.objects.create(year=year, source=CalendarSource.ADMIN, confirmed=True)
    for d, kind in days.items():
        CalendarDay.objects.create(date=d, kind=kind, name="测试")


def test_national_day_2024_statutory_example():
    """20 working days after Friday 2024-09-27 end on Wednesday 2024-10-30.

    Sunday 29 Sept is make-up day 1, Monday 30 Sept day 2, 1–7 Oct are holidays, 8–11 Oct days
    3–6, Saturday 12 Oct (make-up) day 7, then 14–18, 21–25 and 28–30 Oct days 8–20.
    """
    assert add_working_days(date(2024, 9, 27), 20) == date(2024, 10, 30)
    assert working_days_between(date(2024, 9, 27), date(2024, 10, 30)) == 20


def test_national_day_2024_make_up_days_and_holidays():
    """Make-up weekend days count, Golden Week weekdays and ordinary weekends do not."""
    assert is_working_day(date(2024, 9, 29))  # Sunday, make-up day
    assert is_working_day(date(2024, 10, 12))  # Saturday, make-up day
    assert not is_working_day(date(2024, 10, 1))  # Tuesday, National Day
    assert not is_working_day(date(2024, 10, 7))  # Monday, last holiday
    assert not is_working_day(date(2024, 9, 28))  # ordinary Saturday
    assert not is_working_day(date(2024, 10, 13))  # ordinary Sunday
    assert add_working_days(date(2024, 9, 27), 1) == date(2024, 9, 29)
    assert add_working_days(date(2024, 9, 30), 1) == date(2024, 10, 8)
    assert add_working_days(date(2024, 10, 11), 1) == date(2024, 10, 12)


def test_spring_festival_2025():
    """Holiday 28 Jan – 4 Feb 2025; Sunday 26 Jan and Saturday 8 Feb are make-up days.

    After Friday 24 Jan: 26 Jan is day 1, 27 Jan day 2, 5–7 Feb days 3–5, 8 Feb day 6, 10 Feb day 7.
    """
    assert is_working_day(date(2025, 1, 26))
    assert is_working_day(date(2025, 2, 8))
    assert not is_working_day(date(2025, 1, 28))
    assert not is_working_day(date(2025, 2, 4))
    assert add_working_days(date(2025, 1, 24), 1) == date(2025, 1, 26)
    assert add_working_days(date(2025, 1, 24), 3) == date(2025, 2, 5)
    assert add_working_days(date(2025, 1, 24), 7) == date(2025, 2, 10)
    assert working_days_between(date(2025, 1, 24), date(2025, 2, 10)) == 7
    assert working_days_between(date(2025, 1, 27), date(2025, 2, 4)) == 0


def test_plain_weekend():
    """In a month without holidays (March 2024) only the weekend is skipped."""
    assert not is_working_day(date(2024, 3, 9))
    assert not is_working_day(date(2024, 3, 10))
    assert add_working_days(date(2024, 3, 8), 1) == date(2024, 3, 11)  # Friday → Monday
    assert add_working_days(date(2024, 3, 9), 1) == date(2024, 3, 11)  # Saturday → Monday
    assert add_working_days(date(2024, 3, 11), 5) == date(2024, 3, 18)
    assert working_days_between(date(2024, 3, 8), date(2024, 3, 18)) == 6


def test_zero_days():
    """n = 0 returns the start date itself, even a holiday; no days lie between a date and itself."""
    assert add_working_days(date(2024, 10, 5), 0) == date(2024, 10, 5)
    assert working_days_between(date(2024, 10, 5), date(2024, 10, 5)) == 0


def test_negative_n_rejected():
    """Counting backwards is not defined; a negative n is a caller's error."""
    with pytest.raises(ValueError):
        add_working_days(date(2024, 3, 11), -1)


def test_between_is_inverse_of_add_and_antisymmetric():
    """For every start date from Sept 2024 to Feb 2025 and several n, between(d, add(d, n)) == n,
    and swapping the arguments flips the sign."""
    start = date(2024, 9, 1)
    for offset in range(180):
        d = start + timedelta(days=offset)
        for n in (0, 1, 2, 7, 15, 20, 40):
            end = add_working_days(d, n)
            assert working_days_between(d, end) == n, (d, n)
            assert working_days_between(end, d) == -n, (d, n)


def test_between_counts_day_by_day():
    """The arithmetic count equals a plain day-by-day count across a year boundary."""
    a, b = date(2024, 12, 1), date(2025, 5, 31)
    by_day = sum(is_working_day(a + timedelta(days=i)) for i in range(1, (b - a).days + 1))
    assert working_days_between(a, b) == by_day


def test_year_loads_once(django_assert_num_queries):
    """A year costs two queries the first time and none afterwards, however many dates are asked."""
    with django_assert_num_queries(2):
        add_working_days(date(2024, 1, 2), 200)
    with django_assert_num_queries(0):
        for i in range(300):
            is_working_day(date(2024, 1, 1) + timedelta(days=i))
        working_days_between(date(2024, 1, 1), date(2024, 12, 31))


def test_unknown_year_raises():
    """A year neither built in nor confirmed by an administrator raises, with the Chinese message."""
    with pytest.raises(CalendarUnknown) as excinfo:
        is_working_day(date(2031, 3, 3))
    assert excinfo.value.year == 2031
    assert str(excinfo.value) == (
        "2031年的法定节假日安排尚未录入，请管理员在后台录入国务院办公厅公布的放假安排。"
    )


def test_counting_into_unknown_year_raises():
    """The library ends with 2026; a deadline running into 2027 is not guessed."""
    with pytest.raises(CalendarUnknown):
        add_working_days(date(2026, 12, 25), 10)
    with pytest.raises(CalendarUnknown):
        working_days_between(date(2026, 12, 1), date(2027, 1, 5))


def test_unconfirmed_or_library_year_rows_do_not_make_year_known():
    """Rows for 2031 count only once a confirmed admin CalendarYear exists."""
    CalendarDay.objects.create(date=date(2031, 10, 1), kind=DayKind.HOLIDAY, name="国庆节")
    year = CalendarYear.objects.create(year=2031, source=CalendarSource.ADMIN, confirmed=False)
    with pytest.raises(CalendarUnknown):
        is_working_day(date(2031, 3, 3))
    year.source, year.confirmed = CalendarSource.LIBRARY, True
    year.save()
    with pytest.raises(CalendarUnknown):
        is_working_day(date(2031, 3, 3))


def test_admin_entered_year_becomes_known():
    """A confirmed admin year 2031: holidays 1–7 Oct, make-up Sunday 28 Sept and Saturday 11 Oct."""
    holidays = {date(2031, 10, d): DayKind.HOLIDAY for d in range(1, 8)}
    admin_year(2031, {**holidays, date(2031, 9, 28): DayKind.WORKDAY, date(2031, 10, 11): DayKind.WORKDAY})
    assert is_working_day(date(2031, 3, 3))  # ordinary Monday
    assert not is_working_day(date(2031, 3, 8))  # ordinary Saturday
    assert not is_working_day(date(2031, 10, 1))
    assert is_working_day(date(2031, 10, 11))
    assert add_working_days(date(2031, 9, 26), 1) == date(2031, 9, 28)  # Friday → make-up Sunday
    assert add_working_days(date(2031, 9, 26), 4) == date(2031, 10, 8)  # 28, 29, 30 Sept, 8 Oct
    assert working_days_between(date(2031, 9, 26), date(2031, 10, 11)) == 7  # 28–30 Sept, 8–11 Oct


def test_admin_year_replaces_library():
    """A confirmed admin year within the library range ignores the library: only its rows count."""
    admin_year(2024, {date(2024, 10, 2): DayKind.HOLIDAY})
    assert is_working_day(date(2024, 10, 1))
    assert not is_working_day(date(2024, 10, 2))
    assert not is_working_day(date(2024, 9, 29))  # library make-up Sunday no longer applies


def test_admin_row_corrects_library_day():
    """A CalendarDay row in a library year overrides that single day and leaves the rest alone."""
    CalendarDay.objects.create(date=date(2024, 10, 8), kind=DayKind.HOLIDAY, name="更正")
    assert not is_working_day(date(2024, 10, 8))
    assert add_working_days(date(2024, 9, 30), 1) == date(2024, 10, 9)
    assert is_working_day(date(2024, 10, 12))  # library make-up day still applies


def test_cache_invalidated_by_admin_edits():
    """Saving, changing and deleting rows is seen by the next call, without waiting for expiry."""
    monday = date(2024, 3, 11)
    assert is_working_day(monday)  # cached now
    row = CalendarDay.objects.create(date=monday, kind=DayKind.HOLIDAY)
    assert not is_working_day(monday)
    row.kind = DayKind.WORKDAY
    row.save()
    assert is_working_day(monday)
    row.kind = DayKind.HOLIDAY
    row.save()
    assert not is_working_day(monday)
    row.delete()
    assert is_working_day(monday)

    with pytest.raises(CalendarUnknown):
        is_working_day(date(2031, 3, 3))  # unknown is cached too
    CalendarYear.objects.create(year=2031, source=CalendarSource.ADMIN, confirmed=True)
    assert is_working_day(date(2031, 3, 3))


def test_cache_expires(monkeypatch):
    """A cached year is reloaded after CACHE_SECONDS, for changes made by other processes."""
    assert is_working_day(date(2024, 3, 11))
    CalendarDay.objects.bulk_create([CalendarDay(date=date(2024, 3, 11), kind=DayKind.HOLIDAY)])
    assert is_working_day(date(2024, 3, 11))  # bulk_create sends no signal: still cached
    monkeypatch.setattr(workdays, "_loaded_at", workdays._loaded_at - workdays.CACHE_SECONDS - 1)
    assert not is_working_day(date(2024, 3, 11))


def test_a_clear_starts_the_cache_age_again(monkeypatch):
    """A clear (a calendar change, a test's fixture) restarts CACHE_SECONDS: the clock must not drop the
    year it has just read because an older timer runs out a moment later. (The working-day table's
    "unchanged calendar costs one query" failed in CI when the old timer ran out between two calls.)"""
    monkeypatch.setattr(workdays, "_loaded_at", workdays._loaded_at - workdays.CACHE_SECONDS - 1)
    workdays.clear_cache()
    generation = workdays.generation
    workdays.expire_cache()
    assert workdays.generation == generation


def test_calendar_status_command(capsys):
    """calendar_status names each year's source and fails when one is unknown."""
    call_command("calendar_status", "2025", "2026")
    assert capsys.readouterr().out.splitlines() == ["2025年：内置日历", "2026年：内置日历"]

    with pytest.raises(CommandError, match="2031年的法定节假日安排尚未录入"):
        call_command("calendar_status", "2025", "2031")
    assert "2031年：未录入" in capsys.readouterr().out

    CalendarYear.objects.create(year=2031, source=CalendarSource.ADMIN, confirmed=True)
    call_command("calendar_status", "2031")
    assert capsys.readouterr().out.strip() == "2031年：管理员录入"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "due, day, late",
    [
        # Due Friday 2026-09-18; Saturday 19th: the next working day is Sunday 20 Sept, a make-up day
        # of the National Day holiday (2026 notice) → late by 1.
        (date(2026, 9, 18), date(2026, 9, 19), 1),
        # Due Wednesday 2026-09-30; 1–7 Oct are off: on 3 Oct the next working day is Thursday 8 Oct → 1.
        (date(2026, 9, 30), date(2026, 10, 3), 1),
        # Same due date, Friday 9 Oct: 8 and 9 Oct → 2.
        (date(2026, 9, 30), date(2026, 10, 9), 2),
        # Not past the deadline: 0.
        (date(2026, 9, 30), date(2026, 9, 30), 0),
        (date(2026, 9, 30), date(2026, 9, 1), 0),
    ],
)
def test_working_days_late_is_never_zero_once_past_the_deadline(due, day, late):
    """Overdue or late is counted in working days up to the next working day, so it is never 0 once
    the deadline has passed (hand-counted on the 2026 calendar)."""
    from disclosure.core.workdays import working_days_late

    assert working_days_late(due, day) == late

"""The working-day calendar as a table (disclosure/core/workday_table.py) against the official schedules.

The expected days are typed by hand from the State Council notices, never taken from the code:

- 2025: 《国务院办公厅关于2025年部分节假日安排的通知》(国办发明电〔2024〕12号);
- 2026: 《国务院办公厅关于2026年部分节假日安排的通知》(国办发明电〔2025〕7号), the notice typed as
  NOTICE_2026 in tests/disclosure/core/test_calendar_notice.py.

Every day of 2025–2026 is checked: whether it is a working day, and its ordinal (the working days
counted by hand from 31 Dec 2024), in the table and in the Python clock alike.
"""

from datetime import date, timedelta

import pytest

from disclosure.core import workday_table, workdays
from disclosure.core.calendar import CalendarDay, CalendarSource, CalendarYear, DayKind, WorkingDay
from disclosure.core.workday_table import ensure_working_day_table
from disclosure.core.workdays import add_working_days, is_working_day, working_days_between

pytestmark = pytest.mark.django_db


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(n) for n in range((last - first).days + 1)]


# 国办发明电〔2024〕12号: 元旦 1 Jan; 春节 28 Jan–4 Feb (make-up Sun 26 Jan, Sat 8 Feb); 清明 4–6 Apr;
# 劳动节 1–5 May (make-up Sun 27 Apr); 端午 31 May–2 Jun; 国庆节、中秋节 1–8 Oct (make-up Sun 28 Sep,
# Sat 11 Oct).
HOLIDAYS_2025 = (
    [date(2025, 1, 1)]
    + days(date(2025, 1, 28), date(2025, 2, 4))
    + days(date(2025, 4, 4), date(2025, 4, 6))
    + days(date(2025, 5, 1), date(2025, 5, 5))
    + days(date(2025, 5, 31), date(2025, 6, 2))
    + days(date(2025, 10, 1), date(2025, 10, 8))
)
MAKE_UP_2025 = [date(2025, 1, 26), date(2025, 2, 8), date(2025, 4, 27), date(2025, 9, 28), date(2025, 10, 11)]
# 国办发明电〔2025〕7号: 元旦 1–3 Jan (make-up Sun 4 Jan); 春节 15–23 Feb (make-up Sat 14 Feb, Sat 28 Feb);
# 清明 4–6 Apr; 劳动节 1–5 May (make-up Sat 9 May); 端午 19–21 Jun; 中秋 25–27 Sep; 国庆 1–7 Oct
# (make-up Sun 20 Sep, Sat 10 Oct).
HOLIDAYS_2026 = (
    days(date(2026, 1, 1), date(2026, 1, 3))
    + days(date(2026, 2, 15), date(2026, 2, 23))
    + days(date(2026, 4, 4), date(2026, 4, 6))
    + days(date(2026, 5, 1), date(2026, 5, 5))
    + days(date(2026, 6, 19), date(2026, 6, 21))
    + days(date(2026, 9, 25), date(2026, 9, 27))
    + days(date(2026, 10, 1), date(2026, 10, 7))
)
MAKE_UP_2026 = [
    date(2026, 1, 4), date(2026, 2, 14), date(2026, 2, 28), date(2026, 5, 9), date(2026, 9, 20), date(2026, 10, 10),
]
HOLIDAYS = set(HOLIDAYS_2025 + HOLIDAYS_2026)
MAKE_UP = set(MAKE_UP_2025 + MAKE_UP_2026)
EVERY_DAY = days(date(2025, 1, 1), date(2026, 12, 31))


def expected_working(day: date) -> bool:
    return day in MAKE_UP or (day.weekday() < 5 and day not in HOLIDAYS)


def hand_ordinals() -> dict[date, int]:
    """Working days counted one by one from 31 Dec 2024 (exclusive) up to each day (inclusive)."""
    count, ordinals = 0, {}
    for day in EVERY_DAY:
        count += expected_working(day)
        ordinals[day] = count
    return ordinals


def hand_add(start: date, n: int) -> date:
    day = start
    while n:
        day += timedelta(1)
        n -= expected_working(day)
    return day


@pytest.fixture(autouse=True)
def fresh_cache():
    workdays.clear_cache()
    yield
    workdays.clear_cache()


def test_the_typed_notices_have_their_printed_totals():
    """2025: 28 days off (1 + 8 + 3 + 5 + 3 + 8), 5 make-up days; 2026: 33 days off, 6 make-up days."""
    assert (len(set(HOLIDAYS_2025)), len(MAKE_UP_2025)) == (28, 5)
    assert (len(set(HOLIDAYS_2026)), len(MAKE_UP_2026)) == (33, 6)


def test_every_day_of_2025_and_2026_agrees_with_the_notices_and_the_clock():
    ensure_working_day_table()
    table = {row.date: row for row in WorkingDay.objects.filter(date__range=(date(2024, 12, 31), date(2026, 12, 31)))}
    base = table[date(2024, 12, 31)].ordinal
    ordinals = hand_ordinals()
    wrong = []
    for day in EVERY_DAY:
        row = table[day]
        expected = (expected_working(day), ordinals[day])
        if (row.working, row.ordinal - base) != expected:
            wrong.append(("table", day))
        if (is_working_day(day), working_days_between(date(2024, 12, 31), day)) != expected:
            wrong.append(("clock", day))
    assert wrong == []
    assert ordinals[date(2025, 12, 31)] == 248  # 261 weekdays − 18 weekday holidays + 5 make-up days
    # One segment (2004–2026 are all built in), ending at the last working day of 2026.
    assert {row.segment for row in table.values()} == {0}
    assert table[date(2026, 12, 31)].segment_last == table[date(2026, 12, 31)].ordinal


def test_due_dates_by_ordinal_match_a_hand_count_for_every_day():
    """The n-th working day after d is the working day of ordinal(d) + n: for every day of 2025–2026
    and n = 1, 5, 20 (where the deadline stays within 2026), as counted forward by hand."""
    ensure_working_day_table()
    rows = list(WorkingDay.objects.filter(date__range=(date(2025, 1, 1), date(2026, 12, 31))).order_by("date"))
    ordinal_of = {row.date: row.ordinal for row in rows}
    working_by_ordinal = {row.ordinal: row.date for row in rows if row.working}
    wrong = []
    for day in EVERY_DAY:
        for n in (1, 5, 20):
            expected = hand_add(day, n)
            if expected.year > 2026:
                continue
            if working_by_ordinal[ordinal_of[day] + n] != expected or add_working_days(day, n) != expected:
                wrong.append((day, n))
    assert wrong == []


def test_national_day_2025_hand_count():
    """国办发明电〔2024〕12号: 20 working days from Friday 26 Sept 2025. Sun 28 Sept (make-up) is day 1,
    29–30 Sept days 2–3, 1–8 Oct off, 9–10 Oct days 4–5, Sat 11 Oct (make-up) day 6, 13–17 Oct 7–11,
    20–24 Oct 12–16, 27–30 Oct 17–20: due Thursday 30 Oct 2025."""
    ensure_working_day_table()
    start = WorkingDay.objects.get(date=date(2025, 9, 26))
    due = WorkingDay.objects.get(working=True, ordinal=start.ordinal + 20)
    assert due.date == date(2025, 10, 30)
    # Working days in (26 Sept, 12 Oct]: 28, 29, 30 Sept, 9, 10, 11 Oct = 6.
    assert WorkingDay.objects.get(date=date(2025, 10, 12)).ordinal - start.ordinal == 6


def test_spring_festival_2026_hand_count():
    """国办发明电〔2025〕7号: 5 working days from Friday 13 Feb 2026: Sat 14 Feb (make-up) day 1, 15–23 Feb
    off, 24–27 Feb days 2–5: due Friday 27 Feb."""
    ensure_working_day_table()
    start = WorkingDay.objects.get(date=date(2026, 2, 13))
    assert WorkingDay.objects.get(working=True, ordinal=start.ordinal + 5).date == date(2026, 2, 27)


def test_rebuilt_when_the_calendar_changes(django_assert_max_num_queries):
    """A correction or a newly entered year reaches the table at the next use; an unchanged calendar
    costs one query. 2030 entered by hand (2027–2029 unknown) is a segment of its own."""
    ensure_working_day_table()
    with django_assert_max_num_queries(1):
        ensure_working_day_table()
    assert WorkingDay.objects.get(date=date(2026, 12, 31)).working
    CalendarDay.objects.create(date=date(2026, 12, 31), kind=DayKind.HOLIDAY, name="测试更正")
    CalendarYear.objects.create(year=2030, source=CalendarSource.ADMIN, confirmed=True)
    CalendarDay.objects.create(date=date(2030, 10, 1), kind=DayKind.HOLIDAY, name="国庆节")
    ensure_working_day_table()
    assert not WorkingDay.objects.get(date=date(2026, 12, 31)).working
    assert not WorkingDay.objects.filter(date__year=2027).exists()
    first_2030 = WorkingDay.objects.get(date=date(2030, 1, 1))
    assert first_2030.segment == WorkingDay.objects.get(date=date(2026, 12, 30)).segment + 1
    assert not WorkingDay.objects.get(date=date(2030, 10, 1)).working  # a Tuesday, entered as holiday
    assert workday_table.library_years()[-1] == 2026

"""The working-day clock: the one place that decides whether a date is a working day (工作日).

A working day is Monday to Friday unless it is a statutory holiday (法定节假日), plus the weekend days
declared make-up working days (调休上班日). Where a year's schedule comes from, first match wins:

1. a confirmed ``admin`` CalendarYear: only the CalendarDay rows of that year (the library is ignored);
2. a year the ``chinesecalendar`` library covers: the library, with CalendarDay rows of that year
   overriding single days (corrections);
3. otherwise CalendarUnknown is raised. The clock never guesses from weekdays alone, because a
   deadline that silently ignores the Spring Festival is wrong by a week.

chinesecalendar 1.11.0 covers 2004–2026 (it raises NotImplementedError outside that range, and
for 2026 it carries the schedule published in November 2025). Later years need either a newer
library release or an administrator's entry; ``manage.py calendar_status`` shows which.

Each year's exceptions to the Monday–Friday rule are loaded once per process and kept until a
CalendarDay or CalendarYear row is saved or deleted (signals below), or for at most
CACHE_SECONDS, so that other worker processes, and queryset ``update()``/``bulk_create()``
which send no signals, catch up too.
"""

import time
from datetime import date, timedelta

import chinese_calendar
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from disclosure.core.calendar import CalendarDay, CalendarSource, CalendarYear, DayKind

CACHE_SECONDS = 300

# year -> {date: is_working_day} for the dates that differ from the Monday–Friday rule, or None
# when the year is unknown (cached too, so that thousands of calls do not each hit the database).
_exceptions: dict[int, dict[date, bool] | None] = {}
_loaded_at = 0.0
# Bumped whenever the cache above is dropped: what is derived from the calendar elsewhere (the
# WorkingDay table's signature, disclosure/core/workday_table.py) is re-read when this changes.
generation = 0


class CalendarUnknown(Exception):
    """The official holiday schedule of a year is neither built in nor entered by an administrator."""

    def __init__(self, year: int):
        self.year = year
        super().__init__(
            f"{year}年的法定节假日安排尚未录入，请管理员在后台录入国务院办公厅公布的放假安排。"
        )


def library_covers(year: int) -> bool:
    """Whether the installed chinesecalendar knows the year's schedule."""
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


def calendar_source(year: int) -> CalendarSource | None:
    """Where the clock takes the year's schedule from, or None when the year is unknown."""
    if CalendarYear.objects.filter(year=year, source=CalendarSource.ADMIN, confirmed=True).exists():
        return CalendarSource.ADMIN
    if library_covers(year):
        return CalendarSource.LIBRARY
    return None


def _load_year(year: int) -> dict[date, bool] | None:
    source = calendar_source(year)
    if source is None:
        return None
    status: dict[date, bool] = {}
    if source == CalendarSource.LIBRARY:
        status.update({d: False for d in chinese_calendar.holidays if d.year == year})
        status.update({d: True for d in chinese_calendar.workdays if d.year == year})
    rows = CalendarDay.objects.filter(date__year=year).values_list("date", "kind")
    status.update({d: kind == DayKind.WORKDAY for d, kind in rows})
    # Keep only real exceptions: a holiday on a Saturday changes nothing, and the arithmetic in
    # working_days_between relies on every entry differing from the weekday rule.
    return {d: working for d, working in status.items() if working != (d.weekday() < 5)}


def expire_cache() -> None:
    """Drop the cache once it is older than CACHE_SECONDS (every read of the clock calls this)."""
    if time.monotonic() - _loaded_at > CACHE_SECONDS:
        clear_cache()


def _year_exceptions(year: int) -> dict[date, bool]:
    expire_cache()
    if year not in _exceptions:
        _exceptions[year] = _load_year(year)
    exceptions = _exceptions[year]
    if exceptions is None:
        raise CalendarUnknown(year)
    return exceptions


def working_days_late(due: date, day: date) -> int:
    """How many working days ``day`` is past the deadline ``due`` (0 when it is not past it).

    Counted in (due, d], where d is ``day`` or, when ``day`` is not a working day, the next working
    day: the earliest moment the thing could still be done. So something due on Friday and still
    undone on Saturday is late by 1 working day (the coming Monday), never by 0.
    Raises CalendarUnknown.
    """
    if day <= due:
        return 0
    if not is_working_day(day):
        day = add_working_days(day, 1)
    return working_days_between(due, day)


def year_is_known(year: int) -> bool:
    """Whether the clock knows the year's schedule (cached like the schedule itself)."""
    try:
        _year_exceptions(year)
    except CalendarUnknown:
        return False
    return True


def clear_cache() -> None:
    """Forget every loaded year; the next call reads the database again. The cache's age counts
    from here: a clear by a calendar change (or a test) starts a new CACHE_SECONDS, so a caller that
    has just read the calendar is not made to read it again a moment later by an old timer."""
    global generation, _loaded_at
    _exceptions.clear()
    generation += 1
    _loaded_at = time.monotonic()


@receiver(post_save, sender=CalendarDay)
@receiver(post_delete, sender=CalendarDay)
@receiver(post_save, sender=CalendarYear)
@receiver(post_delete, sender=CalendarYear)
def _calendar_changed(**kwargs) -> None:
    clear_cache()
    # Again after commit: a call made meanwhile may have cached the not yet committed state.
    transaction.on_commit(clear_cache)


def is_working_day(d: date) -> bool:
    """Whether ``d`` is a working day on the official calendar. Raises CalendarUnknown."""
    return _year_exceptions(d.year).get(d, d.weekday() < 5)


def add_working_days(start: date, n: int) -> date:
    """The ``n``-th working day after ``start``: the date a time limit of n working days expires.

    The statutory reading of "within N working days of date D": D itself is not counted, whether
    or not it is a working day; counting begins the next day, and only working days count. The
    result is therefore always a working day when n ≥ 1; n = 0 returns ``start`` unchanged.
    Information formed on Friday 2024-09-27 with 20 working days: Sunday 29 Sept (make-up day) is
    day 1, Monday 30 Sept day 2, 1–7 October are holidays, 8–11 October are days 3–6, Saturday
    12 October (make-up day) is day 7, and day 20, the deadline, is Wednesday 2024-10-30.

    Raises ValueError for negative n and CalendarUnknown when counting reaches an unknown year.
    """
    if n < 0:
        raise ValueError("n must not be negative")
    current = start
    remaining = n
    while remaining:
        current += timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current


def _weekdays_through(d: date) -> int:
    # Mondays to Fridays from 0001-01-01 (a Monday, ordinal 1) up to and including d.
    weeks, rest = divmod(d.toordinal(), 7)
    return weeks * 5 + min(rest, 5)


def working_days_between(a: date, b: date) -> int:
    """The number of working days after ``a`` up to and including ``b``, i.e. in (a, b].

    Negative when b < a: ``working_days_between(a, b) == -working_days_between(b, a)``, so
    ``working_days_between(today, deadline)`` is the working days left, below zero once overdue.
    For n ≥ 0, ``working_days_between(d, add_working_days(d, n)) == n``.

    Raises CalendarUnknown when any year from a to b is unknown.
    """
    if b < a:
        return -working_days_between(b, a)
    count = _weekdays_through(b) - _weekdays_through(a)
    for year in range(a.year, b.year + 1):
        for d, working in _year_exceptions(year).items():
            if a < d <= b:
                count += 1 if working else -1
    return count


class Reckoner:
    """Counts working days, strictly or as an estimate, and remembers whether it had to estimate.

    ``Reckoner()`` is strict: it behaves exactly like the functions above and raises CalendarUnknown
    for a year whose schedule is unknown. ``Reckoner(estimate=True)`` counts such a year on weekends
    only (Monday to Friday work, no holiday, no make-up day) and records the year in
    ``unknown_years``; every result it gave is then *provisional* (预计): the deadlines the citizen
    sees while the State Council's notice for next year is not yet entered, confirmed (and perhaps
    moved) once it is. Known years are always counted on the official calendar. Nothing is stored:
    once the year is entered, the next count is final.
    """

    def __init__(self, *, estimate: bool = False):
        self.estimate = estimate
        self.unknown_years: set[int] = set()

    @property
    def provisional(self) -> bool:
        """Whether any count so far crossed a year whose schedule is unknown."""
        return bool(self.unknown_years)

    def _exceptions(self, year: int) -> dict[date, bool]:
        try:
            return _year_exceptions(year)
        except CalendarUnknown:
            if not self.estimate:
                raise
            self.unknown_years.add(year)
            return {}

    def is_working_day(self, d: date) -> bool:
        return self._exceptions(d.year).get(d, d.weekday() < 5)

    def add(self, start: date, n: int) -> date:
        """As ``add_working_days``."""
        if n < 0:
            raise ValueError("n must not be negative")
        current, remaining = start, n
        while remaining:
            current += timedelta(days=1)
            if self.is_working_day(current):
                remaining -= 1
        return current

    def between(self, a: date, b: date) -> int:
        """As ``working_days_between``: the working days in (a, b], negative when b < a."""
        if b < a:
            return -self.between(b, a)
        count = _weekdays_through(b) - _weekdays_through(a)
        for year in range(a.year, b.year + 1):
            for d, working in self._exceptions(year).items():
                if a < d <= b:
                    count += 1 if working else -1
        return count

    def late(self, due: date, day: date) -> int:
        """As ``working_days_late``: at least 1 whenever ``day`` is past ``due``, 0 otherwise."""
        if day <= due:
            return 0
        if not self.is_working_day(day):
            day = self.add(day, 1)
        return self.between(due, day)

    def back(self, end: date, n: int) -> date:
        """The working day ``n`` working days before ``end`` (the inverse of ``add`` on working days)."""
        day, remaining = end, n
        while remaining:
            day -= timedelta(days=1)
            if self.is_working_day(day):
                remaining -= 1
        return day

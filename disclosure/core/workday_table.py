"""The working-day clock as a table the database can join (WorkingDay, disclosure/core/calendar.py).

The reports count due dates and working days late for up to a million records; asking the Python
clock (disclosure/core/workdays.py) once per record is too slow, so the same calendar is written out
as one row per day of every known year, with a running working-day ordinal:

- the working days in (a, b] are ``ordinal(b) - ordinal(a)`` (``working_days_between``);
- the n-th working day after a (n ≥ 1) is the working day whose ordinal is ``ordinal(a) + n``
  (``add_working_days``);
- the next working day after a non-working day d has the ordinal ``ordinal(d) + 1``
  (``working_days_late``).

Each count holds only inside one ``segment`` (a run of consecutive known years): where a count would
cross a year nobody entered, the Python clock raises CalendarUnknown, and a query must treat rows
that leave their segment (or the table) as "ask the Python clock" instead.

The rows are built by the clock itself, year by year (``workdays._load_year``), so they agree with it
by construction. ``ensure_working_day_table()`` compares a signature of the calendar's sources (the
built-in library's version and years, the confirmed administrator years, every CalendarDay row) with
the one the table was built from, and rebuilds it when they differ: a year entered by form or
command, a corrected day, even a queryset ``update()`` that sends no signal, is in the table at the
next report. Cost when nothing changed: three small queries.
"""

from __future__ import annotations

import hashlib
from datetime import date, timedelta

import chinese_calendar
from django.db import transaction

from disclosure.core import workdays
from disclosure.core.calendar import CalendarDay, CalendarSource, CalendarYear, WorkingDay, WorkingDayTable

TABLE_ROW = 1  # the primary key of the single WorkingDayTable row
TABLE_VERSION = 2  # of the rows' layout: a change rebuilds the table
_library_years: list[int] | None = None
# (workdays.generation, known years, signature): the sources read again when the clock's cache is
# dropped (a calendar row saved or deleted, or CACHE_SECONDS passed), exactly as the clock re-reads.
_memo: tuple[int, list[int], str] | None = None


def library_years() -> list[int]:
    """The years the installed chinesecalendar covers (asked once per process: it never changes)."""
    global _library_years
    if _library_years is None:
        _library_years = [year for year in range(2000, 2101) if workdays.library_covers(year)]
    return _library_years


def _sources() -> tuple[list[int], str]:
    """(the known years, a signature of everything the table is built from): two queries."""
    admin_years = sorted(
        CalendarYear.objects.filter(source=CalendarSource.ADMIN, confirmed=True).values_list("year", flat=True)
    )
    days = list(CalendarDay.objects.order_by("date").values_list("date", "kind"))
    known = sorted(set(library_years()) | set(admin_years))
    text = repr((TABLE_VERSION, chinese_calendar.__version__, library_years(), admin_years, days))
    return known, hashlib.sha256(text.encode()).hexdigest()


def build_rows(years: list[int]) -> list[WorkingDay]:
    """Every day of the known ``years`` (ascending), numbered; two queries per year (the clock's own)."""
    rows: list[WorkingDay] = []
    ordinal, segment, previous = 0, 0, None
    firsts: list[int] = []  # index of each segment's first row
    for year in years:
        exceptions = workdays._load_year(year)
        if exceptions is None:  # unknown after all (e.g. an unconfirmed admin row): a gap
            continue
        if previous is None or year != previous + 1:
            if previous is not None:
                segment += 1
            firsts.append(len(rows))
        day = date(year, 1, 1)
        while day.year == year:
            working = exceptions.get(day, day.weekday() < 5)
            ordinal += working
            rows.append(
                WorkingDay(
                    date=day, working=working, ordinal=ordinal, segment=segment, segment_last=0,
                    month=day.year * 100 + day.month,
                )
            )
            day += timedelta(days=1)
        previous = year
    ends = firsts[1:] + [len(rows)]
    for first, end in zip(firsts, ends, strict=True):
        last = rows[end - 1].ordinal
        for row in rows[first:end]:
            row.segment_last = last
    return rows


def ensure_working_day_table() -> None:
    """Rebuild WorkingDay if the calendar changed since it was built (at most once: a concurrent
    caller waits on the row lock and then finds the table current). One query when the sources'
    signature is known to this process and matches the table's; the sources are read again (two
    queries) when the clock's own cache was dropped, and always before a rebuild."""
    global _memo
    workdays.expire_cache()
    if _memo is None or _memo[0] != workdays.generation:
        _memo = (workdays.generation, *_sources())
    _generation, years, signature = _memo
    if WorkingDayTable.objects.filter(pk=TABLE_ROW, signature=signature).exists():
        return
    years, signature = _sources()
    _memo = (workdays.generation, years, signature)
    with transaction.atomic():
        WorkingDayTable.objects.get_or_create(pk=TABLE_ROW, defaults={"signature": ""})
        state = WorkingDayTable.objects.select_for_update().get(pk=TABLE_ROW)
        if state.signature == signature:
            return
        WorkingDay.objects.all().delete()
        WorkingDay.objects.bulk_create(build_rows(years), batch_size=2000)
        state.signature = signature
        state.save()

"""Timeliness: was each record published within its catalog item's time limit, and what is overdue now?

Which records: public records, plus 主动公开 records formed but not yet published (draft, submitted,
changes requested, approved, scheduled), whose catalog node has a computable time limit
(``time_limit_trigger`` = formed and ``time_limit_days`` set). Records marked 依申请公开 or 不予公开
are never due for publication and are left out; withdrawn and superseded ones too.

- due date = add_working_days(formed_on, time_limit_days): the Nth working day after formation;
- published on time: local publication date ≤ due date; otherwise late by
  working_days_late(due, publication date) working days (never 0: a publication on the Saturday
  after a Friday deadline is late by one working day);
- not yet published: **overdue** when today is past the due date (by working_days_late(due, today)
  working days so far), otherwise **pending** (working days left);
- **unknown** when the due date reaches a year whose holiday schedule nobody has entered
  (CalendarUnknown): the row says so instead of guessing.

A revision in progress carries the formation date its editor gave it; if that was left at the
original's date, the revision shows as overdue, which is the prompt to correct it.

How: the same rules as a handful of set queries, not one Python call per record. The working-day
clock is materialised as the WorkingDay table (disclosure/core/workday_table.py: one row per day of
every known year with a running working-day ordinal), so the due date is a join on
``ordinal(formed_on) + limit`` and working days late are differences of ordinals. A row the table
cannot count exactly (it reaches a year nobody entered) is counted by the Python clock itself.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db import connection, models, transaction
from django.db.backends.utils import split_tzname_delta
from django.db.models import DateField, F, Func
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.models import CatalogNode, Organisation, TimeLimitTrigger
from disclosure.core.calendar import WorkingDay
from disclosure.core.workday_table import ensure_working_day_table
from disclosure.core.workdays import CalendarUnknown, add_working_days, working_days_between, working_days_late
from disclosure.records.models import UNPUBLISHED_STATUSES, Openness, Record, Status
from disclosure.records.selectors import public_records
from disclosure.reports.common import (
    Catalog,
    Counters,
    depth_map,
    load_catalog,
    percent,
    roll_up,
    tree_row_dicts,
)


class Timing(models.TextChoices):
    ON_TIME = "on_time", gettext_lazy("按时发布")
    LATE = "late", gettext_lazy("逾期发布")
    OVERDUE = "overdue", gettext_lazy("超期未发布")
    PENDING = "pending", gettext_lazy("未到期待发布")
    UNKNOWN = "unknown", gettext_lazy("无法计算")


def calendar_unknown_text(year: int) -> str:
    return _("无法计算：%(year)s年节假日安排未录入") % {"year": year}


@dataclass(slots=True)
class TimelinessRow:
    record_id: int
    title: str
    index_number: str
    status: str
    organisation: Organisation
    node_code: str
    node_name: str
    item_code: str
    formed_on: date
    time_limit_days: int
    due: date | None
    published_on: date | None
    timing: str
    working_days: int | None = None  # late by / overdue by / left, by timing
    note: str = ""

    @property
    def timing_label(self) -> str:
        return Timing(self.timing).label

    @property
    def status_label(self) -> str:
        return Status(self.status).label

    @property
    def month(self) -> str | None:
        return f"{self.published_on.year:04d}-{self.published_on.month:02d}" if self.published_on else None

    def as_dict(self) -> dict:
        return {
            "record": self.record_id,
            "title": self.title,
            "index_number": self.index_number,
            "status": self.status,
            "organisation": self.organisation.code,
            "organisation_name": self.organisation.name,
            "node": self.node_code,
            "node_name": self.node_name,
            "item": self.item_code,
            "formed_on": self.formed_on.isoformat(),
            "time_limit_days": self.time_limit_days,
            "due": self.due.isoformat() if self.due else None,
            "published_on": self.published_on.isoformat() if self.published_on else None,
            "timing": self.timing,
            "working_days": self.working_days,
            "note": self.note,
        }


@dataclass
class TimingTally(Counters):
    on_time: int = 0
    late: int = 0
    overdue: int = 0
    pending: int = 0
    unknown: int = 0
    late_working_days: int = 0

    @property
    def published(self) -> int:
        return self.on_time + self.late

    @property
    def on_time_rate(self) -> float | None:
        return percent(self.on_time, self.published)

    def count(self, row: TimelinessRow) -> None:
        self.bump(row.timing)
        if row.timing == Timing.LATE and row.working_days:
            self.late_working_days += row.working_days

    def as_dict(self) -> dict:
        return {
            "published": self.published,
            "on_time": self.on_time,
            "late": self.late,
            "overdue": self.overdue,
            "pending": self.pending,
            "unknown": self.unknown,
            "on_time_rate": self.on_time_rate,
            "late_working_days": self.late_working_days,
        }


@dataclass
class MonthRow(Counters):
    month: str  # "YYYY-MM"
    on_time: int = 0
    late: int = 0

    @property
    def published(self) -> int:
        return self.on_time + self.late


@dataclass
class TimelinessOrganisationRow:
    organisation: Organisation
    depth: int
    own: TimingTally = field(default_factory=TimingTally)
    total: TimingTally = field(default_factory=TimingTally)


@dataclass
class TimelinessReport:
    today: date
    rows: TimelinessRows  # read from the database when listed or exported
    organisations: list[TimelinessOrganisationRow]
    months: list[MonthRow]
    total: TimingTally
    formed_from: date | None = None
    formed_to: date | None = None

    def rows_by(self, timing: str) -> TimelinessRows:
        return self.rows.filter(timing=timing)

    def as_dict(self, *, include_rows: bool = True) -> dict:
        data = {
            "today": self.today.isoformat(),
            "formed_from": self.formed_from.isoformat() if self.formed_from else None,
            "formed_to": self.formed_to.isoformat() if self.formed_to else None,
            "total": self.total.as_dict(),
            "organisations": tree_row_dicts(self.organisations),
            "months": [
                {"month": m.month, "published": m.published, "on_time": m.on_time, "late": m.late}
                for m in self.months
            ],
        }
        if include_rows:
            data["rows"] = [row.as_dict() for row in self.rows]
        return data


def _month_range(first: str, last: str) -> list[str]:
    year, month = map(int, first.split("-"))
    end = tuple(map(int, last.split("-")))
    months = []
    while (year, month) <= end:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def timed_nodes(catalog: Catalog) -> dict[int, CatalogNode]:
    """Visible catalog nodes whose time limit counts working days from the formation date."""
    return {
        pk: node
        for pk, node in catalog.nodes.items()
        if node.time_limit_trigger == TimeLimitTrigger.FORMED and node.time_limit_days
    }


ROW_FIELDS = ("id", "title", "index_number", "status", "formed_on", "organisation_id", "node_id")
FALLBACK = "fallback"  # a row the table cannot count exactly (it leaves the known years): the Python clock counts it
FALLBACK_BY_ID = 10_000  # up to this many such rows are read again by primary key, more by a second scan
LISTED_TIMINGS = (Timing.ON_TIME, Timing.LATE, Timing.OVERDUE, Timing.PENDING, Timing.UNKNOWN)


class SessionDate(Func):
    """``published_at::date``: the date in the session's time zone. On PostgreSQL, under
    ``set_config('TimeZone', zone)`` (what ``_Source.tallies`` does around its query), the same local
    date as ``TruncDate`` (``(published_at AT TIME ZONE 'zone')::date``), several times cheaper: at a
    million records the zone named in the expression cost ~0.6 s, looked up again for every row."""

    template = "(%(expressions)s)::date"
    output_field = DateField()


def session_zone() -> str | None:
    """The zone ``TruncDate`` would name on PostgreSQL, for ``SessionDate``; None where the session
    cannot stand in for it (another database, USE_TZ off, or an offset such as "UTC+08:00", whose sign
    Django flips for AT TIME ZONE)."""
    if connection.vendor != "postgresql" or not settings.USE_TZ:
        return None
    name = timezone.get_current_timezone_name()
    return None if split_tzname_delta(name)[2] else name


def timed_records(organisation_ids: list[int], node_ids: list[int], *, formed_from=None, formed_to=None,
                  pub=None):
    """Public records plus unpublished 主动公开 records of the organisations on the given nodes, with the
    node's time limit (``days``) and the local date of publication (``pub``, by default TruncDate; the
    caller may pass SessionDate), as a values() queryset."""
    public = public_records().filter(organisation_id__in=organisation_ids)
    unpublished = Record.objects.filter(
        organisation_id__in=organisation_ids,
        status__in=UNPUBLISHED_STATUSES,
        openness=Openness.PROACTIVE,
    )
    records = (public | unpublished).filter(node_id__in=node_ids)
    if formed_from:
        records = records.filter(formed_on__gte=formed_from)
    if formed_to:
        records = records.filter(formed_on__lte=formed_to)
    pub = pub if pub is not None else TruncDate("published_at")
    return records.order_by().annotate(days=F("node__time_limit_days"), pub=pub).values(
        *ROW_FIELDS, "days", "pub"
    )


def _date_literal(day: date) -> str:
    # A date we computed (never user text; date.isoformat refuses anything else), inlined so that the
    # query needs no positional juggling of its parameters.
    text = f"'{date.isoformat(day)}'"
    return f"DATE {text}" if connection.vendor == "postgresql" else text


def _as_date(value) -> date | None:
    """SQLite returns the dates of a raw query as text."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


class _Source:
    """The classified rows of one report as SQL over the records and the WorkingDay table.

    Each row gets its due date, timing and working days from the table by two joins (the due date
    by formation date and time limit, the publication date); rows the table cannot count exactly are
    marked FALLBACK and counted by the Python clock, which then says CalendarUnknown just as before.

    Per row, at a million records, every expression counts: the local publication date is taken once
    (SessionDate under the session's time zone, not AT TIME ZONE per use) and compared through the
    joined day ``p.date`` (equal to it wherever the day is in the table), and the two joins that found
    the due date (formation day, then its ordinal plus the limit) are one join on a small derived
    table of (formation day, limit) → due day, one row per day of the table and distinct limit (read
    from the nodes' table, like each row's own limit).
    """

    def __init__(self, organisations, nodes, catalog, *, today, formed_from, formed_to):
        self.by_id = {org.pk: org for org in organisations}
        self.nodes = nodes
        self.catalog = catalog
        self.today = today
        self.today_row = WorkingDay.objects.filter(date=today).values_list(
            "ordinal", "working", "segment", "segment_last"
        ).first()
        ids, filters = (list(self.by_id), list(nodes)), {"formed_from": formed_from, "formed_to": formed_to}
        inner, inner_params = timed_records(*ids, **filters).query.sql_with_params()
        self.sql, self.params = self._classified(inner), list(inner_params)
        # The tallies run in a transaction of their own, where the session's zone can stand in for the
        # one TruncDate names (SessionDate); the rows' queries (pages, exports) keep TruncDate.
        self.zone = session_zone()
        if self.zone:
            inner, inner_params = timed_records(*ids, **filters, pub=SessionDate("published_at")).query.sql_with_params()
        self.tally_inner, self.tally_params = inner, list(inner_params)
        self.tally_sql = self._classified(inner) if self.zone else self.sql
        self._fallback: list[TimelinessRow] | None = None
        self._clock = _Clock()

    def _classified(self, inner: str) -> str:
        table = WorkingDay._meta.db_table
        today = self.today_row
        if today is None:
            segment = late_segment = -1
            ordinal = late_ordinal = 0
        else:
            ordinal, working, segment, last = today
            # Overdue on a day off counts up to the next working day, which must lie in the same run.
            late_ordinal = ordinal if working else ordinal + 1
            late_segment = segment if (working or ordinal < last) else -1
        today_literal = _date_literal(self.today)
        published = f"'{Status.PUBLISHED.value}'"
        nodes = CatalogNode._meta.db_table
        return f"""
            SELECT r.id, r.title, r.index_number, r.status, r.formed_on, r.organisation_id, r.node_id,
                   r.days,
                   CASE WHEN r.status = {published} THEN r.pub END AS published_on,
                   d.date AS due,
                   p.month AS month,
                   CASE
                     WHEN d.date IS NULL THEN '{FALLBACK}'
                     WHEN r.status = {published} THEN
                       CASE WHEN p.date <= d.date THEN '{Timing.ON_TIME.value}'
                            WHEN p.date IS NOT NULL AND p.segment = d.segment
                                 AND (p.working OR p.ordinal < p.segment_last) THEN '{Timing.LATE.value}'
                            ELSE '{FALLBACK}' END
                     WHEN {today_literal} > d.date THEN
                       CASE WHEN d.segment = {int(late_segment)} THEN '{Timing.OVERDUE.value}'
                            ELSE '{FALLBACK}' END
                     WHEN d.segment = {int(segment)} THEN '{Timing.PENDING.value}'
                     ELSE '{FALLBACK}'
                   END AS timing,
                   CASE
                     WHEN d.date IS NULL THEN NULL
                     WHEN r.status = {published} THEN
                       CASE WHEN p.date <= d.date THEN NULL
                            ELSE p.ordinal + (CASE WHEN p.working THEN 0 ELSE 1 END) - d.ordinal END
                     WHEN {today_literal} > d.date THEN {int(late_ordinal)} - d.ordinal
                     ELSE d.ordinal - {int(ordinal)}
                   END AS working_days
            FROM ({inner}) r
            LEFT JOIN (
                SELECT f.date AS formed, l.days, d.date, d.ordinal, d.segment
                FROM {table} f
                CROSS JOIN (SELECT DISTINCT time_limit_days AS days FROM {nodes}
                            WHERE time_limit_days IS NOT NULL) l
                JOIN {table} d ON d.working AND d.ordinal = f.ordinal + l.days AND d.segment = f.segment
            ) d ON d.formed = r.formed_on AND d.days = r.days
            LEFT JOIN {table} p ON r.status = {published} AND p.date = r.pub
        """

    def tallies(self):
        """(organisation id, timing, month or None, rows, working days late): one grouped query.

        On PostgreSQL in a transaction of its own (a savepoint in a caller's) set up by one statement:
        JIT off (compiling the expressions cost more than running them), enough work_mem for a hash
        aggregate of the ~10,000 groups instead of a sort spilled to disk, and the session time zone
        SessionDate stands in for, put back afterwards when a caller's transaction goes on."""
        sql = f"""
            SELECT c.organisation_id, c.timing,
                   CASE WHEN c.timing IN ('{Timing.ON_TIME.value}', '{Timing.LATE.value}') THEN c.month END,
                   COUNT(*),
                   SUM(CASE WHEN c.timing = '{Timing.LATE.value}' THEN c.working_days ELSE 0 END),
                   CASE WHEN c.timing = '{FALLBACK}' THEN c.id END
            FROM ({self.tally_sql}) c
            GROUP BY 1, 2, 3, 6
        """
        postgresql = connection.vendor == "postgresql"
        nested = connection.in_atomic_block
        with transaction.atomic() if postgresql else contextlib.nullcontext(), connection.cursor() as cursor:
            if postgresql:  # evaluated left to right: the zone is read before it is set
                cursor.execute(
                    "SELECT current_setting('TimeZone'), set_config('jit', 'off', true),"
                    " set_config('work_mem', '64MB', true),"
                    " set_config('TimeZone', COALESCE(%s, current_setting('TimeZone')), true)",
                    [self.zone],
                )
                previous = cursor.fetchone()[0]
            cursor.execute(sql, self.tally_params)
            tallies = cursor.fetchall()
            fallback = None
            ids = [row[5] for row in tallies if row[1] == FALLBACK]
            if ids:
                # The rows the Python clock counts (grouped one by one above), by the same SQL while the
                # zone is set: by primary key when they are few, not by a second scan of every record.
                # By id, the records' own columns suffice: the Python clock counts each of these rows
                # again (``_row``), so the working-day joins are left out, which the planner, expecting
                # a row or two, otherwise ran as a loop over the due-date table per row (~10 ms each).
                if len(ids) <= FALLBACK_BY_ID:
                    cursor.execute(self._fallback_by_id(ids), self.tally_params)
                else:
                    cursor.execute(
                        f"SELECT * FROM ({self.tally_sql}) c WHERE c.timing = '{FALLBACK}' ORDER BY c.formed_on, c.id",
                        self.tally_params,
                    )
                fallback = cursor.fetchall()
            if postgresql and nested and self.zone:
                cursor.execute("SELECT set_config('TimeZone', %s, true)", [previous])
        if fallback is not None:
            self._fallback = [self._row(values) for values in fallback]
        return [
            (org, timing, f"{month // 100:04d}-{month % 100:02d}" if month else None, count, late)
            for org, timing, month, count, late, _id in tallies
        ]

    def _fallback_by_id(self, ids: list[int]) -> str:
        """The rows with these ids (classified FALLBACK by the tallies) in the columns of ``_classified``,
        without the table's figures, which the Python clock replaces (``_Clock.count``)."""
        published = f"'{Status.PUBLISHED.value}'"
        return f"""
            SELECT r.id, r.title, r.index_number, r.status, r.formed_on, r.organisation_id, r.node_id, r.days,
                   CASE WHEN r.status = {published} THEN r.pub END AS published_on,
                   NULL AS due, NULL AS month, '{FALLBACK}' AS timing, NULL AS working_days
            FROM ({self.tally_inner}) r
            WHERE r.id IN ({', '.join(str(int(pk)) for pk in ids)})
            ORDER BY r.formed_on, r.id
        """

    def fallback_rows(self) -> list[TimelinessRow]:
        """The rows the Python clock counts (few: those reaching a year nobody entered), once (read by
        ``tallies`` already when they hold some)."""
        if self._fallback is None:
            self._fallback = list(self._rows(f"c.timing = '{FALLBACK}'", [], order="c.formed_on, c.id"))
        return self._fallback

    def _rows(self, where: str, params: list, *, order: str, limit: int | None = None, offset: int = 0,
              chunked: bool = False):
        sql = f"SELECT * FROM ({self.sql}) c WHERE {where} ORDER BY {order}"
        if limit is not None:
            sql += f" LIMIT {int(limit)} OFFSET {int(offset)}"
        with (connection.chunked_cursor() if chunked else connection.cursor()) as cursor:
            cursor.execute(sql, self.params + params)
            while batch := cursor.fetchmany(2000):
                for values in batch:
                    yield self._row(values)

    def count(self, where: str, params: list) -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM ({self.sql}) c WHERE {where}", self.params + params)
            return cursor.fetchone()[0]

    def _row(self, values) -> TimelinessRow:
        (record_id, title, index_number, status, formed_on, organisation_id, node_id, days,
         published_on, due, _month, timing, working_days) = values
        node = self.nodes[node_id]
        item = self.catalog.item_of_node.get(node_id)
        row = TimelinessRow(
            record_id=record_id,
            title=title,
            index_number=index_number,
            status=status,
            organisation=self.by_id[organisation_id],
            node_code=node.code,
            node_name=node.name,
            item_code=item.code if item else node.code,
            formed_on=_as_date(formed_on),
            time_limit_days=days,
            due=_as_date(due),
            published_on=_as_date(published_on),
            timing=timing,
            working_days=working_days,
        )
        if timing == FALLBACK:
            self._clock.count(row, self.today)
        return row


class _Clock:
    """The Python clock for the rows the table cannot count, each (date, limit) pair asked once."""

    def __init__(self):
        self.memo: dict[tuple, object] = {}

    def _ask(self, key, function, *args):
        if key not in self.memo:
            try:
                self.memo[key] = function(*args)
            except CalendarUnknown as unknown:
                self.memo[key] = unknown
        result = self.memo[key]
        if isinstance(result, CalendarUnknown):
            raise result
        return result

    def count(self, row: TimelinessRow, today: date) -> None:
        row.due, row.working_days, row.note = None, None, ""
        try:
            row.due = self._ask(("add", row.formed_on, row.time_limit_days), add_working_days,
                                row.formed_on, row.time_limit_days)
            if row.published_on is not None:
                if row.published_on <= row.due:
                    row.timing = Timing.ON_TIME
                else:
                    row.timing = Timing.LATE
                    row.working_days = self._ask(("late", row.due, row.published_on), working_days_late,
                                                 row.due, row.published_on)
            elif today > row.due:
                row.timing = Timing.OVERDUE
                row.working_days = self._ask(("late", row.due, today), working_days_late, row.due, today)
            else:
                row.timing = Timing.PENDING
                row.working_days = self._ask(("between", today, row.due), working_days_between, today, row.due)
        except CalendarUnknown as unknown:
            row.due = None
            row.timing = Timing.UNKNOWN
            row.working_days = None
            row.note = calendar_unknown_text(unknown.year)


def _sort_key(row: TimelinessRow):
    return (row.formed_on, row.record_id)


class TimelinessRows:
    """The rows of a timeliness report, read from the database as they are needed: iterate (streamed
    in batches, for exports), ``len``, slice (a page), ``filter(timing=, month=)`` and ``longest(n)``.
    Ordered by formation date and id. Rows counted by the Python clock (FALLBACK) are merged in."""

    def __init__(self, source: _Source, *, timing: str = "", month: str = ""):
        self.source, self.timing, self.month = source, timing, month

    def filter(self, *, timing: str = "", month: str = "") -> TimelinessRows:
        return TimelinessRows(self.source, timing=timing or self.timing, month=month or self.month)

    def _where(self, *, exact_only: bool) -> tuple[str, list]:
        clauses, params = [], []
        if exact_only:
            clauses.append(f"c.timing <> '{FALLBACK}'")
        if self.timing:
            clauses.append("c.timing = %s")
            params.append(str(self.timing))
        if self.month:
            # Published in that month; rows outside the table (FALLBACK) are filtered in Python.
            year, _dash, month = self.month.partition("-")
            clauses.append("c.month = %s")
            valid = len(year) == 4 and year.isdigit() and month.isdigit() and 1 <= int(month) <= 12
            params.append(int(year) * 100 + int(month) if valid else -1)
        return " AND ".join(clauses) or "1 = 1", params

    def _fallback(self) -> list[TimelinessRow]:
        return [
            row
            for row in self.source.fallback_rows()
            if (not self.timing or row.timing == self.timing) and (not self.month or row.month == self.month)
        ]

    def _exact(self, **kwargs):
        where, params = self._where(exact_only=True)
        return self.source._rows(where, params, order="c.formed_on, c.id", **kwargs)

    def __iter__(self):
        return heapq.merge(self._exact(chunked=True), self._fallback(), key=_sort_key)

    def count(self) -> int:
        where, params = self._where(exact_only=True)
        return self.source.count(where, params) + len(self._fallback())

    __len__ = count

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return list(itertools.islice(self, index, index + 1))[0]
        start, stop = index.start or 0, index.stop
        if not self._fallback():
            return list(self._exact(limit=None if stop is None else stop - start, offset=start))
        return list(itertools.islice(self, start, stop))

    def longest(self, count: int = 20) -> list[TimelinessRow]:
        """The rows late or overdue by the most working days (ties in formation order), at most ``count``."""
        where, params = self._where(exact_only=True)
        exact = self.source._rows(
            where, params, order="COALESCE(c.working_days, 0) DESC, c.formed_on, c.id", limit=count
        )
        rows = sorted(itertools.chain(exact, self._fallback()), key=_sort_key)
        return sorted(rows, key=lambda r: -(r.working_days or 0))[:count]


def timeliness_report(
    organisations: list[Organisation],
    *,
    today: date | None = None,
    formed_from: date | None = None,
    formed_to: date | None = None,
    catalog: Catalog | None = None,
) -> TimelinessReport:
    """The timeliness report for a tree-ordered list of organisations.

    Set-based: the tallies per organisation, timing and month come from ONE grouped query over the
    records joined twice to the working-day table (disclosure/core/workday_table.py); the rows
    themselves are read only when listed or exported (TimelinessRows). Queries: the catalog (one,
    unless given), the table's signature (three), today's ordinal, the tallies, and the rows the
    table cannot count (one, only when the tallies hold some); on PostgreSQL each query of the
    tallies adds its settings (one statement, and one more to put the time zone back inside a caller's
    transaction) and a savepoint.
    """
    today = today or timezone.localdate()
    catalog = catalog or load_catalog()
    ensure_working_day_table()
    source = _Source(
        organisations, timed_nodes(catalog), catalog, today=today, formed_from=formed_from, formed_to=formed_to
    )
    depths = depth_map(organisations)
    org_rows = {
        org.pk: TimelinessOrganisationRow(organisation=org, depth=depths[org.pk]) for org in organisations
    }
    months: dict[str, MonthRow] = {}

    def add_month(key: str, timing: str, count: int) -> None:
        month = months.get(key) or months.setdefault(key, MonthRow(month=key))
        setattr(month, timing, getattr(month, timing) + count)

    fallback = False
    for organisation_id, timing, month, count, late_days in source.tallies():
        if timing == FALLBACK:
            fallback = True
            continue
        own = org_rows[organisation_id].own
        setattr(own, timing, getattr(own, timing) + count)
        own.late_working_days += int(late_days or 0)
        if month:
            add_month(month, timing, count)
    if fallback:
        for row in source.fallback_rows():
            org_rows[row.organisation.pk].own.count(row)
            if row.timing in (Timing.ON_TIME, Timing.LATE):
                add_month(row.month, row.timing, 1)
    total = roll_up(organisations, org_rows, TimingTally())
    month_rows = []
    if months:
        month_rows = [months.get(m, MonthRow(month=m)) for m in _month_range(min(months), max(months))]
    return TimelinessReport(
        today=today,
        rows=TimelinessRows(source),
        organisations=[org_rows[org.pk] for org in organisations],
        months=month_rows,
        total=total,
        formed_from=formed_from,
        formed_to=formed_to,
    )

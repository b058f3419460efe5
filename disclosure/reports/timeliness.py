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
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.models import CatalogNode, Organisation, TimeLimitTrigger
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
    rows: list[TimelinessRow]
    organisations: list[TimelinessOrganisationRow]
    months: list[MonthRow]
    total: TimingTally
    formed_from: date | None = None
    formed_to: date | None = None

    def rows_by(self, timing: str) -> list[TimelinessRow]:
        return [row for row in self.rows if row.timing == timing]

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


def timed_records(organisation_ids: list[int], node_ids: list[int], *, formed_from=None, formed_to=None):
    """Public records plus unpublished 主动公开 records of the organisations on the given nodes.

    One query; values only, so that 100,000 rows cost no model instances.
    """
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
    return records.order_by("formed_on", "id").values_list(
        "id", "title", "index_number", "status", "formed_on", "published_at", "organisation_id", "node_id"
    )


def timeliness_report(
    organisations: list[Organisation],
    *,
    today: date | None = None,
    formed_from: date | None = None,
    formed_to: date | None = None,
    catalog: Catalog | None = None,
) -> TimelinessReport:
    """The timeliness report for a tree-ordered list of organisations.

    Queries: the catalog (one, unless given), the records (one), and the working-day calendar
    (a few per calendar year, once per process). Due dates are computed once per distinct
    (formation date, limit) pair.
    """
    today = today or timezone.localdate()
    catalog = catalog or load_catalog()
    by_id = {org.pk: org for org in organisations}
    due_dates: dict[tuple[date, int], date | CalendarUnknown] = {}

    def due_date(formed_on: date, days: int) -> date:
        key = (formed_on, days)
        if key not in due_dates:
            try:
                due_dates[key] = add_working_days(formed_on, days)
            except CalendarUnknown as unknown:
                due_dates[key] = unknown
        result = due_dates[key]
        if isinstance(result, CalendarUnknown):
            raise result
        return result

    between: dict[tuple[str, date, date], int] = {}

    def days_between(a: date, b: date) -> int:
        if ("between", a, b) not in between:
            between[("between", a, b)] = working_days_between(a, b)
        return between[("between", a, b)]

    def days_late(due: date, day: date) -> int:
        if ("late", due, day) not in between:
            between[("late", due, day)] = working_days_late(due, day)
        return between[("late", due, day)]

    tz = timezone.get_current_timezone()
    rows: list[TimelinessRow] = []
    nodes = timed_nodes(catalog)
    published = Status.PUBLISHED
    for (
        record_id,
        title,
        index_number,
        status,
        formed_on,
        published_at,
        organisation_id,
        node_id,
    ) in timed_records(list(by_id), list(nodes), formed_from=formed_from, formed_to=formed_to):
        node = nodes[node_id]
        days = node.time_limit_days
        item = catalog.item_of_node.get(node_id)
        # The local (Beijing) date of publication; astimezone once per row, the zone looked up once.
        published_on = published_at.astimezone(tz).date() if status == published and published_at else None
        row = TimelinessRow(
            record_id=record_id,
            title=title,
            index_number=index_number,
            status=status,
            organisation=by_id[organisation_id],
            node_code=node.code,
            node_name=node.name,
            item_code=item.code if item else node.code,
            formed_on=formed_on,
            time_limit_days=days,
            due=None,
            published_on=published_on,
            timing=Timing.UNKNOWN,
        )
        try:
            row.due = due_date(formed_on, days)
            if published_on is not None:
                if published_on <= row.due:
                    row.timing = Timing.ON_TIME
                else:
                    row.timing = Timing.LATE
                    row.working_days = days_late(row.due, published_on)
            elif today > row.due:
                row.timing = Timing.OVERDUE
                row.working_days = days_late(row.due, today)
            else:
                row.timing = Timing.PENDING
                row.working_days = days_between(today, row.due)
        except CalendarUnknown as unknown:
            row.timing = Timing.UNKNOWN
            row.working_days = None
            row.note = calendar_unknown_text(unknown.year)
        rows.append(row)

    depths = depth_map(organisations)
    org_rows = {
        org.pk: TimelinessOrganisationRow(organisation=org, depth=depths[org.pk]) for org in organisations
    }
    months: dict[str, MonthRow] = {}
    for row in rows:
        org_rows[row.organisation.pk].own.count(row)
        if row.timing in (Timing.ON_TIME, Timing.LATE):
            key = row.month
            month = months.get(key) or months.setdefault(key, MonthRow(month=key))
            month.bump(row.timing)
    total = roll_up(organisations, org_rows, TimingTally())
    month_rows = []
    if months:
        month_rows = [months.get(m, MonthRow(month=m)) for m in _month_range(min(months), max(months))]
    return TimelinessReport(
        today=today,
        rows=rows,
        organisations=[org_rows[org.pk] for org in organisations],
        months=month_rows,
        total=total,
        formed_from=formed_from,
        formed_to=formed_to,
    )

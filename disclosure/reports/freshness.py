"""Freshness: columns not updated for longer than their threshold, and blank columns.

A column is one organisation's view of one applicable 主动公开 catalog item. It is

- **blank** when it has no public record;
- **stale** when its latest public record was published more than ``threshold`` days ago;
- **fresh** otherwise.

Each column is of one kind, as the site-check indicator (政府网站与政务新媒体检查指标, 国办秘函〔2019〕19号,
norms.md) counts them:

- **news** (动态、要闻): the item's or its first-level item's name holds one of NEWS_WORDS; stale after
  NEWS_DAYS (two weeks);
- **notice** (通知公告、政策文件): the name holds one of NOTICE_WORDS (通知, 公告, 政策, 文件, 法规); stale
  after SIX_MONTHS calendar months;
- **other**: every other column that should be updated, 回应关切 and 政策解读 included (they are
  neither 动态/要闻 nor notices, whatever their names hold); stale after SIX_MONTHS calendar months.

``freshness_days`` set on the item or a node above it (catalog admin, 更新周期) overrides the
threshold, never the kind. Six months are calendar months: a column whose latest record is older
than the same day six months back is stale (``months_before``).

The site-check verdict: the indicator's three single-veto conditions, which do not add up. An
organisation fails when (a) its stale news and notice columns are STALE_KEY_FAILING (5) or more,
(b) its other stale columns are STALE_OTHER_FAILING (10) or more, or (c) its blank columns are
BLANK_FAILING (5) or more; ``site_check_reasons`` says which, line by line.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import Organisation
from disclosure.reports.common import (
    Catalog,
    Counters,
    Item,
    column_dict,
    column_figures,
    depth_map,
    load_catalog,
    roll_up,
    tree_row_dicts,
)

NEWS_WORDS = ("动态", "要闻", "新闻")
NOTICE_WORDS = ("通知", "公告", "政策", "文件", "法规")
# Neither 动态/要闻 nor notices (norms.md), although "政策解读" holds 政策.
NEITHER_WORDS = ("回应关切", "解读")
NEWS_DAYS = 14  # 动态、要闻 columns: not updated within two weeks
SIX_MONTHS = 6  # 通知公告、政策文件 columns, and the default of other columns: six calendar months
STALE_KEY_FAILING = 5  # (a) stale 动态要闻 and 通知公告政策文件 columns: 5 or more fail the site
STALE_OTHER_FAILING = 10  # (b) other columns long not updated: 10 or more fail the site
BLANK_FAILING = 5  # (c) blank columns: 5 or more fail the site


class Freshness(models.TextChoices):
    FRESH = "fresh", _("正常更新")
    STALE = "stale", _("未及时更新")
    BLANK = "blank", _("空白栏目")


class ColumnKind(models.TextChoices):
    NEWS = "news", _("动态要闻类")
    NOTICE = "notice", _("通知公告政策文件类")
    OTHER = "other", _("其他应更新栏目")


class ThresholdSource(models.TextChoices):
    NODE = "node", _("目录设置")
    NEWS = "news", _("动态类默认")
    NOTICE = "notice", _("通知公告政策类默认")
    DEFAULT = "default", _("其他栏目默认")


def months_before(day: date, months: int) -> date:
    """The same day ``months`` calendar months earlier (the month's last day where it has fewer days)."""
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def column_kind(item: Item) -> str:
    names = (item.node.name, item.group.name)
    if any(word in name for name in names for word in NEITHER_WORDS):
        return ColumnKind.OTHER
    if any(word in name for name in names for word in NEWS_WORDS):
        return ColumnKind.NEWS
    if any(word in name for name in names for word in NOTICE_WORDS):
        return ColumnKind.NOTICE
    return ColumnKind.OTHER


def freshness_threshold(item: Item, today: date) -> tuple[int, str]:
    """(days, source) for an item on ``today``: the nearest freshness_days on its path, else the
    site-check default of its kind (six calendar months counted back from ``today``)."""
    for node in reversed(item.path):
        if node.freshness_days:
            return node.freshness_days, ThresholdSource.NODE
    kind = column_kind(item)
    if kind == ColumnKind.NEWS:
        return NEWS_DAYS, ThresholdSource.NEWS
    six_months = (today - months_before(today, SIX_MONTHS)).days
    return six_months, (ThresholdSource.NOTICE if kind == ColumnKind.NOTICE else ThresholdSource.DEFAULT)


@dataclass
class Column:
    organisation: Organisation
    item: Item
    threshold: int
    threshold_source: str
    state: str
    kind: str = ColumnKind.OTHER
    count: int = 0
    latest: date | None = None
    age_days: int | None = None  # days since the latest publication

    @property
    def state_label(self) -> str:
        return Freshness(self.state).label

    @property
    def threshold_source_label(self) -> str:
        return ThresholdSource(self.threshold_source).label

    @property
    def kind_label(self) -> str:
        return ColumnKind(self.kind).label

    def as_dict(self) -> dict:
        return {
            **column_dict(self.organisation, self.item, self.state, self.count, self.latest),
            "age_days": self.age_days,
            "threshold_days": self.threshold,
            "threshold_source": self.threshold_source,
            "kind": self.kind,
        }


@dataclass
class FreshnessTally(Counters):
    fresh: int = 0
    stale: int = 0
    blank: int = 0
    stale_key: int = 0  # of ``stale``: 动态要闻 and 通知公告政策文件 columns, condition (a)
    stale_other: int = 0  # of ``stale``: the other columns, condition (b)
    failing_organisations: int = 0  # organisations failing the site check

    @property
    def columns(self) -> int:
        return self.fresh + self.stale + self.blank

    @property
    def problems(self) -> int:
        return self.stale + self.blank

    def as_dict(self) -> dict:
        return {
            "columns": self.columns,
            "fresh": self.fresh,
            "stale": self.stale,
            "blank": self.blank,
            "problems": self.problems,
            "stale_key": self.stale_key,
            "stale_other": self.stale_other,
            "failing_organisations": self.failing_organisations,
        }


@dataclass
class FreshnessOrganisationRow:
    organisation: Organisation
    depth: int
    own: FreshnessTally = field(default_factory=FreshnessTally)
    total: FreshnessTally = field(default_factory=FreshnessTally)

    @property
    def has_columns(self) -> bool:
        return bool(self.own.columns)

    @property
    def site_check_reasons(self) -> list[str]:
        """The site-check conditions this organisation's own columns meet, each in words (none: passes)."""
        reasons = []
        if self.own.stale_key >= STALE_KEY_FAILING:
            reasons.append(
                _("动态要闻类栏目2周未更新、通知公告政策文件类栏目6个月未更新的共%(n)s个（%(limit)s个及以上即不合格）")
                % {"n": self.own.stale_key, "limit": STALE_KEY_FAILING}
            )
        if self.own.stale_other >= STALE_OTHER_FAILING:
            reasons.append(
                _("其他应更新栏目长期未更新的%(n)s个（%(limit)s个及以上即不合格）")
                % {"n": self.own.stale_other, "limit": STALE_OTHER_FAILING}
            )
        if self.own.blank >= BLANK_FAILING:
            reasons.append(
                _("空白栏目%(n)s个（%(limit)s个及以上即不合格）") % {"n": self.own.blank, "limit": BLANK_FAILING}
            )
        return reasons

    @property
    def site_check_lines(self) -> list[tuple[str, bool]]:
        """The verdict explained line by line: each of the three conditions with this organisation's
        count and whether it is met, passing or failing."""
        own = self.own
        return [
            (
                _("（一）动态要闻类栏目2周未更新、通知公告政策文件类栏目6个月未更新：%(n)s个，%(limit)s个及以上否决")
                % {"n": own.stale_key, "limit": STALE_KEY_FAILING},
                own.stale_key >= STALE_KEY_FAILING,
            ),
            (
                _("（二）其他应更新栏目（含回应关切、政策解读）长期未更新：%(n)s个，%(limit)s个及以上否决")
                % {"n": own.stale_other, "limit": STALE_OTHER_FAILING},
                own.stale_other >= STALE_OTHER_FAILING,
            ),
            (
                _("（三）空白栏目：%(n)s个，%(limit)s个及以上否决") % {"n": own.blank, "limit": BLANK_FAILING},
                own.blank >= BLANK_FAILING,
            ),
        ]

    @property
    def fails_site_check(self) -> bool:
        return bool(self.site_check_reasons)

    @property
    def site_check(self) -> str | None:
        """The site-check verdict: "pass", "fail", or None without columns."""
        if not self.has_columns:
            return None
        return "fail" if self.fails_site_check else "pass"


@dataclass
class FreshnessReport:
    today: date
    columns: list[Column]
    organisations: list[FreshnessOrganisationRow]
    total: FreshnessTally

    def problem_columns(self) -> list[Column]:
        return [column for column in self.columns if column.state != Freshness.FRESH]

    def as_dict(self, *, include_columns: bool = True) -> dict:
        data = {
            "today": self.today.isoformat(),
            "site_check_failing_at": {
                "stale_key": STALE_KEY_FAILING,
                "stale_other": STALE_OTHER_FAILING,
                "blank": BLANK_FAILING,
            },
            "total": self.total.as_dict(),
            "organisations": tree_row_dicts(
                self.organisations,
                lambda row: {"site_check": row.site_check, "site_check_reasons": row.site_check_reasons},
            ),
        }
        if include_columns:
            data["columns"] = [column.as_dict() for column in self.columns]
        return data


def freshness_report(
    organisations: list[Organisation], *, today: date | None = None, catalog: Catalog | None = None
) -> FreshnessReport:
    """The freshness report for a tree-ordered list of organisations: two queries (catalog, figures)."""
    today = today or timezone.localdate()
    catalog = catalog or load_catalog()
    figures = column_figures([org.pk for org in organisations], catalog)
    thresholds = {item.node.pk: freshness_threshold(item, today) for item in catalog.items}
    kinds = {item.node.pk: column_kind(item) for item in catalog.items}
    depths = depth_map(organisations)
    rows = {
        org.pk: FreshnessOrganisationRow(organisation=org, depth=depths[org.pk]) for org in organisations
    }
    columns: list[Column] = []
    for org in organisations:
        own = rows[org.pk].own
        for item in catalog.items:
            if not (item.proactive and item.applies_to(org)):
                continue
            figure = figures.get((org.pk, item.node.pk))
            days, source = thresholds[item.node.pk]
            column = Column(
                organisation=org, item=item, threshold=days, threshold_source=source, state="",
                kind=kinds[item.node.pk],
            )
            if figure is None or not figure.count:
                column.state = Freshness.BLANK
            else:
                column.count = figure.count
                column.latest = figure.latest_date
                column.age_days = (today - column.latest).days
                column.state = Freshness.STALE if column.age_days > days else Freshness.FRESH
            own.bump(column.state)
            if column.state == Freshness.STALE:
                own.bump("stale_other" if column.kind == ColumnKind.OTHER else "stale_key")
            columns.append(column)
        if rows[org.pk].fails_site_check:
            own.failing_organisations = 1
    return FreshnessReport(
        today=today,
        columns=columns,
        organisations=[rows[org.pk] for org in organisations],
        total=roll_up(organisations, rows, FreshnessTally()),
    )

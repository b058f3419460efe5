"""Freshness: columns not updated for longer than their threshold, and blank columns.

A column is one organisation's view of one applicable 主动公开 catalog item. It is

- **blank** when it has no public record;
- **stale** when its latest public record was published more than ``threshold`` days ago;
- **fresh** otherwise.

The threshold of an item is the first ``freshness_days`` set on the item or a node above it
(catalog admin, 更新周期); without one, the site-check rules of norms.md decide: 14 days for
news-like columns, 182 days (six months) for notices and policy columns. A column is news-like
when the name of the item or of its first-level item contains one of NEWS_LIKE_WORDS (动态, 要闻,
新闻, 回应关切): in the standard catalog that is 回应关切; the other items publish documents,
notices and results. Set ``freshness_days`` on a node to override either default.

The site-check verdict (网站普查): an organisation with SITE_CHECK_FAILING or more stale or blank
columns fails.
"""

from __future__ import annotations

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

NEWS_LIKE_WORDS = ("动态", "要闻", "新闻", "回应关切")
NEWS_DAYS = 14  # 网站普查: news columns are stale after two weeks
NOTICE_DAYS = 182  # 网站普查: notices and policy columns are stale after six months
SITE_CHECK_FAILING = 5  # 网站普查: five or more stale or blank columns fail the check


class Freshness(models.TextChoices):
    FRESH = "fresh", _("正常更新")
    STALE = "stale", _("未及时更新")
    BLANK = "blank", _("空白栏目")


class ThresholdSource(models.TextChoices):
    NODE = "node", _("目录设置")
    NEWS = "news", _("动态类默认")
    NOTICE = "notice", _("通知公告政策类默认")


def freshness_threshold(item: Item) -> tuple[int, str]:
    """(days, source) for an item: the nearest freshness_days on its path, else the site-check default."""
    for node in reversed(item.path):
        if node.freshness_days:
            return node.freshness_days, ThresholdSource.NODE
    names = (item.node.name, item.group.name)
    if any(word in name for name in names for word in NEWS_LIKE_WORDS):
        return NEWS_DAYS, ThresholdSource.NEWS
    return NOTICE_DAYS, ThresholdSource.NOTICE


@dataclass
class Column:
    organisation: Organisation
    item: Item
    threshold: int
    threshold_source: str
    state: str
    count: int = 0
    latest: date | None = None
    age_days: int | None = None  # days since the latest publication

    @property
    def state_label(self) -> str:
        return Freshness(self.state).label

    @property
    def threshold_source_label(self) -> str:
        return ThresholdSource(self.threshold_source).label

    def as_dict(self) -> dict:
        return {
            **column_dict(self.organisation, self.item, self.state, self.count, self.latest),
            "age_days": self.age_days,
            "threshold_days": self.threshold,
            "threshold_source": self.threshold_source,
        }


@dataclass
class FreshnessTally(Counters):
    fresh: int = 0
    stale: int = 0
    blank: int = 0
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
    def fails_site_check(self) -> bool:
        return self.own.problems >= SITE_CHECK_FAILING

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
            "site_check_failing_at": SITE_CHECK_FAILING,
            "total": self.total.as_dict(),
            "organisations": tree_row_dicts(self.organisations, lambda row: {"site_check": row.site_check}),
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
    thresholds = {item.node.pk: freshness_threshold(item) for item in catalog.items}
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
            column = Column(organisation=org, item=item, threshold=days, threshold_source=source, state="")
            if figure is None or not figure.count:
                column.state = Freshness.BLANK
            else:
                column.count = figure.count
                column.latest = figure.latest_date
                column.age_days = (today - column.latest).days
                column.state = Freshness.STALE if column.age_days > days else Freshness.FRESH
            own.bump(column.state)
            columns.append(column)
        if rows[org.pk].fails_site_check:
            own.failing_organisations = 1
    return FreshnessReport(
        today=today,
        columns=columns,
        organisations=[rows[org.pk] for org in organisations],
        total=roll_up(organisations, rows, FreshnessTally()),
    )

"""Whether each organisation has published last year's annual report, and whether it is late.

条例 article 49: the report of a year is published by 31 January of the next year. From 1 January the
report of the year just ended is due (a reminder); once 31 January has passed without a publication
it is overdue (a flag). Published means: a record generated from the organisation's report of that
year was published (it has a publication time, whatever happened to it afterwards). One query.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Min, Q
from django.utils import timezone

from catalog.models import Organisation


@dataclass(frozen=True)
class AnnualReportDue:
    organisation: Organisation
    year: int
    due_on: date
    published_on: date | None
    today: date

    @property
    def overdue(self) -> bool:
        """Not published, and 31 January has passed."""
        return self.published_on is None and self.today > self.due_on

    @property
    def late(self) -> bool:
        """Published, but after 31 January."""
        return self.published_on is not None and self.published_on > self.due_on


def report_year(today: date) -> int:
    """The year whose report is due on ``today``: the year just ended."""
    return today.year - 1


def due_date(year: int) -> date:
    return date(year + 1, 1, 31)


def annual_reports_due(organisations, today: date) -> list[AnnualReportDue]:
    """For each organisation (a queryset): last year's report, its due date and when it was first
    published. One query."""
    year = report_year(today)
    published = Q(
        annual_reports__year=year, annual_reports__editions__record__published_at__isnull=False
    )
    rows = organisations.annotate(
        first_published=Min("annual_reports__editions__record__published_at", filter=published)
    )
    return [
        AnnualReportDue(
            org,
            year,
            due_date(year),
            timezone.localtime(org.first_published).date() if org.first_published else None,
            today=today,
        )
        for org in rows
    ]

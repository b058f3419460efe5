"""Site-check findings (链接不可用, 附件不可用, 错敏词) of the organisations in scope, as the last run of
``manage.py check_site`` left them (disclosure/records/site_checks.py), each with its record.

Only findings about records that are still public are listed: a record withdrawn since the run is no
longer on the site, so its finding no longer counts.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from catalog.models import Organisation
from disclosure.records.check_models import FindingKind, SiteCheckFinding
from disclosure.records.selectors import public_records
from disclosure.reports.export import Sheet


@dataclass
class SiteCheckReport:
    findings: list[SiteCheckFinding]
    counts: dict[str, int]  # finding kind → number
    checked_at: datetime | None  # the latest run that found something, if any

    @property
    def total(self) -> int:
        return len(self.findings)

    @property
    def count_rows(self) -> list[tuple[str, str, int]]:
        """(kind, label, number) for every kind, in the choices' order."""
        return [(value, label, self.counts.get(value, 0)) for value, label in FindingKind.choices]


def site_check_report(organisations: list[Organisation], *, kind: str = "") -> SiteCheckReport:
    """Findings on the organisations' public records (one query), newest run first within each kind."""
    findings = SiteCheckFinding.objects.filter(
        record__in=public_records().filter(organisation__in=[org.pk for org in organisations])
    ).select_related("record", "record__organisation")
    if kind:
        findings = findings.filter(kind=kind)
    rows = list(findings.order_by("kind", "record__organisation__tree_id", "record__organisation__lft", "record_id", "id"))
    return SiteCheckReport(
        findings=rows,
        counts={value: Counter(f.kind for f in rows).get(value, 0) for value in FindingKind.values},
        checked_at=max((f.checked_at for f in rows), default=None),
    )


def site_check_sheets(report: SiteCheckReport) -> list[Sheet]:
    labels = dict(FindingKind.choices)
    return [
        Sheet(
            "检查发现",
            ["问题类别", "单位编码", "单位名称", "索引号", "标题", "链接或词语", "说明", "HTTP 状态码", "检查时间"],
            [
                [
                    labels[f.kind],
                    f.record.organisation.code,
                    f.record.organisation.name,
                    f.record.index_number,
                    f.record.title,
                    f.target,
                    f.detail,
                    f.status_code if f.status_code is not None else "",
                    f.checked_at.strftime("%Y-%m-%d %H:%M"),
                ]
                for f in report.findings
            ],
        )
    ]

"""How long the province-wide completeness report takes for 150 organisations and 100,000 records.

Creates a synthetic province (1 province office, 9 cities, 35 counties, 105 townships) and 100,000
public records spread over the columns that apply to each, inside a transaction that is rolled
back at the end, so the current database is left as it was. Loads the standard catalog first if
the database has none (rolled back too). Prints the median of RUNS runs of the report computation
alone and with its CSV and XLSX exports, plus the timeliness and freshness reports for comparison.

Environment: BENCH_RECORDS (default 100000), BENCH_RUNS (default 5); BENCH_EXISTING=1 times the
reports on the records already in the database (e.g. one filled by ``manage.py seed_scale``) over
every organisation, creating nothing; BENCH_XLSX=1 also writes the timeliness XLSX (by default only
up to 200,000 records). The streamed timeliness CSV and XLSX are timed once each, with the growth of
the process's peak memory.
"""

from __future__ import annotations

import os
import random
import resource
import statistics
import tempfile
import time
from datetime import date, datetime, timedelta
from unittest import mock

from django.db import connection, transaction
from django.utils import timezone

ORGANISATIONS = 150
RECORDS = int(os.environ.get("BENCH_RECORDS", "100000"))
RUNS = int(os.environ.get("BENCH_RUNS", "5"))
EXISTING = os.environ.get("BENCH_EXISTING") == "1"  # time the reports on the data already there
XLSX = os.environ.get("BENCH_XLSX", "1" if RECORDS <= 200_000 else "0") == "1"
EMPTY_SHARE = 0.15  # share of (organisation, item) columns left blank, so that "missing" occurs


class _Rollback(Exception):
    pass


def _organisations():
    """The synthetic province of ``manage.py seed_scale`` (1 + 9 + 35 + 105), codes starting with "bench-"."""
    from disclosure.records.scale_seed import create_organisations

    organisations = create_organisations(ORGANISATIONS, prefix="bench-")
    return organisations[0], organisations


def _records(organisations, catalog) -> int:
    from disclosure.records.models import Openness, Record, Status

    rng = random.Random(20261124)
    columns = []
    for org in organisations:
        for item in catalog.items:
            if item.proactive and item.applies_to(org) and rng.random() > EMPTY_SHARE:
                columns.append((org, item.node))
    start = datetime(2023, 1, 1, 9, 0)
    serials: dict[str, int] = {}
    batch = []
    created = 0
    for n in range(RECORDS):
        org, node = columns[n % len(columns)] if n < len(columns) else rng.choice(columns)
        published = timezone.make_aware(start + timedelta(minutes=rng.randrange(0, 3 * 365 * 24 * 60)))
        formed = published.date() - timedelta(days=rng.randrange(0, 40))
        serials[org.code] = serials.get(org.code, 0) + 1
        batch.append(
            Record(
                organisation_id=org.pk,
                node_id=node.pk,
                title=f"基准测试信息{n}",
                formed_on=formed,
                status=Status.PUBLISHED,
                openness=Openness.PROACTIVE,
                published_at=published,
                index_number=f"{org.code}/{published.year}-{serials[org.code]:06d}",
            )
        )
        if len(batch) == 5000:
            Record.objects.bulk_create(batch)
            created += len(batch)
            batch = []
    Record.objects.bulk_create(batch)
    return created + len(batch)


def _analyze() -> None:
    """Refresh the planner's statistics, as autovacuum would after a committed load: without them
    PostgreSQL plans the fresh 100,000 rows as if the table were empty (nested loops, ~100× slower)."""
    tables = ["disclosure_record", "catalog_organisation", "catalog_catalognode"]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE " + ", ".join(tables))
        elif connection.vendor == "sqlite":
            for table in tables:
                cursor.execute(f"ANALYZE {table}")


def _median(function) -> tuple[float, object]:
    timings, result = [], None
    for _ in range(RUNS):
        began = time.perf_counter()
        result = function()
        timings.append(time.perf_counter() - began)
    return statistics.median(timings), result


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _once(label: str, function) -> None:
    """Time one run of ``function`` and the growth of the process's peak memory (an export)."""
    before = _peak_mb()
    began = time.perf_counter()
    size = function()
    print(
        f"  {label}：{time.perf_counter() - began:.1f} 秒，{size / 1e6:.1f} MB，"
        f"进程峰值内存增加 {max(0.0, _peak_mb() - before):.0f} MB"
    )


def _measure(scope, catalog) -> None:
    from disclosure.reports import export
    from disclosure.reports.completeness import completeness_report
    from disclosure.reports.freshness import freshness_report
    from disclosure.reports.timeliness import timeliness_report
    from disclosure.service_guides.selectors import service_guide_findings

    seconds, report = _median(lambda: completeness_report(scope()))
    print(
        f"全省公开完整性报表（{len(report.organisations)} 个单位、{len(report.cells)} 个栏目、"
        f"{report.total.records} 条信息）：中位数 {seconds * 1000:.0f} 毫秒（{RUNS} 次）"
    )
    # The service guides' findings (missing elements) run inside the report; time them apart
    # so that a slow check is visible as such.
    org_ids = [org.pk for org in scope()]
    item_ids = [item.node.pk for item in catalog.items]
    seconds, findings = _median(lambda: service_guide_findings(org_ids, item_ids))
    remarks = sum(len(v) for v in findings.values())
    print(f"  其中附加检查 service_guide_findings（{remarks} 条发现）：中位数 {seconds * 1000:.0f} 毫秒")
    with mock.patch("disclosure.reports.completeness.service_guide_findings", lambda *args: {}):
        seconds, _ = _median(lambda: completeness_report(scope()))
    print(f"  不含附加检查（栏目统计本身）：中位数 {seconds * 1000:.0f} 毫秒")
    seconds, _ = _median(lambda: export.to_csv(export.completeness_sheets(completeness_report(scope()))[0]))
    print(f"  含 CSV 导出：中位数 {seconds * 1000:.0f} 毫秒")
    seconds, _ = _median(lambda: export.to_xlsx(export.completeness_sheets(completeness_report(scope()))))
    print(f"  含 XLSX 导出：中位数 {seconds * 1000:.0f} 毫秒")
    today = date(2026, 6, 30)
    seconds, report = _median(lambda: timeliness_report(scope(), today=today))
    total = report.total
    print(
        f"全省公开及时性报表（按时 {total.on_time}、逾期 {total.late}、超期 {total.overdue}、待发布 {total.pending}、"
        f"无法计算 {total.unknown}）：中位数 {seconds * 1000:.0f} 毫秒"
    )
    _once(
        "及时性 CSV 导出（流式，全部明细）",
        lambda: sum(len(chunk) for chunk in export.csv_chunks(export.timeliness_sheets(
            timeliness_report(scope(), today=today))[0])),
    )
    if XLSX:

        def xlsx() -> int:
            with tempfile.TemporaryFile() as target:
                export.write_xlsx(export.timeliness_sheets(timeliness_report(scope(), today=today)), target)
                return target.tell()

        _once("及时性 XLSX 导出（只写模式，临时文件）", xlsx)
    else:
        print("  及时性 XLSX 导出：未测（BENCH_XLSX=1 时测）")
    seconds, _ = _median(lambda: freshness_report(scope()))
    print(f"全省栏目更新报表：中位数 {seconds * 1000:.0f} 毫秒")


def main() -> None:
    from catalog.models import CatalogNode
    from catalog.services import catalog_load_standard
    from disclosure.records.models import Record
    from disclosure.reports.common import all_organisations, load_catalog, select_organisations

    print(
        f"数据库：{connection.vendor}（{connection.settings_dict['NAME']}）；{os.cpu_count()} 核，"
        f"开始时负载 {os.getloadavg()[0]:.1f}"
    )
    if EXISTING:
        # A database seeded beforehand (manage.py seed_scale): every organisation, nothing written.
        print(f"现有数据：{len(all_organisations())} 个单位、{Record.objects.count()} 条信息（不造数）")
        _measure(all_organisations, load_catalog())
        return
    try:
        with transaction.atomic():
            if not CatalogNode.objects.exists():
                catalog_load_standard()
            began = time.perf_counter()
            province, organisations = _organisations()
            catalog = load_catalog()
            count = _records(organisations, catalog)
            _analyze()
            print(f"造数：{len(organisations)} 个单位、{count} 条公开信息，用时 {time.perf_counter() - began:.1f} 秒（结束后回滚）")

            def scope():
                return select_organisations(all_organisations(), province.code)

            _measure(scope, catalog)
            raise _Rollback
    except _Rollback:
        pass

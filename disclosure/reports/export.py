"""Reports as tables: CSV (one table), XLSX (one sheet per table, via openpyxl) and JSON.

CSV is written as UTF-8 with a byte-order mark so that Excel, which auditors open it with, reads
the Chinese text. Text that a spreadsheet would take for a formula (starting with = + - @) is
prefixed with an apostrophe, so that a record title can never run as a formula on an auditor's
machine.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.utils.functional import Promise
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from disclosure.records.models import Status
from disclosure.reports.completeness import CompletenessReport, ItemState
from disclosure.reports.freshness import ColumnKind, Freshness, FreshnessReport, ThresholdSource
from disclosure.reports.timeliness import TimelinessReport, Timing

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class Sheet:
    title: str  # ≤ 31 characters (XLSX sheet names)
    headers: list[str]
    rows: Iterable[list]  # a list, or LazyRows read from the database while the file is written


class LazyRows:
    """A sheet's rows made from a source as they are written (e.g. a report's rows read from the
    database in batches), so that a million-row export never holds its rows in memory. Iterable
    more than once: each pass reads the source again."""

    def __init__(self, source: Iterable, convert: Callable[[object], list]):
        self.source, self.convert = source, convert

    def __iter__(self) -> Iterator[list]:
        return map(self.convert, self.source)


def _safe(value):
    if isinstance(value, Promise):  # lazily translated labels
        value = str(value)
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    if isinstance(value, float) and value != value:  # NaN
        return ""
    return value


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)


def csv_chunks(sheet: Sheet, rows_per_chunk: int = 1000) -> Iterator[bytes]:
    """The CSV of a sheet piece by piece (for a streamed response): the byte-order mark and the
    headers first, then ``rows_per_chunk`` rows at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(sheet.headers)
    yield buffer.getvalue().encode("utf-8-sig")
    rows = iter(sheet.rows)
    while batch := list(itertools.islice(rows, rows_per_chunk)):
        buffer.seek(0)
        buffer.truncate()
        for row in batch:
            writer.writerow([_text(_safe(value)) for value in row])
        yield buffer.getvalue().encode("utf-8")


def to_csv(sheet: Sheet) -> bytes:
    return b"".join(csv_chunks(sheet))


def to_xlsx(sheets: list[Sheet]) -> bytes:
    buffer = io.BytesIO()
    write_xlsx(sheets, buffer)
    return buffer.getvalue()


def write_xlsx(sheets: list[Sheet], target) -> None:
    """The workbook written to ``target`` (a path or a binary file). openpyxl's write-only mode keeps
    each sheet's rows in a temporary file, not in memory, so rows can come from the database one
    batch at a time; formula-like text was already made harmless by _safe()."""
    workbook = Workbook(write_only=True)
    for sheet in sheets:
        worksheet = workbook.create_sheet(title=sheet.title[:31])
        sample = list(itertools.islice(sheet.rows, 200))  # column widths from the first rows
        for index, header in enumerate(sheet.headers, start=1):
            widest = max([len(str(header))] + [len(_text(row[index - 1])) for row in sample])
            worksheet.column_dimensions[get_column_letter(index)].width = min(max(8, widest * 1.8), 60)
        worksheet.freeze_panes = "A2"
        header_cells = []
        for header in sheet.headers:
            cell = WriteOnlyCell(worksheet, value=header)
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            header_cells.append(cell)
        worksheet.append(header_cells)
        for row in sheet.rows:
            worksheet.append([_safe(value) for value in row])
    workbook.save(target)


def to_json(data: dict) -> bytes:
    def default(value):
        if isinstance(value, (date, datetime)):
            return value.isoformat()
        if isinstance(value, Decimal):
            return str(value)
        raise TypeError(f"not serialisable: {type(value)!r}")

    return json.dumps(data, ensure_ascii=False, indent=2, default=default).encode("utf-8")


def _pct(value: float | None):
    return "" if value is None else value


def _labels(choices) -> dict[str, str]:
    # Translated labels once, not once per row: lazy strings are slow to render in bulk.
    return {choice.value: str(choice.label) for choice in choices}


def _organisations_sheet(rows, tally_headers: list[str], tally_values, *, level: bool = False) -> Sheet:
    """"单位汇总": each organisation's own figures (本单位) and its subtree's (含下级)."""
    return Sheet(
        "单位汇总",
        ["单位编码", "单位名称"]
        + (["层级"] if level else [])
        + [f"本单位{h}" for h in tally_headers]
        + [f"含下级{h}" for h in tally_headers],
        [
            [row.organisation.code, row.organisation.name]
            + ([row.organisation.get_level_display()] if level else [])
            + tally_values(row.own)
            + tally_values(row.total)
            for row in rows
        ],
    )


# --- completeness -----------------------------------------------------------------------------


def completeness_sheets(report: CompletenessReport) -> list[Sheet]:
    """Cells first (the CSV export), then organisations, domains and items."""
    state_labels = _labels(ItemState)
    method_labels = {row.item.node.pk: str(row.item.node.get_method_display()) for row in report.items}
    cells = Sheet(
        "栏目明细",
        ["单位编码", "单位名称", "领域", "一级事项", "事项编码", "二级事项", "公开方式", "状态", "公开信息数", "最近发布日期", "其他发现"],
        [
            [
                cell.organisation.code,
                cell.organisation.name,
                cell.item.domain.name,
                cell.item.group.name,
                cell.item.code,
                cell.item.name,
                method_labels[cell.item.node.pk],
                state_labels[cell.state],
                cell.count,
                cell.latest,
                "；".join(cell.findings),
            ]
            for cell in report.cells
        ],
    )
    tally_headers = ["应公开事项", "已公开", "未公开", "依申请公开", "不适用", "覆盖率（%）", "公开信息数", "最近发布日期"]

    def tally_values(tally):
        return [
            tally.required,
            tally.disclosed,
            tally.missing,
            tally.on_application,
            tally.not_applicable,
            _pct(tally.coverage),
            tally.records,
            tally.latest,
        ]

    organisations = _organisations_sheet(report.organisations, tally_headers, tally_values, level=True)
    domains = Sheet(
        "领域汇总",
        ["领域编码", "领域"] + tally_headers,
        [[row.domain.code, row.domain.name] + tally_values(row.tally) for row in report.domains]
        + [["", "合计"] + tally_values(report.total)],
    )
    items = Sheet(
        "事项汇总",
        ["事项编码", "二级事项", "一级事项", "领域", "公开方式"]
        + ["应公开单位数", "已公开单位数", "未公开单位数", "依申请公开单位数", "不适用单位数", "覆盖率（%）", "公开信息数", "最近发布日期"],
        [
            [
                row.item.code,
                row.item.name,
                row.item.group.name,
                row.item.domain.name,
                row.item.node.get_method_display(),
            ]
            + tally_values(row.tally)
            for row in report.items
        ],
    )
    return [cells, organisations, domains, items]


# --- timeliness -------------------------------------------------------------------------------


def timeliness_sheets(report: TimelinessReport) -> list[Sheet]:
    timing_labels, status_labels = _labels(Timing), _labels(Status)
    rows = Sheet(
        "信息明细",
        [
            "信息编号",
            "索引号",
            "标题",
            "单位编码",
            "单位名称",
            "栏目编码",
            "栏目",
            "状态",
            "信息形成日期",
            "时限（工作日）",
            "应公开日期",
            "发布日期",
            "结论",
            "逾期/超期/剩余工作日",
            "说明",
        ],
        LazyRows(
            report.rows,
            lambda row: [
                row.record_id,
                row.index_number,
                row.title,
                row.organisation.code,
                row.organisation.name,
                row.node_code,
                row.node_name,
                status_labels[row.status],
                row.formed_on,
                row.time_limit_days,
                row.due,
                row.published_on,
                timing_labels[row.timing],
                row.working_days,
                row.note,
            ],
        ),
    )
    tally_headers = ["已发布", "按时发布", "逾期发布", "按时率（%）", "超期未发布", "未到期待发布", "无法计算"]

    def tally_values(tally):
        return [
            tally.published,
            tally.on_time,
            tally.late,
            _pct(tally.on_time_rate),
            tally.overdue,
            tally.pending,
            tally.unknown,
        ]

    organisations = _organisations_sheet(report.organisations, tally_headers, tally_values)
    months = Sheet(
        "按月统计",
        ["月份", "发布数", "按时发布", "逾期发布"],
        [[m.month, m.published, m.on_time, m.late] for m in report.months],
    )
    return [rows, organisations, months]


# --- freshness --------------------------------------------------------------------------------


def freshness_sheets(report: FreshnessReport) -> list[Sheet]:
    state_labels, source_labels, kind_labels = _labels(Freshness), _labels(ThresholdSource), _labels(ColumnKind)
    columns = Sheet(
        "栏目明细",
        [
            "单位编码",
            "单位名称",
            "领域",
            "事项编码",
            "二级事项",
            "栏目类别",
            "状态",
            "公开信息数",
            "最近发布日期",
            "距今天数",
            "更新周期（天）",
            "周期来源",
        ],
        [
            [
                column.organisation.code,
                column.organisation.name,
                column.item.domain.name,
                column.item.code,
                column.item.name,
                kind_labels[column.kind],
                state_labels[column.state],
                column.count,
                column.latest,
                column.age_days,
                column.threshold,
                source_labels[column.threshold_source],
            ]
            for column in report.columns
        ],
    )
    organisations = Sheet(
        "单位汇总",
        [
            "单位编码",
            "单位名称",
            "栏目数",
            "正常更新",
            "未及时更新",
            "空白栏目",
            "网站普查",
            "不合格原因",
            "含下级栏目数",
            "含下级未及时更新",
            "含下级空白栏目",
            "含下级不合格单位数",
        ],
        [
            [
                row.organisation.code,
                row.organisation.name,
                row.own.columns,
                row.own.fresh,
                row.own.stale,
                row.own.blank,
                ("" if not row.has_columns else ("不合格" if row.fails_site_check else "合格")),
                "；".join(row.site_check_reasons),
                row.total.columns,
                row.total.stale,
                row.total.blank,
                row.total.failing_organisations,
            ]
            for row in report.organisations
        ],
    )
    return [columns, organisations]


# --- annual report ----------------------------------------------------------------------------


def to_csv_tables(sheets: list[Sheet]) -> bytes:
    """Several tables in one CSV: each one's title on a line of its own, then its header and rows, then
    a blank line (the annual report's tables, which a single CSV table cannot hold side by side)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for index, sheet in enumerate(sheets):
        if index:
            writer.writerow([])
        writer.writerow([_text(_safe(sheet.title))])
        writer.writerow([_text(_safe(header)) for header in sheet.headers])
        for row in sheet.rows:
            writer.writerow([_text(_safe(value)) for value in row])
    return buffer.getvalue().encode("utf-8-sig")


def annual_sheets(data: dict, sections: list[list[str]] | None = None) -> list[Sheet]:
    """The annual report's tables 2–4 (and the table 3 checks), one sheet each; with ``sections``
    ([[heading, text], …]) a first sheet "报告正文" carries the title, section headings and narrative."""
    proactive = data["proactive"]
    table2 = Sheet(
        "二、主动公开",
        ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数", "本年处理决定数量", "本年收费金额（万元）"],
        [[r["label"], r["issued"], r["repealed"], r["current"], "", ""] for r in proactive["documents"]]
        + [[r["label"], "", "", "", r["decisions"], ""] for r in proactive["decisions"]]
        + [[proactive["fees"]["label"], "", "", "", "", Decimal(proactive["fees"]["amount"])]],
    )
    applications = data["applications"]
    column_keys = [c["key"] for c in applications["columns"]]
    headers = ["项目", "类别", "细项"] + [
        ("法人或其他组织·" + c["label"]) if c["key"] in applications["legal_person_columns"] else c["label"]
        for c in applications["columns"]
    ]

    def line(labels, row):
        return labels + [row["values"][key] for key in column_keys]

    heading = applications["results_heading"]
    rows = [line([r["label"], "", ""], r) for r in applications["rows"]]
    for group in applications["result_groups"]:
        for row in group["rows"]:
            if row["group"]:
                rows.append(line([heading, row["group"], row["label"]], row))
            else:
                rows.append(line([heading, row["label"], ""], row))
    rows.append(line([heading, applications["result_total"]["label"], ""], applications["result_total"]))
    rows.append(line([applications["carried_out"]["label"], "", ""], applications["carried_out"]))
    table3 = Sheet("三、依申请公开", headers, rows)
    checks = Sheet(
        "三、校验",
        ["校验规则", "栏目", "左边", "右边", "结果"],
        [
            [c["rule"], c["column_label"], c["left"], c["right"], "通过" if c["passed"] else "不通过"]
            for c in applications["checks"]
        ],
    )
    reviews = data["reviews"]
    table4 = Sheet(
        "四、复议诉讼",
        [f"{g['label']}·{c['label']}" for g in reviews["groups"] for c in g["cells"]],
        [[c["value"] for g in reviews["groups"] for c in g["cells"]]],
    )
    tables = [table2, table3, checks, table4]
    if sections is None:
        return tables
    narrative = Sheet(
        "报告正文",
        ["章节", "内容"],
        [[data.get("title", ""), ""]] + [[heading, text] for heading, text in sections],
    )
    return [narrative, *tables]

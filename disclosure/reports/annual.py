"""The statutory annual report tables (政府信息公开工作年度报告, format of 国办公开办函〔2021〕30号).

- Table 2 (主动公开政府信息情况) is computed from the versions of the published information that were in
  force at the end of 31 December of the year, read from the history (every published version, their
  formation dates, withdrawals), never from today's state (``records_in_force``):
  - 规章 (record type ``regulation``) and 行政规范性文件 (``normative``): 本年制发件数 = records whose
    document date (成文日期, else the formation date) falls in the year; 本年废止件数 = records
    marked 已废止 or 已失效 whose formation (change) date falls in the year (a repeal is published as a
    revision, whose formation date is the date of the change); 现行有效件数 = records marked 现行有效
    with a document date up to the end of the year;
  - 行政许可 / 行政处罚 / 行政强制 (``licensing`` / ``penalty`` / ``coercion``): 本年处理决定数量 = records
    whose document date falls in the year;
  - 行政事业性收费 (本年收费金额, 万元): not in the records; entered by hand (``fees``), 0 by default.
- Table 3 (收到和处理政府信息公开申请情况) comes from ``application_table``; its figures come from the
  applications feature (``disclosure.applications.figures.annual_application_figures``) unless the
  caller passes another ``source``. The consistency checks 一+二=三+四 per column and
  （七）= （一）+…+（六） are computed here, whatever the source.
- Table 4 (行政复议、行政诉讼情况) comes from ``review_litigation_table``, fed by the register of
  review and litigation cases (``disclosure.reports.cases``) unless the caller passes a ``source``.

All of table 2 is one query.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from disclosure.applications.figures import annual_application_figures
from disclosure.records.models import Openness, Record, RecordType, Status, Validity
from disclosure.records.validity import derive_validity, in_force_condition
from disclosure.records.validity_models import ChangeKind, PolicyChange
from disclosure.reports.cases import case_counts

# --- table 2 ----------------------------------------------------------------------------------

DOCUMENT_TYPES = (
    (RecordType.REGULATION, "规章"),
    (RecordType.NORMATIVE, "行政规范性文件"),
)
DECISION_TYPES = (
    (RecordType.LICENSING, "行政许可"),
    (RecordType.PENALTY, "行政处罚"),
    (RecordType.COERCION, "行政强制"),
)


def year_end(year: int) -> datetime:
    """The last instant of 31 December of ``year``, local time: the moment table 2 describes."""
    return timezone.make_aware(datetime.combine(date(year, 12, 31), time.max))


def records_in_force(organisation_ids: list[int], year: int, record_types) -> list[Record]:
    """The version of each piece of 主动公开 information that was in force at the end of 31 December.

    Read from the history, not from today's state: every version ever published is kept (a revision
    supersedes its original, a withdrawal keeps the row), and the versions of one piece of information
    share its index number (索引号). Of each such chain, the version in force at the end of the year is
    the one formed or changed (信息形成（变更）日期) last on or before 31 December; later revisions,
    repeals and withdrawals do not change it. A chain whose version in force was withdrawn by then
    (撤回: published in error) counts nowhere. A document of the year published early in the next year
    counts for its year. A published record's content is never edited afterwards (``record_update``
    refuses anything but a draft), so each row's fields are that version. One query.
    """
    end, moment = date(year, 12, 31), year_end(year)
    chains: dict[str, list[Record]] = defaultdict(list)
    versions = Record.objects.filter(
        organisation_id__in=organisation_ids,
        record_type__in=list(record_types),
        openness=Openness.PROACTIVE,
        status__in=[Status.PUBLISHED, Status.SUPERSEDED, Status.WITHDRAWN],
        published_at__isnull=False,
    ).only("id", "index_number", "record_type", "validity", "written_on", "formed_on", "status",
           "withdrawn_at", "published_at", "effective_on", "expires_on")
    for version in versions:
        chains[version.index_number].append(version)
    in_force = []
    for chain in chains.values():
        formed = [version for version in chain if version.formed_on <= end]
        if not formed:
            continue
        version = max(formed, key=lambda v: (v.formed_on, v.published_at, v.pk))
        if version.status == Status.WITHDRAWN and (version.withdrawn_at is None or version.withdrawn_at <= moment):
            continue
        in_force.append(version)
    return in_force


def lifecycle_changes(records: list[Record], end: date) -> dict[str, list[tuple[str, date]]]:
    """(kind, date) of the amend/repeal links in force by ``end`` of each piece of information (by index
    number: a link made to an original follows it to its revisions). One query."""
    changes: dict[str, list[tuple[str, date]]] = defaultdict(list)
    rows = PolicyChange.objects.filter(
        in_force_condition(), target__index_number__in={r.index_number for r in records}, effective_on__lte=end
    ).values_list("target__index_number", "kind", "effective_on")
    for index_number, kind, effective_on in rows:
        changes[index_number].append((kind, effective_on))
    return changes


def validity_at(record: Record, changes: list[tuple[str, date]], end: date) -> tuple[str, date | None]:
    """A version's 有效性 at the end of ``end`` and, when it had ended by then, the day it ended.

    Policy documents with a 施行日期, an 有效期至 or amend/repeal links follow the validity rule
    (disclosure/records/validity.py) on that day; others keep the 有效性 their version was published with
    (a repeal published as a revision marked 已废止 ends on its formation date)."""
    if record.effective_on or record.expires_on or changes:
        value = derive_validity(
            effective_on=record.effective_on, expires_on=record.expires_on, changes=changes, today=end
        )
        ends = [on for kind, on in changes if kind == ChangeKind.REPEAL and on <= end]
        if record.expires_on is not None and record.expires_on < end:
            ends.append(record.expires_on + timedelta(days=1))
        return value, (min(ends) if ends and value in (Validity.REPEALED, Validity.EXPIRED) else None)
    ended = record.formed_on if record.validity in (Validity.REPEALED, Validity.EXPIRED) else None
    return record.validity, ended


def _document_date(record: Record) -> date:
    # The document date is 成文日期, or the formation date where no 成文日期 was entered.
    return record.written_on or record.formed_on


def proactive_table(organisation_ids: list[int], year: int, *, fees: Decimal | None = None) -> dict:
    """Table 2 as the information stood at the end of 31 December of ``year`` (one query).

    For each version in force at that moment (``records_in_force``): 本年制发件数 counts those whose document
    date falls in the year; 本年废止件数 those marked 已废止 or 已失效 whose formation (change) date falls
    in the year (a repeal is published as a revision whose formation date is the date of the change);
    现行有效件数 those marked 现行有效 with a document date up to the end of the year; 本年处理决定数量
    the decisions with a document date in the year.
    """
    start, end = date(year, 1, 1), date(year, 12, 31)
    counted = [t for t, _label in DOCUMENT_TYPES] + [t for t, _label in DECISION_TYPES]
    live = records_in_force(list(organisation_ids), year, counted)
    changes = lifecycle_changes(live, end)
    state = {record.pk: validity_at(record, changes.get(record.index_number, []), end) for record in live}

    def count(record_type, condition) -> int:
        return sum(1 for record in live if record.record_type == record_type and condition(record))

    return {
        "documents": [
            {
                "type": str(record_type),
                "label": label,
                "issued": count(record_type, lambda r: start <= _document_date(r) <= end),
                "repealed": count(
                    record_type,
                    lambda r: state[r.pk][1] is not None and start <= state[r.pk][1] <= end,
                ),
                "current": count(
                    record_type, lambda r: state[r.pk][0] == Validity.CURRENT and _document_date(r) <= end
                ),
            }
            for record_type, label in DOCUMENT_TYPES
        ],
        "decisions": [
            {
                "type": str(record_type),
                "label": label,
                "decisions": count(record_type, lambda r: start <= _document_date(r) <= end),
            }
            for record_type, label in DECISION_TYPES
        ],
        # Plain notation without trailing zeros: 1.25, 0, 100 (not 1.2500 or 1E+2).
        "fees": {"label": "行政事业性收费", "amount": format((fees or Decimal("0")).normalize(), "f")},
    }


# --- table 3 ----------------------------------------------------------------------------------

# Applicant columns; "legal" groups the five kinds of 法人或其他组织.
APPLICANT_COLUMNS = (
    ("natural_person", "自然人"),
    ("commercial", "商业企业"),
    ("research", "科研机构"),
    ("public_interest", "社会公益组织"),
    ("legal_service", "法律服务机构"),
    ("other", "其他"),
)
LEGAL_PERSON_COLUMNS = ("commercial", "research", "public_interest", "legal_service", "other")
TOTAL_COLUMN = ("total", "总计")


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    group: str = ""  # the category label of a numbered sub-row, e.g. "（三）不予公开"


def _group(key: str, label: str, *numbered: tuple[str, str]) -> tuple[str, str, tuple[Row, ...]]:
    """A result category: its numbered sub-rows (key, label), or the category alone as one row."""
    return key, label, tuple(Row(row_key, row_label, label) for row_key, row_label in numbered) or (Row(key, label),)


RESULT_GROUPS: tuple[tuple[str, str, tuple[Row, ...]], ...] = (
    _group("disclosed", "（一）予以公开"),
    _group("partial", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"),
    _group(
        "withheld",
        "（三）不予公开",
        ("withheld_state_secret", "1．属于国家秘密"),
        ("withheld_prohibited", "2．其他法律行政法规禁止公开"),
        ("withheld_security", "3．危及“三安全一稳定”"),
        ("withheld_third_party", "4．保护第三方合法权益"),
        ("withheld_internal", "5．属于三类内部事务信息"),
        ("withheld_process", "6．属于四类过程性信息"),
        ("withheld_enforcement", "7．属于行政执法案卷"),
        ("withheld_query", "8．属于行政查询事项"),
    ),
    _group(
        "unable",
        "（四）无法提供",
        ("unable_not_held", "1．本机关不掌握相关政府信息"),
        ("unable_needs_creation", "2．没有现成信息需要另行制作"),
        ("unable_unclear", "3．补正后申请内容仍不明确"),
    ),
    _group(
        "not_processed",
        "（五）不予处理",
        ("not_processed_petition", "1．信访举报投诉类申请"),
        ("not_processed_repeated", "2．重复申请"),
        ("not_processed_publication", "3．要求提供公开出版物"),
        ("not_processed_excessive", "4．无正当理由大量反复申请"),
        ("not_processed_confirmation", "5．要求行政机关确认或重新出具已获取信息"),
    ),
    _group(
        "other",
        "（六）其他处理",
        ("other_no_correction", "1．申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
        ("other_no_fee", "2．申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
        ("other_other", "3．其他"),
    ),
)
RESULT_TOTAL = Row("results_total", "（七）总计")
NEW = Row("new", "一、本年新收政府信息公开申请数量")
CARRIED_IN = Row("carried_in", "二、上年结转政府信息公开申请数量")
RESULTS_HEADING = "三、本年度办理结果"
CARRIED_OUT = Row("carried_out", "四、结转下年度继续办理")

ApplicationSource = Callable[[list[int], int], dict[tuple[str, str], int]]


def _applications_feature(organisation_ids: list[int], year: int) -> dict[tuple[str, str], int]:
    """Figures of the applications feature (disclosure/application_figures.py), as {(row, column): n}.

    Its rows and columns use the keys of this module (reply types and applicant types).
    """
    figures = annual_application_figures(organisation_ids, year)
    return {
        (row["key"], column): count
        for row in figures["rows"]
        for column, count in row["counts"].items()
        if column != "total"
    }


def application_table(
    organisation_ids: list[int], year: int, *, source: ApplicationSource = _applications_feature
) -> dict:
    """Table 3 with its consistency checks, as plain dicts.

    ``source(organisation_ids, year)`` returns {(row key, column key): count} for the leaf rows
    (``new``, ``carried_in``, every sub-row key of RESULT_GROUPS such as ``disclosed`` or
    ``withheld_state_secret``, ``carried_out``, and optionally ``results_total`` if it counts the total
    independently) and the six applicant columns of APPLICANT_COLUMNS. Missing keys are zero; the
    总计 column is summed here. It should run a fixed number of aggregate queries.
    """
    counts = source(list(organisation_ids), year) or {}
    column_keys = [key for key, _label in APPLICANT_COLUMNS]

    def values(row_key: str) -> dict[str, int]:
        cells = {column: int(counts.get((row_key, column), 0)) for column in column_keys}
        cells["total"] = sum(cells.values())
        return cells

    def line(row: Row, cells: dict[str, int] | None = None) -> dict:
        return {"key": row.key, "label": row.label, "group": row.group, "values": cells or values(row.key)}

    result_rows = [line(row) for _key, _label, rows in RESULT_GROUPS for row in rows]
    summed = {column: sum(r["values"][column] for r in result_rows) for column in column_keys + ["total"]}
    if any(key == RESULT_TOTAL.key for key, _column in counts):
        result_total = line(RESULT_TOTAL)
    else:
        result_total = line(RESULT_TOTAL, dict(summed))
    new, carried_in, carried_out = line(NEW), line(CARRIED_IN), line(CARRIED_OUT)

    checks = []
    for column, label in [*APPLICANT_COLUMNS, TOTAL_COLUMN]:
        left = new["values"][column] + carried_in["values"][column]
        right = result_total["values"][column] + carried_out["values"][column]
        checks.append(
            {
                "rule": "一+二=三+四",
                "column": column,
                "column_label": label,
                "left": left,
                "right": right,
                "passed": left == right,
            }
        )
    for column, label in [*APPLICANT_COLUMNS, TOTAL_COLUMN]:
        checks.append(
            {
                "rule": "（七）=（一）+…+（六）",
                "column": column,
                "column_label": label,
                "left": result_total["values"][column],
                "right": summed[column],
                "passed": result_total["values"][column] == summed[column],
            }
        )
    return {
        "columns": [{"key": key, "label": label} for key, label in [*APPLICANT_COLUMNS, TOTAL_COLUMN]],
        "legal_person_columns": list(LEGAL_PERSON_COLUMNS),
        "rows": [new, carried_in],
        "results_heading": RESULTS_HEADING,
        "result_groups": [
            {"key": key, "label": label, "rows": [line(row) for row in rows]}
            for key, label, rows in RESULT_GROUPS
        ],
        "result_total": result_total,
        "carried_out": carried_out,
        "checks": checks,
        "passed": all(check["passed"] for check in checks),
    }


def table3_layout(applications: dict) -> list[dict]:
    """Table 3's body rows as the 2021 form lays them out: label cells with row/column spans."""
    keys = [column["key"] for column in applications["columns"]]

    def values(row):
        return [row["values"][key] for key in keys]

    rows = [{"labels": [{"text": r["label"], "colspan": 3}], "values": values(r)} for r in applications["rows"]]
    result_count = sum(len(g["rows"]) for g in applications["result_groups"]) + 1
    first = True
    for group in applications["result_groups"]:
        for index, row in enumerate(group["rows"]):
            labels = []
            if first:
                labels.append({"text": applications["results_heading"], "rowspan": result_count})
                first = False
            if row["group"]:
                if index == 0:
                    labels.append({"text": row["group"], "rowspan": len(group["rows"])})
                labels.append({"text": row["label"]})
            else:
                labels.append({"text": row["label"], "colspan": 2})
            rows.append({"labels": labels, "values": values(row)})
    rows.append({"labels": [{"text": applications["result_total"]["label"], "colspan": 2}], "values": values(applications["result_total"])})
    rows.append({"labels": [{"text": applications["carried_out"]["label"], "colspan": 3}], "values": values(applications["carried_out"])})
    return rows


# --- table 4 ----------------------------------------------------------------------------------

REVIEW_GROUPS = (
    ("review", "行政复议"),
    ("litigation_direct", "行政诉讼（未经复议直接起诉）"),
    ("litigation_after_review", "行政诉讼（复议后起诉）"),
)
OUTCOME_COLUMNS = (
    ("upheld", "结果维持"),
    ("corrected", "结果纠正"),
    ("other", "其他结果"),
    ("pending", "尚未审结"),
)

ReviewSource = Callable[[list[int], int], dict[tuple[str, str], int]]


def review_litigation_table(
    organisation_ids: list[int], year: int, *, source: ReviewSource = case_counts
) -> dict:
    """Table 4: review and litigation outcomes, with the 总计 of each group summed here;
    ``source(organisation_ids, year)`` gives {(group key, outcome key): count}."""
    counts = source(list(organisation_ids), year) or {}
    groups = []
    for group, label in REVIEW_GROUPS:
        cells = [
            {"key": key, "label": outcome, "value": int(counts.get((group, key), 0))}
            for key, outcome in OUTCOME_COLUMNS
        ]
        cells.append({"key": "total", "label": "总计", "value": sum(c["value"] for c in cells)})
        groups.append({"key": group, "label": label, "cells": cells})
    return {"groups": groups}


# --- the whole report -------------------------------------------------------------------------


def annual_report(organisations: list, year: int, *, fees: Decimal | None = None) -> dict:
    """The annual report's tables 2–4 for the organisations (their figures summed), as plain dicts."""
    ids = [org.pk for org in organisations]
    return {
        "year": year,
        "organisations": [{"code": org.code, "name": org.name} for org in organisations],
        "title": _("%(name)s%(year)s年政府信息公开工作年度报告")
        % {"name": organisations[0].name if organisations else "", "year": year},
        "proactive": proactive_table(ids, year, fees=fees),
        "applications": application_table(ids, year),
        "reviews": review_litigation_table(ids, year),
    }

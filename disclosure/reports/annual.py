"""The statutory annual report tables (政府信息公开工作年度报告, format of 国办公开办函〔2021〕30号).

- Table 2 (主动公开政府信息情况) is computed from public records:
  - 规章 (record type ``regulation``) and 行政规范性文件 (``normative``): 本年制发件数 = records whose
    document date (成文日期, else the formation date) falls in the year; 本年废止件数 = records now
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
- Table 4 (行政复议、行政诉讼情况) comes from ``review_litigation_table``: no register of review and
  litigation cases exists yet, so its cells are zero unless the caller passes a ``source``.

All of table 2 is one aggregate query.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from disclosure.applications.figures import annual_application_figures
from disclosure.records.models import RecordType, Validity
from disclosure.records.selectors import public_records

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


def proactive_table(organisation_ids: list[int], year: int, *, fees: Decimal | None = None) -> dict:
    """Table 2, from public records by type and validity (one aggregate query)."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    records = public_records().filter(organisation_id__in=organisation_ids)

    def document_date(**lookup) -> Q:
        # The document date is 成文日期, or the formation date where no 成文日期 was entered.
        ((suffix, value),) = lookup.items()
        return Q(**{f"written_on__{suffix}": value}) | Q(
            written_on__isnull=True, **{f"formed_on__{suffix}": value}
        )

    aggregates = {}
    for record_type, _label in DOCUMENT_TYPES:
        of_type = Q(record_type=record_type)
        aggregates[f"{record_type}_issued"] = Count("id", filter=of_type & document_date(range=(start, end)))
        aggregates[f"{record_type}_repealed"] = Count(
            "id",
            filter=of_type
            & Q(validity__in=[Validity.REPEALED, Validity.EXPIRED])
            & Q(formed_on__range=(start, end)),
        )
        aggregates[f"{record_type}_current"] = Count(
            "id", filter=of_type & Q(validity=Validity.CURRENT) & document_date(lte=end)
        )
    for record_type, _label in DECISION_TYPES:
        aggregates[f"{record_type}_decisions"] = Count(
            "id", filter=Q(record_type=record_type) & document_date(range=(start, end))
        )
    figures = records.aggregate(**aggregates)
    return {
        "documents": [
            {
                "type": str(record_type),
                "label": label,
                "issued": figures[f"{record_type}_issued"],
                "repealed": figures[f"{record_type}_repealed"],
                "current": figures[f"{record_type}_current"],
            }
            for record_type, label in DOCUMENT_TYPES
        ],
        "decisions": [
            {"type": str(record_type), "label": label, "decisions": figures[f"{record_type}_decisions"]}
            for record_type, label in DECISION_TYPES
        ],
        "fees": {"label": "行政事业性收费", "amount": str(fees if fees is not None else Decimal("0"))},
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


def _no_reviews(organisation_ids: list[int], year: int) -> dict[tuple[str, str], int]:
    return {}


def review_litigation_table(
    organisation_ids: list[int], year: int, *, source: ReviewSource = _no_reviews
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

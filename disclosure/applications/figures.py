"""Table 3 of the annual report (收到和处理政府信息公开申请情况) from the applications.

disclosure.reports.annual.application_table reads ``annual_application_figures`` and adds the
consistency checks and the layout.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Q, QuerySet

from disclosure.applications.models import ApplicantType, Application, ReplyType

R = ReplyType
# (row key, label, reply types): the sub-rows of section 三, grouped as in the table.
TABLE3_RESULT_ROWS: list[tuple[str, str, list[tuple[str, str, str]]]] = [
    ("disclosed", "（一）予以公开", [(R.DISCLOSED, "", "")]),
    ("partial", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", [(R.PARTIAL, "", "")]),
    (
        "withheld",
        "（三）不予公开",
        [
            (R.WITHHELD_STATE_SECRET, "withheld_state_secret", "1．属于国家秘密"),
            (R.WITHHELD_PROHIBITED, "withheld_prohibited", "2．其他法律行政法规禁止公开"),
            (R.WITHHELD_SECURITY, "withheld_security", "3．危及“三安全一稳定”"),
            (R.WITHHELD_THIRD_PARTY, "withheld_third_party", "4．保护第三方合法权益"),
            (R.WITHHELD_INTERNAL, "withheld_internal", "5．属于三类内部事务信息"),
            (R.WITHHELD_PROCESS, "withheld_process", "6．属于四类过程性信息"),
            (R.WITHHELD_ENFORCEMENT, "withheld_enforcement", "7．属于行政执法案卷"),
            (R.WITHHELD_QUERY, "withheld_query", "8．属于行政查询事项"),
        ],
    ),
    (
        "unable",
        "（四）无法提供",
        [
            (R.UNABLE_NOT_HELD, "unable_not_held", "1．本机关不掌握相关政府信息"),
            (R.UNABLE_NEEDS_CREATION, "unable_needs_creation", "2．没有现成信息需要另行制作"),
            (R.UNABLE_UNCLEAR, "unable_unclear", "3．补正后申请内容仍不明确"),
        ],
    ),
    (
        "not_processed",
        "（五）不予处理",
        [
            (R.NOT_PROCESSED_PETITION, "not_processed_petition", "1．信访举报投诉类申请"),
            (R.NOT_PROCESSED_REPEATED, "not_processed_repeated", "2．重复申请"),
            (R.NOT_PROCESSED_PUBLICATION, "not_processed_publication", "3．要求提供公开出版物"),
            (R.NOT_PROCESSED_EXCESSIVE, "not_processed_excessive", "4．无正当理由大量反复申请"),
            (
                R.NOT_PROCESSED_CONFIRMATION,
                "not_processed_confirmation",
                "5．要求行政机关确认或重新出具已获取信息",
            ),
        ],
    ),
    (
        "other",
        "（六）其他处理",
        [
            (
                R.OTHER_NO_CORRECTION,
                "other_no_correction",
                "1．申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
            ),
            (
                R.OTHER_NO_FEE,
                "other_no_fee",
                "2．申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
            ),
            (R.OTHER, "other_other", "3．其他"),
        ],
    ),
]
del R

TABLE3_COLUMNS: list[tuple[str, str]] = [
    *((t.value, str(t.label)) for t in ApplicantType),
    ("total", "总计"),
]


def _empty_counts() -> dict[str, int]:
    return {key: 0 for key, _label in TABLE3_COLUMNS}


def _counts_by_type(queryset: QuerySet[Application]) -> dict[str, int]:
    counts = _empty_counts()
    for row in queryset.values("applicant_type").annotate(n=Count("id")):
        counts[row["applicant_type"]] += row["n"]
        counts["total"] += row["n"]
    return counts


def annual_application_figures(org_ids, year: int) -> dict:
    """Table 3 of the annual report for the applications addressed to ``org_ids`` in ``year``.

    Returns ``{"year", "columns", "rows"}``: ``columns`` is a list of (key, label) pairs, the six
    applicant types of the table then "total"; ``rows`` a list of dicts ``{"key", "label", "depth",
    "counts"}`` where ``counts`` maps each column key to an int, in the table's order:

    - ``new`` 一、本年新收政府信息公开申请数量: received_on in the year;
    - ``carried_in`` 二、上年结转政府信息公开申请数量: received before the year, not replied before it;
    - ``results`` 三、本年度办理结果 (depth 0, no counts of its own: ``counts`` is the total of (七)),
      then (一)…(六) at depth 1 (groups with sub-rows sum them) with their numbered sub-rows at
      depth 2, then ``results_total`` （七）总计 at depth 1: replied_on in the year, by reply type;
    - ``carried_out`` 四、结转下年度继续办理: received by the year's end, not replied within it.

    By construction 一 + 二 = （七） + 四 and （七） = （一）+ … +（六） in every column, because
    every application has one receipt date and at most one reply date no earlier than it.
    Three queries, however many applications.
    """
    start, end = date(year, 1, 1), date(year, 12, 31)
    base = Application.objects.filter(organisation_id__in=list(org_ids))
    new = _counts_by_type(base.filter(received_on__range=(start, end)))
    carried_in = _counts_by_type(
        base.filter(received_on__lt=start).filter(Q(replied_on__isnull=True) | Q(replied_on__gte=start))
    )
    carried_out = _counts_by_type(
        base.filter(received_on__lte=end).filter(Q(replied_on__isnull=True) | Q(replied_on__gt=end))
    )
    by_reply: dict[str, dict[str, int]] = {t.value: _empty_counts() for t in ReplyType}
    for row in (
        base.filter(replied_on__range=(start, end)).values("reply_type", "applicant_type").annotate(n=Count("id"))
    ):
        by_reply[row["reply_type"]][row["applicant_type"]] += row["n"]
        by_reply[row["reply_type"]]["total"] += row["n"]

    results_total = _empty_counts()
    result_rows = []
    for key, label, members in TABLE3_RESULT_ROWS:
        group = _empty_counts()
        for reply_type, _sub_key, _sub_label in members:
            for column in group:
                group[column] += by_reply[reply_type][column]
        for column in results_total:
            results_total[column] += group[column]
        result_rows.append({"key": key, "label": label, "depth": 1, "counts": group})
        for reply_type, sub_key, sub_label in members:
            if sub_key:
                result_rows.append(
                    {"key": sub_key, "label": sub_label, "depth": 2, "counts": by_reply[reply_type]}
                )
    rows = [
        {"key": "new", "label": "一、本年新收政府信息公开申请数量", "depth": 0, "counts": new},
        {"key": "carried_in", "label": "二、上年结转政府信息公开申请数量", "depth": 0, "counts": carried_in},
        {"key": "results", "label": "三、本年度办理结果", "depth": 0, "counts": results_total},
        *result_rows,
        {"key": "results_total", "label": "（七）总计", "depth": 1, "counts": results_total},
        {"key": "carried_out", "label": "四、结转下年度继续办理", "depth": 0, "counts": carried_out},
    ]
    return {"year": year, "columns": TABLE3_COLUMNS, "rows": rows}

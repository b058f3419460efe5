"""The tables of a published annual report, for anyone: XLSX and CSV of the figures it was published with.

The record is looked up through ``disclosure.records.selectors.public_record``: a report that is not
public (draft, in review, withdrawn, superseded, 依申请公开, switched-off column) is a 404.
"""

from django.http import Http404, HttpResponse
from django.views.decorators.http import require_safe

from disclosure.records import selectors
from disclosure.records.disclosure_column import REPORTS_CODE
from disclosure.reports import export
from disclosure.reports.models import AnnualReportEdition

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@require_safe
def annual_report_tables(request, org, number, fmt):
    if fmt not in CONTENT_TYPES or "\x00" in org + number:
        raise Http404("不支持的导出格式。")
    record = selectors.public_record(org_code=org, serial=number)
    if record is None or record.node.code != REPORTS_CODE:
        raise Http404("没有找到该年度报告。")
    edition = AnnualReportEdition.objects.filter(record=record).select_related("document").first()
    if edition is None:
        raise Http404("没有找到该年度报告。")
    data = {**edition.figures, "title": record.title}
    sheets = export.annual_sheets(data, edition.sections)
    content = export.to_xlsx(sheets) if fmt == "xlsx" else export.to_csv_tables(sheets)
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    name = f"annual-report-{org}-{edition.document.year}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response

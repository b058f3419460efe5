"""Report pages for auditors and bureau staff, their drill-downs, and the CSV/XLSX exports.

Staff only: anonymous users go to the admin login (LOGIN_URL); an account without an organisation
in scope gets 403. Auditors (审计员) see their organisation's subtree, other staff their own
organisation, superusers everything (``disclosure.records.policy.organisations_in_scope``). Each page runs
a fixed number of queries, however many records and organisations there are.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog import selectors as catalog_selectors
from catalog.models import Organisation
from disclosure.records.check_models import FindingKind
from disclosure.reports import documents, export
from disclosure.reports.annual import annual_report, table3_layout
from disclosure.reports.charts import Bar, Column, HorizontalBarChart, StackedColumnChart
from disclosure.reports.common import scope_organisations, scoped_public_records, select_organisations
from disclosure.reports.compare import compare_years
from disclosure.reports.completeness import ItemState, completeness_report
from disclosure.reports.deadline import annual_reports_due
from disclosure.reports.forms import AnnualReportForm, ReportFilterForm
from disclosure.reports.freshness import (
    BLANK_FAILING,
    STALE_KEY_FAILING,
    STALE_OTHER_FAILING,
    Freshness,
    freshness_report,
)
from disclosure.reports.models import AnnualReportDocument
from disclosure.reports.site_check import site_check_report, site_check_sheets
from disclosure.reports.timeliness import Timing, timeliness_report

CELLS_PER_PAGE = 100
RECORDS_PER_PAGE = 50
EXPORT_FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


# --- what every report page and export does ----------------------------------------------------


@dataclass(frozen=True)
class ReportKind:
    """What the pages and the exports of one report share: its filter, how it is built and exported."""

    name: str  # of its page template and its export files
    title: str
    report: Callable  # (organisations, **date range) → the report
    sheets: Callable[[object], list[export.Sheet]]
    dates: tuple[str, str] | None = None  # the report's keywords for the filter's date range, if it has one
    date_label: str = ""

    @property
    def template(self) -> str:
        return f"disclosure/reports/{self.name}.html"

    def build(self, organisations: list, data: dict):
        """The report of the organisations, for the filter form's cleaned ``data``."""
        if not self.dates:
            return self.report(organisations)
        start, end = self.dates
        return self.report(organisations, **{start: data["date_from"], end: data["date_to"]})


COMPLETENESS = ReportKind(
    "completeness",
    gettext_lazy("公开完整性"),
    completeness_report,
    export.completeness_sheets,
    dates=("published_from", "published_to"),
    date_label=gettext_lazy("发布日期"),
)
TIMELINESS = ReportKind(
    "timeliness",
    gettext_lazy("公开及时性"),
    timeliness_report,
    export.timeliness_sheets,
    dates=("formed_from", "formed_to"),
    date_label=gettext_lazy("信息形成日期"),
)
FRESHNESS = ReportKind("freshness", gettext_lazy("栏目更新"), freshness_report, export.freshness_sheets)
ANNUAL_TITLE = gettext_lazy("政府信息公开工作年度报告")
ANNUAL_TEMPLATE = "disclosure/reports/annual.html"


class BadFilter(Exception):
    """The filter form of a page is invalid: the page answers with the form's errors and 400."""

    def __init__(self, form):
        super().__init__()
        self.form = form


def _report_view(template: str, title: str):
    """The frame of a report page or export: staff only (the admin login otherwise); the view returns
    its page's context (form, report, base, …), rendered with ``template`` and ``title``, or a
    response (an export); a bad filter is answered with the form's errors and 400, never a 500."""

    def decorate(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            try:
                result = view(request, *args, **kwargs)
            except BadFilter as bad:
                return _render(request, template, {"title": title, "form": bad.form, "report": None}, status=400)
            if isinstance(result, HttpResponseBase):
                return result
            return _render(request, template, {"title": title, **result})

        return wrapper

    return decorate


def _scope(request):
    organisations = scope_organisations(request.user)
    if not organisations:
        raise PermissionDenied(_("您的账号没有可查看统计报表的单位，请联系管理员设置所属单位和角色。"))
    return organisations


def _filter(request, kind: ReportKind, *, own_only: bool = False):
    """The filter form → the organisations in scope it selects → (form, organisations, the filters
    as link params). With ``own=1`` and an organisation chosen, ``own_only`` keeps that organisation
    alone, not its subtree. Raises BadFilter."""
    scope = _scope(request)
    dates = bool(kind.dates)
    form = ReportFilterForm(request.GET, organisations=scope, dates=dates, date_label=kind.date_label)
    if not form.is_valid():
        raise BadFilter(form)
    data = form.cleaned_data
    organisations = select_organisations(scope, data["org"])
    if own_only and request.GET.get("own") == "1" and request.GET.get("org"):
        organisations = organisations[:1]
    base = {"org": data["org"]}
    if dates:
        base.update(
            date_from=data["date_from"] and data["date_from"].isoformat(),
            date_to=data["date_to"] and data["date_to"].isoformat(),
        )
    return form, organisations, base


def _build(request, kind: ReportKind, *, own_only: bool = False):
    """Filter, then build the report: (form, report, base)."""
    form, organisations, base = _filter(request, kind, own_only=own_only)
    return form, kind.build(organisations, form.cleaned_data), base


def _render(request, template, context, *, status=200):
    context = {**admin.site.each_context(request), "is_nav_sidebar_enabled": False, **context}
    return render(request, template, context, status=status)


def _page(request, items, per_page):
    return Paginator(items, per_page).get_page(request.GET.get("page"))


def _choice(request, name: str, choices, message: str) -> str:
    """A drill-down parameter that must be one of ``choices`` (or absent); 404 otherwise."""
    value = request.GET.get(name, "")
    if value and value not in choices.values:
        raise Http404(message)
    return value


def _download(content: bytes, fmt: str, stem: str, org: str | None) -> HttpResponse:
    response = HttpResponse(content, content_type=EXPORT_FORMATS.get(fmt, "application/json"))
    name = f"{stem}-{org or 'all'}-{timezone.localdate():%Y%m%d}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _streamed_download(sheets: list[export.Sheet], fmt: str, stem: str, org: str | None):
    """An export in constant memory: the CSV (first sheet) streamed as its rows are read; the XLSX
    (every sheet) written to a temporary file, row by row, then sent from it."""
    if fmt == "csv":
        response = StreamingHttpResponse(export.csv_chunks(sheets[0]), content_type=EXPORT_FORMATS["csv"])
    else:
        target = tempfile.TemporaryFile()
        export.write_xlsx(sheets, target)
        target.seek(0)
        response = FileResponse(target, content_type=EXPORT_FORMATS["xlsx"])
    name = f"{stem}-{org or 'all'}-{timezone.localdate():%Y%m%d}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _export_view(kind: ReportKind):
    """The CSV (first sheet) and XLSX (every sheet) export of a report, filtered like its page."""

    @_report_view(kind.template, kind.title)
    def view(request, fmt):
        if fmt not in EXPORT_FORMATS:
            raise Http404(_("不支持的导出格式。"))
        form, report, base = _build(request, kind)
        return _streamed_download(kind.sheets(report), fmt, kind.name, base.get("org"))

    return view


# --- charts -----------------------------------------------------------------------------------


def _chart_roots(rows, has_items):
    """The organisations to chart: the root's own figures (if it discloses) and its children's
    rolled-up figures; descending through roots that only group a single child."""
    ids = {row.organisation.pk for row in rows}
    roots = [row for row in rows if row.organisation.parent_id not in ids]
    while len(roots) == 1:
        root = roots[0]
        children = [row for row in rows if row.organisation.parent_id == root.organisation.pk]
        if has_items(root) or len(children) != 1:
            own = [(root, True)] if has_items(root) else []
            return own + [(child, False) for child in children]
        roots = children
    return [(root, False) for root in roots]


def _organisation_bars(rows, has_items, figures) -> list[Bar]:
    """A bar per charted organisation (_chart_roots); ``figures(tally)`` gives the bar's (value, text)."""
    bars = []
    for row, own in _chart_roots(rows, has_items):
        value, text = figures(row.own if own else row.total)
        bars.append(Bar(label=f"{row.organisation.name}（本级）" if own else row.organisation.name, value=value, text=text))
    return bars


def _coverage(tally):
    text = f"{tally.coverage:.1f}%（{tally.disclosed}/{tally.required}）" if tally.coverage is not None else "—"
    return tally.coverage, text


def _completeness_charts(report):
    domain_bars = []
    for row in report.domains:
        value, text = _coverage(row.tally)
        domain_bars.append(Bar(label=row.domain.name, value=value, text=text))
    return (
        HorizontalBarChart(
            title=_("各领域公开覆盖率"),
            description=_("已公开事项占应公开事项的百分比，按领域；数字见下方“按领域”表。"),
            bars=domain_bars,
            value_width=130,
        ),
        HorizontalBarChart(
            title=_("各单位公开覆盖率"),
            description=_("已公开事项占应公开事项的百分比，下级单位含其所属单位；数字见下方“按单位”表。"),
            bars=_organisation_bars(report.organisations, lambda r: r.has_items, _coverage),
            value_width=130,
        ),
    )


def _months_chart(report):
    return StackedColumnChart(
        title=_("逐月发布情况"),
        description=_("每月发布的有时限信息，按时发布在下、逾期发布在上；数字见下方“逐月统计”表。"),
        columns=[Column(label=m.month, values=[m.on_time, m.late]) for m in report.months],
        series=[{"label": _("按时发布"), "css": "on-time"}, {"label": _("逾期发布"), "css": "late"}],
    )


def _freshness_chart(report):
    def problems(tally):
        text = _("%(n)s 个（未更新 %(stale)s，空白 %(blank)s）") % {
            "n": tally.problems,
            "stale": tally.stale,
            "blank": tally.blank,
        }
        return tally.problems, text

    bars = _organisation_bars(report.organisations, lambda r: r.has_columns, problems)
    return HorizontalBarChart(
        title=_("各单位未及时更新和空白栏目数"),
        description=_("下级单位含其所属单位；数字见下方“按单位”表。"),
        bars=bars,
        maximum=max([bar.value for bar in bars] + [BLANK_FAILING]),
        value_width=230,
    )


# --- index ------------------------------------------------------------------------------------


@login_required
def index(request):
    scope = _scope(request)
    return _render(
        request,
        "disclosure/reports/index.html",
        {"title": _("统计报表"), "organisations": scope, "root": scope[0]},
    )


# --- completeness -----------------------------------------------------------------------------


@_report_view(COMPLETENESS.template, COMPLETENESS.title)
def completeness(request):
    form, report, base = _build(request, COMPLETENESS)
    domain_chart, org_chart = _completeness_charts(report)
    return {
        "form": form,
        "report": report,
        "base": base,
        "domain_chart": domain_chart,
        "org_chart": org_chart,
        "states": ItemState,
        # 条例 article 49: last year's annual report of each organisation, flagged once 31 January passed.
        "annual_reports": annual_reports_due(
            Organisation.objects.filter(pk__in=[row.organisation.pk for row in report.organisations]).filter(
                pk__in=catalog_selectors.disclosing_organisations().values("pk")
            ).order_by("tree_id", "lft"),
            timezone.localdate(),
        ),
    }


@_report_view("disclosure/reports/cells.html", gettext_lazy("公开完整性明细"))
def completeness_cells(request):
    """Drill-down: the (organisation, item) cells behind a figure, filtered by state, item, domain."""
    form, report, base = _build(request, COMPLETENESS, own_only=True)
    state = _choice(request, "state", ItemState, _("没有这种状态。"))
    item, domain = request.GET.get("item", ""), request.GET.get("domain", "")
    cells = [
        cell
        for cell in report.cells
        if (not state or cell.state == state)
        and (not item or cell.item.code == item)
        and (not domain or cell.item.domain.code == domain)
    ]
    return {
        "form": form,
        "report": report,
        "base": base,
        "filters": {"own": request.GET.get("own", ""), "state": state, "item": item, "domain": domain},
        "state_label": ItemState(state).label if state else "",
        "item": next((row.item for row in report.items if row.item.code == item), None),
        "page": _page(request, cells, CELLS_PER_PAGE),
        "count": len(cells),
    }


@_report_view("disclosure/reports/records.html", gettext_lazy("公开信息明细"))
def records(request):
    """Drill-down: the public records behind a count, by organisation (or subtree) and catalog node."""
    form, organisations, base = _filter(request, COMPLETENESS, own_only=True)
    node_code = request.GET.get("node", "")
    node = None
    if node_code:
        node = catalog_selectors.find_in_tree(catalog_selectors.catalog_tree(), node_code)
        if node is None:
            raise Http404(_("没有这个目录事项。"))
    queryset = scoped_public_records(
        organisations,
        node=node,
        published_from=form.cleaned_data["date_from"],
        published_to=form.cleaned_data["date_to"],
    ).select_related("organisation", "node").order_by("-published_at", "-id")
    own = request.GET.get("own", "")
    return {
        "form": form,
        "report": True,
        "base": base,
        "node": node,
        "own": own,
        "keep": {"own": own, "node": node_code},
        "organisation": organisations[0] if request.GET.get("org") else None,
        "page": _page(request, queryset, RECORDS_PER_PAGE),
    }


completeness_export = _export_view(COMPLETENESS)


# --- timeliness -------------------------------------------------------------------------------


@_report_view(TIMELINESS.template, TIMELINESS.title)
def timeliness(request):
    form, report, base = _build(request, TIMELINESS)
    return {
        "form": form,
        "report": report,
        "base": base,
        "months_chart": _months_chart(report) if report.months else None,
        # The 20 rows late or overdue by the most working days; the counts are the report's tallies.
        "overdue": report.rows_by(Timing.OVERDUE).longest(20),
        "overdue_count": report.total.overdue,
        "late": report.rows_by(Timing.LATE).longest(20),
        "late_count": report.total.late,
        "unknown_count": report.total.unknown,
        "timings": Timing,
    }


@_report_view("disclosure/reports/timeliness_records.html", gettext_lazy("公开及时性明细"))
def timeliness_records(request):
    """Drill-down: the records behind a timeliness figure (state, month, organisation)."""
    form, organisations, base = _filter(request, TIMELINESS, own_only=True)
    state = _choice(request, "state", Timing, _("没有这种结论。"))
    month = request.GET.get("month", "")
    report = TIMELINESS.build(organisations, form.cleaned_data)
    page = _page(request, report.rows.filter(timing=state, month=month), RECORDS_PER_PAGE)
    return {
        "form": form,
        "report": report,
        "base": base,
        "filters": {"own": request.GET.get("own", ""), "state": state, "month": month},
        "state_label": Timing(state).label if state else "",
        "month": month,
        "page": page,
        "count": page.paginator.count,
    }


timeliness_export = _export_view(TIMELINESS)


# --- freshness --------------------------------------------------------------------------------


@_report_view(FRESHNESS.template, FRESHNESS.title)
def freshness(request):
    form, report, base = _build(request, FRESHNESS, own_only=True)
    chart = _freshness_chart(report)
    state = _choice(request, "state", Freshness, _("没有这种状态。"))
    problems = [c for c in report.problem_columns() if not state or c.state == state]
    return {
        "form": form,
        "report": report,
        "base": base,
        "chart": chart,
        "state": state,
        "keep": {"own": request.GET.get("own", ""), "state": state},
        "page": _page(request, problems, CELLS_PER_PAGE),
        "problem_count": len(problems),
        "failing_at": {"stale_key": STALE_KEY_FAILING, "stale_other": STALE_OTHER_FAILING, "blank": BLANK_FAILING},
    }


freshness_export = _export_view(FRESHNESS)


# --- annual report ----------------------------------------------------------------------------


def _annual(request):
    """The annual report form → the organisation (or its subtree) → (form, report, sections); raises
    BadFilter. ``sections`` is the narrative of the organisation's report document of that year, figures
    filled in (None for a subtree or where nobody has written one yet)."""
    scope = _scope(request)
    form = AnnualReportForm(request.GET, organisations=scope)
    if not form.is_valid():
        raise BadFilter(form)
    data = form.cleaned_data
    organisations = select_organisations(scope, data["org"])
    if not data["subtree"]:
        organisations = organisations[:1]
    document = None
    if len(organisations) == 1:
        document = AnnualReportDocument.objects.filter(organisation=organisations[0], year=data["year"]).first()
    fees = data["fees"]
    if fees is None and document is not None:
        fees = document.administrative_fees
    report = annual_report(organisations, data["year"], fees=fees)
    sections = documents.filled_sections(document, report) if document else None
    return form, report, sections


@_report_view(ANNUAL_TEMPLATE, ANNUAL_TITLE)
def annual(request):
    form, data, sections = _annual(request)
    return {
        "title": data["title"],
        "form": form,
        "report": data,
        "sections": sections,
        "table3": table3_layout(data["applications"]),
        "base": {key: value for key, value in request.GET.items() if key in form.fields},
    }


@_report_view(ANNUAL_TEMPLATE, ANNUAL_TITLE)
def annual_export(request, fmt):
    if fmt not in EXPORT_FORMATS:
        raise Http404(_("不支持的导出格式。"))
    form, data, sections = _annual(request)
    sheets = export.annual_sheets(data, sections or _empty_sections())
    content = export.to_xlsx(sheets) if fmt == "xlsx" else export.to_csv_tables(sheets)
    return _download(content, fmt, f"annual-{data['year']}", form.cleaned_data["org"])


def _empty_sections() -> list[list[str]]:
    """The six section headings, for an export made before anyone wrote the narrative."""
    return [[heading, ""] for _field, heading in documents.SECTIONS]


@_report_view("disclosure/reports/annual_compare.html", ANNUAL_TITLE)
def annual_compare(request):
    """Every figure of tables 2–4 for the year and the year before (auditors' year-over-year view)."""
    form, current, _sections = _annual(request)
    data = form.cleaned_data
    organisations = select_organisations(_scope(request), data["org"])
    if not data["subtree"]:
        organisations = organisations[:1]
    previous = annual_report(organisations, data["year"] - 1)
    rows = compare_years(current, previous)
    return {
        "title": _("%(title)s：与%(year)s年对比") % {"title": current["title"], "year": data["year"] - 1},
        "form": form,
        "report": current,
        "year": data["year"],
        "previous_year": data["year"] - 1,
        "rows": rows,
        "changed": sum(1 for row in rows if row.change),
        "base": {key: value for key, value in request.GET.items() if key in form.fields},
    }


# --- site check findings (links, attachments, 错敏词) -------------------------------------------

SITE_CHECK = ReportKind(
    "site_check", gettext_lazy("网站检查发现"), site_check_report, site_check_sheets
)


@_report_view(SITE_CHECK.template, SITE_CHECK.title)
def site_check(request):
    form, organisations, base = _filter(request, SITE_CHECK)
    kind = _choice(request, "kind", FindingKind, _("没有这种问题类别。"))
    report = site_check_report(organisations, kind=kind)
    return {
        "form": form,
        "report": report,
        "base": base,
        "kind": kind,
        "keep": {"kind": kind},
        "page": _page(request, report.findings, CELLS_PER_PAGE),
    }


site_check_export = _export_view(SITE_CHECK)

"""Report pages for auditors and bureau staff, their drill-downs, and the CSV/XLSX exports.

Staff only: anonymous users go to the admin login (LOGIN_URL); an account without an organisation
in scope gets 403. Auditors (审计员) see their organisation's subtree, other staff their own
organisation, superusers everything (``disclosure.policy.organisations_in_scope``). Each page runs
a fixed number of queries, however many records and organisations there are.
"""

from __future__ import annotations

from datetime import date

from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog import selectors as catalog_selectors
from disclosure.reports import export
from disclosure.reports.annual import annual_report
from disclosure.reports.charts import Bar, Column, HorizontalBarChart, StackedColumnChart
from disclosure.reports.common import local_day_start, scope_organisations, select_organisations
from disclosure.reports.completeness import ItemState, completeness_report
from disclosure.reports.forms import AnnualReportForm, ReportFilterForm
from disclosure.reports.freshness import SITE_CHECK_FAILING, Freshness, freshness_report
from disclosure.reports.timeliness import Timing, timeliness_report
from disclosure.selectors import public_records

CELLS_PER_PAGE = 100
RECORDS_PER_PAGE = 50
EXPORT_FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


# --- shared -----------------------------------------------------------------------------------


def _scope(request):
    organisations = scope_organisations(request.user)
    if not organisations:
        raise PermissionDenied(_("您的账号没有可查看统计报表的单位，请联系管理员设置所属单位和角色。"))
    return organisations


def _render(request, template, context, *, status=200):
    context = {**admin.site.each_context(request), "is_nav_sidebar_enabled": False, **context}
    return render(request, template, context, status=status)


def _filter(request, *, dates=True, date_label=""):
    """(form, selected organisations or None when the form is invalid, the filters as link params)."""
    scope = _scope(request)
    form = ReportFilterForm(request.GET, organisations=scope, dates=dates, date_label=date_label)
    if not form.is_valid():
        return form, None, {}
    data = form.cleaned_data
    organisations = select_organisations(scope, data["org"])
    base = {"org": data["org"]}
    if dates:
        base.update(
            date_from=data["date_from"] and data["date_from"].isoformat(),
            date_to=data["date_to"] and data["date_to"].isoformat(),
        )
    return form, organisations, base


def _own_only(request, organisations):
    """With ``own=1`` and an organisation chosen, only that organisation, not its subtree."""
    if request.GET.get("own") == "1" and request.GET.get("org"):
        return organisations[:1]
    return organisations


def _page(request, items, per_page):
    return Paginator(items, per_page).get_page(request.GET.get("page"))


def _download(content: bytes, fmt: str, stem: str, org: str | None) -> HttpResponse:
    response = HttpResponse(content, content_type=EXPORT_FORMATS.get(fmt, "application/json"))
    name = f"{stem}-{org or 'all'}-{timezone.localdate():%Y%m%d}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


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


def _bad_request(request, template, form, context=None):
    return _render(request, template, {"form": form, "report": None, **(context or {})}, status=400)


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


def _completeness_charts(report):
    domain_bars = [
        Bar(
            label=row.domain.name,
            value=row.tally.coverage,
            text=f"{row.tally.coverage:.1f}%（{row.tally.disclosed}/{row.tally.required}）"
            if row.tally.coverage is not None
            else "—",
        )
        for row in report.domains
    ]
    org_bars = []
    for row, own in _chart_roots(report.organisations, lambda r: r.has_items):
        tally = row.own if own else row.total
        label = f"{row.organisation.name}（本级）" if own else row.organisation.name
        org_bars.append(
            Bar(
                label=label,
                value=tally.coverage,
                text=f"{tally.coverage:.1f}%（{tally.disclosed}/{tally.required}）" if tally.coverage is not None else "—",
            )
        )
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
            bars=org_bars,
            value_width=130,
        ),
    )


@login_required
def completeness(request):
    form, organisations, base = _filter(request, date_label=_("发布日期"))
    template = "disclosure/reports/completeness.html"
    if organisations is None:
        return _bad_request(request, template, form, {"title": _("公开完整性")})
    report = completeness_report(
        organisations, published_from=form.cleaned_data["date_from"], published_to=form.cleaned_data["date_to"]
    )
    domain_chart, org_chart = _completeness_charts(report)
    return _render(
        request,
        template,
        {
            "title": _("公开完整性"),
            "form": form,
            "report": report,
            "base": base,
            "domain_chart": domain_chart,
            "org_chart": org_chart,
            "states": ItemState,
        },
    )


@login_required
def completeness_cells(request):
    """Drill-down: the (organisation, item) cells behind a figure, filtered by state, item, domain."""
    form, organisations, base = _filter(request, date_label=_("发布日期"))
    template = "disclosure/reports/cells.html"
    if organisations is None:
        return _bad_request(request, template, form, {"title": _("公开完整性明细")})
    organisations = _own_only(request, organisations)
    report = completeness_report(
        organisations, published_from=form.cleaned_data["date_from"], published_to=form.cleaned_data["date_to"]
    )
    state, item, domain = request.GET.get("state", ""), request.GET.get("item", ""), request.GET.get("domain", "")
    if state and state not in ItemState.values:
        raise Http404(_("没有这种状态。"))
    cells = [
        cell
        for cell in report.cells
        if (not state or cell.state == state)
        and (not item or cell.item.code == item)
        and (not domain or cell.item.domain.code == domain)
    ]
    filters = {"own": request.GET.get("own", ""), "state": state, "item": item, "domain": domain}
    return _render(
        request,
        template,
        {
            "title": _("公开完整性明细"),
            "form": form,
            "report": report,
            "base": base,
            "filters": filters,
            "state_label": ItemState(state).label if state else "",
            "item": next((row.item for row in report.items if row.item.code == item), None),
            "page": _page(request, cells, CELLS_PER_PAGE),
            "count": len(cells),
        },
    )


@login_required
def records(request):
    """Drill-down: the public records behind a count, by organisation (or subtree) and catalog node."""
    form, organisations, base = _filter(request, date_label=_("发布日期"))
    template = "disclosure/reports/records.html"
    if organisations is None:
        return _bad_request(request, template, form, {"title": _("公开信息明细")})
    organisations = _own_only(request, organisations)
    queryset = public_records().filter(organisation_id__in=[org.pk for org in organisations])
    node_code = request.GET.get("node", "")
    node = None
    if node_code:
        node = catalog_selectors.find_in_tree(catalog_selectors.catalog_tree(), node_code)
        if node is None:
            raise Http404(_("没有这个目录事项。"))
        queryset = queryset.filter(node__code__in=catalog_selectors.descendant_codes(node))
    if form.cleaned_data["date_from"]:
        queryset = queryset.filter(published_at__gte=local_day_start(form.cleaned_data["date_from"]))
    if form.cleaned_data["date_to"]:
        end = form.cleaned_data["date_to"]
        queryset = queryset.filter(published_at__lt=local_day_start(date.fromordinal(end.toordinal() + 1)))
    queryset = queryset.select_related("organisation", "node").order_by("-published_at", "-id")
    return _render(
        request,
        template,
        {
            "title": _("公开信息明细"),
            "form": form,
            "report": True,
            "base": base,
            "node": node,
            "own": request.GET.get("own", ""),
            "keep": {"own": request.GET.get("own", ""), "node": node_code},
            "organisation": organisations[0] if request.GET.get("org") else None,
            "page": _page(request, queryset, RECORDS_PER_PAGE),
        },
    )


@login_required
def completeness_export(request, fmt):
    if fmt not in EXPORT_FORMATS:
        raise Http404(_("不支持的导出格式。"))
    form, organisations, base = _filter(request, date_label=_("发布日期"))
    if organisations is None:
        return _bad_request(request, "disclosure/reports/completeness.html", form, {"title": _("公开完整性")})
    report = completeness_report(
        organisations, published_from=form.cleaned_data["date_from"], published_to=form.cleaned_data["date_to"]
    )
    sheets = export.completeness_sheets(report)
    content = export.to_csv(sheets[0]) if fmt == "csv" else export.to_xlsx(sheets)
    return _download(content, fmt, "completeness", base.get("org"))


# --- timeliness -------------------------------------------------------------------------------


def _months_chart(report):
    return StackedColumnChart(
        title=_("逐月发布情况"),
        description=_("每月发布的有时限信息，按时发布在下、逾期发布在上；数字见下方“逐月统计”表。"),
        columns=[Column(label=m.month, values=[m.on_time, m.late]) for m in report.months],
        series=[{"label": _("按时发布"), "css": "on-time"}, {"label": _("逾期发布"), "css": "late"}],
    )


@login_required
def timeliness(request):
    form, organisations, base = _filter(request, date_label=_("信息形成日期"))
    template = "disclosure/reports/timeliness.html"
    if organisations is None:
        return _bad_request(request, template, form, {"title": _("公开及时性")})
    report = timeliness_report(
        organisations, formed_from=form.cleaned_data["date_from"], formed_to=form.cleaned_data["date_to"]
    )
    overdue = report.rows_by(Timing.OVERDUE)
    late = report.rows_by(Timing.LATE)
    unknown = report.rows_by(Timing.UNKNOWN)
    return _render(
        request,
        template,
        {
            "title": _("公开及时性"),
            "form": form,
            "report": report,
            "base": base,
            "months_chart": _months_chart(report) if report.months else None,
            "overdue": sorted(overdue, key=lambda r: -(r.working_days or 0))[:20],
            "overdue_count": len(overdue),
            "late": sorted(late, key=lambda r: -(r.working_days or 0))[:20],
            "late_count": len(late),
            "unknown_count": len(unknown),
            "timings": Timing,
        },
    )


@login_required
def timeliness_records(request):
    """Drill-down: the records behind a timeliness figure (state, month, organisation)."""
    form, organisations, base = _filter(request, date_label=_("信息形成日期"))
    template = "disclosure/reports/timeliness_records.html"
    if organisations is None:
        return _bad_request(request, template, form, {"title": _("公开及时性明细")})
    organisations = _own_only(request, organisations)
    state, month = request.GET.get("state", ""), request.GET.get("month", "")
    if state and state not in Timing.values:
        raise Http404(_("没有这种结论。"))
    report = timeliness_report(
        organisations, formed_from=form.cleaned_data["date_from"], formed_to=form.cleaned_data["date_to"]
    )
    rows = [
        row
        for row in report.rows
        if (not state or row.timing == state) and (not month or row.month == month)
    ]
    return _render(
        request,
        template,
        {
            "title": _("公开及时性明细"),
            "form": form,
            "report": report,
            "base": base,
            "filters": {"own": request.GET.get("own", ""), "state": state, "month": month},
            "state_label": Timing(state).label if state else "",
            "month": month,
            "page": _page(request, rows, RECORDS_PER_PAGE),
            "count": len(rows),
        },
    )


@login_required
def timeliness_export(request, fmt):
    if fmt not in EXPORT_FORMATS:
        raise Http404(_("不支持的导出格式。"))
    form, organisations, base = _filter(request, date_label=_("信息形成日期"))
    if organisations is None:
        return _bad_request(request, "disclosure/reports/timeliness.html", form, {"title": _("公开及时性")})
    report = timeliness_report(
        organisations, formed_from=form.cleaned_data["date_from"], formed_to=form.cleaned_data["date_to"]
    )
    sheets = export.timeliness_sheets(report)
    content = export.to_csv(sheets[0]) if fmt == "csv" else export.to_xlsx(sheets)
    return _download(content, fmt, "timeliness", base.get("org"))


# --- freshness --------------------------------------------------------------------------------


@login_required
def freshness(request):
    form, organisations, base = _filter(request, dates=False)
    template = "disclosure/reports/freshness.html"
    if organisations is None:
        return _bad_request(request, template, form, {"title": _("栏目更新")})
    organisations = _own_only(request, organisations)
    report = freshness_report(organisations)
    bars = []
    for row, own in _chart_roots(report.organisations, lambda r: r.has_columns):
        tally = row.own if own else row.total
        label = f"{row.organisation.name}（本级）" if own else row.organisation.name
        bars.append(
            Bar(
                label=label,
                value=tally.problems,
                text=_("%(n)s 个（未更新 %(stale)s，空白 %(blank)s）")
                % {"n": tally.problems, "stale": tally.stale, "blank": tally.blank},
            )
        )
    chart = HorizontalBarChart(
        title=_("各单位未及时更新和空白栏目数"),
        description=_("下级单位含其所属单位；数字见下方“按单位”表。"),
        bars=bars,
        maximum=max([bar.value for bar in bars] + [SITE_CHECK_FAILING]),
        value_width=230,
    )
    state = request.GET.get("state", "")
    if state and state not in Freshness.values:
        raise Http404(_("没有这种状态。"))
    problems = [c for c in report.problem_columns() if not state or c.state == state]
    return _render(
        request,
        template,
        {
            "title": _("栏目更新"),
            "form": form,
            "report": report,
            "base": base,
            "chart": chart,
            "state": state,
            "keep": {"own": request.GET.get("own", ""), "state": state},
            "page": _page(request, problems, CELLS_PER_PAGE),
            "problem_count": len(problems),
            "failing_at": SITE_CHECK_FAILING,
        },
    )


@login_required
def freshness_export(request, fmt):
    if fmt not in EXPORT_FORMATS:
        raise Http404(_("不支持的导出格式。"))
    form, organisations, base = _filter(request, dates=False)
    if organisations is None:
        return _bad_request(request, "disclosure/reports/freshness.html", form, {"title": _("栏目更新")})
    sheets = export.freshness_sheets(freshness_report(organisations))
    content = export.to_csv(sheets[0]) if fmt == "csv" else export.to_xlsx(sheets)
    return _download(content, fmt, "freshness", base.get("org"))


# --- annual report ----------------------------------------------------------------------------


def _annual(request):
    scope = _scope(request)
    form = AnnualReportForm(request.GET, organisations=scope)
    if not form.is_valid():
        return form, None
    data = form.cleaned_data
    organisations = select_organisations(scope, data["org"])
    if not data["subtree"]:
        organisations = organisations[:1]
    return form, annual_report(organisations, data["year"], fees=data["fees"])


@login_required
def annual(request):
    form, data = _annual(request)
    template = "disclosure/reports/annual.html"
    if data is None:
        return _bad_request(request, template, form, {"title": _("政府信息公开工作年度报告")})
    return _render(
        request,
        template,
        {
            "title": data["title"],
            "form": form,
            "report": data,
            "table3": _table3_layout(data["applications"]),
            "base": {key: value for key, value in request.GET.items() if key in form.fields},
        },
    )


@login_required
def annual_export(request, fmt):
    if fmt != "xlsx":
        raise Http404(_("不支持的导出格式。"))
    form, data = _annual(request)
    if data is None:
        return _bad_request(request, "disclosure/reports/annual.html", form, {"title": _("政府信息公开工作年度报告")})
    content = export.to_xlsx(export.annual_sheets(data))
    return _download(content, fmt, f"annual-{data['year']}", form.cleaned_data["org"])


def _table3_layout(applications: dict) -> list[dict]:
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

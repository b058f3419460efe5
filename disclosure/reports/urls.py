"""Report pages, included by disclosure/urls.py under "reports/" (names in the "disclosure" namespace)."""

from django.urls import path

from disclosure.reports import views

urlpatterns = [
    path("", views.index, name="reports"),
    path("completeness/", views.completeness, name="reports_completeness"),
    path("completeness/cells/", views.completeness_cells, name="reports_completeness_cells"),
    path("records/", views.records, name="reports_records"),
    path("timeliness/", views.timeliness, name="reports_timeliness"),
    path("timeliness/records/", views.timeliness_records, name="reports_timeliness_records"),
    path("freshness/", views.freshness, name="reports_freshness"),
    path("annual/", views.annual, name="reports_annual"),
]
for report, view in (
    ("completeness", views.completeness_export),
    ("timeliness", views.timeliness_export),
    ("freshness", views.freshness_export),
):
    for fmt in ("csv", "xlsx"):
        urlpatterns.append(path(f"{report}/export.{fmt}", view, {"fmt": fmt}, name=f"reports_{report}_{fmt}"))
urlpatterns.append(path("annual/export.xlsx", views.annual_export, {"fmt": "xlsx"}, name="reports_annual_xlsx"))
urlpatterns.append(path("annual/export.csv", views.annual_export, {"fmt": "csv"}, name="reports_annual_csv"))
urlpatterns.append(path("annual/compare/", views.annual_compare, name="reports_annual_compare"))
urlpatterns.append(path("site-check/", views.site_check, name="reports_site_check"))
for fmt in ("csv", "xlsx"):
    urlpatterns.append(
        path(f"site-check/export.{fmt}", views.site_check_export, {"fmt": fmt}, name=f"reports_site_check_{fmt}")
    )

"""/api/v1/: paths without a trailing slash (a trailing slash is accepted too); anything else → 404 JSON."""

from django.urls import path, re_path

from disclosure.api import views

app_name = "api"

urlpatterns = [
    path("", views.index, name="index"),
    re_path(r"^openapi\.json$", views.openapi, name="openapi"),
    re_path(r"^catalog/?$", views.catalog, name="catalog"),
    re_path(r"^organisations/?$", views.organisations, name="organisations"),
    re_path(r"^records/?$", views.records, name="records"),
    re_path(r"^records/(?P<org>[^/]+)/(?P<number>[^/]+)/?$", views.record, name="record"),
    re_path(r"^completeness/?$", views.completeness, name="completeness"),
    re_path(r"^(?P<rest>.*)$", views.not_found),
]

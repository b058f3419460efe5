from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path

from disclosure.applications import views as applications
from disclosure.consultations import views as consultations
from disclosure.records import views as records
from disclosure.search import views as search
from disclosure.service_guides import views as service_guides
from disclosure.site import guide_views as notice_board
from disclosure.site import robots
from disclosure.site import views as columns
from disclosure.site.feeds import RecordsAtomFeed, RecordsRssFeed
from disclosure.site.sitemaps import SITEMAPS

app_name = "disclosure"

urlpatterns = [
    path("", columns.home, name="home"),
    path("reports/", include("disclosure.reports.urls")),
    path("catalog/<str:node>/", columns.catalog_item, name="catalog_item"),
    path("search/", search.search, name="search"),
    path("robots.txt", robots.robots_txt, name="robots"),
    path(
        "sitemap.xml",
        sitemap_views.index,
        {"sitemaps": SITEMAPS, "sitemap_url_name": "disclosure:sitemap_section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": SITEMAPS},
        name="sitemap_section",
    ),
    # Feeds come before the column pattern; "feed" is never taken for a catalog code.
    path("org/<str:org>/feed/rss/", RecordsRssFeed(), name="organisation_feed_rss"),
    path("org/<str:org>/feed/atom/", RecordsAtomFeed(), name="organisation_feed_atom"),
    path("org/<str:org>/<str:node>/feed/rss/", RecordsRssFeed(), name="column_feed_rss"),
    path("org/<str:org>/<str:node>/feed/atom/", RecordsAtomFeed(), name="column_feed_atom"),
    path("org/<str:org>/", columns.organisation_home, name="organisation"),
    path("apply/", applications.apply, name="application_apply"),
    path("apply/receipt/", applications.receipt, name="application_receipt"),
    path("apply/status/", applications.status, name="application_status"),
    path("consultations/<str:org>/", consultations.consultation_list, name="consultations"),
    path("consultations/<str:org>/<int:pk>/", consultations.consultation_detail, name="consultation"),
    path("consultations/<str:org>/<int:pk>/received/", consultations.comment_received, name="consultation_comment_received"),
    path(
        "consultations/<str:org>/<int:pk>/files/<int:attachment_id>/",
        consultations.consultation_attachment,
        name="consultation_attachment",
    ),
    # Before the column pattern, which would otherwise take "guide" for a catalog code.
    path("org/<str:org>/guide/", notice_board.organisation_guide, name="organisation_guide"),
    path("org/<str:org>/doc/<str:number>/print/", notice_board.record_print, name="record_print"),
    path("org/<str:org>/doc/<str:number>/", records.record, name="record"),
    path("org/<str:org>/doc/<str:number>/objection/", records.objection, name="record_objection"),
    path("org/<str:org>/policies/", records.policy_library, name="policy_library"),
    path(
        "org/<str:org>/doc/<str:number>/files/<int:attachment_id>/",
        records.attachment,
        name="attachment",
    ),
    path(
        "org/<str:org>/doc/<str:number>/forms/<int:material_id>/",
        service_guides.guide_form,
        name="guide_form",
    ),
    path("org/<str:org>/<str:node>/", columns.column, name="column"),
]

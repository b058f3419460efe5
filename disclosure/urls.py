from django.urls import include, path, re_path

from disclosure.applications import views as applications
from disclosure.consultations import views as consultations
from disclosure.feedback import views as feedback
from disclosure.records import views as records
from disclosure.reports import public as annual_public
from disclosure.search import views as search
from disclosure.service_guides import views as service_guides
from disclosure.site import disclosure_column, robots, sitemaps
from disclosure.site import guide_views as notice_board
from disclosure.site import views as columns
from disclosure.site.feeds import RecordsAtomFeed, RecordsRssFeed
from disclosure.subscriptions import views as subscriptions

app_name = "disclosure"

urlpatterns = [
    path("", columns.home, name="home"),
    path("reports/", include("disclosure.reports.urls")),
    path("catalog/<str:node>/", columns.catalog_item, name="catalog_item"),
    path("search/", search.search, name="search"),
    path("robots.txt", robots.robots_txt, name="robots"),
    # Streamed, in constant memory, bounded at any size (disclosure/site/sitemaps.py).
    path("sitemap.xml", sitemaps.index, name="sitemap"),
    path("sitemap-<str:section>.xml", sitemaps.section, name="sitemap_section"),
    # Feeds come before the column pattern; "feed" is never taken for a catalog code.
    path("feed/rss/", RecordsRssFeed(), name="site_feed_rss"),
    path("feed/atom/", RecordsAtomFeed(), name="site_feed_atom"),
    path("org/<str:org>/feed/rss/", RecordsRssFeed(), name="organisation_feed_rss"),
    path("org/<str:org>/feed/atom/", RecordsAtomFeed(), name="organisation_feed_atom"),
    path("org/<str:org>/<str:node>/feed/rss/", RecordsRssFeed(), name="column_feed_rss"),
    path("org/<str:org>/<str:node>/feed/atom/", RecordsAtomFeed(), name="column_feed_atom"),
    path("org/<str:org>/", columns.organisation_home, name="organisation"),
    path("apply/", applications.apply, name="application_apply"),
    path("apply/receipt/", applications.receipt, name="application_receipt"),
    path("apply/status/", applications.status, name="application_status"),
    path("guide/", notice_board.guide_index, name="guide_index"),
    path("interact/new/", feedback.feedback_new, name="feedback_new"),
    path("subscribe/", subscriptions.subscribe, name="subscribe"),
    path("subscribe/confirm/<str:token>/", subscriptions.confirm, name="subscription_confirm"),
    path("subscribe/unsubscribe/<str:token>/", subscriptions.unsubscribe, name="subscription_unsubscribe"),
    path("interact/received/", feedback.feedback_received, name="feedback_received"),
    path("consultations/", consultations.consultation_index, name="consultation_index"),
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
    path("org/<str:org>/interact/", feedback.feedback_list, name="feedback_list"),
    path("org/<str:org>/doc/<str:number>/print/", notice_board.record_print, name="record_print"),
    path("org/<str:org>/doc/<str:number>/", records.record, name="record"),
    re_path(r"^images/(?P<digest>[0-9a-f]{64})/$", records.image, name="record_image"),
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
# The 政府信息公开 column (国办公开办函〔2019〕61号) and the tables of published annual reports.
urlpatterns += [
    path("xxgk/", disclosure_column.index, name="disclosure_column_index"),
    path("xxgk/<str:org>/", disclosure_column.column, name="disclosure_column"),
    path(
        "xxgk/<str:org>/annual/<str:number>/tables.<str:fmt>",
        annual_public.annual_report_tables,
        name="annual_report_tables",
    ),
]

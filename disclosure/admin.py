"""Where Django's admin autodiscovery looks: each feature registers its screens in ``<feature>/admin.py``."""

from django.contrib import admin

from disclosure.applications import admin as applications_admin  # noqa: F401
from disclosure.concerns import admin as concerns_admin  # noqa: F401
from disclosure.consultations import admin as consultations_admin  # noqa: F401
from disclosure.core import admin as core_admin  # noqa: F401
from disclosure.core import admin_calendar  # noqa: F401
from disclosure.core import admin_catalog as catalog_admin  # noqa: F401
from disclosure.core import admin_log as activity_log_admin  # noqa: F401
from disclosure.feedback import admin as feedback_admin  # noqa: F401
from disclosure.interpretations import admin as interpretations_admin  # noqa: F401
from disclosure.records import admin as records_admin  # noqa: F401
from disclosure.records import admin_review_chain as review_chain_admin  # noqa: F401
from disclosure.records import audit  # noqa: F401
from disclosure.records import check_admin as site_check_admin  # noqa: F401
from disclosure.records import lifecycle_admin as records_lifecycle_admin  # noqa: F401
from disclosure.reports import admin as reports_admin  # noqa: F401
from disclosure.search import admin as search_admin  # noqa: F401
from disclosure.service_guides import admin as service_guides_admin  # noqa: F401
from disclosure.site import admin as site_admin  # noqa: F401
from disclosure.subscriptions import admin as subscriptions_admin  # noqa: F401

# The lists need the nav sidebar's 300 px at 1366 px; the home page and the breadcrumbs lead to every screen.
admin.site.enable_nav_sidebar = False

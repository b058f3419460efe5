from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("门户")

    def ready(self):
        from portal import admin_text

        admin_text.install()

        from portal import pagecache

        # Every committed write to a table a public page may read starts a new page-cache generation.
        pagecache.connect()


class PortalAdminConfig(admin_apps.AdminConfig):
    """``django.contrib.admin`` with the portal's site (portal/admin_site.py) as ``admin.site``; named in
    INSTALLED_APPS in its place. Not the ``portal`` entry's own configuration (that is PortalConfig)."""

    default = False
    default_site = "portal.admin_site.PortalAdminSite"

from django.apps import AppConfig
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

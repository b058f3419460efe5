from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = _("标准目录与组织机构")

    def ready(self):
        from catalog import trees

        # Every committed write to a catalog table moves the tree version, so every process rebuilds its
        # public trees (catalog/trees.py).
        trees.connect()

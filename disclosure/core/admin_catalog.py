"""The catalog in the admin as organisations see it: the platform's catalog is read-only to them; each
organisation's administrator adds local refinements (本单位细化) that belong to it alone and sets its own
view of a column (shown or not, its own note) without changing anything for anyone else.

The platform (superusers and holders of catalog.change_standard_node) is decided by catalog.admin.is_platform.
"""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from catalog.admin import CatalogNodeAdmin, is_platform
from catalog.models import CatalogNode, ColumnSetting, Origin
from disclosure.core.admin import managed_organisation


class ScopedCatalogNodeAdmin(CatalogNodeAdmin):
    """A 单位管理员 adds local items under any platform node or their own, owned by their organisation,
    and edits or deletes only those; platform nodes and other organisations' items are read-only."""

    def local_owner(self, request):
        return managed_organisation(request.user)

    def _owns(self, request, obj) -> bool:
        if is_platform(request.user) or obj is None:
            return True
        own = managed_organisation(request.user)
        return own is not None and obj.origin == Origin.LOCAL and obj.owner_id == own.pk

    def has_add_permission(self, request):
        if not super().has_add_permission(request):
            return False
        return is_platform(request.user) or managed_organisation(request.user) is not None

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._owns(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._owns(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "parent" and not is_platform(request.user):
            own = managed_organisation(request.user)
            kwargs["queryset"] = CatalogNode.objects.filter(
                Q(owner__isnull=True) | Q(owner_id=own.pk if own else None)
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not is_platform(request.user) and not self._owns(request, obj):
            raise PermissionDenied  # has_change_permission already refused the page
        super().save_model(request, obj, form, change)


@admin.register(ColumnSetting)
class ColumnSettingAdmin(admin.ModelAdmin):
    """An organisation's own view of a platform column: switched off on its pages, or with its own note.
    Superusers manage every organisation's settings; a 单位管理员 those of their organisation."""

    list_display = ("node", "organisation", "shown", "note")
    list_filter = ("shown",)
    search_fields = ("node__code", "node__name", "note")
    fields = ("organisation", "node", "shown", "note")

    def _own(self, request):
        return None if request.user.is_superuser else managed_organisation(request.user)

    def _may(self, request, obj=None) -> bool:
        if request.user.is_superuser:
            return True
        own = managed_organisation(request.user)
        return own is not None and (obj is None or obj.organisation_id == own.pk)

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("organisation", "node")
        if request.user.is_superuser:
            return queryset
        own = managed_organisation(request.user)
        return queryset.filter(organisation=own) if own else queryset.none()

    def has_module_permission(self, request):
        return self._may(request)

    def has_view_permission(self, request, obj=None):
        return self._may(request, obj)

    def has_add_permission(self, request):
        return self._may(request)

    def has_change_permission(self, request, obj=None):
        return self._may(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._may(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        own = self._own(request)
        if db_field.name == "organisation" and own is not None:
            kwargs["queryset"] = type(own).objects.filter(pk=own.pk)
            kwargs["initial"] = own.pk
        if db_field.name == "node":
            # Settings are for the platform's columns; an organisation's own items are edited directly.
            kwargs["queryset"] = CatalogNode.objects.exclude(origin=Origin.LOCAL).order_by("tree_id", "lft")
            kwargs["help_text"] = _("只能设置平台目录中的栏目；本单位细化事项请在“标准目录”中直接修改。")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        own = self._own(request)
        if own is not None and obj.organisation_id != own.pk:
            raise PermissionDenied("只能设置本单位的栏目。")  # the form already limits the choice
        super().save_model(request, obj, form, change)


admin.site.unregister(CatalogNode)
admin.site.register(CatalogNode, ScopedCatalogNodeAdmin)

"""Reading points (公开查阅点) in the admin: each organisation's staff keep their own list."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied

from catalog.models import Organisation
from disclosure.core.access import Role, organisation_of, roles_of
from disclosure.site.models import ReadingPoint

EDITING_ROLES = frozenset({Role.EDITOR, Role.ORG_ADMIN})


def _own_organisation(user):
    return None if user.is_superuser else organisation_of(user)


@admin.register(ReadingPoint)
class ReadingPointAdmin(admin.ModelAdmin):
    """Staff see and edit the reading points of their own organisation; 信息员 and 单位管理员 edit."""

    list_display = ("name", "organisation", "address", "opening_hours", "active", "sort_order")
    list_filter = ("active",)
    search_fields = ("name", "address")
    fields = ("organisation", "name", "address", "opening_hours", "phone", "note", "sort_order", "active")

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("organisation")
        if request.user.is_superuser:
            return queryset
        own = organisation_of(request.user)
        if own is None or not roles_of(request.user):
            return queryset.none()
        return queryset.filter(organisation=own)

    def _may_edit(self, request, obj=None) -> bool:
        user = request.user
        if user.is_superuser:
            return True
        own = organisation_of(user)
        if own is None or not (roles_of(user) & EDITING_ROLES):
            return False
        return obj is None or obj.organisation_id == own.pk

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_view_permission(self, request, obj=None):
        user = request.user
        if user.is_superuser:
            return True
        own = organisation_of(user)
        if own is None or not roles_of(user):
            return False
        return obj is None or obj.organisation_id == own.pk

    def has_add_permission(self, request):
        return self._may_edit(request)

    def has_change_permission(self, request, obj=None):
        return self._may_edit(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._may_edit(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "organisation":
            own = _own_organisation(request.user)
            if own is not None:
                kwargs["queryset"] = Organisation.objects.filter(pk=own.pk)
                kwargs["initial"] = own.pk
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        own = _own_organisation(request.user)
        if own is not None and obj.organisation_id != own.pk:
            raise PermissionDenied("只能维护本单位的公开查阅点。")  # the form already limits the choice
        super().save_model(request, obj, form, change)

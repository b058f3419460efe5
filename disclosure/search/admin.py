"""The synonym table's staff additions (检索同义词), kept by 单位管理员 and the system administrator."""

from django.contrib import admin

from disclosure.core import access
from disclosure.core.access import Role
from disclosure.search.models import SearchSynonym


@admin.register(SearchSynonym)
class SearchSynonymAdmin(admin.ModelAdmin):
    list_display = ("term", "expansions", "both_ways", "note", "updated_at")
    search_fields = ("term", "expansions")
    fields = ("term", "expansions", "both_ways", "note")

    def _keeps(self, request) -> bool:
        return access.is_superuser(request.user) or access.has_role_anywhere(request.user, Role.ORG_ADMIN)

    def has_module_permission(self, request):
        return self._keeps(request)

    def has_view_permission(self, request, obj=None):
        return self._keeps(request)

    def has_add_permission(self, request):
        return self._keeps(request)

    def has_change_permission(self, request, obj=None):
        return self._keeps(request)

    def has_delete_permission(self, request, obj=None):
        return self._keeps(request)

"""The 错敏词 list and the site-check findings in the admin.

The list is the platform's, shared by every organisation: a 单位管理员 adds phrases (the seed list cannot
know every local misspelling); changing or deleting an existing phrase is for superusers, so that no
organisation switches a check off for the others. Findings are written only by the jobs: read-only here.
"""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from disclosure.core.access import Role, has_role_anywhere, organisations_in_scope
from disclosure.records.check_models import SiteCheckFinding, WordingRule


@admin.register(WordingRule)
class WordingRuleAdmin(admin.ModelAdmin):
    list_display = ("phrase", "kind", "suggestion", "exceptions", "blocks_submission", "is_active")
    list_filter = ("kind", "blocks_submission", "is_active")
    search_fields = ("phrase", "suggestion", "note")
    fields = ("phrase", "kind", "suggestion", "exceptions", "note", "blocks_submission", "is_active")

    def _staff(self, request) -> bool:
        return has_role_anywhere(request.user, [Role.ORG_ADMIN, Role.EDITOR, Role.REVIEWER, Role.AUDITOR])

    def has_module_permission(self, request):
        return self._staff(request)

    def has_view_permission(self, request, obj=None):
        return self._staff(request)

    def has_add_permission(self, request):
        return has_role_anywhere(request.user, Role.ORG_ADMIN)

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(SiteCheckFinding)
class SiteCheckFindingAdmin(admin.ModelAdmin):
    list_display = ("kind", "record_link", "organisation", "target", "detail", "status_code", "checked_at")
    list_filter = ("kind",)
    search_fields = ("target", "detail", "record__title")
    list_select_related = ("record", "record__organisation")

    def get_queryset(self, request):
        return super().get_queryset(request).filter(record__organisation__in=organisations_in_scope(request.user))

    @admin.display(description=_("公开信息"), ordering="record__title")
    def record_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:disclosure_record_change", args=[obj.record_id]), obj.record.title
        )

    @admin.display(description=_("公开单位"))
    def organisation(self, obj):
        return obj.record.organisation.name

    def has_module_permission(self, request):
        return has_role_anywhere(request.user, [Role.ORG_ADMIN, Role.EDITOR, Role.REVIEWER, Role.AUDITOR])

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

"""The activity log (ActivityEntry) in the admin: read-only, scoped, filterable, exported as CSV.

Who reads it: everyone holding ``disclosure.view_activityentry`` (disclosure/core/access.py gives it to
every role), each within ``access.organisations_in_scope``: an auditor their organisation and all
beneath it, an organisation administrator, reviewer or editor their own organisation only (the same
reach they have over the records' audit log), a superuser everything. Nobody adds, changes or deletes
an entry here; the model refuses it anyway.

The CSV export ("导出 CSV" on the list) builds the same ChangeList from the same query string, so it
holds exactly the rows the list shows under its filters, search and date, on every page.
"""

import csv

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest, StreamingHttpResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from disclosure.core import access
from disclosure.core.log import ACTIONS, SUBJECT_TYPES, ActivityEntry, action_label, status_label, subject_type_label

CSV_HEADER = ("时间", "单位", "对象类型", "对象编号", "对象名称", "操作", "原状态", "新状态", "操作人", "说明")


class SubjectTypeFilter(admin.SimpleListFilter):
    title = _("对象类型")
    parameter_name = "subject_type"

    def lookups(self, request, model_admin):
        return [(name, label) for name, label in SUBJECT_TYPES.items()]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(subject_type=self.value())
        return queryset


class ActionFilter(admin.SimpleListFilter):
    """The registered actions that occur in the user's scope, in the register's order."""

    title = _("操作")
    parameter_name = "action"

    def lookups(self, request, model_admin):
        present = set(model_admin.get_queryset(request).order_by().values_list("action", flat=True).distinct())
        return [(name, label) for name, label in ACTIONS.items() if name in present]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(action=self.value())
        return queryset


class ActorFilter(admin.SimpleListFilter):
    """By the name the entry was written under: covers deleted accounts, the system and applicants."""

    title = _("操作人")
    parameter_name = "actor_name"

    def lookups(self, request, model_admin):
        names = model_admin.get_queryset(request).order_by("actor_name").values_list("actor_name", flat=True)
        return [(name, name) for name in names.distinct()]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(actor_name=self.value())
        return queryset


def _cell(value) -> str:
    # Titles and comments may quote citizens: nothing may become a formula when Excel/WPS opens the file.
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


class _Echo:
    """A file-like object whose ``write`` hands the line back, so csv.writer can feed a stream."""

    def write(self, value):
        return value


def csv_lines(queryset):
    """The entries as CSV lines: UTF-8 with a BOM (Excel opens Chinese correctly), Chinese headers and labels."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(CSV_HEADER)
    for entry in queryset.select_related("organisation").iterator(chunk_size=2000):
        yield writer.writerow(
            [
                timezone.localtime(entry.created_at).strftime("%Y-%m-%d %H:%M:%S"),
                _cell(entry.organisation.name if entry.organisation else ""),
                subject_type_label(entry.subject_type),
                entry.subject_id,
                _cell(entry.subject_title),
                action_label(entry.action),
                status_label(entry.subject_type, entry.from_status),
                status_label(entry.subject_type, entry.to_status),
                _cell(entry.actor_name),
                _cell(entry.comment),
            ]
        )


class ScopedLogAdmin(admin.ModelAdmin):
    """A log in the admin: read-only for everyone (no add, change, delete or bulk action), rows
    limited to the organisations the user may read. The records' audit log uses it too."""

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if access.is_superuser(request.user):
            return queryset
        return queryset.filter(organisation__in=access.organisations_in_scope(request.user))

    def get_actions(self, request):
        return {}

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ActivityEntry)
class ActivityEntryAdmin(ScopedLogAdmin):
    """Who did what to which concern, consultation, guide or application, and when."""

    list_display = (
        "created_at",
        "organisation",
        "subject_type_display",
        "subject_title",
        "action_display",
        "from_display",
        "to_display",
        "actor_name",
        "comment",
    )
    list_select_related = ("organisation",)
    list_filter = (
        ("organisation", admin.RelatedOnlyFieldListFilter),
        SubjectTypeFilter,
        ActorFilter,
        ActionFilter,
    )
    search_fields = ("subject_title",)
    date_hierarchy = "created_at"
    fields = (
        "created_at",
        "organisation",
        "subject_type_display",
        "subject_id",
        "subject_title",
        "action_display",
        "from_display",
        "to_display",
        "actor_name",
        "actor",
        "comment",
    )
    readonly_fields = fields

    def get_urls(self):
        export = path(
            "export.csv",
            self.admin_site.admin_view(self.export_view),
            name=f"{self.opts.app_label}_{self.opts.model_name}_export",
        )
        return [export, *super().get_urls()]

    def export_view(self, request):
        """The rows of the list under the same query string, every page of them, as CSV."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            return HttpResponseBadRequest("筛选条件无效，请返回列表重新选择。".encode(), content_type="text/plain; charset=utf-8")
        response = StreamingHttpResponse(
            csv_lines(changelist.get_queryset(request)), content_type="text/csv; charset=utf-8"
        )
        filename = f"activity-log-{timezone.localdate():%Y%m%d}.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response["Cache-Control"] = "no-store"
        return response

    @admin.display(description=_("对象类型"), ordering="subject_type")
    def subject_type_display(self, obj):
        return subject_type_label(obj.subject_type)

    @admin.display(description=_("操作"), ordering="action")
    def action_display(self, obj):
        return action_label(obj.action)

    @admin.display(description=_("原状态"))
    def from_display(self, obj):
        return status_label(obj.subject_type, obj.from_status)

    @admin.display(description=_("新状态"))
    def to_display(self, obj):
        return status_label(obj.subject_type, obj.to_status)

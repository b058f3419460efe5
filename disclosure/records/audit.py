"""The audit log of records in the admin: read-only, scoped to the organisations a user may read."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from disclosure.core import access, log
from disclosure.core.admin_log import ScopedLogAdmin
from disclosure.records.models import AuditEntry, Status
from disclosure.records.workflow import REVISE, TRANSITIONS

# The records' own wording of their moves (e.g. "提交审核"); every name is also registered in
# disclosure/core/log.py, which AuditEntry.write checks.
ACTION_LABELS = {
    **{name: transition.label for name, transition in TRANSITIONS.items()},
    REVISE.name: REVISE.label,
}


# Every action a record's log may hold, for the filter.
RECORD_ACTIONS = ("create", *TRANSITIONS, REVISE.name, "link_interpretation", "unlink_interpretation", "delete")


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action) or log.action_label(action)


def status_label(status: str) -> str:
    if not status:
        return "—"
    try:
        return Status(status).label
    except ValueError:
        return status


def is_multi_organisation(user) -> bool:
    """Whether a user reads more than one organisation (superusers, auditors of a subtree)."""
    return user.is_superuser or access.organisations_in_scope(user).count() > 1


class ActionFilter(admin.SimpleListFilter):
    title = _("操作")
    parameter_name = "action"

    def lookups(self, request, model_admin):
        return [(name, action_label(name)) for name in RECORD_ACTIONS]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(action=self.value())
        return queryset


@admin.register(AuditEntry)
class AuditEntryAdmin(ScopedLogAdmin):
    """Who did what to which record, and when. Nobody adds, changes or deletes entries here."""

    list_display = (
        "created_at",
        "record_title",
        "action_display",
        "from_display",
        "to_display",
        "actor_name",
        "organisation",
        "comment",
    )
    list_select_related = ("organisation",)
    search_fields = ("record_title", "actor_name")
    date_hierarchy = "created_at"
    fields = (
        "created_at",
        "record",
        "record_title",
        "organisation",
        "actor_name",
        "action_display",
        "from_display",
        "to_display",
        "comment",
    )
    readonly_fields = fields

    def get_list_filter(self, request):
        filters = [ActionFilter]
        if is_multi_organisation(request.user):
            filters.append(("organisation", admin.RelatedOnlyFieldListFilter))
        return filters


    @admin.display(description=_("操作"), ordering="action")
    def action_display(self, obj):
        return action_label(obj.action)

    @admin.display(description=_("原状态"))
    def from_display(self, obj):
        return status_label(obj.from_status)

    @admin.display(description=_("新状态"))
    def to_display(self, obj):
        return status_label(obj.to_status)

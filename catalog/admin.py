"""The catalog and organisation trees in the admin. Every tree write (add, change, list edits, delete,
bulk delete) calls catalog/services.py, so the admin places nodes by the same rules as every caller."""

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django import forms
from django.contrib import admin
from django.contrib.admin.actions import delete_selected
from django.db import models
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from mptt.admin import MPTTModelAdmin

from catalog import services
from catalog.forms import CatalogNodeForm, TreeNodeForm
from catalog.models import CatalogNode, Channel, NodeChannel, Organisation, OrgLevel, Origin, Provenance

STANDARD_NODE_PERMISSION = "catalog.change_standard_node"


def is_platform(user) -> bool:
    """The platform (平台): superusers and holders of catalog.change_standard_node, which a superuser
    grants to province-level staff. Only they change the standard catalog (标准目录, 参考各地目录补充)."""
    return user.has_perm(STANDARD_NODE_PERMISSION)


def may_change_node(request, node) -> bool:
    """Local items (本单位细化) are edited by whoever may change catalog nodes (the disclosure admin
    narrows that to the owning organisation); platform items only by the platform."""
    if node is None or node.origin == Origin.LOCAL:
        return True
    return is_platform(request.user)


class NodeChannelInline(admin.TabularInline):
    model = NodeChannel
    extra = 0

    def has_add_permission(self, request, obj=None):
        return may_change_node(request, obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return may_change_node(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return may_change_node(request, obj) and super().has_delete_permission(request, obj)


class TreeAdmin(MPTTModelAdmin):
    """A tree's admin whose writes go through the tree's services (``save_node`` / ``delete_node``)."""

    # django-mptt indents the change list's rows with style attributes it writes itself; these pages
    # alone allow inline style attributes (never scripts, never <style>). README, "Security headers".
    @method_decorator(csp_update({"style-src-attr": [UNSAFE_INLINE]}))
    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, extra_context)

    def save_node(self, obj):
        raise NotImplementedError

    def delete_node(self, obj):
        raise NotImplementedError

    def save_model(self, request, obj, form, change):
        self.save_node(obj)

    def delete_model(self, request, obj):
        self.delete_node(obj)

    def delete_queryset(self, request, queryset):
        # Deepest first, so a selected parent is deleted after its selected children.
        for obj in queryset.order_by("-" + queryset.model._mptt_meta.level_attr):
            self.delete_node(obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            # django-mptt's own bulk delete calls obj.delete(); Django's calls delete_queryset above.
            actions["delete_selected"] = (
                delete_selected,
                "delete_selected",
                delete_selected.short_description,
            )
        return actions


@admin.register(CatalogNode)
class CatalogNodeAdmin(TreeAdmin):
    form = CatalogNodeForm
    inlines = [NodeChannelInline]
    list_display = (
        "name", "code", "method", "time_limit_days", "origin", "provenance", "owner", "sort_order", "is_active"
    )
    list_display_links = ("name",)
    list_editable = ("sort_order", "is_active")
    list_filter = ("origin", "provenance", "method", "is_active")
    search_fields = ("code", "name", "content")
    mptt_level_indent = 24
    fieldsets = (
        (None, {"fields": ("code", "name", "parent", "sort_order", "is_active", "origin", "provenance", "owner")}),
        (
            _("公开标准"),
            {
                "fields": (
                    "content",
                    "basis",
                    ("time_limit_text", "time_limit_days", "time_limit_trigger"),
                    "freshness_days",
                    "subject",
                    "channels_text",
                    ("audience", "audience_scope"),
                    "method",
                    "levels",
                )
            },
        ),
    )

    def local_owner(self, request) -> Organisation | None:
        """The organisation a non-platform user's new local item belongs to (the disclosure admin knows
        the user's organisation; the catalog alone does not)."""
        return None

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or self.has_change_permission(request, obj):
            return fieldsets
        # Read-only, the levels field would print its stored JSON (["county"]); show the level names.
        return [
            (title, {**options, "fields": tuple("levels_display" if f == "levels" else f for f in options["fields"])})
            for title, options in fieldsets
        ]

    @admin.display(description=_("公开层级"))
    def levels_display(self, obj):
        return "、".join(str(OrgLevel(level).label) if level in OrgLevel.values else level for level in obj.levels) or "—"

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and not self.has_change_permission(request, obj):
            return ("levels_display",)
        # Codes key URLs, reports and index numbers: fixed once the node exists.
        fields = ("code",) if obj else ()
        if not is_platform(request.user):
            # Whoever may not edit standard items cannot make an item standard, or someone else's, either.
            fields = (*fields, "origin", "provenance", "owner")
        return fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is None and not is_platform(request.user):
            forced = {"origin": Origin.LOCAL, "provenance": Provenance.LOCAL, "owner": self.local_owner(request)}
            form = type(form.__name__, (form,), {"forced_values": forced})
        return form

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("provenance", Provenance.LOCAL)
        initial.setdefault("origin", Origin.LOCAL)
        return initial

    def has_change_permission(self, request, obj=None):
        return may_change_node(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        # Platform nodes are deactivated, never deleted: reports and records key on them.
        if obj is not None and obj.origin != Origin.LOCAL:
            return False
        return super().has_delete_permission(request, obj)

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        if not is_platform(request.user):
            # Editing in the list would reach standard items past has_change_permission(obj).
            changelist.list_editable = ()
        return changelist

    def save_node(self, obj):
        services.catalog_node_save(node=obj)

    def delete_node(self, obj):
        services.catalog_node_delete(node=obj)


@admin.register(Organisation)
class OrganisationAdmin(TreeAdmin):
    form = TreeNodeForm
    list_display = ("name", "code", "level", "phone", "sort_order", "is_active")
    list_display_links = ("name",)
    list_editable = ("sort_order", "is_active")
    list_filter = ("level", "is_active")
    search_fields = ("code", "name", "short_name")
    mptt_level_indent = 24
    # A website typed without a scheme is taken as https (Django 6's default, chosen now).
    formfield_overrides = {models.URLField: {"form_class": forms.URLField, "assume_scheme": "https"}}
    fieldsets = (
        (None, {"fields": ("code", "name", "short_name", "level", "parent", "sort_order", "is_active")}),
        (
            _("联系信息（公开指南）"),
            {"fields": ("address", "postcode", "office_hours", "phone", "fax", "email", "website")},
        ),
    )

    def get_readonly_fields(self, request, obj=None):
        return ("code",) if obj else ()

    def save_node(self, obj):
        services.organisation_save(organisation=obj)

    def delete_node(self, obj):
        services.organisation_delete(organisation=obj)


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    # The code is a stable identifier for programs (e.g. "notice_board"), not something staff read.
    list_display = ("name", "sort_order")
    list_editable = ("sort_order",)

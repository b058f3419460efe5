"""Staff accounts and organisations in the admin, for 单位管理员 (organisation administrators).

An organisation administrator manages the accounts of their own organisation only: they see no other
organisation's users and no superuser, give only the four role groups, never set is_superuser or
single permissions, and cannot move anyone to another organisation. Of organisations they edit only
their own contact details (公开指南). Superusers manage everything.
"""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group
from django.http import Http404
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from catalog.admin import OrganisationAdmin
from catalog.models import Organisation
from disclosure.core import access
from disclosure.core.access import Role
from disclosure.core.staff import StaffProfile

User = get_user_model()


def managed_organisation(user) -> Organisation | None:
    """The organisation whose accounts ``user`` administers, or None (superusers: see callers)."""
    if Role.ORG_ADMIN not in access.roles_of(user):
        return None
    return access.organisation_of(user)


class StaffProfileInline(admin.StackedInline):
    model = StaffProfile
    can_delete = False
    max_num = 1
    min_num = 0
    fields = ("organisation", "phone")
    verbose_name = verbose_name_plural = _("所属单位")

    def get_readonly_fields(self, request, obj=None):
        # Only a superuser places an account in an organisation; an administrator's accounts stay theirs.
        return () if request.user.is_superuser else ("organisation",)


class StaffUserAdmin(UserAdmin):
    inlines = [StaffProfileInline]
    org_admin_fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("个人信息"), {"fields": ("first_name", "last_name", "email")}),
        (
            _("账号与角色"),
            {
                "fields": ("is_active", "is_staff", "groups"),
                "description": _("角色：信息员起草信息，审核员审核发布，单位管理员管理本单位账号与目录扩展，审计员只读。"),
            },
        ),
        (_("重要日期"), {"fields": ("last_login", "date_joined")}),
    )

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("staff_profile__organisation").prefetch_related("groups")
        if request.user.is_superuser:
            return queryset
        organisation = managed_organisation(request.user)
        if organisation is None:
            return queryset.none()
        return queryset.filter(staff_profile__organisation=organisation, is_superuser=False)

    def _may_manage(self, request) -> bool:
        return request.user.is_superuser or managed_organisation(request.user) is not None

    def has_module_permission(self, request):
        return self._may_manage(request) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return self._may_manage(request) and super().has_view_permission(request, obj)

    def has_add_permission(self, request):
        return self._may_manage(request) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return self._may_manage(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._may_manage(request) and super().has_delete_permission(request, obj)

    def get_fieldsets(self, request, obj=None):
        if obj is None or request.user.is_superuser:
            return super().get_fieldsets(request, obj)
        return self.org_admin_fieldsets

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return super().get_readonly_fields(request, obj)
        return ("last_login", "date_joined")

    def get_list_display(self, request):
        return ("username", "full_name", "organisation", "roles", "is_active", "last_login")

    def get_list_filter(self, request):
        if request.user.is_superuser:
            return ("is_active", "is_superuser", "groups", "staff_profile__organisation")
        return ("is_active", "groups")

    def formfield_for_manytomany(self, db_field, request=None, **kwargs):
        if db_field.name == "groups" and not request.user.is_superuser:
            kwargs["queryset"] = Group.objects.filter(name__in=Role.values).order_by("name")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if object_id is not None and self.get_object(request, unquote(object_id)) is None:
            raise Http404(_t("没有找到该账号，或您无权管理。"))
        return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.is_staff = True  # accounts made here are bureau staff who work in this admin
        if not request.user.is_superuser:
            obj.is_superuser = False
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        if request.user.is_superuser:
            return super().save_related(request, form, formsets, change)
        user = form.instance
        # Groups an administrator cannot see or give (none but the four roles) stay as they were.
        kept = list(user.groups.exclude(name__in=Role.values)) if change else []
        super().save_related(request, form, formsets, change)
        if kept:
            user.groups.add(*kept)
        StaffProfile.objects.get_or_create(
            user=user, defaults={"organisation": managed_organisation(request.user)}
        )

    def save_formset(self, request, form, formset, change):
        if formset.model is StaffProfile and not request.user.is_superuser:
            for profile in formset.save(commit=False):
                if profile.organisation_id is None:
                    profile.organisation = managed_organisation(request.user)
                profile.save()
            return
        super().save_formset(request, form, formset, change)

    @admin.display(description=_("姓名"))
    def full_name(self, obj):
        return obj.get_full_name() or "—"

    @admin.display(description=_("所属单位"), ordering="staff_profile__organisation__name")
    def organisation(self, obj):
        profile = getattr(obj, "staff_profile", None)
        return profile.organisation.name if profile else "—"

    @admin.display(description=_("角色"))
    def roles(self, obj):
        return "、".join(group.name for group in obj.groups.all()) or "—"


class ScopedOrganisationAdmin(OrganisationAdmin):
    """Organisations: superusers edit the tree; an organisation administrator edits only their own
    organisation's contact details (公开指南), never codes, levels, the tree or another organisation."""

    structure_fields = ("code", "name", "short_name", "level", "parent", "sort_order", "is_active")

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return super().get_readonly_fields(request, obj)
        return self.structure_fields

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        if request.user.is_superuser or obj is None:
            return True
        organisation = managed_organisation(request.user)
        return organisation is not None and organisation.pk == obj.pk

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        if not request.user.is_superuser:
            # The list's inline editing would bypass the per-organisation rule above.
            changelist.list_editable = ()
        return changelist


admin.site.unregister(User)
admin.site.register(User, StaffUserAdmin)
admin.site.unregister(Organisation)
admin.site.register(Organisation, ScopedOrganisationAdmin)

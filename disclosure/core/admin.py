"""Staff accounts and organisations in the admin, for 单位管理员 (organisation administrators).

An organisation administrator manages the accounts of their own organisation only: they see no other
organisation's users and no superuser, give only the four role groups, never set is_superuser or
single permissions, and cannot move anyone to another organisation. Of organisations they edit only
their own contact details (公开指南). Superusers manage everything.
"""

from django import forms
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.forms import ReadOnlyPasswordHashWidget, UserChangeForm
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.auth.models import Group, Permission
from django.http import Http404
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from catalog.admin import OrganisationAdmin
from catalog.models import Organisation
from disclosure.core import access
from disclosure.core.access import Role
from disclosure.core.devices import StaffTOTPDevice
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


class PasswordStateWidget(ReadOnlyPasswordHashWidget):
    """The password row of the account page says whether a password is set, in Chinese. Django's widget
    lists the hasher's algorithm name, iterations and masked salt and hash ("pbkdf2_sha256", "p0PD****"),
    which tell staff nothing and are not Chinese."""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        usable = bool(value) and not value.startswith(UNUSABLE_PASSWORD_PREFIX)
        context["summary"] = [{"label": _t("已设置密码（加密保存，不可查看）。") if usable else _t("尚未设置密码。")}]
        return context


class StaffUserChangeForm(UserChangeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "password" in self.fields:
            self.fields["password"].widget = PasswordStateWidget()


class StaffUserAdmin(UserAdmin):
    form = StaffUserChangeForm
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
        if db_field.name == "user_permissions":
            return permission_field(db_field)
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


# The permission boxes of the user and group screens, in Chinese. A permission's stored name is English
# ("Can add record", written when the table was made); Django shows it as "app | model | name". Here each
# standard permission reads "政务公开 | 信息 | 增加信息", from the model's Chinese verbose name, and only the
# applications staff permissions mean anything for are offered (the portal's own, accounts), not the
# sessions, content types, sign-in throttling or TOTP tables.
PERMISSION_APPS = ("disclosure", "catalog", "auth")
PERMISSION_ACTIONS = {"add": _("增加"), "change": _("修改"), "delete": _("删除"), "view": _("查看")}


def permission_label(permission) -> str:
    """"政务公开 | 信息 | 增加信息" for a standard permission; an own permission keeps its (Chinese) name."""
    content_type = permission.content_type
    model = content_type.model_class()
    if model is None:
        return permission.name
    app = apps.get_app_config(content_type.app_label).verbose_name
    action, _sep, model_name = permission.codename.partition("_")
    name = model._meta.verbose_name
    if model_name == model._meta.model_name and action in PERMISSION_ACTIONS:
        text = f"{PERMISSION_ACTIONS[action]}{name}"
    else:
        text = permission.name
    return f"{app} | {name} | {text}"


class PermissionChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, permission):
        return permission_label(permission)


def permission_field(db_field, **kwargs):
    queryset = Permission.objects.filter(content_type__app_label__in=PERMISSION_APPS).select_related("content_type")
    return PermissionChoiceField(
        queryset=queryset.order_by("content_type__app_label", "content_type__model", "codename"),
        required=False,
        label=db_field.verbose_name.capitalize(),
        help_text=db_field.help_text,
        widget=FilteredSelectMultiple(db_field.verbose_name, is_stacked=False),
    )


class ChineseGroupAdmin(GroupAdmin):
    def formfield_for_manytomany(self, db_field, request=None, **kwargs):
        if db_field.name == "permissions":
            return permission_field(db_field)
        return super().formfield_for_manytomany(db_field, request=request, **kwargs)

    def _read_only(self, request, obj) -> bool:
        return obj is not None and not self.has_change_permission(request, obj)

    def get_fields(self, request, obj=None):
        # Read-only, Django would list the stored English names ("Can view 组织机构").
        return ("name", "permission_list") if self._read_only(request, obj) else super().get_fields(request, obj)

    def get_readonly_fields(self, request, obj=None):
        return ("permission_list",) if self._read_only(request, obj) else super().get_readonly_fields(request, obj)

    @admin.display(description=_("权限"))
    def permission_list(self, group):
        labels = sorted(permission_label(p) for p in group.permissions.select_related("content_type"))
        return format_html_join(mark_safe("<br>"), "{}", ((label,) for label in labels)) or "—"


admin.site.unregister(Group)
admin.site.register(Group, ChineseGroupAdmin)


class StaffTOTPDeviceAdmin(admin.ModelAdmin):
    list_display = ("account", "device_name", "is_confirmed", "enrolled_at", "used_at")
    list_select_related = ("user",)
    search_fields = ("user__username", "user__first_name", "user__last_name")
    search_help_text = _("按账号或姓名搜索")
    fields = ("account", "device_name", "is_confirmed", "enrolled_at", "used_at")
    readonly_fields = fields
    ordering = ("user__username", "pk")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("账号"), ordering="user__username")
    def account(self, device):
        user = device.user
        full_name = user.get_full_name()
        return f"{full_name}（{user.get_username()}）" if full_name else user.get_username()

    @admin.display(description=_("名称"))
    def device_name(self, device):
        return device.name or "—"

    @admin.display(description=_("已绑定"), boolean=True, ordering="confirmed")
    def is_confirmed(self, device):
        return device.confirmed

    @admin.display(description=_("绑定时间"), ordering="created_at")
    def enrolled_at(self, device):
        return device.created_at

    @admin.display(description=_("最近使用"), ordering="last_used_at")
    def used_at(self, device):
        return device.last_used_at or "—"


if admin.site.is_registered(StaffTOTPDevice.__base__):
    admin.site.unregister(StaffTOTPDevice.__base__)
admin.site.register(StaffTOTPDevice, StaffTOTPDeviceAdmin)

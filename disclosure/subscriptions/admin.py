"""E-mail subscriptions in the admin: how many people follow which organisation and column. Read-only for
everyone (subscribers manage their own through their links), addresses masked."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from disclosure.core import access, masking
from disclosure.subscriptions.models import Subscription


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ("masked_email", "organisation", "node", "status", "created_at", "confirmed_at")
    list_filter = ("status",)
    list_select_related = ("organisation", "node")
    fields = ("masked_email", "organisation", "node", "status", "created_at", "confirmed_at", "unsubscribed_at",
              "digest_through")
    readonly_fields = fields

    @admin.display(description=_("电子邮箱"))
    def masked_email(self, obj):
        return masking.mask_email(obj.email)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if access.is_superuser(request.user):
            return queryset
        return queryset.filter(organisation__in=access.organisations_in_scope(request.user))

    def has_module_permission(self, request):
        return access.is_superuser(request.user) or bool(access.roles_of(request.user))

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

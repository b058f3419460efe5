"""Admin of policy interpretation links: which interpretation record explains which policy.

Thin: choices are limited to the user's organisation, checks and writes go through
disclosure/interpretations.py (which writes the audit entries).
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from catalog.models import Organisation
from disclosure.core import access
from disclosure.core.access import Role
from disclosure.interpretations.models import Interpretation
from disclosure.interpretations.services import (
    CLOSED_POLICY_STATUSES,
    interpretation_link,
    interpretation_unlink,
    interpretation_validate,
)
from disclosure.records.models import UNPUBLISHED_STATUSES, Record, RecordType


def _editing_organisations(user):
    """Organisations whose interpretations ``user`` may link: own one for an editor, all for a superuser."""
    if user.is_superuser and user.is_active:
        return Organisation.objects.all()
    organisation = access.organisation_of(user)
    if organisation is None or Role.EDITOR not in access.roles_of(user):
        return Organisation.objects.none()
    return Organisation.objects.filter(pk=organisation.pk)


class InterpretationAdminForm(forms.ModelForm):
    class Meta:
        model = Interpretation
        fields = ["record", "policy", "form"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        organisations = _editing_organisations(user)
        if "record" in self.fields:
            self.fields["record"].queryset = Record.objects.filter(
                organisation__in=organisations,
                record_type=RecordType.INTERPRETATION,
                status__in=UNPUBLISHED_STATUSES,
            ).select_related("organisation")
        self.fields["policy"].queryset = (
            Record.objects.filter(organisation__in=organisations)
            .exclude(record_type=RecordType.INTERPRETATION)
            .exclude(status__in=CLOSED_POLICY_STATUSES)
            .select_related("organisation")
        )

    def clean(self):
        cleaned = super().clean()
        record = cleaned.get("record") or getattr(self.instance, "record", None)
        policy = cleaned.get("policy")
        if record is not None and policy is not None:
            try:
                interpretation_validate(interpretation=record, policy=policy, form=cleaned.get("form") or "")
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned


@admin.register(Interpretation)
class InterpretationAdmin(admin.ModelAdmin):
    form = InterpretationAdminForm
    list_display = ("record", "form", "policy", "interpretation_status", "policy_status")
    list_filter = ("form",)
    search_fields = ("record__title", "policy__title", "policy__document_number")
    list_select_related = ("record", "policy")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(record__organisation__in=access.organisations_in_scope(request.user))
        )

    def get_form(self, request, obj=None, change=False, **kwargs):
        base = super().get_form(request, obj, change=change, **kwargs)

        class FormForUser(base):
            def __init__(self, *args, **inner):
                super().__init__(*args, user=request.user, **inner)

        return FormForUser

    def get_readonly_fields(self, request, obj=None):
        # Moving a link to another interpretation record is a new link, not an edit.
        return ("record",) if obj is not None else ()

    @admin.display(description=_("解读状态"))
    def interpretation_status(self, obj):
        return obj.record.get_status_display()

    @admin.display(description=_("政策文件状态"))
    def policy_status(self, obj):
        return obj.policy.get_status_display()

    # Rights follow the record policy: editors of the organisation link while the interpretation is
    # unpublished; everyone with a role in scope reads.
    def _may_edit(self, request, obj):
        if obj is None:
            return _editing_organisations(request.user).exists()
        return (
            obj.record.status in UNPUBLISHED_STATUSES
            and _editing_organisations(request.user).filter(pk=obj.record.organisation_id).exists()
        )

    def has_module_permission(self, request):
        return access.organisations_in_scope(request.user).exists()

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return self._may_edit(request, None)

    def has_change_permission(self, request, obj=None):
        return self._may_edit(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._may_edit(request, obj)

    def save_model(self, request, obj, form, change):
        link = interpretation_link(
            user=request.user,
            interpretation=form.cleaned_data.get("record") or obj.record,
            policy=form.cleaned_data["policy"],
            form=form.cleaned_data["form"],
        )
        obj.pk = link.pk

    def delete_model(self, request, obj):
        interpretation_unlink(user=request.user, link=obj)

    def delete_queryset(self, request, queryset):
        for link in queryset:
            interpretation_unlink(user=request.user, link=link)

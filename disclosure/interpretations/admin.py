"""Admin of policy interpretation links: which interpretation record explains which policy.

Thin: who may read and who may link comes from disclosure/interpretations/policy.py; choices are the
user's own organisation's records; checks and writes go through disclosure/interpretations/services.py
(which writes the audit entries). Roles that may only read (reviewer, auditor, org admin, an editor
facing a published interpretation's link) get the read-only page.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from disclosure.interpretations import policy as link_policy
from disclosure.interpretations.services import (
    CLOSED_POLICY_STATUSES,
    interpretation_link,
    interpretation_unlink,
    interpretation_validate,
)
from disclosure.records.models import UNPUBLISHED_STATUSES, Interpretation, Record, RecordType


class InterpretationAdminForm(forms.ModelForm):
    class Meta:
        model = Interpretation
        fields = ["record", "policy", "form"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        organisations = link_policy.linking_organisations(user)
        # A read-only page (or a change page, where the interpretation is fixed) lacks some fields.
        if "record" in self.fields:
            self.fields["record"].queryset = Record.objects.filter(
                organisation__in=organisations,
                record_type=RecordType.INTERPRETATION,
                status__in=UNPUBLISHED_STATUSES,
            ).select_related("organisation")
        if "policy" in self.fields:
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
        return link_policy.visible_links(request.user).select_related("record", "policy")

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

    # Rights: disclosure/interpretations/policy.py.

    def has_module_permission(self, request):
        return link_policy.may_read(request.user)

    def has_view_permission(self, request, obj=None):
        return link_policy.may_read(request.user)

    def has_add_permission(self, request):
        return link_policy.may_link_anywhere(request.user)

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return link_policy.may_link_anywhere(request.user)
        return link_policy.may_change(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)

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

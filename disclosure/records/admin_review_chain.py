"""An organisation's review chain (审核流程) in the admin, for its 单位管理员.

One chain per organisation, its steps edited inline: name and the checks the step's reviewer confirms.
A new chain starts as the standard 初审 → 保密审查 → 终审签发; a township with one reviewer keeps one
step (it must then hold the confidentiality review and the openness check). The inline formset is
checked as a whole (``review_chain.check_steps``) and saved as a whole (``review_chain.chain_set``, so
renumbering steps never trips the unique position); a chain changed while a record is under review
does not change that review (its steps were fixed at submission).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from catalog.models import Organisation
from disclosure.core import access
from disclosure.core.access import Role
from disclosure.records import review_chain
from disclosure.records.review_models import STANDARD_CHAIN, ReviewChain, ReviewCheck, ReviewStep


def may_configure(user, organisation_id: int | None) -> bool:
    """The 单位管理员 of the organisation (or a superuser) configures its chain."""
    return organisation_id is not None and access.has_role_in(user, Role.ORG_ADMIN, organisation_id)


class ReviewStepForm(forms.ModelForm):
    checks = forms.MultipleChoiceField(
        label=_("审核要点"),
        choices=ReviewCheck.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("每个环节至少选择一项审核要点。")},
    )

    class Meta:
        model = ReviewStep
        fields = ["position", "name", "checks"]


class ReviewStepFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        rows = [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        rows.sort(key=lambda row: row["position"])
        if [row["position"] for row in rows] != list(range(1, len(rows) + 1)):
            raise ValidationError(_("环节顺序须从 1 开始连续编号。"))
        review_chain.check_steps([(row["name"], row["checks"]) for row in rows])


class ReviewStepInline(admin.TabularInline):
    model = ReviewStep
    form = ReviewStepForm
    formset = ReviewStepFormSet
    extra = 0
    max_num = review_chain.MAX_STEPS

    def get_extra(self, request, obj=None, **kwargs):
        return len(STANDARD_CHAIN) if obj is None else 1

    def get_fields(self, request, obj=None):
        if self.has_change_permission(request, obj):
            return ["position", "name", "checks"]
        return ["position", "name", "checks_display"]  # read-only: the checks by name, not their stored keys

    def get_readonly_fields(self, request, obj=None):
        return () if self.has_change_permission(request, obj) else ("position", "name", "checks_display")

    @admin.display(description=_("审核要点"))
    def checks_display(self, step):
        labels = dict(ReviewCheck.choices)
        return "、".join(str(labels.get(check, check)) for check in step.checks) or "—"

    def has_view_permission(self, request, obj=None):
        return self.admin_site.get_model_admin(ReviewChain).has_view_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        return self.admin_site.get_model_admin(ReviewChain).has_change_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self.has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.has_add_permission(request, obj)


@admin.register(ReviewChain)
class ReviewChainAdmin(admin.ModelAdmin):
    """The chains of the organisations a user may read; the 单位管理员 edits their own."""

    inlines = [ReviewStepInline]
    list_display = ("organisation", "steps_display", "updated_at")
    fields = ("organisation",)

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("organisation").prefetch_related("steps")
        if access.is_superuser(request.user):
            return queryset
        return queryset.filter(organisation__in=access.organisations_in_scope(request.user))

    @admin.display(description=_("审核环节"))
    def steps_display(self, chain):
        return " → ".join(step.name for step in chain.steps.all()) or "—"

    def get_readonly_fields(self, request, obj=None):
        return ("organisation",) if obj is not None or not request.user.is_superuser else ()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "organisation":
            kwargs["queryset"] = Organisation.objects.filter(review_chain__isnull=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_add_permission(self, request):
        if not super().has_add_permission(request):
            return False
        if request.user.is_superuser:
            return True
        organisation = access.organisation_of(request.user)
        return (
            organisation is not None
            and may_configure(request.user, organisation.pk)
            and not ReviewChain.objects.filter(organisation=organisation).exists()
        )

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        if obj is None or not allowed:
            return allowed
        return may_configure(request.user, obj.organisation_id)

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        if obj is None or not allowed:
            return allowed
        return may_configure(request.user, obj.organisation_id)

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if obj is None or obj.pk is None:
            # A new chain starts as the standard 三审 chain; the administrator may shorten or rename it.
            kwargs["initial"] = [
                {"position": n, "name": str(name), "checks": list(checks)}
                for n, (name, checks) in enumerate(STANDARD_CHAIN, start=1)
            ]
        return kwargs

    def save_formset(self, request, form, formset, change):
        if formset.model is not ReviewStep:
            return super().save_formset(request, form, formset, change)
        rows = [
            (row.cleaned_data["position"], row.cleaned_data["name"], row.cleaned_data["checks"])
            for row in formset.forms
            if row.cleaned_data and not row.cleaned_data.get("DELETE")
        ]
        review_chain.chain_set(form.instance, [(name, checks) for _position, name, checks in sorted(rows)])
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    def save_model(self, request, obj, form, change):
        if not change and not request.user.is_superuser:
            obj.organisation = access.organisation_of(request.user)
        super().save_model(request, obj, form, change)

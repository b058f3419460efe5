"""Service guides (办事指南) in the admin: the guide of a service-guide record, with steps, materials, FAQ.

Scoped to the organisations the user may read; editable exactly while the guide's record is editable
by the user (disclosure/service_guides/policy.py), so a guide under review or published changes only by
revising its record. Guide fields are saved through disclosure/service_guides/services.py (rights,
checks, log).
"""

from functools import partial

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from disclosure.service_guides import policy, selectors
from disclosure.service_guides import services as service_guides
from disclosure.service_guides.models import (
    ServiceGuide,
    ServiceGuideFAQ,
    ServiceGuideMaterial,
    ServiceGuideStep,
)


def _may_edit(user, guide) -> bool:
    if guide is None:
        return policy.may_create_anywhere(user)
    return policy.can_edit(user, guide.record)


class ServiceGuideAdminForm(forms.ModelForm):
    class Meta:
        model = ServiceGuide
        fields = ("record", *service_guides.GUIDE_FIELDS)
        widgets = {
            "legal_basis": forms.Textarea(attrs={"rows": 3}),
            "conditions": forms.Textarea(attrs={"rows": 4}),
        }
        field_classes = {"online_url": partial(forms.URLField, assume_scheme="https")}

    def clean(self):
        data = super().clean()
        record = data.get("record") if not self.instance.pk else self.instance.record
        if not self.instance.pk and record is not None:
            try:
                service_guides.validate_guide_record(record)
            except ValidationError as error:
                self.add_error("record", error.message_dict.get("record", error.messages))
        probe = ServiceGuide(**{name: data.get(name) for name in service_guides.GUIDE_FIELDS if name in data})
        for name in ("fee_mode", "fee_amount", "fee_basis"):
            if getattr(probe, name) is None:
                setattr(probe, name, "")
        try:
            service_guides.validate_guide_fields(probe)
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                self.add_error(field if field in self.fields else None, messages)
        return data


class StoredFormInput(forms.ClearableFileInput):
    """The blank form's upload box: names the file as uploaded and offers to clear it, but never links
    to the storage (stored files are served only by views that apply the public rule; a storage URL
    answers 404 on disk and 403 on S3)."""

    def render(self, name, value, attrs=None, renderer=None):
        upload = forms.FileInput(attrs=self.attrs).render(name, None, attrs, renderer)
        if not value or not getattr(value, "name", None):
            return upload
        checkbox_name = self.clear_checkbox_name(name)
        checkbox_id = self.clear_checkbox_id(checkbox_name)
        shown = getattr(value.instance, "form_file_name", "") or value.name.rsplit("/", 1)[-1]
        return format_html(
            '<p class="file-upload">{}：{}　<input type="checkbox" name="{}" id="{}">'
            '<label for="{}">{}</label><br>{}：{}</p>',
            _("当前文件"), shown, checkbox_name, checkbox_id, checkbox_id, _("清除"), _("更换"), upload,
        )


class MaterialInlineForm(forms.ModelForm):
    class Meta:
        model = ServiceGuideMaterial
        fields = ("order", "name", "originals", "copies", "form", "required", "note", "form_file")
        widgets = {"form_file": StoredFormInput}

    def clean_form_file(self):
        upload = self.cleaned_data.get("form_file")
        if isinstance(upload, UploadedFile):
            # Same checks as record attachments: allowed type by content, size cap.
            facts, content = service_guides.material_form_content(upload)
            for name, value in facts.items():
                setattr(self.instance, name, value)
            return content  # stored without its document metadata
        elif upload is False:  # "clear" ticked
            self.instance.form_file_name, self.instance.form_file_size, self.instance.form_file_sha256 = "", None, ""
        return upload


class _GuidePartInline:
    """Parts of a guide change exactly when the guide does."""

    def has_view_permission(self, request, obj=None):
        return policy.may_read(request.user)

    def has_add_permission(self, request, obj=None):
        return _may_edit(request.user, obj)

    def has_change_permission(self, request, obj=None):
        return _may_edit(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        return _may_edit(request.user, obj)


class StepInline(_GuidePartInline, admin.TabularInline):
    model = ServiceGuideStep
    extra = 1
    fields = ("order", "name", "description", "time_limit")

    def get_formset(self, request, obj=None, **kwargs):
        kwargs.setdefault("widgets", {"description": forms.Textarea(attrs={"rows": 2})})
        return super().get_formset(request, obj, **kwargs)


class MaterialInline(_GuidePartInline, admin.TabularInline):
    model = ServiceGuideMaterial
    form = MaterialInlineForm
    extra = 1

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if _may_edit(request.user, obj):
            return fields
        # Read-only, Django would print the storage path as a link that serves nothing.
        return [("form_file_display" if name == "form_file" else name) for name in fields]

    def get_readonly_fields(self, request, obj=None):
        return () if _may_edit(request.user, obj) else ("form_file_display",)

    @admin.display(description=_("空白表格"))
    def form_file_display(self, material):
        if not material.form_file:
            return "—"
        return material.form_file_name or material.form_file.name.rsplit("/", 1)[-1]


class FAQInline(_GuidePartInline, admin.StackedInline):
    model = ServiceGuideFAQ
    extra = 0
    fields = ("order", "question", "answer")


@admin.register(ServiceGuide)
class ServiceGuideAdmin(admin.ModelAdmin):
    form = ServiceGuideAdminForm
    inlines = [StepInline, MaterialInline, FAQInline]
    list_display = ("record_title", "organisation", "record_status", "missing_display")
    search_fields = ("record__title",)
    fieldsets = (
        (None, {"fields": ("record",)}),
        (_("实施主体、依据和条件"), {"fields": ("responsible_body", "legal_basis", "conditions")}),
        (_("收费"), {"fields": ("fee_mode", "fee_amount", "fee_basis")}),
        (_("办结时限"), {"fields": ("statutory_days", "promised_days")}),
        (
            _("咨询和监督渠道"),
            {"fields": ("consultation_phone", "consultation_address", "supervision_phone", "supervision_channel")},
        ),
        (_("办理地点和时间"), {"fields": ("place", "hours", "online_url")}),
    )

    # --- rights ---------------------------------------------------------------------------------

    def has_module_permission(self, request):
        return policy.may_read(request.user)

    def has_view_permission(self, request, obj=None):
        return policy.may_read(request.user)

    def has_add_permission(self, request):
        return _may_edit(request.user, None)

    def has_change_permission(self, request, obj=None):
        return _may_edit(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        # A guide goes with its record (a draft record is deleted with its guide); never on its own.
        return False

    # --- lists ----------------------------------------------------------------------------------

    def get_queryset(self, request):
        return (
            policy.visible_guides(request.user)
            .select_related("record__organisation")
            .prefetch_related("steps", "materials")
        )

    @admin.display(description=_("办事指南信息"), ordering="record__title")
    def record_title(self, obj):
        return obj.record.title

    @admin.display(description=_("单位"), ordering="record__organisation__name")
    def organisation(self, obj):
        return obj.record.organisation

    @admin.display(description=_("信息状态"))
    def record_status(self, obj):
        return obj.record.get_status_display()

    @admin.display(description=_("缺少的必备要素"))
    def missing_display(self, obj):
        missing = selectors.missing_elements(
            obj, step_count=len(obj.steps.all()), material_count=len(obj.materials.all())
        )
        if not missing:
            return format_html('<span class="guide-complete">{}</span>', _("要素齐全"))
        return format_html('<strong class="guide-incomplete">{}</strong>', _("缺少：") + "、".join(missing))

    # --- change form ----------------------------------------------------------------------------

    def get_readonly_fields(self, request, obj=None):
        return ("record", "missing_display") if obj is not None else ()

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(self.fieldsets)
        if obj is not None:
            fieldsets.insert(1, (_("完整性"), {"fields": ("missing_display",)}))
        return fieldsets

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if obj is None and "record" in form.base_fields:
            form.base_fields["record"].queryset = policy.records_open_for_guide(request.user)
            form.base_fields["record"].help_text = _(
                "可选本单位处于草稿或退回修改状态、信息类别为“办事指南”且发布在办事指南栏目下的信息；"
                "修订稿的办事指南自动复制原信息的内容。"
            )
        return form

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            service_guides.service_guide_update(
                user=request.user,
                guide=obj,
                **{name: data[name] for name in service_guides.GUIDE_FIELDS if name in data},
            )
        else:
            # Blank fields of a revision's guide fall back to its original's content.
            filled = {
                name: data[name]
                for name in service_guides.GUIDE_FIELDS
                if name in data and data[name] not in ("", None)
            }
            created = service_guides.service_guide_create(user=request.user, record=data["record"], **filled)
            obj.pk = created.pk
            obj._state.adding = False

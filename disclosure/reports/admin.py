"""The annual report and the register of review and litigation cases in the admin.

Staff of an organisation keep their own: 信息员 and 单位管理员 register cases, 信息员 write the report
and generate its record; every role sees its scope (auditors their subtree) read-only. The record
generated from a report is reviewed and published in the records' admin like any record.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from catalog.models import Organisation
from disclosure.core.access import Role, is_superuser, organisation_of, organisations_in_scope, roles_of
from disclosure.core.transitions import InvalidTransition
from disclosure.reports import documents
from disclosure.reports.models import AnnualReportDocument, AnnualReportEdition, DisclosureCase

CASE_ROLES = frozenset({Role.EDITOR, Role.ORG_ADMIN})
REPORT_ROLES = frozenset({Role.EDITOR})


class ScopedAdmin(admin.ModelAdmin):
    """Rows of the organisations in the user's scope; writes by ``writing_roles`` of the own organisation."""

    writing_roles: frozenset = frozenset()

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("organisation")
        if is_superuser(request.user):
            return queryset
        return queryset.filter(organisation__in=organisations_in_scope(request.user))

    def _may_write(self, request, obj=None) -> bool:
        user = request.user
        if is_superuser(user):
            return True
        own = organisation_of(user)
        if own is None or not (roles_of(user) & self.writing_roles):
            return False
        return obj is None or obj.organisation_id == own.pk

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_view_permission(self, request, obj=None):
        user = request.user
        if is_superuser(user):
            return True
        if organisation_of(user) is None or not roles_of(user):
            return False
        return obj is None or organisations_in_scope(user).filter(pk=obj.organisation_id).exists()

    def has_add_permission(self, request):
        return self._may_write(request)

    def has_change_permission(self, request, obj=None):
        return self._may_write(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "organisation" and not is_superuser(request.user):
            own = organisation_of(request.user)
            kwargs["queryset"] = Organisation.objects.filter(pk=own.pk if own else None)
            kwargs["initial"] = own.pk if own else None
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not self._may_write(request, obj):
            raise PermissionDenied(_t("只能维护本单位的数据。"))  # the form already limits the choice
        if not change and not obj.created_by_id:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(DisclosureCase)
class DisclosureCaseAdmin(ScopedAdmin):
    """行政复议、行政诉讼案件登记: feeds table 4 of the annual report."""

    writing_roles = CASE_ROLES
    list_display = ("received_on", "kind", "case_number", "subject", "organisation", "decided_on", "outcome_label")
    list_filter = ("kind", "outcome")
    search_fields = ("case_number", "subject")
    date_hierarchy = "received_on"
    fields = ("organisation", "kind", "case_number", "subject", "received_on", "decided_on", "outcome", "note")

    @admin.display(description=_("结果"))
    def outcome_label(self, obj):
        return obj.get_outcome_display()

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)

        class CaseForm(form):
            def clean(self):
                cleaned = super().clean()
                decided, outcome, received = (cleaned.get(k) for k in ("decided_on", "outcome", "received_on"))
                if decided and not outcome:
                    self.add_error("outcome", _t("填写了审结日期，请选择结果。"))
                if outcome and not decided:
                    self.add_error("decided_on", _t("选择了结果，请填写审结日期。"))
                if decided and received and decided < received:
                    self.add_error("decided_on", _t("审结日期不能早于收案日期。"))
                return cleaned

        return CaseForm


class AnnualReportForm(forms.ModelForm):
    class Meta:
        model = AnnualReportDocument
        fields = "__all__"

    def clean(self):
        cleaned = super().clean()
        for field, _heading in documents.SECTIONS:
            unknown = documents.unknown_markers(cleaned.get(field, ""))
            if unknown:
                self.add_error(
                    field,
                    _t("不认识的数字标记：%(bad)s。可用的标记：%(known)s。")
                    % {
                        "bad": "、".join(f"【{m}】" for m in unknown),
                        "known": "、".join(f"【{m}】" for m in documents.FIGURE_MARKERS),
                    },
                )
        return cleaned


class EditionInline(admin.TabularInline):
    model = AnnualReportEdition
    fields = ("record_link", "record_status", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = _("已生成的信息稿（在“公开信息”中提交审核和发布）")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("公开信息"))
    def record_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:disclosure_record_change", args=[obj.record_id]), obj.record.title
        )

    @admin.display(description=_("状态"))
    def record_status(self, obj):
        return obj.record.get_status_display()


@admin.register(AnnualReportDocument)
class AnnualReportDocumentAdmin(ScopedAdmin):
    """政府信息公开工作年度报告: narrative by 信息员, tables computed; "保存并生成信息稿" makes the record."""

    form = AnnualReportForm
    writing_roles = REPORT_ROLES
    change_form_template = "admin/disclosure/annualreportdocument/change_form.html"
    list_display = ("__str__", "year", "organisation", "publication")
    list_filter = ("year",)
    inlines = [EditionInline]
    readonly_fields = ("markers",)
    fieldsets = (
        (None, {"fields": ("organisation", "year")}),
        (_("正文（可写入数字标记，如【新收申请】，生成信息稿时填入截至12月31日的数字）"), {
            "fields": (
                "markers", "overview", "proactive_text", "applications_text", "reviews_text",
                "problems_text", "other_text",
            ),
        }),
        (_("手工填报的数字"), {"fields": ("administrative_fees", "processing_fees", "processing_fee_notices")}),
    )

    @admin.display(description=_("发布情况"))
    def publication(self, obj):
        record = obj.editions.filter(record__published_at__isnull=False).order_by("-record__published_at").first()
        return record.record.published_at.date() if record else _t("未发布")

    @admin.display(description=_("可用的数字标记"))
    def markers(self, obj):
        if obj is None or obj.pk is None:
            return "、".join(f"【{m}】" for m in documents.FIGURE_MARKERS)
        report = documents.report_of(obj)
        return format_html_join(
            "、", "{}＝{}", ((f"【{figure.marker}】", figure.read(report, obj)) for figure in documents.FIGURES)
        )

    def get_changeform_initial_data(self, request):
        return {**documents.DEFAULT_NARRATIVE, **super().get_changeform_initial_data(request)}

    def response_add(self, request, obj, post_url_continue=None):
        if "_generate" in request.POST:
            return self._generate(request, obj)
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        if "_generate" in request.POST:
            return self._generate(request, obj)
        return super().response_change(request, obj)

    def _generate(self, request, obj):
        try:
            record = documents.annual_report_generate_record(user=request.user, document=obj)
        except (PermissionDenied, InvalidTransition, ValidationError) as refusal:
            message = "；".join(refusal.messages) if isinstance(refusal, ValidationError) else str(refusal)
            self.message_user(request, _t("未生成信息稿：%s") % message, messages.ERROR)
            return redirect("admin:disclosure_annualreportdocument_change", obj.pk)
        self.message_user(
            request,
            format_html(
                _t("已生成信息稿“{}”（{}），请在公开信息中提交审核。"), record.title, record.get_status_display()
            ),
            messages.SUCCESS,
        )
        return redirect("admin:disclosure_record_change", record.pk)

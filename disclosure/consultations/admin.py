"""Decision drafts for comment (意见征集) and citizens' comments in the admin.

Thin: rights come from disclosure/consultations.py (``can_*``), and every write goes through its
services (validation of the window, activity log). The state changes (open, publish the feedback)
each have a confirmation page reached from the change form; nothing changes on a GET.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from catalog import selectors as catalog_selectors
from disclosure.consultations import selectors as consultation_selectors
from disclosure.consultations import services as consultations
from disclosure.consultations.models import (
    Consultation,
    ConsultationAttachment,
    ConsultationComment,
    ConsultationStatus,
    Moderation,
)
from disclosure.core import access
from disclosure.core.admin_fields import limit_organisation_field
from disclosure.core.admin_moves import REFUSALS, log_rows, refusal_messages
from disclosure.core.files import check_upload
from disclosure.core.log import ActivityEntry

ACTION_LABELS = {
    "create": _("新建"),
    "open": _("开始征求意见"),
    "close": _("征求意见结束"),
    "publish_feedback": _("公布采纳情况"),
    "export_comments": _("导出公众意见"),
    "delete": _("删除草稿"),
    "moderate": _("审核意见"),
}


def _in_scope(user) -> bool:
    return user.is_active and access.organisations_in_scope(user).exists()


class ConsultationForm(forms.ModelForm):
    """The draft's content. Status and feedback are not fields: the services set them."""

    request_user = None

    class Meta:
        model = Consultation
        fields = ["organisation", "node", *consultations.CONTENT_FIELDS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "organisation" in self.fields:
            limit_organisation_field(self, self.request_user)
        if "node" in self.fields:
            self.fields["node"].queryset = catalog_selectors.visible_nodes().order_by("tree_id", "lft")
            if self.instance.pk is None:
                default = consultations.default_node()
                self.initial.setdefault("node", default.pk if default else None)

    def clean(self):
        data = super().clean()
        for field, errors in consultations.window_errors(
            decision_kind=data.get("decision_kind") or "",
            opens_at=data.get("opens_at"),
            closes_at=data.get("closes_at"),
            shorter_window_reason=data.get("shorter_window_reason") or "",
        ).items():
            if not self.has_error(field):
                self.add_error(field, errors)
        return data


class AttachmentForm(forms.ModelForm):
    upload = forms.FileField(label=_("上传文件"), required=False)

    class Meta:
        model = ConsultationAttachment
        fields = []

    def clean_upload(self):
        upload = self.cleaned_data.get("upload")
        if upload is not None:
            check_upload(upload)  # Chinese ValidationError for a wrong kind or size
        return upload

    def has_changed(self):
        return bool(self.files) and super().has_changed()


class AttachmentInline(admin.TabularInline):
    model = ConsultationAttachment
    form = AttachmentForm
    extra = 1
    fields = ("upload", "original_name", "kind", "size", "uploaded_at")
    readonly_fields = ("original_name", "kind", "size", "uploaded_at")

    def _editable(self, request, obj):
        return obj is None or consultations.can_edit(request.user, obj)

    def has_add_permission(self, request, obj=None):
        return self._editable(request, obj) and (
            obj is not None or consultations.can_draft_anywhere(request.user)
        )

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return obj is not None and consultations.can_edit(request.user, obj)

    def has_view_permission(self, request, obj=None):
        return True


@admin.register(Consultation)
class ConsultationAdmin(admin.ModelAdmin):
    form = ConsultationForm
    inlines = [AttachmentInline]
    list_display = ("title", "organisation", "decision_kind", "status", "opens_at", "closes_at", "comment_counts")
    list_filter = ("status", "decision_kind")
    search_fields = ("title",)
    list_select_related = ("organisation",)
    date_hierarchy = "opens_at"

    def get_queryset(self, request):
        return (
            consultation_selectors.consultations_for_staff(request.user)
            .select_related("organisation", "node")
            .annotate(
                total_count=Count("comments"),
                pending_count=Count("comments", filter=Q(comments__moderation=Moderation.PENDING)),
            )
        )

    def get_form(self, request, obj=None, change=False, **kwargs):
        base = super().get_form(request, obj, change=change, **kwargs)
        return type("ConsultationFormForUser", (base,), {"request_user": request.user})

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and not obj.is_editable:
            return ConsultationForm.Meta.fields
        return ()

    @admin.display(description=_("公众意见（待审/全部）"))
    def comment_counts(self, obj):
        return f"{obj.pending_count} / {obj.total_count}"

    # Rights: from disclosure/consultations.py, not from Django model permissions.
    def has_module_permission(self, request):
        return _in_scope(request.user)

    def has_view_permission(self, request, obj=None):
        return _in_scope(request.user)

    def has_add_permission(self, request):
        return consultations.can_draft_anywhere(request.user)

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return consultations.can_draft_anywhere(request.user)
        return consultations.can_edit(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is None:
            return consultations.can_draft_anywhere(request.user)
        return consultations.can_edit(request.user, obj)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        content = {name: data[name] for name in consultations.CONTENT_FIELDS if name in data}
        if change:
            saved = consultations.consultation_update(
                user=request.user, consultation=obj, node=data.get("node"), **content
            )
        else:
            saved = consultations.consultation_create(
                user=request.user, organisation=data["organisation"], node=data.get("node"), **content
            )
        obj.pk = saved.pk
        obj.body = saved.body
        obj.status = saved.status

    def save_formset(self, request, form, formset, change):
        if formset.model is not ConsultationAttachment:
            return super().save_formset(request, form, formset, change)
        consultation = Consultation.objects.get(pk=form.instance.pk)
        for inline_form in formset.forms:
            if inline_form in formset.deleted_forms and inline_form.instance.pk:
                consultations.consultation_attachment_remove(user=request.user, attachment=inline_form.instance)
            elif inline_form.instance.pk is None and inline_form.cleaned_data.get("upload"):
                consultations.consultation_attachment_add(
                    user=request.user, consultation=consultation, upload=inline_form.cleaned_data["upload"]
                )

    def delete_model(self, request, obj):
        consultations.consultation_delete(user=request.user, consultation=obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            consultations.consultation_delete(user=request.user, consultation=obj)

    # --------------------------------------------------------------------------- moves and export

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<path:object_id>/open/", wrap(self.open_view), name="disclosure_consultation_open"),
            path("<path:object_id>/feedback/", wrap(self.feedback_view), name="disclosure_consultation_feedback"),
            path("<path:object_id>/comments.csv", wrap(self.export_view), name="disclosure_consultation_export"),
        ] + super().get_urls()

    def _get(self, request, object_id) -> Consultation:
        obj = self.get_queryset(request).filter(pk=unquote(object_id)).first() if str(unquote(object_id)).isdigit() else None
        if obj is None:
            raise Http404(_t("没有找到该意见征集。"))
        return obj

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = dict(extra_context or {})
        if str(unquote(object_id)).isdigit():
            obj = self.get_queryset(request).filter(pk=unquote(object_id)).first()
            if obj is not None:
                extra_context.update(self._workflow_context(request, obj))
        return super().change_view(request, object_id, form_url, extra_context)

    def _workflow_context(self, request, obj) -> dict:
        now = timezone.now()
        moves = []
        if obj.status == ConsultationStatus.DRAFT and consultations.can_open(request.user, obj):
            url = reverse("admin:disclosure_consultation_open", args=[obj.pk])
            moves.append({"name": "open", "label": _t("审核发布，开始征求意见"), "url": url})
        if (
            obj.status in (ConsultationStatus.OPEN, ConsultationStatus.CLOSED)
            and obj.window_has_ended(now)
            and consultations.can_publish_feedback(request.user, obj)
        ):
            url = reverse("admin:disclosure_consultation_feedback", args=[obj.pk])
            moves.append({"name": "feedback", "label": _t("公布意见采纳情况"), "url": url})
        handles = consultations.can_handle_comments(request.user, obj.organisation_id)
        log = ActivityEntry.objects.filter(subject_type=consultations.SUBJECT, subject_id=obj.pk).order_by("created_at", "id")
        return {
            "workflow_moves": moves,
            "comments_url": (
                reverse("admin:disclosure_consultationcomment_changelist") + f"?consultation={obj.pk}" if handles else ""
            ),
            "export_url": reverse("admin:disclosure_consultation_export", args=[obj.pk]) if handles else "",
            "comment_total": obj.comments.count() if handles else None,
            "public_url": obj.get_absolute_url() if obj.status != ConsultationStatus.DRAFT else "",
            "workflow_log": log_rows(
                log, action_label=lambda action: ACTION_LABELS.get(action, action), status_label=_status_label
            ),
        }

    def _confirm_view(self, request, obj, *, allowed: bool, form, title: str, carry_out, done: str):
        """A confirmation page: a GET shows ``form``; a valid POST calls ``carry_out`` (the service) with
        the cleaned data and goes back to the change page; a refusal is shown on the same page."""
        if not allowed:
            raise PermissionDenied
        refusals = []
        if request.method == "POST" and form.is_valid():
            try:
                carry_out(form.cleaned_data)
            except REFUSALS as error:
                refusals = refusal_messages(error)
            else:
                messages.success(request, done)
                return redirect("admin:disclosure_consultation_change", obj.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": obj,
            "title": title,
            "action_label": title,
            "form": form,
            "errors_list": refusals,
            "change_url": reverse("admin:disclosure_consultation_change", args=[obj.pk]),
            "last_day": consultations.window_last_day(obj.closes_at),
        }
        return TemplateResponse(request, "admin/disclosure/consultation/move.html", context)

    def open_view(self, request, object_id):
        obj = self._get(request, object_id)
        return self._confirm_view(
            request,
            obj,
            allowed=consultations.can_open(request.user, obj),
            form=OpenForm(request.POST or None),
            title=_t("开始征求意见"),
            carry_out=lambda data: consultations.consultation_open(
                user=request.user, consultation=obj, comment=data["comment"]
            ),
            done=_t("已开始征求意见，公众自开始时间起可在网站上查看并提出意见。"),
        )

    def feedback_view(self, request, object_id):
        obj = self._get(request, object_id)
        return self._confirm_view(
            request,
            obj,
            allowed=consultations.can_publish_feedback(request.user, obj),
            form=FeedbackForm(request.POST or None, initial={"feedback": obj.feedback}),
            title=_t("公布意见采纳情况"),
            carry_out=lambda data: consultations.consultation_publish_feedback(
                user=request.user, consultation=obj, feedback=data["feedback"]
            ),
            done=_t("意见采纳情况已公布。"),
        )

    def export_view(self, request, object_id):
        obj = self._get(request, object_id)
        if not consultations.can_handle_comments(request.user, obj.organisation_id):
            raise PermissionDenied
        return csv_response(consultations.comments_csv(user=request.user, consultation=obj), f"comments-{obj.pk}.csv")


def _status_label(value: str) -> str:
    for choices in (ConsultationStatus, Moderation):
        if value in choices.values:
            return str(choices(value).label)
    return value or "—"


def csv_response(text: str, filename: str) -> HttpResponse:
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"  # personal data: not kept by proxies or the browser cache
    return response


class OpenForm(forms.Form):
    comment = forms.CharField(label=_("审核意见（选填）"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class FeedbackForm(forms.Form):
    feedback = forms.CharField(
        label=_("意见采纳情况"),
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("说明收到意见的总体情况、采纳情况及未采纳的理由；公布后在网站该草案页面显示，不能再修改。"),
        error_messages={"required": _("请填写意见采纳情况。")},
    )


# ------------------------------------------------------------------------------------- comments


class ConsultationScopeFilter(admin.SimpleListFilter):
    """Filter by consultation, listing only those of the user's organisation."""

    title = _("意见征集")
    parameter_name = "consultation"

    def lookups(self, request, model_admin):
        ids = consultation_selectors.comments_for_staff(request.user).values("consultation_id")
        return [(str(c.pk), Truncator(c.title).chars(40)) for c in Consultation.objects.filter(pk__in=ids).only("pk", "title")]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(consultation_id=int(value))
        return queryset


class CommentModerationForm(forms.ModelForm):
    decision = forms.ChoiceField(label=_("审核结果"), choices=Moderation.choices)

    class Meta:
        model = ConsultationComment
        fields = ["hidden_reason"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].initial = self.instance.moderation

    def clean(self):
        data = super().clean()
        if data.get("decision") == Moderation.HIDDEN and not (data.get("hidden_reason") or "").strip():
            self.add_error("hidden_reason", _("不予显示的，必须填写理由。"))
        return data


@admin.register(ConsultationComment)
class ConsultationCommentAdmin(admin.ModelAdmin):
    form = CommentModerationForm
    list_display = ("pk", "consultation", "public_name_display", "contact", "excerpt", "submitted_at", "moderation")
    list_filter = ("moderation", ConsultationScopeFilter)
    search_fields = ("text", "name")
    list_select_related = ("consultation",)
    readonly_fields = ("consultation", "name", "contact", "text_display", "submitted_at", "moderation", "moderated_by", "moderated_at")
    fields = readonly_fields[:5] + ("decision", "hidden_reason") + readonly_fields[5:]
    actions = ["show_selected", "export_selected"]

    def get_queryset(self, request):
        return consultation_selectors.comments_for_staff(request.user).select_related("consultation", "moderated_by")

    @admin.display(description=_("姓名或称呼"))
    def public_name_display(self, obj):
        return obj.public_name

    @admin.display(description=_("意见内容"))
    def excerpt(self, obj):
        return Truncator(obj.text).chars(60)

    @admin.display(description=_("意见内容"))
    def text_display(self, obj):
        return format_html('<div style="white-space: pre-wrap">{}</div>', obj.text)

    def _handles(self, request, obj=None):
        if obj is not None:
            return consultations.can_handle_comments(request.user, obj.consultation.organisation_id)
        return consultations.can_handle_any_comments(request.user)

    def has_module_permission(self, request):
        return consultations.can_handle_any_comments(request.user)

    def has_view_permission(self, request, obj=None):
        return self._handles(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._handles(request, obj)

    def has_add_permission(self, request):
        return False  # comments come from the public only

    def has_delete_permission(self, request, obj=None):
        return False  # never lost once acknowledged

    def save_model(self, request, obj, form, change):
        saved = consultations.comment_moderate(
            user=request.user,
            comment=obj,
            moderation=form.cleaned_data["decision"],
            reason=form.cleaned_data.get("hidden_reason", ""),
        )
        obj.moderation = saved.moderation

    @admin.action(description=_("将所选意见设为公开显示"))
    def show_selected(self, request, queryset):
        for comment in queryset:
            consultations.comment_moderate(user=request.user, comment=comment, moderation=Moderation.SHOWN)
        messages.success(request, _t("已将 %(n)s 条意见设为公开显示。") % {"n": queryset.count()})

    @admin.action(description=_("导出所选意见（CSV）"))
    def export_selected(self, request, queryset):
        return csv_response(consultations.comments_csv(user=request.user, comments=list(queryset)), "comments.csv")

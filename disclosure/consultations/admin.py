"""Decision drafts for comment (意见征集) and citizens' comments in the admin.

Thin: rights come from policy.py, every write goes through services.py (validation of the window,
activity log), and the state changes only through the move view (WorkflowMovesMixin): open it, publish
the feedback, each with a confirmation page reached from the change form; nothing changes on a GET. A
service's refusal (wrong state, no right, invalid data) comes back as a Chinese message, never a 500.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.defaultfilters import linebreaksbr
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from catalog import selectors as catalog_selectors
from disclosure.consultations import policy, privacy_guard
from disclosure.consultations import selectors as consultation_selectors
from disclosure.consultations import services as consultations
from disclosure.consultations.clock import feedback_clock
from disclosure.consultations.models import (
    Consultation,
    ConsultationAttachment,
    ConsultationComment,
    ConsultationStatus,
    Moderation,
)
from disclosure.consultations.privacy_models import ConsultationPrivacyFinding
from disclosure.consultations.workflow import TRANSITIONS, Transition
from disclosure.core.access import organisations_in_scope
from disclosure.core.admin_fields import limit_organisation_field
from disclosure.core.admin_lists import Tone, short_date, state_label
from disclosure.core.admin_moves import REFUSALS, WorkflowMovesMixin, log_rows, refusal_messages
from disclosure.core.docx_body import DocxBodyFormMixin, images_left_out_message
from disclosure.core.editor import BodyEditorWidget
from disclosure.core.files import check_upload
from disclosure.core.log import ActivityEntry
from disclosure.core.sanitize import clean_html
from disclosure.records.forms import PrivacyKeepForm

ACTION_LABELS = {
    "create": _("新建"),
    "update": _("修改草稿"),
    "open": _("开始征求意见"),
    "close": _("征求意见结束"),
    "publish_feedback": _("公布采纳情况"),
    "export_comments": _("导出公众意见"),
    "delete": _("删除草稿"),
    "moderate": _("审核意见"),
    "privacy_scan": _("个人信息检查"),
    "privacy_keep": _("个人信息保留公开"),
    "privacy_masked": _("个人信息已脱敏"),
    "privacy_removed": _("个人信息已删除"),
}
# The moves offered in the admin, with their buttons' labels; closing is the closing job's (or happens
# when the feedback is published).
ADMIN_MOVES = {
    "open": _("审核发布，开始征求意见"),
    "publish_feedback": _("公布意见采纳情况"),
}
MOVE_TITLES = {"open": _("开始征求意见"), "publish_feedback": _("公布意见采纳情况")}


class ServiceRefused(Exception):
    """A service refused a save; raised out of the admin's transaction so that nothing is kept."""

    def __init__(self, error: Exception):
        super().__init__(str(error))
        self.error = error


def _in_scope(user) -> bool:
    return user.is_active and organisations_in_scope(user).exists()


class ConsultationForm(DocxBodyFormMixin, forms.ModelForm):
    """The draft's content. Status and feedback are not fields: the services set them.

    ``request_user`` and ``refusal`` are set on the class by ConsultationAdmin.get_form; ``refusal`` is
    the error a service raised when the same POST was first saved, shown again on the re-rendered form.
    """

    request_user = None
    refusal: Exception | None = None

    class Meta:
        model = Consultation
        fields = ["organisation", "node", *consultations.CONTENT_FIELDS]
        widgets = {"body": BodyEditorWidget}

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
        self.import_docx(data)
        if self.refusal is not None:
            self.add_refusal(self.refusal)
        return data

    def add_refusal(self, error: Exception) -> None:
        """Put a service's ValidationError / PermissionDenied / InvalidTransition onto the form."""
        if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
            for name, errors in error.error_dict.items():
                self.add_error(name if name in self.fields else None, errors)
        else:
            self.add_error(None, refusal_messages(error))


class UploadField(forms.FileField):
    """A file field whose label also heads its inline column when the inline is read-only: Django then titles
    a form-only column by its name ("Upload") unless the field carries a ``short_description``."""

    @property
    def short_description(self):
        return self.label


class AttachmentForm(forms.ModelForm):
    upload = UploadField(label=_("上传文件"), required=False)

    class Meta:
        model = ConsultationAttachment
        fields = []

    def clean_upload(self):
        upload = self.cleaned_data.get("upload")
        if upload is not None:
            if len(upload.name or "") > ConsultationAttachment._meta.get_field("original_name").max_length:
                raise ValidationError(_("文件名过长，请改短后再上传（最多 200 个字符）。"))
            check_upload(upload)  # Chinese ValidationError for a wrong kind or size
        return upload

    def has_changed(self):
        return bool(self.files) and super().has_changed()


class AttachmentInline(admin.TabularInline):
    """The draft's files. Files are never edited in place: removed and uploaded again, each through
    the attachment services (see ConsultationAdmin.save_formset)."""

    model = ConsultationAttachment
    form = AttachmentForm
    extra = 1
    fields = ("upload", "original_name", "kind", "size", "uploaded_at")
    readonly_fields = ("original_name", "kind", "size", "uploaded_at")

    def has_add_permission(self, request, obj=None):
        if obj is None:
            return policy.can_create_anywhere(request.user)
        return policy.can_edit(request.user, obj)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return obj is not None and policy.can_edit(request.user, obj)

    def has_view_permission(self, request, obj=None):
        return True


class FeedbackDueFilter(admin.SimpleListFilter):
    """采纳情况逾期未公布: the window has ended, the feedback is not published and its time limit
    (consultations/clock.py) has passed; computed in Python, the working-day calendar is not SQL."""

    title = _("采纳情况")
    parameter_name = "feedback"

    def lookups(self, request, model_admin):
        return [("overdue", _("逾期未公布"))]

    def queryset(self, request, queryset):
        if self.value() == "overdue":
            return queryset.filter(pk__in=consultation_selectors.feedback_overdue_ids(queryset))
        return queryset


@admin.register(Consultation)
class ConsultationAdmin(WorkflowMovesMixin, admin.ModelAdmin):
    form = ConsultationForm
    inlines = [AttachmentInline]
    list_display = (
        "title", "organisation", "decision_kind", "state", "opens_on", "closes_on", "comment_counts", "feedback_due",
    )
    list_filter = ("status", FeedbackDueFilter, "decision_kind")
    search_fields = ("title",)
    list_select_related = ("organisation",)
    date_hierarchy = "opens_at"
    change_form_template = "admin/disclosure/consultation/change_form.html"
    move_template = "admin/disclosure/consultation/move.html"
    move_url_name = "disclosure_consultation_move"
    not_found_message = _("没有找到该意见征集，或您无权查看。")

    class Media:
        css = {"all": ("disclosure/admin/lists.css",)}

    @admin.display(description=_("状态"), ordering="status")
    def state(self, obj):
        tones = {
            ConsultationStatus.DRAFT: Tone.DRAFT,
            ConsultationStatus.OPEN: Tone.WAITING,
            ConsultationStatus.CLOSED: Tone.PLANNED,
            ConsultationStatus.FEEDBACK_PUBLISHED: Tone.DONE,
        }
        return state_label(obj.get_status_display(), tones.get(obj.status, Tone.DRAFT))

    @admin.display(description=_("开始日期"), ordering="opens_at")
    def opens_on(self, obj):
        return short_date(obj.opens_at)

    @admin.display(description=_("截止日期"), ordering="closes_at")
    def closes_on(self, obj):
        return short_date(obj.closes_at)

    def get_queryset(self, request):
        return (
            policy.visible_consultations(request.user)
            .select_related("organisation", "node")
            .annotate(
                total_count=Count("comments"),
                pending_count=Count("comments", filter=Q(comments__moderation=Moderation.PENDING)),
            )
        )

    def get_form(self, request, obj=None, change=False, **kwargs):
        base = super().get_form(request, obj, change=change, **kwargs)
        attrs = {"request_user": request.user, "refusal": getattr(request, "_consultation_refusal", None)}
        return type("ConsultationFormForUser", (base,), attrs)

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        # The Word import belongs to the editing form only; and right above the body it replaces.
        fields = [name for name in fields if name != "body_docx"]
        if obj is None or self.has_change_permission(request, obj):
            fields.insert(fields.index("body") if "body" in fields else len(fields), "body_docx")
        if obj is not None and not obj.is_editable:
            # Read-only, the body shows as it will read, not as HTML source.
            return list(dict.fromkeys("body_preview" if name == "body" else name for name in fields))
        return fields

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and not obj.is_editable:
            return tuple("body_preview" if name == "body" else name for name in ConsultationForm.Meta.fields)
        return ()

    @admin.display(description=_("草案正文"))
    def body_preview(self, obj):
        return mark_safe(f"<div>{clean_html(obj.body)}</div>") if obj.body else "—"

    @admin.display(description=_("公众意见（待审/全部）"))
    def comment_counts(self, obj):
        return f"{obj.pending_count} / {obj.total_count}"

    @admin.display(description=_("采纳情况公布时限"))
    def feedback_due(self, obj):
        state = feedback_clock(obj)
        if state is None:
            return "—"
        if state.overdue:
            return format_html("<strong>{}</strong>", state.describe())
        return state.describe()

    def view_on_site(self, obj):
        """The public page, only for a consultation the public can see (the one public rule decides)."""
        if not consultation_selectors.public_consultations().filter(pk=obj.pk).exists():
            return None
        return obj.get_absolute_url()

    # Rights: from policy.py, not from Django model permissions.
    def has_module_permission(self, request):
        return _in_scope(request.user)

    def has_view_permission(self, request, obj=None):
        return _in_scope(request.user)

    def has_add_permission(self, request):
        return policy.can_create_anywhere(request.user)

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return policy.can_create_anywhere(request.user)
        return policy.can_edit(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is None:
            return policy.can_create_anywhere(request.user)
        return policy.can_edit(request.user, obj)

    # Saving through the services -----------------------------------------------------------------

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        content = {name: data[name] for name in consultations.CONTENT_FIELDS if name in data}
        try:
            if change:
                saved = consultations.consultation_update(
                    user=request.user, consultation=obj, node=data.get("node"), **content
                )
            else:
                saved = consultations.consultation_create(
                    user=request.user, organisation=data["organisation"], node=data.get("node"), **content
                )
        except REFUSALS as error:
            raise ServiceRefused(error) from error
        if form.docx_images_left_out:
            messages.warning(request, images_left_out_message(form.docx_images_left_out))
        # The admin goes on with ``obj`` (inlines, logging, redirect): give it the saved state.
        for field in Consultation._meta.concrete_fields:
            setattr(obj, field.attname, getattr(saved, field.attname))
        obj._state.adding = False
        obj._state.db = saved._state.db

    def save_formset(self, request, form, formset, change):
        if formset.model is not ConsultationAttachment:
            return super().save_formset(request, form, formset, change)
        consultation, user = form.instance, request.user
        # What Django's admin reads afterwards for its change message (construct_change_message).
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        try:
            for row in formset.deleted_forms:
                if row.instance.pk is not None:
                    consultations.consultation_attachment_remove(user=user, attachment=row.instance)
                    formset.deleted_objects.append(row.instance)
            for row in formset.forms:
                upload = row.cleaned_data.get("upload") if hasattr(row, "cleaned_data") else None
                if row.instance.pk is None and upload and not row.cleaned_data.get("DELETE"):
                    attachment = consultations.consultation_attachment_add(
                        user=user, consultation=consultation, upload=upload
                    )
                    formset.new_objects.append(attachment)
        except REFUSALS as error:
            raise ServiceRefused(error) from error

    def delete_model(self, request, obj):
        try:
            consultations.consultation_delete(user=request.user, consultation=obj)
        except REFUSALS as error:
            raise ServiceRefused(error) from error

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            try:
                consultations.consultation_delete(user=request.user, consultation=obj)
            except REFUSALS as error:
                for message in refusal_messages(error):
                    messages.error(request, f"{obj.title}：{message}")

    # Views ---------------------------------------------------------------------------------------

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<path:object_id>/comments.csv", wrap(self.export_view), name="disclosure_consultation_export"),
            path(
                "<path:object_id>/privacy/<int:finding_id>/keep/",
                wrap(self.privacy_keep_view),
                name="disclosure_consultation_privacy_keep",
            ),
            *super().get_urls(),
        ]

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if object_id is not None:
            obj = self._visible_or_404(request, object_id)
            extra_context = {**(extra_context or {}), **self.workflow_context(request, obj)}
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ServiceRefused as refusal:
            # Everything of the first attempt was rolled back; show the same POST again with the
            # service's reason on the form.
            request._consultation_refusal = refusal.error
            return super().changeform_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        obj = self._visible_or_404(request, object_id)
        try:
            return super().delete_view(request, object_id, extra_context)
        except ServiceRefused as refusal:
            for message in refusal_messages(refusal.error):
                messages.error(request, message)
            return redirect(self._change_url(obj))

    def workflow_context(self, request, obj: Consultation) -> dict:
        """The buttons of the moves this user may make now, the comments and the activity log."""
        now = timezone.now()
        permitted = [
            transition
            for transition in TRANSITIONS.moves_from(obj.status)
            if transition.name in ADMIN_MOVES
            and policy.can(request.user, transition, obj)
            # The feedback is due once the window has ended; before that the button would only refuse.
            and (transition.name != "publish_feedback" or obj.window_has_ended(now))
        ]
        buttons = [
            {**button, "label": ADMIN_MOVES[button["name"]]} for button in self.move_buttons(obj, permitted)
        ]
        handles = policy.can_handle_comments(request.user, obj.organisation_id)
        log = ActivityEntry.objects.filter(subject_type=consultations.SUBJECT, subject_id=obj.pk).order_by("created_at", "id")
        return {
            "workflow_moves": buttons,
            "comments_url": (
                reverse("admin:disclosure_consultationcomment_changelist") + f"?consultation={obj.pk}" if handles else ""
            ),
            "export_url": reverse("admin:disclosure_consultation_export", args=[obj.pk]) if handles else "",
            "comment_total": obj.comments.count() if handles else None,
            "public_url": self.view_on_site(obj) or "",
            "workflow_log": log_rows(
                log, action_label=lambda action: ACTION_LABELS.get(action, action), status_label=_status_label
            ),
            **self.privacy_context(request, obj),
        }

    def privacy_context(self, request, obj: Consultation) -> dict:
        """The latest privacy scan's findings, and whether this user may keep one (who may open the draft)."""
        scan = privacy_guard.latest_scan(obj)
        return {
            "privacy_scan": scan,
            "privacy_findings": list(scan.findings.order_by("id")) if scan else [],
            "privacy_may_keep": privacy_guard.may_keep(request.user, obj),
        }

    def privacy_keep_view(self, request, object_id, finding_id):
        """POST: keep one finding public with a reason and a legal basis (privacy_guard.consultation_privacy_keep)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        obj = self._visible_or_404(request, object_id)
        finding = get_object_or_404(ConsultationPrivacyFinding, pk=finding_id, consultation=obj)
        form = PrivacyKeepForm(request.POST)
        if not form.is_valid():
            messages.error(request, _t("保留公开须填写理由和法定依据。"))
            return redirect(self._change_url(obj))
        try:
            privacy_guard.consultation_privacy_keep(user=request.user, finding=finding, **form.cleaned_data)
        except REFUSALS as refusal:
            for message in refusal_messages(refusal):
                messages.error(request, message)
        else:
            messages.success(request, _t("已登记保留公开：%(finding)s") % {"finding": finding})
        return redirect(self._change_url(obj))

    def export_view(self, request, object_id):
        obj = self._visible_or_404(request, object_id)
        if not policy.can_handle_comments(request.user, obj.organisation_id):
            raise PermissionDenied
        return csv_response(consultations.comments_csv(user=request.user, consultation=obj), f"comments-{obj.pk}.csv")

    # The moves (WorkflowMovesMixin) ----------------------------------------------------------------

    def get_move(self, name: str) -> Transition | None:
        return TRANSITIONS.get(name) if name in ADMIN_MOVES else None

    def move_denial_reason(self, user, transition: Transition, obj: Consultation) -> str | None:
        return policy.denial_reason(user, transition, obj)

    def move_form(self, transition: Transition, data=None):
        return (OpenForm if transition.name == "open" else FeedbackForm)(data)

    def move_context(self, request, obj: Consultation, transition: Transition) -> dict:
        title = MOVE_TITLES[transition.name]
        return {"title": title, "action_label": title, "last_day": consultations.window_last_day(obj.closes_at)}

    def perform_move(self, user, obj: Consultation, transition: Transition, data: dict) -> Consultation:
        if transition.name == "open":
            return consultations.consultation_open(user=user, consultation=obj, comment=data["comment"])
        if transition.name == "publish_feedback":
            return consultations.consultation_publish_feedback(user=user, consultation=obj, feedback=data["feedback"])
        raise Http404(_t("没有这个办理操作。"))

    def report_move(self, request, transition: Transition, obj: Consultation) -> None:
        if transition.name == "open":
            messages.success(request, _t("已开始征求意见，公众自开始时间起可在网站上查看并提出意见。"))
        else:
            messages.success(request, _t("意见采纳情况已公布。"))


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
        ids = policy.handled_comments(request.user).values("consultation_id")
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
    list_display = ("number", "consultation", "public_name_display", "contact", "excerpt", "submitted_on", "moderation_state")
    list_filter = ("moderation", ConsultationScopeFilter)
    search_fields = ("text", "name")
    list_select_related = ("consultation",)
    readonly_fields = ("consultation", "name", "contact", "text_display", "submitted_at", "moderation", "moderated_by", "moderated_at")
    fields = readonly_fields[:5] + ("decision", "hidden_reason") + readonly_fields[5:]
    actions = ["show_selected", "export_selected"]

    def get_queryset(self, request):
        return policy.handled_comments(request.user).select_related("consultation", "moderated_by")

    class Media:
        css = {"all": ("disclosure/admin/lists.css",)}

    @admin.display(description=_("编号"), ordering="pk")
    def number(self, obj):
        return obj.pk

    @admin.display(description=_("提交时间"), ordering="submitted_at")
    def submitted_on(self, obj):
        return short_date(obj.submitted_at)

    @admin.display(description=_("审核状态"), ordering="moderation")
    def moderation_state(self, obj):
        tones = {Moderation.PENDING: Tone.WAITING, Moderation.SHOWN: Tone.DONE, Moderation.HIDDEN: Tone.ENDED}
        return state_label(obj.get_moderation_display(), tones.get(obj.moderation, Tone.WAITING))

    @admin.display(description=_("姓名或称呼"))
    def public_name_display(self, obj):
        return obj.public_name

    @admin.display(description=_("意见内容"))
    def excerpt(self, obj):
        return Truncator(obj.text).chars(60)

    @admin.display(description=_("意见内容"))
    def text_display(self, obj):
        # Line breaks as <br> rather than a style attribute, which the Content-Security-Policy refuses.
        return format_html("<div>{}</div>", linebreaksbr(obj.text))

    def _handles(self, request, obj=None):
        if obj is not None:
            return policy.can_handle_comments(request.user, obj.consultation.organisation_id)
        return policy.can_handle_any_comments(request.user)

    def has_module_permission(self, request):
        return policy.can_handle_any_comments(request.user)

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

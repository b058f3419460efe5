"""留言与纠错 in the admin: what waits for an answer and what is overdue, then assign, answer, publish.

Thin: every change goes through disclosure/feedback/services.py (state, rights, validation, log); the
state changes only through the move view (WorkflowMovesMixin). Rights come from policy.py; the clock
from clock.py. The citizen's name and contact are masked for everyone but the organisation's handlers.
"""

from __future__ import annotations

from contextvars import ContextVar

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.http import Http404
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from disclosure.core import masking, privacy
from disclosure.core.admin_moves import WorkflowMovesMixin, log_rows
from disclosure.core.log import ActivityEntry
from disclosure.core.transitions import Transition
from disclosure.feedback import policy, services
from disclosure.feedback.clock import feedback_clock
from disclosure.feedback.models import Feedback, FeedbackStatus
from disclosure.feedback.selectors import SUBJECT_TYPE
from disclosure.feedback.workflow import ACTION_LABELS, TRANSITIONS

# Per request (one ModelAdmin serves every thread): the message a move form is for, and who is looking
# (the masked columns read it).
_moving: ContextVar[Feedback | None] = ContextVar("feedback_being_moved", default=None)
_viewer: ContextVar[object | None] = ContextVar("feedback_viewer", default=None)


class ClockFilter(admin.SimpleListFilter):
    title = _("时限")
    parameter_name = "clock"

    def lookups(self, request, model_admin):
        return [("overdue", _("已逾期未答复")), ("waiting", _("待答复"))]

    def queryset(self, request, queryset):
        if self.value() == "waiting":
            return queryset.filter(status=FeedbackStatus.RECEIVED)
        if self.value() == "overdue":
            waiting = queryset.filter(status=FeedbackStatus.RECEIVED)
            return waiting.filter(pk__in=[f.pk for f in waiting if feedback_clock(f).overdue])
        return queryset


class AssignForm(forms.Form):
    handler = forms.ModelChoiceField(label=_("办理人"), queryset=None, empty_label=_("请选择"))

    def __init__(self, *args, feedback: Feedback, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["handler"].queryset = get_user_model().objects.filter(
            is_active=True, staff_profile__organisation_id=feedback.organisation_id
        ).order_by("username")
        self.fields["handler"].label_from_instance = lambda user: user.get_full_name() or user.get_username()


class ReplyForm(forms.Form):
    reply = forms.CharField(
        label=_("答复内容"),
        max_length=services.REPLY_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("留言人留有电子邮箱的，答复同时发送到该邮箱；公开前还需审核员审核。"),
        error_messages={"required": _("请填写答复内容。")},
    )

    def __init__(self, *args, feedback: Feedback, **kwargs):
        super().__init__(*args, **kwargs)


class PublishForm(forms.Form):
    public_text = forms.CharField(
        label=_("公开的留言内容"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("去除姓名、联系方式、证件号码等个人信息后的留言；与答复一同在本单位“互动交流”页面公开。"),
        error_messages={"required": _("请填写公开的留言内容（去除个人信息后的留言）。")},
    )

    def __init__(self, *args, feedback: Feedback, **kwargs):
        super().__init__(*args, **kwargs)
        self.feedback = feedback
        self.fields["public_text"].initial = feedback.public_text or masked_text(feedback)

    def clean_public_text(self):
        text = self.cleaned_data["public_text"].strip()
        problems = services.personal_data_in(self.feedback, text)
        if problems:
            raise forms.ValidationError([*problems, _t("请删除或隐去个人信息后再公开。")])
        return text


class ReasonForm(forms.Form):
    comment = forms.CharField(
        label=_("理由"), widget=forms.Textarea(attrs={"rows": 3}), error_messages={"required": _("请填写理由。")}
    )

    def __init__(self, *args, feedback: Feedback, **kwargs):
        super().__init__(*args, **kwargs)


MOVE_FORMS = {"assign": AssignForm, "reply": ReplyForm, "publish": PublishForm, "unpublish": ReasonForm,
              "dismiss": ReasonForm}


def masked_text(feedback: Feedback) -> str:
    """The citizen's text with their own contact removed, their name masked, and ID, phone and bank card
    numbers masked: the starting point of the text to publish (the handler edits it further)."""
    text = feedback.text
    if feedback.contact:
        text = text.replace(feedback.contact, "****")
    if len(feedback.name) >= 2:
        text = text.replace(feedback.name, masking.mask_name(feedback.name))
    return "\n".join(_masked_line(line) for line in text.split("\n"))


def _masked_line(line: str) -> str:
    for kind, value in privacy.personal_values(line):
        line = line.replace(value, privacy.mask(kind, value))
    return line


@admin.register(Feedback)
class FeedbackAdmin(WorkflowMovesMixin, admin.ModelAdmin):
    list_display = ("subject", "kind", "organisation", "received", "status_label", "due", "handler_name")
    list_filter = (ClockFilter, "status", "kind")
    list_select_related = ("organisation", "handler")
    search_fields = ("subject",)
    date_hierarchy = "received_at"
    change_form_template = "admin/disclosure/feedback/change_form.html"
    move_template = "admin/disclosure/feedback/move.html"
    move_url_name = "disclosure_feedback_move"
    not_found_message = _("没有找到该留言，或您无权查看。")
    fields = ("organisation", "kind", "subject", "text", "page_link", "citizen_name", "citizen_contact",
              "received_at", "status", "handler", "reply", "replied_at", "replied_by_name", "public_text",
              "published_at")
    readonly_fields = fields

    # Rights: from policy.py, not from Django model permissions.
    def has_module_permission(self, request):
        return policy.may_read(request.user)

    def has_view_permission(self, request, obj=None):
        return policy.may_read(request.user)

    def has_add_permission(self, request):
        return False  # messages come from the public form only

    def has_change_permission(self, request, obj=None):
        return False  # every change is a move

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return policy.visible_feedback(request.user).select_related("organisation", "handler")

    # Columns ---------------------------------------------------------------------------------------

    @admin.display(description=_("收到时间"), ordering="received_at")
    def received(self, obj):
        return timezone.localtime(obj.received_at).strftime("%Y-%m-%d %H:%M")

    @admin.display(description=_("状态"), ordering="status")
    def status_label(self, obj):
        return format_html('<span class="state-label state-{}">{}</span>', obj.status, obj.get_status_display())

    @admin.display(description=_("答复期限"))
    def due(self, obj):
        clock = feedback_clock(obj)
        if clock.due_on is None:
            return _t("节假日安排未录入")
        text = clock.due_on.strftime("%Y-%m-%d")
        if clock.overdue:
            return format_html('{} <strong class="overdue">已逾期{}个工作日</strong>', text, clock.days_late)
        if clock.days_late:
            return format_html("{}（逾期{}个工作日答复）", text, clock.days_late)
        return text

    @admin.display(description=_("办理人"))
    def handler_name(self, obj):
        return (obj.handler.get_full_name() or obj.handler.get_username()) if obj.handler else "—"

    @admin.display(description=_("来源页面"))
    def page_link(self, obj):
        return format_html('<a href="{}">{}</a>', obj.page_url, obj.page_url) if obj.page_url else "—"

    def _sees_contact(self, obj) -> bool:
        user = _viewer.get()
        return user is not None and policy.sees_contact(user, obj)

    @admin.display(description=_("姓名或称呼"))
    def citizen_name(self, obj):
        if not obj.name:
            return _t("（未填写）")
        return obj.name if self._sees_contact(obj) else masking.mask_name(obj.name)

    @admin.display(description=_("联系方式"))
    def citizen_contact(self, obj):
        if not obj.contact:
            return _t("（匿名）")
        if self._sees_contact(obj):
            return obj.contact
        return masking.mask_email(obj.contact) if "@" in obj.contact else masking.mask_phone(obj.contact)

    def get_readonly_fields(self, request, obj=None):
        _viewer.set(request.user)  # the masking columns ask whose view this is
        return super().get_readonly_fields(request, obj)

    # Views -----------------------------------------------------------------------------------------

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if object_id is None:
            raise Http404(_t("留言只能由公众在网站上提交。"))
        obj = self._visible_or_404(request, object_id)
        permitted = [t for t in TRANSITIONS.moves_from(obj.status) if policy.can(request.user, t.name, obj)]
        log = ActivityEntry.objects.filter(subject_type=SUBJECT_TYPE, subject_id=obj.pk).order_by("created_at", "id")
        clock = feedback_clock(obj)
        extra_context = {
            **(extra_context or {}),
            "workflow_moves": self.move_buttons(obj, permitted),
            "clock": clock,
            "public_url": obj.get_absolute_url() if obj.status == FeedbackStatus.PUBLISHED else "",
            "workflow_log": log_rows(
                log,
                action_label=lambda action: str(ACTION_LABELS.get(action, action)),
                status_label=lambda value: FeedbackStatus(value).label if value in FeedbackStatus.values else "—",
            ),
        }
        return super().changeform_view(request, object_id, form_url, extra_context)

    # The moves (WorkflowMovesMixin) ------------------------------------------------------------------

    def _visible_or_404(self, request, object_id):
        obj = super()._visible_or_404(request, object_id)
        _moving.set(obj)
        return obj

    def get_move(self, name: str) -> Transition | None:
        return TRANSITIONS.get(name)

    def move_denial_reason(self, user, transition: Transition, obj: Feedback) -> str | None:
        return policy.denial_reason(user, transition, obj)

    def move_form(self, transition: Transition, data=None):
        return MOVE_FORMS[transition.name](data, feedback=_moving.get())

    def move_context(self, request, obj: Feedback, transition: Transition) -> dict:
        _viewer.set(request.user)
        return {"title": transition.label, "citizen_contact": self.citizen_contact(obj), "clock": feedback_clock(obj)}

    def perform_move(self, user, obj: Feedback, transition: Transition, data: dict) -> Feedback:
        if transition.name == "assign":
            return services.feedback_assign(user=user, feedback=obj, handler=data["handler"])
        if transition.name == "reply":
            return services.feedback_reply(user=user, feedback=obj, reply=data["reply"])
        if transition.name == "publish":
            return services.feedback_publish(user=user, feedback=obj, public_text=data["public_text"])
        if transition.name == "unpublish":
            return services.feedback_unpublish(user=user, feedback=obj, comment=data["comment"])
        return services.feedback_dismiss(user=user, feedback=obj, comment=data["comment"])

    def report_move(self, request, transition: Transition, obj: Feedback) -> None:
        done = {
            "assign": _t("已指定办理人。"),
            "reply": _t("已答复。审核员可将答复在“互动交流”页面公开。"),
            "publish": _t("留言和答复已在“互动交流”页面公开。"),
            "unpublish": _t("已取消公开。"),
            "dismiss": _t("已标记为不予处理。"),
        }
        messages.success(request, done[transition.name])

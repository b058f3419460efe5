"""Admin screens of a record's life after publication: amend/repeal links (修改废止关系), the 公示期 of a
record, and the objections (公示异议) with their reply. Thin: every write goes through validity.py or
publicity.py, which check the rights; the querysets come from the records policy and publicity."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from disclosure.core import access
from disclosure.core.access import Role
from disclosure.core.transitions import InvalidTransition
from disclosure.records import policy, publicity, validity
from disclosure.records.models import UNPUBLISHED_STATUSES, Status
from disclosure.records.publicity_models import NoticeObjection, ObjectionStatus, PublicNotice
from disclosure.records.validity_models import PolicyChange

REFUSED = (ValidationError, PermissionDenied, InvalidTransition)


def _refusal_text(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return "；".join(error.messages)
    return str(error)


class ServiceFormMixin:
    """Run the service in ``clean`` (inside the admin's transaction the save follows), so that a refusal
    is a form error on the page instead of a 500; ``save`` hands back what the service made."""

    request_user = None
    result = None

    def save(self, commit=True):
        return self.result

    def validate_unique(self):
        pass  # the service checked it, and the database holds it

    def save_m2m(self):
        pass


class PolicyChangeForm(ServiceFormMixin, forms.ModelForm):
    class Meta:
        model = PolicyChange
        fields = ["target", "kind", "by_record", "by_title", "by_document_number", "effective_on"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        scope = policy.visible_records(self.request_user)
        self.fields["target"].queryset = scope.filter(
            status=Status.PUBLISHED, record_type__in=validity.POLICY_TYPES
        )
        self.fields["by_record"].queryset = scope.filter(status__in=[Status.DRAFT, Status.CHANGES_REQUESTED])
        self.fields["by_record"].required = False
        self.fields["by_title"].required = False
        self.fields["effective_on"].required = False
        self.fields["by_record"].help_text = _("本单位起草中的修改或废止文件；外单位文件请留空，填写名称、文号和生效日期。")

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            self.result = validity.policy_change_link(
                user=self.request_user,
                target=cleaned["target"],
                kind=cleaned["kind"],
                by_record=cleaned.get("by_record"),
                by_title=cleaned.get("by_title", ""),
                by_document_number=cleaned.get("by_document_number", ""),
                effective_on=cleaned.get("effective_on"),
            )
        except REFUSED as error:
            if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
                for name, errors in error.error_dict.items():
                    self.add_error(name if name in self.fields else None, errors)
            else:
                self.add_error(None, _refusal_text(error))
        return cleaned


@admin.register(PolicyChange)
class PolicyChangeAdmin(admin.ModelAdmin):
    form = PolicyChangeForm
    list_display = ("target", "kind", "by_title", "by_document_number", "effective_on", "created_at")
    list_filter = ("kind",)
    search_fields = ("target__title", "by_title", "by_document_number")
    list_select_related = ("target",)

    def get_queryset(self, request):
        return super().get_queryset(request).filter(target__in=policy.visible_records(request.user))

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        return type(form.__name__, (form,), {"request_user": request.user})

    def has_change_permission(self, request, obj=None):
        return False  # a link is registered or removed, never edited

    def has_delete_permission(self, request, obj=None):
        return obj is not None and super().has_delete_permission(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def save_model(self, request, obj, form, change):
        pass  # saved by the service in the form's clean

    def delete_model(self, request, obj):
        try:
            validity.policy_change_unlink(user=request.user, change=obj)
        except REFUSED as error:
            messages.error(request, _refusal_text(error))


class PublicNoticeForm(ServiceFormMixin, forms.ModelForm):
    class Meta:
        model = PublicNotice
        fields = ["record", "day_count", "day_kind", "contact", "end_action", "responsible_staff"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.request_user
        records = policy.visible_records(user).filter(status__in=UNPUBLISHED_STATUSES)
        staff = get_user_model().objects.filter(is_active=True)
        if not access.is_superuser(user):
            staff = staff.filter(staff_profile__organisation=access.organisation_of(user))
        if "record" in self.fields:
            self.fields["record"].queryset = records
        self.fields["responsible_staff"].queryset = staff

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        record = cleaned.get("record") or self.instance.record
        try:
            self.result = publicity.public_notice_set(
                user=self.request_user,
                record=record,
                day_count=cleaned["day_count"],
                day_kind=cleaned["day_kind"],
                contact=cleaned["contact"],
                end_action=cleaned["end_action"],
                responsible_staff=cleaned["responsible_staff"],
            )
        except REFUSED as error:
            if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
                for name, errors in error.error_dict.items():
                    self.add_error(name if name in self.fields else None, errors)
            else:
                self.add_error(None, _refusal_text(error))
        return cleaned


@admin.register(PublicNotice)
class PublicNoticeAdmin(admin.ModelAdmin):
    """公示期 settings: made and changed while the record is unpublished; afterwards read-only."""

    form = PublicNoticeForm
    list_display = ("record", "day_count", "day_kind", "end_action", "status", "ended_at")
    list_filter = ("status", "end_action")
    readonly_fields = ("status", "ended_at", "replacement")
    list_select_related = ("record",)

    def get_queryset(self, request):
        return super().get_queryset(request).filter(record__in=policy.visible_records(request.user))

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None:
            kwargs["fields"] = ["day_count", "day_kind", "contact", "end_action", "responsible_staff"]
        form = super().get_form(request, obj, change, **kwargs)
        return type(form.__name__, (form,), {"request_user": request.user})

    def get_fields(self, request, obj=None):
        fields = ["day_count", "day_kind", "contact", "end_action", "responsible_staff"]
        return (fields if obj is not None else ["record", *fields]) + (["status", "ended_at", "replacement"] if obj else [])

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        if obj is None:
            return allowed
        return allowed and obj.record.status in UNPUBLISHED_STATUSES and access.has_role_in(
            request.user, (Role.EDITOR, Role.REVIEWER), obj.record.organisation_id
        )

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        pass  # saved by the service in the form's clean

    def save_related(self, request, form, formsets, change):
        pass


class MineFilter(admin.SimpleListFilter):
    """我负责的: objections whose 公示 names the signed-in member of staff as 异议承办人."""

    title = _("承办人")
    parameter_name = "mine"

    def lookups(self, request, model_admin):
        return [("1", _("我负责的"))]

    def queryset(self, request, queryset):
        if self.value() == "1":
            return queryset.filter(publicity.mine_condition(request.user))
        return queryset


class ObjectionReplyForm(ServiceFormMixin, forms.ModelForm):
    decision = forms.ChoiceField(
        label=_("办理"), choices=[("reply", _("答复")), ("close", _("不予答复并办结"))], initial="reply"
    )
    answer = forms.CharField(label=_("答复内容（或不予答复的理由）"), widget=forms.Textarea(attrs={"rows": 5}))

    class Meta:
        model = NoticeObjection
        fields = []

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            if cleaned["decision"] == "reply":
                self.result = publicity.objection_reply(
                    user=self.request_user, objection=self.instance, reply=cleaned["answer"]
                )
            else:
                self.result = publicity.objection_close(
                    user=self.request_user, objection=self.instance, reason=cleaned["answer"]
                )
        except REFUSED as error:
            self.add_error(None, _refusal_text(error))
        return cleaned


@admin.register(NoticeObjection)
class NoticeObjectionAdmin(admin.ModelAdmin):
    """Objections of the user's own organisation (they hold personal data); answered here."""

    form = ObjectionReplyForm
    list_display = ("record_title", "submitted_at", "reply_due_on", "status")
    list_filter = (MineFilter, "status")
    readonly_fields = (
        "record_title", "name", "contact", "text", "submitted_at", "reply_due_on", "status", "reply",
        "replied_at", "replied_by_name",
    )
    list_select_related = ("notice__record",)

    @admin.display(description=_("公示信息"))
    def record_title(self, objection):
        return objection.notice.record.title

    def get_queryset(self, request):
        return publicity.visible_objections(request.user).select_related("notice__record")

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        return type(form.__name__, (form,), {"request_user": request.user})

    def get_fields(self, request, obj=None):
        fields = list(self.readonly_fields)
        if obj is not None and obj.status == ObjectionStatus.RECEIVED and self.has_change_permission(request, obj):
            fields += ["decision", "answer"]
        return fields

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        if obj is None:
            return allowed
        transition = publicity.OBJECTION_TRANSITIONS["reply"]
        return allowed and obj.status == ObjectionStatus.RECEIVED and publicity.objection_denial(
            request.user, transition, obj
        ) is None

    def save_model(self, request, obj, form, change):
        pass  # saved by the service in the form's clean


__all__ = ["PolicyChangeAdmin", "PublicNoticeAdmin", "NoticeObjectionAdmin"]

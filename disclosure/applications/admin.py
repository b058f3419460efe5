"""Handling applications for disclosure (依申请公开) in the admin.

Thin: who sees what comes from disclosure.applications.policy (the target organisation's staff only: an
application carries personal data), and every change goes through one of the feature's services,
reached by the move buttons on the (read-only) application page. Nothing here sets a status or deletes.

The applicant's personal data is shown through ``APPLICANT_DISPLAY``: in full to the application's
handlers (policy.sees_applicant), masked (disclosure/core/masking.py) to everyone else who may open it,
and as "已清除" once the retention period has removed it. Only handlers may search by name.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from catalog.models import Organisation
from disclosure.applications import admin_bulk, clock, policy, selectors, services
from disclosure.applications.forms import ApplicationForm
from disclosure.applications.models import (
    Application,
    ApplicationChannel,
    ApplicationStatus,
    ConsultationKind,
    ReplyType,
)
from disclosure.applications.timeline import application_timeline
from disclosure.applications.workflow import TRANSITIONS, Transition
from disclosure.core import masking
from disclosure.core.access import is_superuser, organisation_of, roles_of
from disclosure.core.admin_lists import Tone, short_date, state_label
from disclosure.core.admin_moves import REFUSALS, WorkflowMovesMixin, log_rows, refusal_messages
from disclosure.core.workdays import Reckoner

NOT_CARRIED_OUT = _("操作未被执行。")


def late_correction_message() -> str:
    return _t("补正告知晚于收到申请后%(days)d个工作日（条例第三十条）。") % {"days": clock.CORRECTION_NOTICE_DAYS}


ACTION_LABELS = {
    "submit": _("网上提交"),
    "register": _("登记"),
    **{name: transition.label for name, transition in TRANSITIONS.items()},
}


def _status_label(status: str) -> str:
    try:
        return ApplicationStatus(status).label
    except ValueError:
        return status or "—"


class HandledByMeFilter(admin.SimpleListFilter):
    """我承办的: the applications whose 承办人 is the user (services.application_assign_handler)."""

    title = _("承办人")
    parameter_name = "handler"

    def lookups(self, request, model_admin):
        return [("me", _("我承办的")), ("none", _("未指定"))] if policy.is_handler(request.user) else []

    def queryset(self, request, queryset):
        if self.value() == "me":
            return queryset.filter(handler=request.user)
        if self.value() == "none":
            return queryset.filter(handler__isnull=True)
        return queryset


class OverdueFilter(admin.SimpleListFilter):
    """逾期: applications being handled whose reply is past due (computed on the working-day clock)."""

    title = _("答复期限")
    parameter_name = "due"

    def lookups(self, request, model_admin):
        return [("overdue", _("已逾期未答复")), ("late", _("逾期答复"))]

    def queryset(self, request, queryset):
        if self.value() == "overdue":
            return queryset.filter(pk__in=selectors.overdue_application_ids(queryset))
        if self.value() == "late":
            return queryset.filter(pk__in=selectors.replied_late_ids(queryset))
        return queryset


# -- forms of the moves ----------------------------------------------------------------------------


def _day(label, required=True):
    return forms.DateField(
        label=label,
        required=required,
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("不能晚于今天。"),
    )


def _note(label, required=False, max_length=2000):
    return forms.CharField(label=label, required=required, max_length=max_length, widget=forms.Textarea(attrs={"rows": 3}))


class CorrectionRequestForm(forms.Form):
    on = _day(_("补正告知日期"))
    note = _note(_("需要补正的事项"), required=True)


class CorrectionReceivedForm(forms.Form):
    on = _day(_("收到补正日期"))
    note = _note(_("补正情况"))


class ConsultationStartForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=ConsultationKind.choices)
    party = forms.CharField(label=_("征求意见对象"), max_length=200)
    on = _day(_("发出征求意见日期"))
    note = _note(_("说明"))


class ConsultationEndForm(forms.Form):
    on = _day(_("收到意见（结束）日期"))
    note = _note(_("意见情况"))


class ExtensionForm(forms.Form):
    days = forms.IntegerField(
        label=_("延长工作日数"), min_value=1, max_value=clock.MAX_EXTENSION_DAYS, initial=clock.MAX_EXTENSION_DAYS
    )
    reason = _note(_("延期理由"), required=True)
    on = _day(_("批准日期"))


class ExtensionNoticeForm(forms.Form):
    on = _day(_("告知申请人日期"))


class ReplyForm(forms.Form):
    reply_type = forms.ChoiceField(label=_("答复类型"), choices=[("", "---------")] + list(ReplyType.choices))
    on = _day(_("答复日期"))
    note = _note(_("答复说明（内部记录）"))


class CloseForm(forms.Form):
    note = _note(_("说明"))


MOVE_FORMS = {
    "request_correction": CorrectionRequestForm,
    "receive_correction": CorrectionReceivedForm,
    "start_consultation": ConsultationStartForm,
    "end_consultation": ConsultationEndForm,
    "extend": ExtensionForm,
    "notify_extension": ExtensionNoticeForm,
    "reply": ReplyForm,
    "close": CloseForm,
}


def perform(user, application: Application, name: str, data: dict) -> Application:
    """Carry out one move through its service."""
    common = {"user": user, "application": application}
    if name == "request_correction":
        return services.application_request_correction(**common, note=data["note"], on=data["on"])
    if name == "receive_correction":
        return services.application_receive_correction(**common, on=data["on"], note=data["note"])
    if name == "start_consultation":
        return services.application_start_consultation(
            **common, kind=data["kind"], party=data["party"], on=data["on"], note=data["note"]
        )
    if name == "end_consultation":
        return services.application_end_consultation(**common, on=data["on"], note=data["note"])
    if name == "extend":
        return services.application_extend(**common, days=data["days"], reason=data["reason"], on=data["on"])
    if name == "notify_extension":
        return services.application_record_extension_notice(**common, on=data["on"])
    if name == "reply":
        return services.application_reply(**common, reply_type=data["reply_type"], note=data["note"], on=data["on"])
    if name == "close":
        return services.application_close(**common, note=data["note"])
    raise Http404(_t("没有这个办理操作。"))


class RegisterForm(ApplicationForm):
    """登记 an application that came by letter, in person, by fax or email: the public form plus
    how and when it arrived, for the staff member's own organisation."""

    channel = forms.ChoiceField(
        label=_("申请方式"), choices=[c for c in ApplicationChannel.choices if c[0] != ApplicationChannel.ONLINE]
    )
    received_on = _day(_("收到申请日期"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["homepage"]
        if not user.is_superuser:
            own = organisation_of(user)
            self.fields["organisation"].queryset = Organisation.objects.filter(pk=own.pk if own else None)


# -- the applicant's personal data -------------------------------------------------------------------

PURGED = _("已清除")


def _unmasked(value: str) -> str:
    return value


# Personal field → how a reader who is not a handler sees it. The document type, a company's name and
# its credit code identify nobody and are shown as they are.
APPLICANT_MASKS = {
    "name": masking.mask_name,
    "id_type": None,
    "id_number": masking.mask_id_number,
    "organisation_name": None,
    "credit_code": None,
    "legal_representative": masking.mask_name,
    "contact_person": masking.mask_name,
    "phone": masking.mask_phone,
    "email": masking.mask_email,
    "address": masking.mask_address,
    "postcode": masking.mask_all,
    "purpose": None,
}


def applicant_value(user, application: Application, field_name: str) -> str:
    """What ``user`` sees of one personal field of ``application``: "已清除" after the purge, the value
    itself for its handlers, else the masked value."""
    if application.personal_data_removed_at is not None:
        return str(PURGED)
    if field_name == "id_type":
        value = application.get_id_type_display() if application.id_type else ""
    else:
        value = getattr(application, field_name)
    if policy.sees_applicant(user, application):
        return value
    mask = APPLICANT_MASKS[field_name] or _unmasked
    return mask(value)


def _display_field(field_name: str):
    """An admin column/field showing ``field_name`` as applicant_value decides for the request's user."""

    def show(model_admin, obj):
        # get_object notes who is looking; an object that did not come through it shows masked values.
        return applicant_value(getattr(obj, "_viewer", None), obj, field_name) or "—"

    show.short_description = Application._meta.get_field(field_name).verbose_name
    show.__name__ = f"applicant_{field_name}"
    return show


APPLICANT_DISPLAY = {name: f"applicant_{name}" for name in APPLICANT_MASKS}


# -- the admin -------------------------------------------------------------------------------------


# The colour of each state in the list (disclosure/core/admin_lists.py).
APPLICATION_TONES = {
    ApplicationStatus.RECEIVED: Tone.WAITING,
    ApplicationStatus.CORRECTION: Tone.RETURNED,
    ApplicationStatus.CONSULTATION: Tone.PLANNED,
    ApplicationStatus.REPLIED: Tone.DONE,
    ApplicationStatus.CLOSED: Tone.ENDED,
}


@admin.register(Application)
class ApplicationAdmin(WorkflowMovesMixin, admin.ModelAdmin):
    class Media:
        # Colours as classes, not style attributes (the Content-Security-Policy refuses those).
        css = {"all": ("disclosure/admin/applications.css", "disclosure/admin/lists.css")}

    list_display = (
        "tracking_code",
        "organisation",
        "applicant_type",
        "received_date",
        "state",
        "handler_name",
        "due_column",
        "overdue_column",
    )
    list_filter = ("status", OverdueFilter, HandledByMeFilter, "applicant_type", "reply_type", "channel")
    search_fields = ("tracking_code", "name", "organisation_name")
    date_hierarchy = "received_on"
    list_per_page = 50
    change_form_template = "admin/disclosure/application/change_form.html"
    move_template = "admin/disclosure/application/move.html"
    register_template = "admin/disclosure/application/register.html"
    move_url_name = "disclosure_application_move"
    not_found_message = _("没有找到该申请，或您无权查看。")
    refused_message = NOT_CARRIED_OUT
    fieldsets = (
        (_("受理"), {"fields": ("tracking_code", "organisation", "channel", "submitted_at", "received_on", "clock_start", "status", "clock_column")}),
        (
            _("申请人（个人信息，仅限本机关办理人员查看）"),
            {
                "fields": (
                    "applicant_type", "name", "id_type", "id_number", "organisation_name", "credit_code",
                    "legal_representative", "contact_person", "phone", "email", "address", "postcode",
                )
            },
        ),
        (_("所需信息"), {"fields": ("description", "document_hint", "purpose", "delivery_form", "obtain_method")}),
        (
            _("办理情况"),
            {
                "fields": (
                    "correction_requested_on", "correction_note", "correction_received_on",
                    "extension_days", "extension_reason", "extension_approved_by", "extension_approved_on",
                    "extension_notified_on", "reply_type", "replied_on", "reply_note", "closed_at",
                )
            },
        ),
    )
    readonly_fields = ("clock_column", "personal_data_removed_at", *APPLICANT_DISPLAY.values())
    applicant_name = _display_field("name")
    applicant_id_type = _display_field("id_type")
    applicant_id_number = _display_field("id_number")
    applicant_organisation_name = _display_field("organisation_name")
    applicant_credit_code = _display_field("credit_code")
    applicant_legal_representative = _display_field("legal_representative")
    applicant_contact_person = _display_field("contact_person")
    applicant_phone = _display_field("phone")
    applicant_email = _display_field("email")
    applicant_address = _display_field("address")
    applicant_postcode = _display_field("postcode")
    applicant_purpose = _display_field("purpose")

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            obj._viewer = request.user  # whom the personal fields are displayed to
        return obj

    def get_fieldsets(self, request, obj=None):
        """The personal fields go through their display (masked for all but handlers)."""
        fieldsets = []
        for title, options in self.fieldsets:
            fields = [APPLICANT_DISPLAY.get(name, name) for name in options["fields"]]
            if title == self.fieldsets[1][0]:
                fields.append("personal_data_removed_at")
            fieldsets.append((title, {**options, "fields": tuple(fields)}))
        return fieldsets

    def get_search_fields(self, request):
        """By name only for a handler (who sees names anyway); everyone else by tracking code, so that a
        search cannot tell whether someone applied."""
        user = request.user
        if not is_superuser(user) and organisation_of(user) is not None and policy.HANDLER_ROLES & roles_of(user):
            return self.search_fields
        return ("tracking_code",)

    # Permissions: the policy of disclosure.applications.policy, not model permissions.
    def has_view_permission(self, request, obj=None):
        if obj is not None:
            return policy.can_view(request.user, obj)
        return policy.visible_applications(request.user).exists() or self.has_add_permission(request)

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_add_permission(self, request):
        return policy.is_handler(request.user)

    def has_change_permission(self, request, obj=None):
        return False  # every change is a move through a service

    def has_delete_permission(self, request, obj=None):
        return False  # an acknowledged application is never lost

    actions = [admin_bulk.assign_handler]

    def get_actions(self, request):
        # Only the bulk assignment (through its service); nothing is deleted or changed in bulk otherwise.
        actions = super().get_actions(request)
        return {name: action for name, action in actions.items() if name == "assign_handler"}

    def has_handle_permission(self, request):
        return policy.is_handler(request.user)

    def get_queryset(self, request):
        return (
            policy.visible_applications(request.user)
            .select_related("organisation", "extension_approved_by", "handler")
            .prefetch_related("pauses")
        )

    def get_list_display(self, request):
        shown = list(self.list_display)
        own = organisation_of(request.user)
        if not request.user.is_superuser and own is not None:
            shown.remove("organisation")
        return shown

    @admin.display(description=_("收到申请日期"), ordering="received_on")
    def received_date(self, obj):
        return short_date(obj.received_on)

    @admin.display(description=_("承办人"), ordering="handler__username")
    def handler_name(self, obj):
        handler = obj.handler
        return (handler.get_full_name() or handler.get_username()) if handler else "—"

    @admin.display(description=_("状态"), ordering="status")
    def state(self, obj):
        return state_label(obj.get_status_display(), APPLICATION_TONES.get(obj.status, Tone.WAITING))

    @admin.display(description=_("答复期限"))
    def due_column(self, obj):
        return clock.application_clock(obj).due_text

    @admin.display(description=_("逾期"))
    def overdue_column(self, obj):
        state = clock.application_clock(obj)
        if state.overdue:
            return format_html('<strong class="application-overdue">{}</strong>', state.overdue_text)
        if state.replied_late:
            return _t("逾期%(days)d个工作日答复") % {"days": state.late_days}
        return ""

    @admin.display(description=_("答复期限"))
    def clock_column(self, obj):
        return clock.application_clock(obj).due_text

    # Views -----------------------------------------------------------------------------------------

    def change_view(self, request, object_id, form_url="", extra_context=None):
        application = self._visible_or_404(request, object_id)
        if request.method == "POST":
            return redirect(self._change_url(application))
        extra_context = {**(extra_context or {}), **self.handling_context(request, application)}
        return super().change_view(request, object_id, form_url, extra_context)

    def handling_context(self, request, application: Application) -> dict:
        state = clock.application_clock(application)
        warnings = []
        if state.overdue:
            warnings.append(
                _t("已超过答复期限（%(due)s），%(late)s，请尽快答复。") % {"due": state.due_text, "late": state.overdue_text}
            )
        if state.provisional:
            warnings.append(
                _t("答复期限为预计日期：%(note)s请管理员按通知录入该年度节假日安排。") % {"note": state.note}
            )
        if clock.correction_was_late(application):
            warnings.append(late_correction_message())
        if application.extension_approved_on and not application.extension_notified_on:
            warnings.append(_t("已批准延期，尚未登记告知申请人的日期。"))
        if state.replied_late:
            warnings.append(_t("答复晚于答复期限。"))
        deadline, deadline_provisional = clock.correction_notice_reckoning(application, estimate=True)
        return {
            "clock": state,
            "warnings": warnings,
            "correction_deadline": (
                clock.dated(deadline, deadline_provisional)
                if application.being_handled and not application.correction_requested_on
                else None
            ),
            "timeline": application_timeline(application, for_public=False),
            "workflow_moves": self.move_buttons(application, policy.moves_for(request.user, application)),
            "pauses": list(application.pauses.all()),
            "workflow_log": log_rows(
                selectors.application_history(application),
                action_label=lambda action: ACTION_LABELS.get(action, action),
                status_label=_status_label,
            ),
        }

    # The moves (WorkflowMovesMixin) ----------------------------------------------------------------

    def get_move(self, name: str) -> Transition | None:
        move = TRANSITIONS.get(name)
        return None if move is None or move.is_system else move  # the system's moves have no button

    def move_denial_reason(self, user, move: Transition, application: Application) -> str | None:
        return policy.denial_reason(user, move, application)

    def move_form(self, move: Transition, data=None):
        return MOVE_FORMS[move.name](data)

    def move_context(self, request, application: Application, move: Transition) -> dict:
        return {
            "title": _t("%(action)s：%(code)s") % {"action": move.label, "code": application.tracking_code},
            "clock": clock.application_clock(application),
        }

    def perform_move(self, user, application: Application, move: Transition, data: dict) -> Application:
        return perform(user, application, move.name, data)

    def report_move(self, request, move: Transition, application: Application) -> None:
        messages.success(
            request,
            _t("已%(action)s，当前状态：%(status)s。")
            % {"action": move.label, "status": application.get_status_display()},
        )
        if move.name == "request_correction" and clock.correction_was_late(application):
            messages.warning(request, late_correction_message())
        if move.name == "start_consultation":
            pause = application.pauses.filter(ended_on=None).first()
            if pause is not None:
                reckoner = Reckoner(estimate=True)
                limit = clock.pause_limit(pause, reckoner)
                messages.info(
                    request,
                    _t("征求意见最长%(days)d个工作日，最迟至%(limit)s；届满未收到意见的，答复期限自动恢复计算。")
                    % {"days": clock.THIRD_PARTY_DAYS, "limit": clock.dated(limit, reckoner.provisional)},
                )

    def add_view(self, request, form_url="", extra_context=None):
        """登记 a paper, fax or email application through the service (not a model form save)."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        if request.method == "POST":
            form = RegisterForm(request.POST, user=request.user)
            if form.is_valid():
                try:
                    application = services.application_register(
                        user=request.user,
                        organisation=form.cleaned_data["organisation"],
                        channel=form.cleaned_data["channel"],
                        received_on=form.cleaned_data["received_on"],
                        **form.application_fields(),
                    )
                except REFUSALS as error:
                    for message in refusal_messages(error, NOT_CARRIED_OUT):
                        form.add_error(None, message)
                else:
                    messages.success(
                        request, _t("已登记，查询码 %(code)s。") % {"code": application.tracking_code_display}
                    )
                    return redirect(self._change_url(application))
        else:
            initial = {}
            own = organisation_of(request.user)
            if own is not None:
                initial["organisation"] = own.code
            form = RegisterForm(initial=initial, user=request.user)
        title = _t("登记政府信息公开申请")
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "action_label": title,
            "opts": self.opts,
            "form": form,
            "media": self.media + form.media,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.register_template, context)

"""Bulk action of the applications list: make one member of staff the 承办人 of several applications.

Each application goes through ``services.application_assign_handler`` in its own transaction, as the
signed-in user (rights, the handler's organisation and role checked; logged); a refused one is named with
the reason and left as it was.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth import get_user_model
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from disclosure.applications import policy, services
from disclosure.core.access import organisation_of
from disclosure.core.admin_moves import REFUSALS, refusal_messages


class HandlerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return user.get_full_name() or user.get_username()


class AssignHandlerForm(forms.Form):
    handler = HandlerChoiceField(
        label=_("承办人"), queryset=None, error_messages={"required": _("请选择承办人。")}, empty_label="—"
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        organisation = organisation_of(user)
        self.fields["handler"].queryset = (
            get_user_model()
            .objects.filter(
                is_active=True,
                staff_profile__organisation=organisation,
                groups__name__in=list(policy.HANDLER_ROLES),
            )
            .distinct()
            .order_by("username")
            if organisation is not None
            else get_user_model().objects.none()
        )


@admin.action(description=_("为所选申请指定承办人"), permissions=["handle"])
def assign_handler(modeladmin, request, queryset):
    form = AssignHandlerForm(request.POST if "apply" in request.POST else None, user=request.user)
    if "apply" in request.POST and form.is_valid():
        handler = form.cleaned_data["handler"]
        done, refused = 0, []
        for application in queryset.order_by("pk"):
            try:
                services.application_assign_handler(user=request.user, application=application, handler=handler)
                done += 1
            except REFUSALS as error:
                refused.append((application, "；".join(refusal_messages(error))))
        if done:
            modeladmin.message_user(request, _t("已为 %d 件申请指定承办人。") % done, messages.SUCCESS)
        for application, reason in refused:
            modeladmin.message_user(
                request,
                _t("申请 %(code)s 未指定：%(reason)s") % {"code": application.tracking_code, "reason": reason},
                messages.WARNING,
            )
        return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": _t("为所选申请指定承办人"),
        "opts": modeladmin.model._meta,
        "objects": [
            {"title": _t("申请 %s") % a.tracking_code, "get_status_display": a.get_status_display(), "pk": a.pk}
            for a in queryset.order_by("pk")
        ],
        "form": form,
        "action_name": "assign_handler",
        "submit_label": _t("指定承办人"),
        "intro": _t("所选人员将成为以下每件申请的承办人，答复期限提醒只发给承办人，并记入操作日志。"),
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "select_across": request.POST.get("select_across", "0"),
    }
    return TemplateResponse(request, "admin/disclosure/bulk_action.html", context)

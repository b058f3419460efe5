"""Bulk action of the concerns list: add responsible staff (责任人) to several concerns at once.

Each concern goes through ``concerns.services.concern_update`` in its own transaction, as the signed-in
user: the service checks the right and that the staff belong to the concern's organisation, and logs the
change; a concern it refuses is named with the reason and left as it was.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from disclosure.concerns import selectors, services
from disclosure.core import access
from disclosure.core.admin_moves import REFUSALS, refusal_messages


class StaffChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, user):
        return user.get_full_name() or user.get_username()


class AssignForm(forms.Form):
    staff = StaffChoiceField(
        label=_("增加的责任人"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("请至少选择一名责任人。")},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        organisation = access.organisation_of(user)
        if access.is_superuser(user):
            self.fields["staff"].queryset = selectors.all_staff()
        else:
            self.fields["staff"].queryset = selectors.staff_of(organisation.pk if organisation else 0)


@admin.action(description=_("为所选事项增加责任人"), permissions=["change"])
def assign_staff(modeladmin, request, queryset):
    form = AssignForm(request.POST if "apply" in request.POST else None, user=request.user)
    if "apply" in request.POST and form.is_valid():
        chosen = list(form.cleaned_data["staff"])
        done, refused = 0, []
        for concern in queryset.order_by("pk"):
            staff = {user.pk: user for user in concern.responsible_staff.all()}
            staff.update({user.pk: user for user in chosen})
            try:
                services.concern_update(user=request.user, concern=concern, responsible_staff=list(staff.values()))
                done += 1
            except REFUSALS as error:
                refused.append((concern, "；".join(refusal_messages(error))))
        if done:
            modeladmin.message_user(request, _t("已为 %d 项事项增加责任人。") % done, messages.SUCCESS)
        for concern, reason in refused:
            modeladmin.message_user(
                request, _t("“%(title)s”未修改：%(reason)s") % {"title": concern.title, "reason": reason}, messages.WARNING
            )
        return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": _t("为所选事项增加责任人"),
        "opts": modeladmin.model._meta,
        "objects": queryset.order_by("pk"),
        "form": form,
        "action_name": "assign_staff",
        "submit_label": _t("增加责任人"),
        "intro": _t("所选责任人将加入以下每项事项（原有责任人保留），并记入操作日志："),
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "select_across": request.POST.get("select_across", "0"),
    }
    return TemplateResponse(request, "admin/disclosure/bulk_action.html", context)

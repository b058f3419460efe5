"""Bulk actions of the records list: submit several drafts, withdraw several published records with one reason.

Each record goes through the same service as its own button (services.record_submit / record_withdraw), in
its own transaction, as the signed-in user: the service checks the state and the right and writes the log,
so a bulk action can do nothing a person could not do one by one. A record the service refuses is left as it
was and named in the message with the reason; the others go through.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from disclosure.core.admin_moves import REFUSALS, refusal_messages
from disclosure.records import services


def _report(modeladmin, request, done: list, refused: list[tuple[object, str]], verb: str) -> None:
    if done:
        modeladmin.message_user(request, _t("已%(verb)s %(count)d 条信息。") % {"verb": verb, "count": len(done)}, messages.SUCCESS)
    for record, reason in refused:
        modeladmin.message_user(
            request, _t("“%(title)s”未%(verb)s：%(reason)s") % {"title": record.title, "verb": verb, "reason": reason},
            messages.WARNING,
        )


def _each(queryset, move) -> tuple[list, list[tuple[object, str]]]:
    done, refused = [], []
    for record in queryset.order_by("pk"):
        try:
            done.append(move(record))
        except REFUSALS as error:
            refused.append((record, "；".join(refusal_messages(error))))
    return done, refused


@admin.action(description=_("提交审核所选草稿"), permissions=["change"])
def submit_selected(modeladmin, request, queryset):
    done, refused = _each(queryset, lambda record: services.record_submit(user=request.user, record=record))
    _report(modeladmin, request, done, refused, _t("提交审核"))


class BulkWithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("撤回理由"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("请填写撤回理由。")},
    )
    public_view = forms.ChoiceField(
        label=_("撤回后公众看到"),
        choices=[("notice", _("撤回后公众看到撤回说明")), ("nothing", _("不显示任何内容"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择撤回后公众看到的内容。")},
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("请填写撤回理由。"))
        return reason


@admin.action(description=_("撤回所选信息（填写同一理由）"), permissions=["change"])
def withdraw_selected(modeladmin, request, queryset):
    """First a page asking for the reason (and what the public sees); then each record is withdrawn."""
    form = BulkWithdrawForm(request.POST if "apply" in request.POST else None)
    if "apply" in request.POST and form.is_valid():
        reason, notice = form.cleaned_data["reason"], form.cleaned_data["public_view"] == "notice"
        done, refused = _each(
            queryset,
            lambda record: services.record_withdraw(user=request.user, record=record, reason=reason, public_notice=notice),
        )
        _report(modeladmin, request, done, refused, _t("撤回"))
        return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": _t("撤回所选信息"),
        "opts": modeladmin.model._meta,
        "objects": queryset.order_by("pk"),
        "form": form,
        "action_name": "withdraw_selected",
        "submit_label": _t("撤回这些信息"),
        "intro": _t("以下每条信息将以同一理由撤回，并记入操作日志。"),
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "select_across": request.POST.get("select_across", "0"),
    }
    return TemplateResponse(request, "admin/disclosure/bulk_action.html", context)

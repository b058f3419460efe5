"""Forms of the 公示: the citizen's objection form (with the antispam of every public form) and the staff's
forms for setting a 公示 and answering an objection. Forms only validate; publicity.py writes."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from disclosure.core.antispam import PublicForm
from disclosure.records.publicity_models import (
    NOTICE_MAX_DAYS,
    OBJECTION_CONTACT_MAX_CHARS,
    OBJECTION_MAX_CHARS,
    OBJECTION_NAME_MAX_CHARS,
    DayKind,
    EndAction,
)


class ObjectionForm(PublicForm):
    """Name, contact and the objection: all required, none ever shown to the public."""

    name = forms.CharField(
        label=_("姓名"),
        max_length=OBJECTION_NAME_MAX_CHARS,
        error_messages={"required": _("请填写姓名。"), "max_length": _("姓名最多%(limit_value)d个字。")},
    )
    contact = forms.CharField(
        label=_("联系电话或电子邮箱"),
        max_length=OBJECTION_CONTACT_MAX_CHARS,
        help_text=_("仅供工作人员核实和答复，不会公开。"),
        error_messages={"required": _("请填写联系方式，便于答复。"), "max_length": _("联系方式最多%(limit_value)d个字。")},
    )
    text = forms.CharField(
        label=_("异议内容及理由"),
        max_length=OBJECTION_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("不超过%(n)d字。异议及提出人信息不会公开。") % {"n": OBJECTION_MAX_CHARS},
        error_messages={
            "required": _("请填写异议内容。"),
            "max_length": _("异议内容最多%(limit_value)d字（当前%(show_value)d字）。"),
        },
    )


class PublicNoticeForm(forms.Form):
    """The 公示 settings of an unpublished record (admin)."""

    day_count = forms.IntegerField(label=_("公示期天数"), min_value=1, max_value=NOTICE_MAX_DAYS)
    day_kind = forms.ChoiceField(label=_("计算方式"), choices=DayKind.choices)
    contact = forms.CharField(label=_("异议受理方式"), max_length=300)
    end_action = forms.ChoiceField(label=_("公示期满后"), choices=EndAction.choices)
    responsible_staff = forms.ModelMultipleChoiceField(
        label=_("异议承办人"), queryset=get_user_model().objects.none()
    )


class ObjectionReplyForm(forms.Form):
    reply = forms.CharField(label=_("答复内容（或不予答复的理由）"), widget=forms.Textarea(attrs={"rows": 5}))

"""The citizen's comment form on a draft decision (意见征集)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from disclosure.consultations.models import (
    COMMENT_CONTACT_MAX_CHARS,
    COMMENT_MAX_CHARS,
    COMMENT_NAME_MAX_CHARS,
)
from disclosure.consultations.services import clean_contact
from disclosure.core.antispam import PublicForm


class CommentForm(PublicForm):
    """Name optional (shown, else 匿名), contact required (never shown), text up to 2,000 characters."""

    name = forms.CharField(
        label=_("姓名或称呼（选填）"),
        max_length=COMMENT_NAME_MAX_CHARS,
        required=False,
        help_text=_("将与意见一同公开显示；不填写的显示为“匿名”。"),
        error_messages={"max_length": _("姓名或称呼最多%(limit_value)d个字。")},
    )
    contact = forms.CharField(
        label=_("联系电话或电子邮箱"),
        max_length=COMMENT_CONTACT_MAX_CHARS,
        help_text=_("仅供工作人员就您的意见与您联系，不会公开。"),
        error_messages={
            "required": _("请填写联系电话或电子邮箱，便于我们就您的意见与您联系（不会公开）。"),
            "max_length": _("联系方式最多%(limit_value)d个字。"),
        },
    )
    text = forms.CharField(
        label=_("意见内容"),
        max_length=COMMENT_MAX_CHARS,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("不超过%(n)d字。") % {"n": COMMENT_MAX_CHARS},
        error_messages={
            "required": _("请填写意见内容。"),
            "max_length": _("意见内容最多%(limit_value)d字（当前%(show_value)d字）。"),
        },
    )

    def clean_contact(self):
        try:
            return clean_contact(self.cleaned_data.get("contact", ""))
        except ValidationError as error:
            raise forms.ValidationError(error.messages) from None

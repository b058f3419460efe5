"""The public 留言与纠错 form."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from catalog import selectors as catalog_selectors
from catalog.models import code_validator
from disclosure.core.antispam import PublicForm
from disclosure.feedback.models import (
    CONTACT_MAX_CHARS,
    NAME_MAX_CHARS,
    PAGE_MAX_CHARS,
    SUBJECT_MAX_CHARS,
    TEXT_MAX_CHARS,
    FeedbackKind,
)


class OrganisationByCode(forms.ModelChoiceField):
    """Chosen by code; a value that cannot be a code is refused before it reaches the database."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if not isinstance(value, str) or not code_validator.regex.match(value):
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class FeedbackForm(PublicForm):
    organisation = OrganisationByCode(
        label=_("受理单位"),
        queryset=None,
        to_field_name="code",
        empty_label=_("请选择"),
        error_messages={"required": _("请选择受理单位。"), "invalid_choice": _("请选择列表中的单位。")},
    )
    kind = forms.ChoiceField(
        label=_("留言类型"),
        choices=FeedbackKind.choices,
        widget=forms.RadioSelect,
        help_text=_("纠错：报告网站上的错误（错别字、链接打不开、信息过期等），可以匿名；咨询：向本单位提问，需留联系方式。"),
        error_messages={"required": _("请选择留言类型。"), "invalid_choice": _("请选择留言类型。")},
    )
    subject = forms.CharField(
        label=_("标题"),
        max_length=SUBJECT_MAX_CHARS,
        error_messages={"required": _("请填写标题。"), "max_length": _("标题最多%(limit_value)d字。")},
    )
    text = forms.CharField(
        label=_("留言内容"),
        max_length=TEXT_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("不超过%(n)d字。请勿填写身份证号码等个人信息。") % {"n": TEXT_MAX_CHARS},
        error_messages={"required": _("请填写留言内容。"), "max_length": _("留言内容最多%(limit_value)d字。")},
    )
    name = forms.CharField(
        label=_("姓名或称呼（选填）"),
        max_length=NAME_MAX_CHARS,
        required=False,
        help_text=_("不会公开。"),
        error_messages={"max_length": _("姓名或称呼最多%(limit_value)d字。")},
    )
    contact = forms.CharField(
        label=_("联系电话或电子邮箱"),
        max_length=CONTACT_MAX_CHARS,
        required=False,
        help_text=_("咨询必填，纠错选填；仅供工作人员答复您，不会公开。填写电子邮箱的，答复同时发送到该邮箱。"),
        error_messages={"max_length": _("联系方式最多%(limit_value)d字。")},
    )
    page_url = forms.CharField(
        label=_("来源页面"), max_length=PAGE_MAX_CHARS, required=False, widget=forms.HiddenInput
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = catalog_selectors.disclosing_organisations()

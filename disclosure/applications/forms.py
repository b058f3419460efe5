"""The citizen's forms for applications: the application itself and the tracking-code lookup."""

from __future__ import annotations

import re

from django import forms
from django.core.validators import ProhibitNullCharactersValidator, RegexValidator
from django.utils.translation import gettext_lazy as _

from catalog import selectors as catalog_selectors
from catalog.models import code_validator
from disclosure.applications.models import (
    ApplicantType,
    DeliveryForm,
    IdDocumentType,
    ObtainMethod,
)
from disclosure.core.antispam import PublicForm

RESIDENT_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
RESIDENT_ID_CHECK = "10X98765432"
CREDIT_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100-2015, no I O S V Z


def resident_id_is_valid(number: str) -> bool:
    """18-character 居民身份证号码 with its GB 11643 check character."""
    if not re.fullmatch(r"\d{17}[\dX]", number):
        return False
    total = sum(int(digit) * weight for digit, weight in zip(number[:17], RESIDENT_ID_WEIGHTS))
    return RESIDENT_ID_CHECK[total % 11] == number[17]


def credit_code_is_valid(code: str) -> bool:
    """18-character 统一社会信用代码 with its GB 32100 check character."""
    if len(code) != 18 or any(ch not in CREDIT_CODE_CHARS for ch in code):
        return False
    total = sum(CREDIT_CODE_CHARS.index(ch) * pow(3, i, 31) for i, ch in enumerate(code[:17]))
    return CREDIT_CODE_CHARS[(31 - total % 31) % 31] == code[17]


NUL_VALIDATOR = ProhibitNullCharactersValidator(message=_("内容中含有无法识别的控制字符，请删除后重新提交。"))

phone_validator = RegexValidator(
    r"^[0-9+\-() ]{7,20}$", _("请填写有效的联系电话（手机号或带区号的固定电话）。")
)
postcode_validator = RegexValidator(r"^\d{6}$", _("邮政编码应为6位数字。"))


class OrganisationChoiceField(forms.ModelChoiceField):
    """Chosen by code; a value that cannot be a code is refused before it reaches the database
    (PostgreSQL rejects NUL characters with an error rather than finding nothing)."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if not isinstance(value, str) or not code_validator.regex.match(value):
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


def _text(label, max_length, *, required=False, help_text="", **attrs):
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        help_text=help_text,
        widget=forms.TextInput(attrs=attrs) if attrs else None,
        error_messages={
            "required": _("请填写%s。") % label,
            "max_length": _("%(label)s最多%(n)d个字。") % {"label": label, "n": max_length},
        },
    )


class ApplicationForm(PublicForm):
    """政府信息公开申请表. Personal data asked for are those of the standard application form."""

    required_css_class = "required"

    organisation = OrganisationChoiceField(
        label=_("受理机关"),
        queryset=None,
        to_field_name="code",
        empty_label=_("请选择受理机关"),
        error_messages={
            "required": _("请选择受理机关。"),
            "invalid_choice": _("请从列表中选择受理机关。"),
        },
    )
    applicant_type = forms.ChoiceField(
        label=_("申请人类型"),
        choices=ApplicantType.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择申请人类型。"), "invalid_choice": _("请选择申请人类型。")},
        help_text=_("公民个人选“自然人”；法人或者其他组织按性质选择。"),
    )
    name = _text(_("姓名"), 50, autocomplete="name")
    id_type = forms.ChoiceField(
        label=_("证件类型"),
        choices=[("", _("请选择"))] + list(IdDocumentType.choices),
        required=False,
        error_messages={"invalid_choice": _("请选择证件类型。")},
    )
    id_number = _text(_("证件号码"), 30, autocomplete="off")
    organisation_name = _text(_("法人或者其他组织名称"), 100, autocomplete="organization")
    credit_code = _text(_("统一社会信用代码"), 18, autocomplete="off")
    legal_representative = _text(_("法定代表人或者负责人"), 50)
    contact_person = _text(_("联系人"), 50)
    phone = forms.CharField(
        label=_("联系电话"),
        max_length=20,
        validators=[phone_validator],
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
        error_messages={"required": _("请填写联系电话。"), "max_length": _("联系电话最多20个字符。")},
    )
    email = forms.EmailField(
        label=_("电子邮箱"),
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"invalid": _("请填写有效的电子邮箱地址。")},
        help_text=_("选择以电子邮件方式获取信息时必填。"),
    )
    address = _text(_("通信地址"), 200, help_text=_("选择邮寄方式获取信息时必填。"), autocomplete="street-address")
    postcode = forms.CharField(
        label=_("邮政编码"),
        max_length=6,
        required=False,
        validators=[postcode_validator],
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "numeric"}),
        error_messages={"max_length": _("邮政编码应为6位数字。")},
    )
    description = forms.CharField(
        label=_("所需政府信息的名称或内容描述"),
        min_length=5,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("请尽量写明信息的名称、形成时间、涉及的项目或事项，便于准确查找；最多2000字。"),
        error_messages={
            "required": _("请描述所需的政府信息。"),
            "min_length": _("内容描述过短，请至少填写5个字。"),
            "max_length": _("内容描述最多2000字。"),
        },
    )
    document_hint = _text(
        _("文号或标题（选填）"), 200, help_text=_("知道文件文号或标题的，填写后便于查找。")
    )
    purpose = _text(_("用途（选填）"), 500)
    delivery_form = forms.ChoiceField(
        label=_("提供载体形式"),
        choices=DeliveryForm.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择提供载体形式。"), "invalid_choice": _("请选择提供载体形式。")},
    )
    obtain_method = forms.ChoiceField(
        label=_("获取信息方式"),
        choices=ObtainMethod.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择获取信息方式。"), "invalid_choice": _("请选择获取信息方式。")},
    )

    PERSON_FIELDS = ("name", "id_type", "id_number")
    ORGANISATION_FIELDS = ("organisation_name", "credit_code", "legal_representative", "contact_person")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = catalog_selectors.disclosing_organisations()
        for field in self.fields.values():
            field.validators = [
                NUL_VALIDATOR if isinstance(v, ProhibitNullCharactersValidator) else v for v in field.validators
            ]

    def clean_id_number(self):
        return self.cleaned_data["id_number"].strip().upper()

    def clean_credit_code(self):
        return self.cleaned_data["credit_code"].strip().upper()

    def clean(self):
        data = super().clean()
        kind = data.get("applicant_type")
        if kind == ApplicantType.NATURAL_PERSON:
            required = self.PERSON_FIELDS
        elif kind:
            required = self.ORGANISATION_FIELDS
        else:
            required = ()
        for name in required:
            if not data.get(name) and name not in self.errors:
                verb = _("请选择%s。") if name == "id_type" else _("请填写%s。")
                self.add_error(name, verb % self.fields[name].label)
        if kind == ApplicantType.NATURAL_PERSON:
            number = data.get("id_number")
            if number and data.get("id_type") == IdDocumentType.RESIDENT_ID and not resident_id_is_valid(number):
                self.add_error("id_number", _("居民身份证号码应为18位，且校验位正确，请核对。"))
            elif number and not re.fullmatch(r"[0-9A-Z()\-]{5,30}", number):
                self.add_error("id_number", _("证件号码只能包含字母、数字，请核对。"))
        elif kind:
            code = data.get("credit_code")
            if code and not credit_code_is_valid(code):
                self.add_error("credit_code", _("统一社会信用代码应为18位，且校验位正确，请核对。"))
        wants_email = (
            data.get("obtain_method") == ObtainMethod.EMAIL or data.get("delivery_form") == DeliveryForm.EMAIL
        )
        if wants_email and not data.get("email") and "email" not in self.errors:
            self.add_error("email", _("选择电子邮件方式时，请填写电子邮箱。"))
        if data.get("obtain_method") == ObtainMethod.POST and not data.get("address"):
            self.add_error("address", _("选择邮寄方式时，请填写通信地址。"))
        return data

    def application_fields(self) -> dict:
        """The cleaned values the service takes, the other type's personal fields left out."""
        data = self.cleaned_data
        names = (
            "applicant_type", "phone", "email", "address", "postcode", "description",
            "document_hint", "purpose", "delivery_form", "obtain_method",
        )
        own = self.PERSON_FIELDS if data["applicant_type"] == ApplicantType.NATURAL_PERSON else self.ORGANISATION_FIELDS
        return {name: data.get(name) or "" for name in (*names, *own)}


class TrackingCodeForm(PublicForm):
    NOT_FOUND = _("未找到该查询码对应的申请，请核对后重新输入。")

    code = forms.CharField(
        label=_("查询码"),
        max_length=40,
        help_text=_("提交申请后页面显示的12位查询码，不区分大小写，可包含短横线。"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
        error_messages={"required": _("请输入查询码。"), "max_length": NOT_FOUND},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Whatever is wrong with a code, the answer is the same "not found".
        field = self.fields["code"]
        field.validators = [
            ProhibitNullCharactersValidator(message=self.NOT_FOUND)
            if isinstance(v, ProhibitNullCharactersValidator)
            else v
            for v in field.validators
        ]

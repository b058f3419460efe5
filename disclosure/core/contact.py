"""How a citizen's contact (a phone number or an e-mail address) is checked on every public form."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

PHONE_PATTERN = re.compile(r"^\+?[0-9][0-9 ()\-－]{5,24}$")


def clean_contact(value: str, *, required_message: str, max_chars: int) -> str:
    """A phone number or an e-mail address, stripped; ValidationError in Chinese otherwise. An empty
    value is refused with ``required_message``."""
    value = (value or "").strip()
    if not value:
        raise ValidationError(required_message)
    if len(value) > max_chars:
        raise ValidationError(_("联系方式过长。"))
    if "@" in value:
        try:
            validate_email(value)
        except ValidationError:
            raise ValidationError(_("电子邮箱格式不正确。")) from None
        return value
    if not PHONE_PATTERN.match(value) or sum(c.isdigit() for c in value) < 7:
        raise ValidationError(_("请填写有效的电话号码（如 0371-12345678 或 13800000000）或电子邮箱。"))
    return value

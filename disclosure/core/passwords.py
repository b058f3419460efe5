"""The password policy beyond Django's validators, and optional password expiry.

``MinimumLengthValidator`` is Django's with a Chinese message; ``CharacterClassValidator`` asks for three of the four classes (upper case, lower case, digits,
symbols). Expiry is off unless PASSWORD_MAX_AGE_DAYS > 0; then ``PasswordAgeRecorder`` (a validator
that refuses nothing: Django calls every validator's ``password_changed`` when an account's password
is saved) writes a "password_change" entry of the activity log, and a password is expired when its
newest such entry, or the account's creation if there is none, is older than the limit.
"""

from __future__ import annotations

import string
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

CLASSES = (
    ("大写字母", str.isupper),
    ("小写字母", str.islower),
    ("数字", str.isdigit),
    ("符号", lambda ch: ch in string.punctuation or (not ch.isalnum() and not ch.isspace())),
)


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's length rule with a Chinese message (Django's zh_Hans catalog lacks its current wording)."""

    def validate(self, password, user=None):
        if len(password) < self.min_length:
            raise ValidationError(self.get_help_text(), code="password_too_short")

    def get_help_text(self):
        return _("密码太短：至少需要 %(count)d 个字符。") % {"count": self.min_length}


class CharacterClassValidator:
    """At least ``min_classes`` of: upper-case letters, lower-case letters, digits, symbols."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        present = sum(1 for _name, test in CLASSES if any(test(ch) for ch in password))
        if present < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self):
        return _("密码须至少包含大写字母、小写字母、数字、符号四类中的 %(count)d 类。") % {"count": self.min_classes}


class PasswordAgeRecorder:
    """Refuses no password; records each change while expiry is on (see the module docstring)."""

    def validate(self, password, user=None):
        return None

    def get_help_text(self):
        return ""

    def password_changed(self, password, user=None):
        if user is None or user.pk is None or not settings.PASSWORD_MAX_AGE_DAYS:
            return
        from disclosure.core.access import organisation_of
        from disclosure.core.accounts import SUBJECT_TYPE
        from disclosure.core.log import ActivityEntry

        ActivityEntry.write(
            actor=user,
            organisation=organisation_of(user),
            subject_type=SUBJECT_TYPE,
            subject_id=user.pk,
            subject_title=user.get_username(),
            action="password_change",
        )


def password_expired(user) -> bool:
    """Whether ``user``'s password is older than PASSWORD_MAX_AGE_DAYS (never, when that is 0)."""
    days = settings.PASSWORD_MAX_AGE_DAYS
    if not days or not getattr(user, "is_authenticated", False):
        return False
    from disclosure.core.accounts import SUBJECT_TYPE
    from disclosure.core.log import ActivityEntry

    changed = (
        ActivityEntry.objects.filter(subject_type=SUBJECT_TYPE, subject_id=user.pk, action="password_change")
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    ) or user.date_joined
    return timezone.now() - changed > timedelta(days=days)

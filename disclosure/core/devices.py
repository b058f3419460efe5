"""The staff's TOTP devices (动态验证码设备) in the admin, in Chinese.

django-otp's own admin screen is English only (its models' field names and help texts are not marked for
translation, and it ships no Chinese catalog), and it offers what the portal never needs: adding a device
by hand with a raw secret. What a system administrator does here is what README "Staff accounts" says:
see who has enrolled, and delete the device of someone who lost their phone so that they enrol again.
So the library's screen is replaced (disclosure/core/admin.py) by one over this proxy model with Chinese
names: a list, a read-only page and delete, for superusers only (nobody else holds its permissions).
"""

from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice


class StaffTOTPDevice(TOTPDevice):
    """A TOTP device as the admin shows it (same table; no fields of its own)."""

    class Meta:
        proxy = True
        verbose_name = _("动态验证码设备")
        verbose_name_plural = _("动态验证码设备")

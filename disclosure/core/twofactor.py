"""The second factor for staff (TOTP, django-otp) and the gate that asks for it.

When PORTAL_REQUIRE_2FA is on (the default in production), a signed-in account whose session has
not been verified with a one-time code is sent, from any page but these and sign-out:

- to "输入动态验证码" (``verify``) when it has a confirmed TOTP device;
- to the enrolment page (``setup``) when it has none: the secret and its QR code (inline SVG, made
  here with qrcode), confirmed by a first code.

The same gate sends a member of staff whose password has expired (PASSWORD_MAX_AGE_DAYS) to the
admin's password-change page. Wrong codes are throttled by django-otp's own throttling and written
to the activity log as failed sign-ins.
"""

from __future__ import annotations

import base64
import io

import qrcode
import qrcode.image.svg
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from disclosure.core.accounts import SUBJECT_TYPE, client_comment
from disclosure.core.log import ActivityEntry
from disclosure.core.passwords import password_expired
from disclosure.core.sso import signed_in_by_sso

EXPIRED_FLAG = "_portal_password_expired"


class CodeForm(forms.Form):
    code = forms.CharField(
        label="动态验证码",
        min_length=6,
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
        error_messages={"required": "请输入动态验证码。", "min_length": "动态验证码为 6 位数字。",
                        "max_length": "动态验证码为 6 位数字。"},
    )

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if not code.isdigit():
            raise forms.ValidationError("动态验证码为 6 位数字。")
        return code


def _with_next(url: str, target: str) -> str:
    return f"{url}?{urlencode({REDIRECT_FIELD_NAME: target})}"


def _next(request) -> str:
    target = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME) or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return reverse("admin:index")


def _failed(request, note: str):
    user = request.user
    from disclosure.core.access import organisation_of

    ActivityEntry.write(
        actor=user, organisation=organisation_of(user), subject_type=SUBJECT_TYPE, subject_id=user.pk,
        subject_title=user.get_username(), action="login_failed", comment=client_comment(request, note),
    )


def _page(request, template, context):
    return render(request, template, {**admin.site.each_context(request), "next": _next(request), **context})


@never_cache
@csrf_protect
def verify(request):
    """"输入动态验证码": the second step of a sign-in when the account has a device."""
    if not request.user.is_authenticated:
        return redirect("admin:login")
    if request.user.is_verified():
        return redirect(_next(request))
    if not user_has_device(request.user):
        return redirect(_with_next(reverse("staff_otp_setup"), _next(request)))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        for device in TOTPDevice.objects.devices_for_user(request.user, confirmed=True):
            if device.verify_token(form.cleaned_data["code"]):
                otp_login(request, device)
                return redirect(_next(request))
        _failed(request, "动态验证码错误")
        form.add_error("code", "动态验证码不正确或已过期，请重新输入。")
    return _page(request, "disclosure/core/otp_verify.html", {"form": form, "title": "输入动态验证码"})


def qr_svg(text: str) -> str:
    """``text`` as a QR code in inline SVG markup."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode()
    return svg[svg.index("<svg"):]


@never_cache
@csrf_protect
def setup(request):
    """Enrolment for an account without a device: shows a new secret and its QR code; a first
    correct code confirms the device and verifies the session."""
    if not request.user.is_authenticated:
        return redirect("admin:login")
    if user_has_device(request.user):
        return redirect(_with_next(reverse("staff_otp_verify"), _next(request)))
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=request.user, name="动态验证码", confirmed=False)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            return redirect(_next(request))
        _failed(request, "绑定动态验证码时验证码错误")
        form.add_error("code", "动态验证码不正确或已过期，请核对手机时间后重新输入。")
    secret = base64.b32encode(device.bin_key).decode()
    context = {
        "form": form,
        "title": "绑定动态验证码",
        "secret": " ".join(secret[i:i + 4] for i in range(0, len(secret), 4)),
        "qr": mark_safe(qr_svg(device.config_url)),  # noqa: S308 - markup made here by qrcode
    }
    return _page(request, "disclosure/core/otp_setup.html", context)


class StaffGateMiddleware:
    """Sends a signed-in account to the second factor, then to a password change, when due."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or request.path.startswith(self._exempt()):
            return self.get_response(request)
        # A platform sign-on (disclosure/core/sso.py) had its second factor at the platform.
        if settings.PORTAL_REQUIRE_2FA and not user.is_verified() and not signed_in_by_sso(request):
            name = "staff_otp_verify" if user_has_device(user) else "staff_otp_setup"
            return redirect(_with_next(reverse(name), request.get_full_path()))
        if (
            settings.PASSWORD_MAX_AGE_DAYS
            and user.has_usable_password()  # platform accounts have no password here
            and not request.path.startswith((reverse("admin:password_change"), reverse("admin:password_change_done")))
            and self._password_expired(request)
        ):
            messages.warning(request, "密码已超过有效期，请先修改密码。")
            return redirect("admin:password_change")
        return self.get_response(request)

    @staticmethod
    def _password_expired(request) -> bool:
        """Checked once per session, and again on every request while it is expired."""
        session = request.session
        if session.get(EXPIRED_FLAG) is False:
            return False
        expired = password_expired(request.user)
        session[EXPIRED_FLAG] = expired
        return expired

    @staticmethod
    def _exempt() -> tuple[str, ...]:
        return (reverse("staff_otp_verify"), reverse("staff_otp_setup"), reverse("admin:logout"), settings.STATIC_URL)

"""Staff sign-in: the lockout backend and the account events written to the activity log.

Lockout is django-axes with its database handler (so every worker sees the same counts); the settings
are in portal/settings.py ("Staff accounts"). ``LockoutBackend`` is axes' backend that also lets a
request-less ``authenticate()`` through unchecked: only the login page authenticates people over the
network and it always passes the request; a request-less call (the test client's ``login``, a shell)
has no address to count or lock.

Every sign-in, failed sign-in, sign-out and lockout made over HTTP is an ``ActivityEntry`` of subject
type "account", with the client's address and browser in the comment. The receivers are connected
in ``DisclosureConfig.ready`` (disclosure/apps.py). In-process sign-ins that no client made (the test
client's ``force_login``, which builds a bare request without an address) are not recorded.
"""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from disclosure.core.access import organisation_of
from disclosure.core.clientip import UNKNOWN, client_ip
from disclosure.core.log import ActivityEntry

SUBJECT_TYPE = "account"
USER_AGENT_MAX = 200


class LockoutBackend(AxesStandaloneBackend):
    """Refuses every sign-in of a locked account or address (``AxesBackendPermissionDenied``);
    authenticates nobody itself (ModelBackend, next in AUTHENTICATION_BACKENDS, does)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def client_address(request) -> str:
    """The client's address, as far as this site can trust it (disclosure/core/clientip.py)."""
    return client_ip(request)


def lockout_address(request) -> str | None:
    """The address axes counts and stores (AXES_CLIENT_IP_CALLABLE): an IP address or None, never
    clientip's "unknown", which an address column (PostgreSQL inet) refuses."""
    address = client_ip(request)
    return None if address == UNKNOWN else address


def over_http(request) -> bool:
    """Whether ``request`` came from a client (the WSGI server always sets REMOTE_ADDR)."""
    return request is not None and "REMOTE_ADDR" in request.META


def client_comment(request, note: str = "") -> str:
    agent = request.META.get("HTTP_USER_AGENT", "")[:USER_AGENT_MAX] or "-"
    text = f"地址：{client_address(request)}；浏览器：{agent}"
    return f"{note}；{text}" if note else text


def _write(request, *, action: str, user, username: str, note: str = ""):
    ActivityEntry.write(
        actor=user,
        nobody=_("未登录访问者"),
        organisation=organisation_of(user) if user is not None else None,
        subject_type=SUBJECT_TYPE,
        subject_id=user.pk if user is not None else 0,
        subject_title=(username or "-")[:300],
        action=action,
        comment=client_comment(request, note),
    )


def _account(username: str | None):
    if not username:
        return None
    return get_user_model()._default_manager.filter(**{get_user_model().USERNAME_FIELD: username}).first()


def record_login(sender, request, user, **kwargs):
    if over_http(request):
        _write(request, action="login", user=user, username=user.get_username())


def record_logout(sender, request, user, **kwargs):
    if over_http(request) and user is not None:
        _write(request, action="logout", user=user, username=user.get_username(),
               note=getattr(request, "logout_reason", ""))


def record_login_failed(sender, credentials, request=None, **kwargs):
    if not over_http(request):
        return
    username = credentials.get(get_user_model().USERNAME_FIELD) or credentials.get("username") or ""
    note = str(_("账号或地址已锁定")) if getattr(request, "axes_locked_out", False) else ""
    if getattr(request, "sso_refusal", ""):  # a platform sign-on refused (disclosure/core/sso.py)
        username, note = getattr(request, "sso_account", "") or username, "统一身份认证：" + request.sso_refusal
    _write_attempt(request, username, "login_failed", note)


def record_lockout(sender, request, username, ip_address, **kwargs):
    """Written once, at the failure that reaches the limit (later refused attempts are login_failed)."""
    if not over_http(request):
        return
    if getattr(request, "axes_failures_since_start", None) != settings.AXES_FAILURE_LIMIT:
        return
    _write_attempt(request, username, "lockout", f"连续登录失败 {settings.AXES_FAILURE_LIMIT} 次")


def _write_attempt(request, username: str, action: str, note: str) -> None:
    """Log a sign-in attempt by someone not signed in: the account named, when it exists, is the
    subject; the actor is nobody."""
    account = _account(username)
    ActivityEntry.write(
        actor=None,
        nobody=_("未登录访问者"),
        organisation=organisation_of(account) if account is not None else None,
        subject_type=SUBJECT_TYPE,
        subject_id=account.pk if account is not None else 0,
        subject_title=(username or "-")[:300],
        action=action,
        comment=client_comment(request, note),
    )


def connect_signals():
    """Called from DisclosureConfig.ready()."""
    from axes.signals import user_locked_out
    from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

    user_logged_in.connect(record_login, dispatch_uid="disclosure.accounts.login")
    user_logged_out.connect(record_logout, dispatch_uid="disclosure.accounts.logout")
    user_login_failed.connect(record_login_failed, dispatch_uid="disclosure.accounts.login_failed")
    user_locked_out.connect(record_lockout, dispatch_uid="disclosure.accounts.lockout")


def lockout_response(request, original_response=None, credentials=None):
    """The Chinese page a locked account or address gets (AXES_LOCKOUT_CALLABLE), status 429."""
    from django.contrib import admin
    from django.shortcuts import render

    context = {
        **admin.site.each_context(request),
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    }
    return render(request, "disclosure/core/lockout.html", context, status=429)

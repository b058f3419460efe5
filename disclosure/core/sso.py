"""Staff single sign-on through a province's 统一身份认证 platform (OpenID Connect, mozilla-django-oidc).

Off unless ``OIDC_ISSUER`` and the other OIDC_* variables are set (README, "Staff single sign-on"). Then the
admin login page offers "统一身份认证登录": the authorization-code flow with state, nonce and PKCE;
the ID token must be signed (RS256 by default) by a key of the platform's JWKS, issued by
``OIDC_ISSUER`` for our client id, unexpired, and carry the nonce of this sign-in.

Mapping (the platform is the source of truth, applied at every sign-in):

- the account is ``sso-<sub>`` (``sub`` is the platform's stable id of the person), made at the first
  sign-in with an unusable password: it can only sign in through the platform;
- ``OIDC_ORG_CLAIM`` (default ``org_code``) holds the 行政区划代码 / organisation code of the person's
  unit; it must name an active organisation of this portal;
- ``OIDC_ROLES_CLAIM`` (default ``roles``) holds a list of role names (or one name); each must be one of
  the local roles (信息员, 审核员, 单位管理员, 审计员) or a name ``OIDC_ROLE_MAP`` maps to one
  (default: editor, reviewer, org_admin, auditor); the account's roles are replaced by them;
- ``name`` (or ``preferred_username``) becomes the account's display name.

A sign-in whose organisation or a role is unknown, or whose token does not verify, is refused with a
Chinese page (403) and written to the activity log as a failed sign-in with the reason; nothing is
created or changed. A successful one is logged like every sign-in.

The portal's own TOTP second factor is not asked after a platform sign-in: the platform authenticates
the person, with its own second factor (the 等保 requirement is met there). Local accounts keep TOTP.
"""

from __future__ import annotations

import jwt
import requests
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.db import transaction
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from catalog.models import Organisation
from disclosure.core.access import Role
from disclosure.core.staff import StaffProfile

SESSION_KEY = "_portal_sso_user"
USERNAME_PREFIX = "sso-"
DEFAULT_ROLE_NAMES = {
    "editor": Role.EDITOR,
    "reviewer": Role.REVIEWER,
    "org_admin": Role.ORG_ADMIN,
    "auditor": Role.AUDITOR,
}


def enabled() -> bool:
    return bool(getattr(settings, "PORTAL_SSO_ENABLED", False))


def signed_in_by_sso(request) -> bool:
    """Whether the session's account signed in through the platform (so TOTP is the platform's)."""
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and request.session.get(SESSION_KEY) == user.pk)


def role_names() -> dict[str, str]:
    """Platform role name → local role: the local names themselves, the defaults, and OIDC_ROLE_MAP."""
    names = {role.value: role.value for role in Role}
    names.update({k: v.value for k, v in DEFAULT_ROLE_NAMES.items()})
    names.update(getattr(settings, "OIDC_ROLE_MAP", {}) or {})
    return names


class Refused(PermissionDenied):
    """A platform sign-in this portal does not accept; the message is for the person, in Chinese."""


def _refuse(request, message: str, account: str = "") -> None:
    request.sso_refusal = message
    request.sso_account = account
    raise Refused(message)


class StaffSSOBackend(OIDCAuthenticationBackend):
    """Authenticates only the platform's callback (our view passes ``nonce``); any other call, such as the
    password form's, is not for it."""

    def __init__(self, *args, **kwargs):
        if enabled():
            super().__init__(*args, **kwargs)

    def authenticate(self, request, **kwargs):
        if not enabled() or request is None or "nonce" not in kwargs or "username" in kwargs:
            return None
        return super().authenticate(request, **kwargs)

    # The token ----------------------------------------------------------------------------------

    def get_payload_data(self, token, key):
        """The ID token's claims, verified: signature and algorithm, issuer, audience, expiry."""
        try:
            header = jwt.get_unverified_header(token)
            if header.get("alg") != self.OIDC_RP_SIGN_ALGO:
                raise jwt.InvalidAlgorithmError(header.get("alg"))
            return jwt.decode(
                token,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=settings.OIDC_OP_ISSUER,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
                leeway=60,
            )
        except jwt.PyJWTError as error:
            _refuse(self.request, _("统一身份认证平台返回的身份令牌未通过校验（%(reason)s），已拒绝登录。") % {"reason": error})

    def verify_token(self, token, **kwargs):
        try:
            return super().verify_token(token, **kwargs)
        except SuspiciousOperation as error:  # nonce or key not found
            _refuse(self.request, _("统一身份认证平台返回的身份令牌未通过校验（%(reason)s），已拒绝登录。") % {"reason": error})

    def get_userinfo(self, access_token, id_token, payload):
        """The ID token's claims, completed by the userinfo endpoint when there is one (same subject)."""
        claims = dict(payload)
        if self.OIDC_OP_USER_ENDPOINT:
            info = super().get_userinfo(access_token, id_token, payload)
            if info.get("sub") != payload.get("sub"):
                _refuse(self.request, _("统一身份认证平台返回的用户信息与身份令牌不一致，已拒绝登录。"))
            claims.update(info)
        return claims

    # The account --------------------------------------------------------------------------------

    def verify_claims(self, claims):
        return bool(claims.get("sub"))

    def filter_users_by_claims(self, claims):
        return self.UserModel.objects.filter(username=self._username(claims))

    @staticmethod
    def _username(claims) -> str:
        return (USERNAME_PREFIX + str(claims["sub"]))[:150]

    def _mapped(self, claims) -> tuple[Organisation, list[Group], str]:
        """The organisation and groups the claims name; refuses unknown ones."""
        name = str(claims.get("name") or claims.get("preferred_username") or claims["sub"])[:150]
        account = f"{name}（{self._username(claims)}）"
        code = str(claims.get(settings.OIDC_ORG_CLAIM) or "").strip()
        organisation = Organisation.objects.filter(code=code, is_active=True).first() if code else None
        if organisation is None:
            _refuse(
                self.request,
                _("统一身份认证平台提供的单位代码“%(code)s”未在本平台登记或已停用，不能登录。请联系本平台管理员。")
                % {"code": code or _("（空）")},
                account,
            )
        raw = claims.get(settings.OIDC_ROLES_CLAIM) or []
        raw = [raw] if isinstance(raw, str) else list(raw)
        names = role_names()
        unknown = [str(r) for r in raw if str(r) not in names]
        if unknown or not raw:
            _refuse(
                self.request,
                _("统一身份认证平台提供的角色“%(roles)s”不是本平台的角色（信息员、审核员、单位管理员、审计员），不能登录。请联系本平台管理员。")
                % {"roles": "、".join(unknown) or _("（空）")},
                account,
            )
        groups = list(Group.objects.filter(name__in={names[str(r)] for r in raw}))
        return organisation, groups, name

    @transaction.atomic
    def create_user(self, claims):
        organisation, groups, name = self._mapped(claims)
        user = self.UserModel.objects.create_user(self._username(claims), email=claims.get("email") or "")
        user.set_unusable_password()
        return self._apply(user, organisation, groups, name)

    @transaction.atomic
    def update_user(self, user, claims):
        organisation, groups, name = self._mapped(claims)
        return self._apply(user, organisation, groups, name)

    @staticmethod
    def _apply(user, organisation, groups, name):
        user.first_name = name
        user.is_staff = True
        user.save()
        StaffProfile.objects.update_or_create(user=user, defaults={"organisation": organisation})
        user.groups.set(groups)
        return user


# ----------------------------------------------------------------------------------------- views


def _refusal_page(request, message: str, status: int = 403):
    from django.contrib import admin

    context = {**admin.site.each_context(request), "message": message, "title": _("统一身份认证登录未成功")}
    return render(request, "disclosure/core/sso_refused.html", context, status=status)


class SSOStartView(OIDCAuthenticationRequestView):
    """/admin/sso/start/: to the platform's sign-in (404 while SSO is off)."""

    def dispatch(self, request, *args, **kwargs):
        if not enabled():
            raise Http404(_("未启用统一身份认证登录。"))
        return super().dispatch(request, *args, **kwargs)


class SSOCallbackView(OIDCAuthenticationCallbackView):
    """/admin/sso/callback/: the platform sends the person back here with a code."""

    @property
    def failure_url(self):
        return settings.LOGIN_URL

    def dispatch(self, request, *args, **kwargs):
        if not enabled():
            raise Http404(_("未启用统一身份认证登录。"))
        try:
            return super().dispatch(request, *args, **kwargs)
        except SuspiciousOperation:
            return _refusal_page(request, _("登录请求已失效或被篡改，请重新从登录页发起统一身份认证登录。"), status=400)
        except (requests.RequestException, ValueError):
            return _refusal_page(request, _("暂时无法连接统一身份认证平台，请稍后再试。"), status=502)

    def login_success(self):
        response = super().login_success()
        self.request.session[SESSION_KEY] = self.user.pk
        return response

    def login_failure(self):
        message = getattr(self.request, "sso_refusal", "") or _("统一身份认证登录未成功，请重新登录或联系本平台管理员。")
        return _refusal_page(self.request, message)

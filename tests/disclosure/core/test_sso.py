"""Staff single sign-on through the province's platform (disclosure/core/sso.py).

The platform is played by a small OpenID Connect provider run here, on 127.0.0.1: it has an RSA key made
for the test, publishes it as a JWKS, redirects /authorize back with a code, and answers /token with an
RS256 ID token after checking the client secret and the PKCE verifier. The portal talks to it over real
HTTP, as it would to the platform; the browser's part is played by the test client and ``requests``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib.auth import get_user_model
from django.test import Client

from disclosure.core.access import Role
from disclosure.core.log import ActivityEntry
from tests.factories import make_staff

CLIENT_ID = "gongkai-portal"
CLIENT_SECRET = "client-secret-for-tests"


class Provider:
    """A minimal OpenID Connect provider: authorization code flow with PKCE, RS256 ID tokens."""

    def __init__(self):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = "test-key-1"
        self.codes: dict[str, dict] = {}
        self.next_claims: dict = {}
        self.token_changes: dict = {}
        self.sign_with = None  # another key, to forge a token
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.issuer = f"http://127.0.0.1:{self.server.server_port}"
        # A short poll, so that shutdown() at the end of each test returns at once, not after up to 0.5 s.
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def jwks(self) -> dict:
        jwk = jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        return {"keys": [{**jwk, "kid": self.kid, "alg": "RS256", "use": "sig"}]}

    def id_token(self, grant: dict) -> str:
        now = int(time.time())
        claims = {
            "iss": self.issuer, "aud": CLIENT_ID, "iat": now, "exp": now + 300, "nonce": grant["nonce"],
            **grant["claims"], **self.token_changes,
        }
        return jwt.encode(claims, self.sign_with or self.key, algorithm="RS256", headers={"kid": self.kid})

    def _handler(self):
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _json(self, status, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                url = urlsplit(self.path)
                if url.path == "/jwks":
                    return self._json(200, provider.jwks())
                if url.path == "/authorize":
                    query = {k: v[0] for k, v in parse_qs(url.query).items()}
                    assert query["client_id"] == CLIENT_ID and query["response_type"] == "code"
                    code = secrets.token_urlsafe(16)
                    provider.codes[code] = {
                        "claims": provider.next_claims, "nonce": query["nonce"],
                        "challenge": query["code_challenge"], "redirect_uri": query["redirect_uri"],
                    }
                    self.send_response(302)
                    self.send_header("Location", query["redirect_uri"] + "?" + urlencode(
                        {"code": code, "state": query["state"]}))
                    self.end_headers()
                    return None
                return self._json(404, {"error": "not_found"})

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
                form = {k: v[0] for k, v in parse_qs(body).items()}
                if self.path != "/token" or form.get("client_secret") != CLIENT_SECRET:
                    return self._json(401, {"error": "invalid_client"})
                grant = provider.codes.pop(form.get("code"), None)
                if grant is None or form.get("redirect_uri") != grant["redirect_uri"]:
                    return self._json(400, {"error": "invalid_grant"})
                verifier = form.get("code_verifier", "")
                challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
                if challenge != grant["challenge"]:
                    return self._json(400, {"error": "invalid_grant", "error_description": "PKCE"})
                return self._json(200, {"access_token": "at-" + secrets.token_hex(8), "token_type": "Bearer",
                                        "id_token": provider.id_token(grant)})

        return Handler


@pytest.fixture
def provider():
    with Provider() as running:
        yield running


@pytest.fixture
def sso(settings, provider):
    settings.PORTAL_SSO_ENABLED = True
    settings.PORTAL_REQUIRE_2FA = True  # as in production: local accounts need TOTP
    settings.OIDC_OP_ISSUER = provider.issuer
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = provider.issuer + "/authorize"
    settings.OIDC_OP_TOKEN_ENDPOINT = provider.issuer + "/token"
    settings.OIDC_OP_JWKS_ENDPOINT = provider.issuer + "/jwks"
    settings.OIDC_OP_USER_ENDPOINT = ""
    return provider


def sign_on(client: Client, provider: Provider, claims: dict):
    """The person clicks 统一身份认证平台登录, signs in at the platform, and comes back: the callback's response."""
    start = client.get("/admin/sso/start/?next=/admin/")
    assert start.status_code == 302 and start["Location"].startswith(provider.issuer + "/authorize?")
    provider.next_claims = claims
    back = requests.get(start["Location"], allow_redirects=False, timeout=10)
    assert back.status_code == 302
    callback = urlsplit(back.headers["Location"])
    assert callback.path == "/admin/sso/callback/"
    return client.get(f"{callback.path}?{callback.query}")


def person(**extra) -> dict:
    return {"sub": "310101199001011234-uid", "name": "张晓梅", "org_code": "419901", "roles": ["editor"], **extra}


def failures() -> list[ActivityEntry]:
    return list(ActivityEntry.objects.filter(subject_type="account", action="login_failed").order_by("id"))


@pytest.mark.django_db
def test_sso_is_off_unless_configured(client, county):
    """Without OIDC_ISSUER the sign-on URLs are 404 and the login page offers only the password."""
    assert client.get("/admin/sso/start/").status_code == 404
    assert client.get("/admin/sso/callback/?code=x&state=y").status_code == 404
    assert "统一身份认证平台登录" not in client.get("/admin/login/").content.decode()


@pytest.mark.django_db
def test_a_platform_sign_on_maps_organisation_and_roles_and_needs_no_totp(sso, county):
    """The first sign-on makes the account sso-<sub> in the organisation of org_code with the mapped roles
    and no usable password; the admin opens without the portal's TOTP (production requires it for local
    accounts); the sign-in is logged. A later sign-on with other roles replaces them."""
    client = Client()
    assert "统一身份认证平台登录" in client.get("/admin/login/").content.decode()
    response = sign_on(client, sso, person())
    assert response.status_code == 302 and response["Location"] == "/admin/"
    user = get_user_model().objects.get(username="sso-310101199001011234-uid")
    assert user.staff_profile.organisation == county and user.first_name == "张晓梅" and user.is_staff
    assert set(user.groups.values_list("name", flat=True)) == {Role.EDITOR}
    assert not user.has_usable_password()
    assert client.get("/admin/").status_code == 200
    login = ActivityEntry.objects.get(subject_type="account", action="login")
    assert login.subject_id == user.pk and "地址：127.0.0.1" in login.comment

    other = Client()
    sign_on(other, sso, person(roles=["审核员", "auditor"]))
    user.refresh_from_db()
    assert set(user.groups.values_list("name", flat=True)) == {Role.REVIEWER, Role.AUDITOR}
    assert get_user_model().objects.filter(username__startswith="sso-").count() == 1


@pytest.mark.django_db
def test_local_accounts_still_need_the_totp_code(sso, county):
    """A password sign-in in the same configuration is still sent to 输入动态验证码."""
    make_staff(county, Role.EDITOR, username="local")
    client = Client()
    client.post("/admin/login/", {"username": "local", "password": "pw-for-tests", "next": "/admin/"})
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/2fa/" in response["Location"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "claims, message",
    [
        (person(org_code="999999"), "提供的单位代码“999999”未在本平台登记或已停用，不能登录"),
        (person(org_code=""), "提供的单位代码“（空）”未在本平台登记"),
        (person(roles=["局长"]), "提供的角色“局长”不是本平台的角色"),
        (person(roles=[]), "提供的角色“（空）”不是本平台的角色"),
    ],
)
def test_an_unknown_organisation_or_role_is_refused_in_chinese_and_logged(sso, county, claims, message):
    """403 with the reason in Chinese; no account is made; the failed sign-in and its reason are logged."""
    response = sign_on(Client(), sso, claims)
    assert response.status_code == 403
    assert message in response.content.decode()
    assert not get_user_model().objects.filter(username__startswith="sso-").exists()
    (failure,) = failures()
    assert "统一身份认证" in failure.comment and message in failure.comment
    assert failure.subject_title == "张晓梅（sso-310101199001011234-uid）"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "forge",
    [
        lambda p: setattr(p, "sign_with", rsa.generate_private_key(public_exponent=65537, key_size=2048)),
        lambda p: p.token_changes.update(aud="another-client"),
        lambda p: p.token_changes.update(iss="http://evil.example"),
        lambda p: p.token_changes.update(exp=int(time.time()) - 3600),
        lambda p: p.token_changes.update(nonce="replayed-nonce"),
    ],
    ids=["other key", "other audience", "other issuer", "expired", "wrong nonce"],
)
def test_a_token_that_does_not_verify_is_refused(sso, county, forge):
    forge(sso)
    response = sign_on(Client(), sso, person())
    assert response.status_code == 403
    assert "身份令牌未通过校验" in response.content.decode()
    assert not get_user_model().objects.filter(username__startswith="sso-").exists()
    assert "身份令牌未通过校验" in failures()[0].comment


@pytest.mark.django_db
def test_a_callback_with_a_state_not_started_here_is_a_chinese_400(sso, county):
    client = Client()
    client.get("/admin/sso/start/")
    response = client.get("/admin/sso/callback/?code=abc&state=forged")
    assert response.status_code == 400 and "登录请求已失效或被篡改" in response.content.decode()


@pytest.mark.django_db
def test_an_unreachable_platform_is_a_chinese_502(sso, county, settings):
    settings.OIDC_OP_TOKEN_ENDPOINT = "http://127.0.0.1:9/token"
    response = sign_on(Client(), sso, person())
    assert response.status_code == 502 and "暂时无法连接统一身份认证平台" in response.content.decode()


def test_production_with_an_issuer_needs_the_other_variables():
    from tests.portal.test_settings import PRODUCTION, start

    result = start({**PRODUCTION, "OIDC_ISSUER": "https://idp.example.gov.cn"})
    assert result.returncode != 0 and "OIDC_CLIENT_ID" in result.stderr
    complete = {
        **PRODUCTION, "OIDC_ISSUER": "https://idp.example.gov.cn", "OIDC_CLIENT_ID": "portal",
        "OIDC_CLIENT_SECRET": "s", "OIDC_AUTHORIZATION_ENDPOINT": "https://idp.example.gov.cn/auth",
        "OIDC_TOKEN_ENDPOINT": "https://idp.example.gov.cn/token", "OIDC_JWKS_ENDPOINT": "https://idp.example.gov.cn/jwks",
        "OIDC_ROLE_MAP": "xxy=信息员,shy=审核员",
    }
    shown = start(complete, "from django.conf import settings as s; print(s.PORTAL_SSO_ENABLED, s.OIDC_ROLE_MAP['shy'])")
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.split() == ["True", "审核员"]

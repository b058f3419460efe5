"""Every kind of response (public page, admin, report, API, error page, static file) carries the strict
Content-Security-Policy and the other security headers; cookies are HttpOnly and SameSite=Lax."""

import re

import pytest
from django.contrib.auth import get_user_model

from catalog.models import CatalogNode
from disclosure.core.access import Role
from tests.admin_client import client_for
from tests.disclosure.publishing import Desk
from tests.factories import make_staff

# The policy as the site's security baseline states it (README, "Security headers").
STRICT_CSP = {
    "default-src": {"'self'"},
    "script-src": {"'self'"},
    "style-src": {"'self'"},
    "img-src": {"'self'", "data:"},
    "font-src": {"'self'"},
    "connect-src": {"'self'"},
    "object-src": {"'none'"},
    "base-uri": {"'self'"},
    "form-action": {"'self'"},
    "frame-ancestors": {"'none'"},
}
DISABLED_FEATURES = ("camera", "microphone", "geolocation", "payment", "usb", "interest-cohort", "browsing-topics")


def directives(header: str) -> dict[str, set[str]]:
    """A CSP header as {directive: {sources}} (directive order carries no meaning)."""
    parsed = {}
    for part in header.split(";"):
        name, *sources = part.split()
        assert name not in parsed, f"{name} given twice"
        parsed[name] = set(sources)
    return parsed


def assert_security_headers(response, csp=STRICT_CSP):
    assert directives(response["Content-Security-Policy"]) == csp
    assert "Content-Security-Policy-Report-Only" not in response
    features = dict(item.strip().split("=", 1) for item in response["Permissions-Policy"].split(","))
    for feature in DISABLED_FEATURES:
        assert features[feature] == "()", feature
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.fixture
def desk(standard_catalog, county):
    return Desk(county)


@pytest.mark.django_db
def test_public_pages_and_errors_carry_the_headers(client, desk):
    """The home page, a record page, a 404 and a static file all carry the strict policy."""
    record = desk.publish("020102", title="清河县公租房配租结果公示")
    for path in ("/", record.get_absolute_url(), "/org/419901/doc/1999-99999/", "/static/css/site.css"):
        response = client.get(path)
        assert response.status_code in (200, 404), path
        assert_security_headers(response)


@pytest.mark.django_db
def test_admin_pages_carry_the_headers(desk):
    """The admin login, index and a record's change form carry the strict policy."""
    record = desk.draft("020102", title="待审核的配租结果")
    assert_security_headers(client_for(desk.editor).get(f"/admin/disclosure/record/{record.pk}/change/"))
    assert_security_headers(client_for(desk.editor).get("/admin/"))
    anonymous = client_for(get_user_model().objects.create_user("visitor")).get("/admin/login/")
    assert_security_headers(anonymous)


@pytest.mark.django_db
def test_only_the_tree_change_lists_allow_style_attributes(standard_catalog, county):
    """django-mptt indents tree rows with style attributes: the catalog's change list alone adds
    style-src-attr 'unsafe-inline' (for style attributes, nothing else); its change form stays strict."""
    superuser = get_user_model().objects.create_superuser("root", password="pw-for-tests")
    client = client_for(superuser)
    response = client.get("/admin/catalog/catalognode/")
    assert response.status_code == 200
    assert 'style="padding-left:' in response.content.decode()
    assert_security_headers(response, csp={**STRICT_CSP, "style-src-attr": {"'unsafe-inline'"}})
    node = CatalogNode.objects.get(code="020102")
    assert_security_headers(client.get(f"/admin/catalog/catalognode/{node.pk}/change/"))


@pytest.mark.django_db
def test_report_pages_carry_the_headers_and_no_inline_style(desk, county):
    """A report page with its tree table and charts carries the strict policy and needs none of
    'unsafe-inline': no style attribute anywhere in it."""
    desk.publish("020102", title="清河县公租房配租结果公示")
    auditor = make_staff(county, Role.AUDITOR, username="auditor")
    response = client_for(auditor).get("/reports/completeness/")
    assert response.status_code == 200
    assert_security_headers(response)
    html = response.content.decode()
    assert re.search(r"\sstyle=|<style|<script>", html) is None, "inline style or script"
    assert 'class="depth-0"' in html


@pytest.mark.django_db
def test_api_responses_carry_the_headers(client, desk):
    """API answers, errors included, carry the same headers."""
    desk.publish("020102", title="清河县公租房配租结果公示")
    for path in ("/api/v1/records", "/api/v1/openapi.json", "/api/v1/no-such-thing"):
        response = client.get(path)
        assert response.status_code in (200, 404), path
        assert_security_headers(response)


@pytest.mark.django_db
def test_session_and_csrf_cookies_are_http_only_and_lax(client, county):
    """Logging in sets a session cookie and the login form a CSRF cookie: both HttpOnly, SameSite=Lax."""
    make_staff(county, Role.EDITOR, username="editor")
    client.get("/admin/login/")
    response = client.post("/admin/login/", {"username": "editor", "password": "pw-for-tests"})
    assert response.status_code == 302
    for name in ("sessionid", "csrftoken"):
        cookie = client.cookies[name]
        assert cookie["httponly"] is True, name
        assert cookie["samesite"] == "Lax", name


@pytest.mark.django_db
@pytest.mark.parametrize("secure", [False, True])
def test_text_size_cookie_is_http_only_lax_and_secure_like_the_session(client, settings, secure):
    """The large-text cookie is read by the server only (HttpOnly), SameSite=Lax, and Secure wherever
    the session cookie is (production)."""
    settings.SESSION_COOKIE_SECURE = secure
    response = client.get("/display/text-size/?size=large&next=/")
    cookie = response.cookies["large_text"]
    assert cookie["httponly"] is True and cookie["samesite"] == "Lax"
    assert bool(cookie["secure"]) is secure

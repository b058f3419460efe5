"""The portal as production runs it: real gunicorn, PORTAL_ENV=production, behind one TLS-terminating proxy.

The proxy is played by the test: every request carries ``X-Forwarded-Proto: https`` and
``X-Forwarded-For``, as nginx in front of gunicorn would add them (README, "Behind a reverse proxy").
Static files are collected first, as ``make run`` and a deployment do (the manifest storage of production
refuses to render a page otherwise). The server uses the test database pytest created.

What this proves at the server level (issue 10, "Done when"):

- a staff member signs in to the admin with a password AND a TOTP code; the password alone leaves the
  admin closed;
- a 300 MB upload is refused with the Chinese 413 page while the client is still sending, after a small
  fraction of its body: gunicorn and Django never read it whole.
"""

from __future__ import annotations

import http.client
import re
import socket
import subprocess
import sys
import threading
import time
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from disclosure.core.access import Role
from tests.factories import make_staff
from tests.servers import database_url, free_port, gunicorn, server_environment

# One test worker builds this module's server once (`make test` runs `--dist loadgroup`).
# One worker runs the whole group, and starts it early (tests/conftest.py: long ones first).
pytestmark = [pytest.mark.xdist_group("production_server"), pytest.mark.long]

MB = 1024 * 1024
START_SECONDS = 30
PASSWORD = "Zj-县住建局-2026-强密码"
BOUNDARY = "----portal-production-boundary"


class Proxy:
    """Requests as the TLS-terminating reverse proxy forwards them: one fresh connection each."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def headers(self, extra=None) -> dict:
        headers = {
            "Host": f"127.0.0.1:{self.port}",
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": "203.0.113.20",
            "User-Agent": "Mozilla/5.0 (production test)",
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return {**headers, **(extra or {})}

    def request(self, method: str, path: str, body: str | None = None):
        extra = {}
        if body is not None:
            extra = {
                "Content-Type": "application/x-www-form-urlencoded",
                # Django checks the Referer of an HTTPS POST against the host.
                "Referer": f"https://127.0.0.1:{self.port}{path}",
            }
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(method, path, body=body.encode() if body else None, headers=self.headers(extra))
            response = connection.getresponse()
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    cookie, _sep, attributes = value.partition(";")
                    key, _eq, content = cookie.partition("=")
                    self.cookies[key.strip()] = content
                    assert "Secure" in attributes, value  # production cookies go over HTTPS only
            return response.status, dict(response.getheaders()), response.read().decode("utf-8", "replace")
        finally:
            connection.close()

    def csrf(self) -> str:
        return self.cookies["csrftoken"]


@pytest.fixture(scope="module")
def production(django_db_setup, django_db_blocker, tmp_path_factory):
    """``gunicorn portal.wsgi --workers 2`` with PORTAL_ENV=production on the test database."""
    with django_db_blocker.unblock():
        url = database_url()
    var_dir = tmp_path_factory.mktemp("production")
    environment = server_environment(
        drop={"REDIS_URL", "DEBUG", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE", "PORTAL_REQUIRE_2FA"},
        drop_prefixes=("S3_", "MEDIA_", "SECURE_", "OIDC_"),
        PORTAL_ENV="production", PORTAL_VAR_DIR=str(var_dir), SECRET_KEY="production-server-test-" + "k" * 40,
        DATABASE_URL=url, ALLOWED_HOSTS="127.0.0.1", TRUSTED_PROXY_COUNT="1",
    )
    collected = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=settings.BASE_DIR, env=environment, capture_output=True, text=True,
    )
    assert collected.returncode == 0, collected.stderr[-2000:]
    port = free_port()
    with gunicorn(environment, port=port, log=var_dir / "errors.log", start_seconds=START_SECONDS,
                  ready=lambda port: Proxy(port).request("GET", "/healthz")[0] == 200, give_up=pytest.fail):
        yield port


@pytest.fixture
def server(production, transactional_db):
    """The server, with this test's rows committed where its workers can see them."""
    return production


def code_for(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_staff_sign_in_needs_the_totp_code_in_production(server, county):
    """Production settings, no PORTAL_REQUIRE_2FA given: the right password leads to 输入动态验证码, not to
    the admin; the admin stays closed until the code of the staff member's device is entered."""
    staff = make_staff(county, Role.EDITOR, username="wangwu")
    # The server hashes with PBKDF2 (the tests' own process uses a fast hasher it does not know).
    staff.password = PBKDF2PasswordHasher().encode(PASSWORD, "productiontestsalt")
    staff.save(update_fields=["password"])
    device = TOTPDevice.objects.create(user=staff, name="手机", confirmed=True)

    proxy = Proxy(server)
    status, _headers, page = proxy.request("GET", "/admin/login/")
    assert status == 200 and "csrfmiddlewaretoken" in page
    status, headers, _body = proxy.request(
        "POST",
        "/admin/login/",
        urlencode({"csrfmiddlewaretoken": proxy.csrf(), "username": "wangwu", "password": PASSWORD, "next": "/admin/"}),
    )
    assert status == 302, _body[:500]
    status, headers, _body = proxy.request("GET", "/admin/")
    assert status == 302 and headers["Location"].startswith("/admin/2fa/verify/")
    status, _headers, page = proxy.request("GET", headers["Location"])
    assert status == 200 and "输入动态验证码" in page

    status, _headers, page = proxy.request(
        "POST", "/admin/2fa/verify/?next=/admin/", f"csrfmiddlewaretoken={proxy.csrf()}&code=000000&next=/admin/"
    )
    if code_for(device) != "000000":
        assert status == 200 and "动态验证码不正确" in page
    status, headers, _body = proxy.request("GET", "/admin/")
    assert status == 302  # still closed

    time.sleep(1.2)  # django-otp throttles a device for 1 s after a wrong code (OTP_TOTP_THROTTLE_FACTOR)
    device.refresh_from_db()
    status, headers, _body = proxy.request(
        "POST", "/admin/2fa/verify/?next=/admin/", f"csrfmiddlewaretoken={proxy.csrf()}&code={code_for(device)}&next=/admin/"
    )
    assert status == 302 and headers["Location"] == "/admin/"
    status, _headers, page = proxy.request("GET", "/admin/")
    assert status == 200 and "wangwu" in page


def test_a_300_mb_upload_is_refused_while_it_is_still_being_sent(server):
    """A 300 MB multipart POST: the server answers 413 in Chinese after the client could push at most a
    few megabytes (what the sockets' buffers hold), and closes the connection; the rest is never sent."""
    proxy = Proxy(server)
    proxy.request("GET", "/admin/login/")
    token = proxy.csrf()
    preamble = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n{token}\r\n'
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="upload"; filename="大文件.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n%PDF-1.4\n"
    ).encode()
    ending = f"\r\n--{BOUNDARY}--\r\n".encode()
    file_size = 300 * MB
    length = len(preamble) + file_size + len(ending)
    head = [
        "POST /admin/login/ HTTP/1.1",
        *(f"{k}: {v}" for k, v in proxy.headers(
            {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
             "Content-Length": str(length),
             "Referer": f"https://127.0.0.1:{server}/admin/login/"}).items()),
        "", "",
    ]
    sock = socket.create_connection(("127.0.0.1", server), timeout=30)
    sent = {"bytes": 0, "at_answer": None, "error": None}
    answered = threading.Event()

    def send_body():
        chunk = b"\0" * MB
        try:
            sock.sendall("\r\n".join(head).encode("utf-8") + preamble)
            left = file_size
            while left > 0 and not answered.is_set():
                piece = chunk[: min(MB, left)]
                sock.sendall(piece)
                sent["bytes"] += len(piece)
                left -= len(piece)
            if left == 0:
                sock.sendall(ending)
        except OSError as error:  # the server closed the connection: what it was meant to do
            sent["error"] = error

    sender = threading.Thread(target=send_body)
    sender.start()
    received = b""
    try:
        while b"\r\n\r\n" not in received or len(received) < 200:
            data = sock.recv(65536)
            if not data:
                break
            if not received:
                sent["at_answer"] = sent["bytes"]
                answered.set()
            received += data
        while True:  # the rest of the page, until the server closes
            data = sock.recv(65536)
            if not data:
                break
            received += data
    except ConnectionResetError:
        pass
    finally:
        answered.set()
        sender.join(timeout=30)
        sock.close()
    status_line, _sep, rest = received.partition(b"\r\n")
    assert re.match(rb"HTTP/1\.[01] 413 ", status_line), received[:300]
    text = rest.decode("utf-8", "replace")
    assert "上传内容过大" in text and "20.0\xa0MB" in text
    # The answer came while the body was still streaming: at most the sockets' buffers were filled.
    assert sent["at_answer"] is not None and sent["at_answer"] < 32 * MB, sent
    assert sent["bytes"] < 64 * MB, sent

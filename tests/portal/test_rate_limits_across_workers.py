"""The public forms' rate limits hold across gunicorn workers and behind a trusted reverse proxy.

Real gunicorn with two worker processes serves the test database (the file or PostgreSQL database pytest
created, with its rate-limit cache table); the requests are real HTTP requests on fresh connections, so
the kernel hands them to both workers. The application form allows 10 POSTs per address per hour; the
limit is counted before the form is validated, so empty POSTs (400) count like real ones.
"""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.cache import caches
from django.db import connection

SUBMIT_LIMIT = 10  # the application form: 10 POSTs per address per hour
APPLY = "/apply/"
GUNICORN = Path(sys.executable).with_name("gunicorn")
START_SECONDS = 15


def database_url() -> str:
    """DATABASE_URL of the test database pytest set up, for the server processes."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        name = str(db["NAME"])
        if name == ":memory:" or name.startswith("file:"):
            pytest.skip("the SQLite test database lives in memory; gunicorn workers cannot share it")
        return f"sqlite:///{name}"
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{quote(db['NAME'], safe='')}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def request(port, method, path, headers=None, body=None):
    """One request on its own connection: (status, headers, body text)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.getheaders(), response.read().decode("utf-8", "replace")
    finally:
        conn.close()


@pytest.fixture(scope="module")
def server(django_db_setup, django_db_blocker, tmp_path_factory):
    """``gunicorn portal.wsgi --workers 2`` on the test database, behind one trusted proxy
    (TRUSTED_PROXY_COUNT=1; a request without X-Forwarded-For counts by REMOTE_ADDR).

    Returns the port and the access log, one line per request: the worker's pid, method, status."""
    if not GUNICORN.exists():
        pytest.skip(f"gunicorn is not installed next to {sys.executable}")
    with django_db_blocker.unblock():
        url = database_url()
    var_dir = tmp_path_factory.mktemp("gunicorn")
    port = free_port()
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in {"REDIS_URL", "DEBUG", "ALLOWED_HOSTS"} and not k.startswith(("S3_", "MEDIA_"))
    }
    environment.update(
        PORTAL_ENV="test",
        PORTAL_VAR_DIR=str(var_dir),
        SECRET_KEY="rate-limit-test-" + "x" * 40,
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="portal.settings",
        TRUSTED_PROXY_COUNT="1",
    )
    access_log, error_log = var_dir / "access.log", var_dir / "errors.log"
    with error_log.open("w") as errors:
        process = subprocess.Popen(
            [
                str(GUNICORN),
                "portal.wsgi",
                "--preload",
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{port}",
                "--access-logfile",
                str(access_log),
                "--access-logformat",
                "%(p)s %(m)s %(s)s",
            ],
            cwd=settings.BASE_DIR,
            env=environment,
            stdout=errors,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + START_SECONDS
        while True:
            if process.poll() is not None:
                pytest.skip(f"gunicorn did not start: {error_log.read_text()[-2000:]}")
            if time.monotonic() > deadline:
                pytest.skip(f"gunicorn did not answer within {START_SECONDS} s: {error_log.read_text()[-2000:]}")
            try:
                if request(port, "GET", "/healthz")[0] == 200:
                    break
            except OSError:
                pass  # not listening yet
            time.sleep(0.1)
        yield port, access_log
    finally:
        process.send_signal(signal.SIGINT)  # quick shutdown; SIGTERM waits for the workers to finish
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def gunicorn(server, transactional_db):
    """The server, with the shared rate-limit counts empty before and after the test.

    Transactional: no test transaction holds SQLite's write lock while the workers count."""
    caches["ratelimit"].clear()
    yield server
    caches["ratelimit"].clear()


def csrf_pair(port, headers=None):
    """A CSRF cookie from the form page: the headers and body a POST needs to pass the CSRF check."""
    status, response_headers, _ = request(port, "GET", APPLY, headers=headers)
    assert status == 200
    cookie = next(v for k, v in response_headers if k.lower() == "set-cookie" and v.startswith("csrftoken="))
    token = re.match(r"csrftoken=([^;]+)", cookie).group(1)
    post_headers = {
        "Cookie": f"csrftoken={token}",
        "Content-Type": "application/x-www-form-urlencoded",
        **(headers or {}),
    }
    return post_headers, f"csrfmiddlewaretoken={token}&homepage="


def post_apply(port, headers, body, forwarded_for=None):
    if forwarded_for is not None:
        headers = {**headers, "X-Forwarded-For": forwarded_for}
    return request(port, "POST", APPLY, headers=headers, body=body)[0]


def test_the_limit_holds_in_total_across_two_workers(gunicorn):
    """16 concurrent POSTs from one address (REMOTE_ADDR, no forwarding header), served by both workers:
    exactly 10 get through to the form (400 for the empty form), the other 6 are refused with 429 — the
    limit is not doubled, and no count is lost to a race."""
    port, access_log = gunicorn
    headers, body = csrf_pair(port)
    with ThreadPoolExecutor(max_workers=4) as pool:
        statuses = list(pool.map(lambda _i: post_apply(port, headers, body), range(16)))
    assert statuses.count(400) == SUBMIT_LIMIT
    assert statuses.count(429) == 16 - SUBMIT_LIMIT
    # Both worker processes answered some of the POSTs (pid in the access log, one line per request).
    time.sleep(0.2)
    pids = {line.split()[0] for line in access_log.read_text().splitlines() if " POST " in line}
    assert len(pids) == 2, access_log.read_text()


def test_behind_one_trusted_proxy_each_citizen_has_a_bucket(gunicorn):
    """TRUSTED_PROXY_COUNT=1: the address the proxy appended to X-Forwarded-For is the citizen's. Two
    citizens behind the same proxy get separate limits; an extra left-most address a client writes into the
    header itself does not give it a fresh bucket."""
    port, _log = gunicorn
    headers, body = csrf_pair(port, {"X-Forwarded-For": "203.0.113.5"})
    first = [post_apply(port, headers, body, "203.0.113.5") for _i in range(SUBMIT_LIMIT)]
    assert first == [400] * SUBMIT_LIMIT
    assert post_apply(port, headers, body, "203.0.113.5") == 429
    # The same citizen pretending to be someone else: the proxy appends the real address on the right.
    assert post_apply(port, headers, body, "198.51.100.77, 203.0.113.5") == 429
    assert post_apply(port, headers, body, "10.9.8.7,198.51.100.78, 203.0.113.5") == 429
    # Another citizen behind the same proxy (same REMOTE_ADDR) is not affected.
    assert post_apply(port, headers, body, "198.51.100.7") == 400
    assert post_apply(port, headers, body, "203.0.113.5, 198.51.100.7") == 400

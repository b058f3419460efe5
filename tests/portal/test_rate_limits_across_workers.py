"""The public forms' rate limits hold across gunicorn workers and behind a trusted reverse proxy.

Real gunicorn with two worker processes serves the test database (the file or PostgreSQL database pytest
created, with its rate-limit cache table); the requests are real HTTP requests on fresh connections, so
the kernel hands them to both workers. The application form allows 10 POSTs per address per hour; the
limit is counted before the form is validated, so empty POSTs (400) count like real ones.
"""

from __future__ import annotations

import http.client
import re
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.cache import caches

from tests.servers import database_url, free_port, server_environment
from tests.servers import gunicorn as run_gunicorn

# One test worker builds this module's server once (`make test` runs `--dist loadgroup`).
# One worker runs the whole group, and starts it early (tests/conftest.py: long ones first).
pytestmark = [pytest.mark.xdist_group("gunicorn_rate_limits"), pytest.mark.long]

SUBMIT_LIMIT = 10  # the application form: 10 POSTs per address per hour
APPLY = "/apply/"
START_SECONDS = 15


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
    with django_db_blocker.unblock():
        url = database_url()
    var_dir = tmp_path_factory.mktemp("gunicorn")
    environment = server_environment(
        drop={"REDIS_URL", "DEBUG", "ALLOWED_HOSTS"}, drop_prefixes=("S3_", "MEDIA_"),
        PORTAL_ENV="test", PORTAL_VAR_DIR=str(var_dir), SECRET_KEY="rate-limit-test-" + "x" * 40,
        DATABASE_URL=url, TRUSTED_PROXY_COUNT="1",
    )
    access_log = var_dir / "access.log"
    port = free_port()
    options = ("--access-logfile", str(access_log), "--access-logformat", "%(p)s %(m)s %(s)s")
    with run_gunicorn(environment, port=port, log=var_dir / "errors.log", options=options,
                      ready=lambda port: request(port, "GET", "/healthz")[0] == 200, start_seconds=START_SECONDS):
        yield port, access_log


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

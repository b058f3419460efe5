"""A public request's SQL is cut off after PUBLIC_STATEMENT_TIMEOUT_MS on PostgreSQL and answers a Chinese
503 (page, or the API's JSON), never a 500; staff requests on the same connection keep no limit."""

from __future__ import annotations

import json

import pytest
from django.core.signals import request_finished
from django.db import connection

from disclosure.search import insights
from tests.conftest import _public_timeout_ends_with_the_request
from tests.disclosure.publishing import COUNTY, Desk

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="statement_timeout is PostgreSQL's")


def _slow(*args, **kwargs):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_sleep(0.5)")
    return []


@pytest.fixture
def slow_search(monkeypatch, settings):
    """Every search page and API list spends half a second in the database; the limit is 100 ms."""
    settings.PUBLIC_STATEMENT_TIMEOUT_MS = 100
    monkeypatch.setattr(insights, "popular_terms", _slow)
    from disclosure.api import views

    monkeypatch.setattr(views, "filter_public_records", _slow)
    yield
    # The connection keeps the public limit until a request wants another; the test database's flush
    # after this test must not meet it.
    with connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = 0")
    connection._portal_statement_timeout_ms = 0


@pytest.mark.django_db(transaction=True)
def test_a_slow_public_page_is_a_chinese_503(client, standard_catalog, demo_orgs, slow_search):
    response = client.get("/search/", {"q": "征收"})
    assert response.status_code == 503 and response["Retry-After"]
    assert "系统繁忙" in response.content.decode()
    api = client.get("/api/v1/records")
    assert api.status_code == 503 and api["Content-Type"].startswith("application/json")
    assert json.loads(api.content)["error"]["code"] == "busy"


@pytest.mark.django_db(transaction=True)
def test_staff_requests_after_public_ones_have_no_limit(client, standard_catalog, demo_orgs, slow_search):
    """The same connection serves a public request (limit set) and then a staff one (limit lifted)."""
    assert client.get("/search/", {"q": "征收"}).status_code == 503
    desk = Desk(demo_orgs[COUNTY])
    client.force_login(desk.reviewer)
    assert client.get("/search/", {"q": "征收"}).status_code == 200  # a session: not a public read
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "0"
    client.logout()
    assert client.get("/search/", {"q": "征收"}).status_code == 503


@pytest.mark.django_db(transaction=True)
def test_a_public_page_read_through_a_server_side_cursor_gets_the_limit_too(client, standard_catalog, demo_orgs):
    """The application form's choices are read with ``.iterator()``, a server-side cursor on PostgreSQL
    (DECLARE … CURSOR FOR <query>): the limit is set on a cursor of its own, not prefixed to that one
    (which was a 500 on /apply/)."""
    # tests/conftest.py resets the limit when a request ends; here it is read after the request.
    request_finished.disconnect(dispatch_uid="tests.public_timeout_ends")
    try:
        response = client.get("/apply/")
    finally:
        request_finished.connect(_public_timeout_ends_with_the_request, dispatch_uid="tests.public_timeout_ends")
    assert response.status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] != "0"  # the public limit is on the connection
        cursor.execute("SET statement_timeout = 0")
    connection._portal_statement_timeout_ms = 0


def test_the_timeout_wrapper_takes_no_other_wrapper_with_it(rf, db):
    """A connection opened during a request gets its own execute wrappers from connection_created after the
    timeout's (the page cache's write and read watch, the catalog trees'). Django's ``execute_wrapper()``
    context pops the last wrapper, which took the page cache's off the replica's connection for good: the
    pages rendered from it then held on no token of what they read (the cluster drill served a withdrawn
    record's column page). The timeout's wrapper is taken off by identity, and only it."""
    from portal.timeouts import StatementTimeoutMiddleware

    def opened_during_the_request(execute, sql, params, many, context):
        return execute(sql, params, many, context)

    before = list(connection.execute_wrappers)

    def view(request):
        connection.execute_wrappers.append(opened_during_the_request)
        return "answered"

    assert StatementTimeoutMiddleware(view)(rf.get("/")) == "answered"
    assert connection.execute_wrappers == [*before, opened_during_the_request]
    connection.execute_wrappers.remove(opened_during_the_request)

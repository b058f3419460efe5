"""Bounded work per public request: a PostgreSQL statement timeout, and a Chinese 503 when it strikes.

An anonymous public read (``portal.dbrouter.is_public_read``: a GET or HEAD without a session, not
under /admin/) runs its SQL with ``statement_timeout = PUBLIC_STATEMENT_TIMEOUT_MS``; staff requests,
form posts and other processes (jobs, management commands) keep the server's default (none). A
statement that runs longer is cancelled by the server, and the request answers 503 with
``Retry-After`` — a page saying the system is busy, or the API's JSON error — never a 500. One
expensive request thus holds a worker thread and a database connection for at most that long.

The setting is made on the connection only when it must change (a new connection, or a staff
request after a public one on the same thread's connection), through the driver's own cursor: no
extra statement per request, and none that the query counts of the tests see. Inside a transaction
it is made with ``SET LOCAL``, which ends with the transaction and leaves the connection as it was.
SQLite has no statement timeout; there the middleware does nothing.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import OperationalError, connections
from django.db.backends.signals import connection_created
from django.dispatch import receiver
from django.shortcuts import render
from django.utils.translation import gettext as _

from portal.dbrouter import is_public_read
from portal.views import api_error, is_api

logger = logging.getLogger(__name__)

QUERY_CANCELED = "57014"
RETRY_AFTER_SECONDS = 10
_STATE = "_portal_statement_timeout_ms"


@receiver(connection_created)
def _fresh_connection(sender, connection, **kwargs):
    setattr(connection, _STATE, 0)  # a new session has the server's default: no timeout


def _wrapper(milliseconds: int):
    def execute(execute, sql, params, many, context):
        connection = context["connection"]
        if connection.vendor == "postgresql" and getattr(connection, _STATE, 0) != milliseconds:
            # A plain cursor of the driver's connection: not logged, not counted, and never the query's
            # own cursor, which may be a server-side one (``.iterator()``: DECLARE … CURSOR FOR <sql>).
            with connection.connection.cursor() as raw:
                if connection.in_atomic_block:
                    raw.execute(f"SET LOCAL statement_timeout = {int(milliseconds)}")
                else:
                    raw.execute(f"SET statement_timeout = {int(milliseconds)}")
                    setattr(connection, _STATE, milliseconds)
        return execute(sql, params, many, context)

    return execute


def is_statement_timeout(error: BaseException) -> bool:
    cause = error.__cause__ or error
    return isinstance(error, OperationalError) and getattr(cause, "sqlstate", None) == QUERY_CANCELED


def busy_response(request, message: str = "", api_message: str = ""):
    """503 with ``Retry-After``: the Chinese 503 page saying ``message``, or the API's JSON error.

    By default the message of a statement that took too long; the search bulkhead (portal/bulkhead.py)
    passes its own."""
    message = message or _("系统繁忙，本次查询用时过长已被中止，请稍后再试，或缩小检索范围。")
    if is_api(request):
        response = api_error(503, "busy", api_message or message)
    else:
        response = render(request, "503.html", {"message": message}, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class StatementTimeoutMiddleware:
    """Applies the public statement timeout to this request's database work (see the module's docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.PUBLIC_STATEMENT_TIMEOUT_MS if is_public_read(request) else 0
        wrapper = _wrapper(limit)
        wrapped = [connections[alias] for alias in settings.DATABASES if connections[alias].vendor == "postgresql"]
        for connection in wrapped:
            connection.execute_wrappers.append(wrapper)
        try:
            return self.get_response(request)
        finally:
            # Taken off by identity. Django's ``execute_wrapper()`` context pops the *last* wrapper, and a
            # connection opened during this request (the replica's, a thread's first) got its own wrappers
            # after this one from connection_created: the page cache's write and read watch and the catalog
            # trees'. Popping would have removed one of them for the connection's whole life and left this
            # request's timeout on it.
            for connection in wrapped:
                if wrapper in connection.execute_wrappers:
                    connection.execute_wrappers.remove(wrapper)

    def process_exception(self, request, exception):
        if is_statement_timeout(exception):
            logger.warning("statement timeout (%s ms) on %s", settings.PUBLIC_STATEMENT_TIMEOUT_MS, request.path)
            return busy_response(request)
        return None

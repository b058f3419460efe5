"""Read routing to a PostgreSQL streaming replica (DATABASE_REPLICA_URL).

Which reads go to the replica: those of an anonymous public GET or HEAD, until the request writes
anything. Everything else reads the primary: staff (any request carrying a session), every POST and
what follows it for ``PIN_SECONDS`` in the same browser (a citizen who just submitted a form reads their
own write: the response sets a short cookie), every read after a write in the same request, and any
read at all while the replica is down or lags behind by more than ``DATABASE_REPLICA_MAX_LAG`` seconds
(checked at most every ``CHECK_SECONDS`` per process, with a 2-second connect timeout).

Never older than the last write, on any host: each committed public write sets a new token of the last
write in the page cache (portal/pagecache.py ``WRITTEN_KEY``), which carries the primary's WAL position
(``primary_position``). A public read uses the replica only if the replica has replayed up to the position
of the token current when the request began (one small query on the replica per request that reads);
otherwise that request reads the primary. So a withdrawal or a publication is seen at once on every host,
and no page rendered from an older replica state is stored under the new generation. A replica that stops answering in the middle of
this check is marked down for ``CHECK_SECONDS`` and the request reads the primary.
"""

from __future__ import annotations

import logging
import time
from contextvars import ContextVar

from django.conf import settings
from django.db import DatabaseError, connections

logger = logging.getLogger(__name__)

REPLICA = "replica"
PIN_COOKIE = "primary_pin"
PIN_SECONDS = 15
CHECK_SECONDS = 5

_public_read: ContextVar[bool] = ContextVar("public_read", default=False)
_wrote: ContextVar[bool] = ContextVar("wrote", default=False)
# The WAL position the replica must have replayed for this request ("" none; UNKNOWN: read the primary),
# and whether it has (None: not asked yet).
_position: ContextVar[str] = ContextVar("position", default="")
_caught_up: ContextVar[bool | None] = ContextVar("caught_up", default=None)
UNKNOWN = "?"
_health: dict[str, float | bool] = {"checked": 0.0, "ok": False}

# Paths whose GETs are never public reads (staff screens, sign-in).
STAFF_PREFIXES = ("/admin/", "/accounts/", "/oidc/")


def replica_ok(*, now: float | None = None) -> bool:
    """Whether the replica answers and is close enough behind the primary (cached CHECK_SECONDS)."""
    now = time.monotonic() if now is None else now
    if now - float(_health["checked"]) < CHECK_SECONDS:
        return bool(_health["ok"])
    _health["checked"] = now
    try:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute(
                "SELECT CASE WHEN NOT pg_is_in_recovery() THEN 0"
                " WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0"
                " ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0) END"
            )
            lag = float(cursor.fetchone()[0])
        _health["ok"] = lag <= settings.DATABASE_REPLICA_MAX_LAG
        if not _health["ok"]:
            logger.warning("replica lags %.1f s behind the primary: reading the primary", lag)
    except DatabaseError:
        logger.warning("replica unreachable: reading the primary", exc_info=True)
        connections[REPLICA].close()
        _health["ok"] = False
    return bool(_health["ok"])


def mark_down() -> None:
    """The replica failed a query: read the primary for the next CHECK_SECONDS."""
    connections[REPLICA].close()
    _health["ok"] = False
    _health["checked"] = time.monotonic()


def primary_position() -> str:
    """The primary's current WAL position, for a new page-cache generation; "" without a replica,
    UNKNOWN when it cannot be read (the readers of that generation then read the primary)."""
    if REPLICA not in settings.DATABASES:
        return ""
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_lsn()::text")
            return str(cursor.fetchone()[0])
    except DatabaseError:
        logger.warning("cannot read the primary's WAL position: readers of this generation read the primary")
        return UNKNOWN


def replica_caught_up(position: str) -> bool:
    """Whether the replica has replayed the WAL up to ``position`` (a pg_lsn text)."""
    if not position:
        return True
    if position == UNKNOWN:
        return False
    try:
        with connections[REPLICA].cursor() as cursor:
            # NULL outside recovery: a replica URL that names a primary is never behind.
            cursor.execute(
                "SELECT pg_last_wal_replay_lsn() IS NULL OR pg_last_wal_replay_lsn() >= %s::pg_lsn", [position]
            )
            return bool(cursor.fetchone()[0])
    except DatabaseError:
        logger.warning("replica unreachable: reading the primary", exc_info=True)
        mark_down()
        return False


def last_write_position(request) -> str:
    """The WAL position of the last public write (see pagecache.bump): the page cache's render read it
    before this middleware ran; otherwise one read of the cache."""
    from portal import pagecache

    token = getattr(request, "pagecache_written", None)
    if token is None:
        try:
            token = pagecache.page_cache().get(pagecache.WRITTEN_KEY)
        except Exception:  # noqa: BLE001 - no cache: nothing known about the last write
            logger.warning("page cache unreachable: public reads go to the primary", exc_info=True)
            return UNKNOWN
        if token is None:  # never written, or dropped by the cache: the primary's position now
            return primary_position()
    return pagecache.token_position(token)


def is_public_read(request) -> bool:
    if request.method not in ("GET", "HEAD"):
        return False
    if request.path.startswith(STAFF_PREFIXES):
        return False
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME not in cookies and PIN_COOKIE not in cookies


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if _public_read.get() and not _wrote.get() and replica_ok():
            caught_up = _caught_up.get()
            if caught_up is None:
                caught_up = replica_caught_up(_position.get())
                _caught_up.set(caught_up)
            if caught_up:
                return REPLICA
        return "default"

    def db_for_write(self, model, **hints):
        _wrote.set(True)
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # one database, two copies of it

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"


class ReadRoutingMiddleware:
    """Marks anonymous public reads for the router; pins a browser to the primary after a POST."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        public_read = is_public_read(request)
        # Before the request counts as a public read: the database page cache is read on the primary.
        known = public_read and REPLICA in settings.DATABASES
        position = _position.set(last_write_position(request) if known else "")
        public = _public_read.set(public_read)
        wrote = _wrote.set(False)
        caught_up = _caught_up.set(None)
        try:
            response = self.get_response(request)
        finally:
            _public_read.reset(public)
            _wrote.reset(wrote)
            _position.reset(position)
            _caught_up.reset(caught_up)
        if REPLICA in settings.DATABASES and request.method not in ("GET", "HEAD", "OPTIONS"):
            response.set_cookie(
                PIN_COOKIE, "1", max_age=PIN_SECONDS, httponly=True, samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response

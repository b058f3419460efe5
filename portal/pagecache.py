"""The public page cache: anonymous GETs of public pages from a cache every worker and host shares.

Never stale, by construction rather than by bookkeeping:

* **One content generation.** Every cached page is stored with the generation it was rendered under, and
  served only while that generation is still the current one. The generation is a random token in the
  shared ``pages`` cache (Redis with ``REDIS_URL``, else the database table ``portal_pages``).
* **Every write changes it.** A database execute wrapper, installed on every connection, notices each
  INSERT, UPDATE, DELETE (or any other writing statement) on any table except a short list that no public
  page reads (sessions, sign-in lockouts, second-factor devices, the activity log, the cache tables
  themselves). When the transaction commits, the generation gets a new token. This catches what model
  signals would miss: ``move()``'s compare-and-set ``update()``, ``bulk_create``, queryset deletes, raw SQL,
  and writes made by other processes (``publish_scheduled``, ``loaddata``, the admin). A rolled-back
  transaction changes nothing and bumps nothing.
* **Tracked tables end only their readers.** A write to a table of ``TRACKED_TABLES`` (citizens'
  messages, comments and applications; staff sign-ins and workflow) does not start a new generation: it
  gives that table a new token (``TABLE_KEY``). A render records the tracked tables named in the SQL it
  runs, and its entry keeps their tokens as they were read before the render; the entry holds while the
  generation and those tokens do. So a citizen's message ends the 互动交流 page that lists the messages,
  not every page of the province. A table goes in that list only if no public page can show its data
  without a query naming it. Every write also sets ``WRITTEN_KEY``, the last write's WAL position the read
  router waits for.
* **A clerk's drafts end nothing; a publication ends the pages of its organisation.** A write to the
  records' own tables (``GUARDED_TABLES``: records and their attachments) counts only if it touched a row
  the public may see, before or after the write: a record whose status is not draft, submitted,
  changes_requested or approved, or an attachment of one. Database triggers (migrations disclosure 0012
  and 0013) write, for such rows, whatever code wrote them, one row per organisation concerned into
  ``CHANGES_TABLE``, with ids drawn from a marker. The marker is read before the transaction's first
  write to these tables; after the commit, the ``Guard`` reads the rows past it (this transaction's and
  any other's committed meanwhile), gives a new token to each organisation named and to the records as a
  whole (``RECORDS_SCOPE``), then deletes the rows. An organisation unknown, rows or marker unreadable,
  or a write outside a transaction: the generation starts anew.
* **Which pages hold on which token.** A render that reads the records' tables depends on the token of
  one organisation when every statement it ran against them was restricted to that organisation's rows
  in its own WHERE clause (portal/readscope.py reads the SQL; the organisation's token is read before
  the first such statement, as the other tokens are read before the render). Any other read of them
  (across organisations, through the organisation's code, of attachments or of the search index) makes
  the page depend on ``RECORDS_SCOPE``, which every public change moves. So when the county publishes,
  the township's pages, columns and feeds stay cached; the county's pages, the home page, search, the
  API, feeds of the province and every record page (which shows links through other organisations'
  records) end; the catalog, guide, consultation and interaction pages, which read no record, stay. The
  search index and the counts of public records per column (``INDEX_TABLES``: copies of public records
  written at each publication, revision and withdrawal, and counts written by triggers on the records,
  migration disclosure 0014) belong to the same scope: a read of them depends on ``RECORDS_SCOPE``, and a
  write of them moves it. The rule for tracked tables holds for all these tables: no page shows their
  data without naming them (no copy is kept in a process, and every trigger that writes something of a
  record into another table writes into one of them; every other table holding something of a record,
  such as the policy changes, ends every page when written, as before).
* **Race-free.** A request reads the generation *before* it renders, and stores its page under that
  generation. A change that commits while the page renders bumps the generation after its commit, so the
  page (which may show the old state) is stored under a generation that is already dead.
* **Time.** Some pages change with the clock alone: a record whose publication time lies in the future
  appears when it is reached, a consultation opens and closes, a response to a public concern is dated
  ahead, and dates such as "today" or days remaining change at midnight. No cached page outlives the
  earliest of these moments after it was rendered (nor ``PAGE_CACHE_SECONDS``), computed once per
  generation and records' token (``time_boundary``). A scheduled record
  (状态“定时发布”) is not public until ``publish_scheduled`` publishes it; that move is a write, so it bumps.

What is cached: a 200 answer to a GET (HEAD is answered from the same entry, without body) with no
cookie of its own, not under /admin/ and not a file download (streaming), for a request that carries no
cookie but the CSRF cookie and the large-text display cookie (which is part of the key), and no
Authorization header. Without a session or messages cookie the session is empty and the visitor
anonymous, so the ``Vary: Cookie`` that reading them adds changes nothing; a page that uses a CSRF token
sets the CSRF cookie and is never stored. Everything else passes through untouched.

Validators: a strong ``ETag`` (hash of the body) on every such GET answer, cached or not, and a
``Last-Modified`` (when this body was rendered). A 304 is answered only when the client's
``If-None-Match`` names the current body's hash, i.e. only when nothing changed. ``If-Modified-Since`` on
its own is never answered with 304: two different bodies can be rendered within the same second, which a
date cannot tell apart, and browsers send ``If-None-Match`` whenever they hold an ETag.

The hit path. The middleware is the first of all, so a hit runs no other middleware, no session, CSRF,
URL resolution or view. A stored page keeps every header the middlewares inside it wrote on the render
(Content-Security-Policy, Permissions-Policy, HSTS, X-Frame-Options, Referrer-Policy...), so a hit sends
exactly the headers of a render; the settings behind those headers are hashed into every key
(``header_fingerprint``), so a deployment that changes one renders afresh. A 304 carries the same headers
but the body's. Each process also keeps copies of the pages it served (``LocalTier``, least recently used
dropped first beyond ``PAGE_CACHE_LOCAL_MB``), holding one generation at a time. A hit is then ONE small
read of the shared generation — a Redis GET, or one SELECT by primary key of the cache table on a
connection the process keeps for it (``DatabaseReader``) — and the copy is served only if its generation
is the one just read, for this very request; the generation itself is never remembered between
requests. Without a copy, the same single read fetches the generation and the shared entry together.
The headers are checked and encoded once per entry, not per hit. If the cache cannot be reached, the
page is rendered as if there were no cache.

Misses of the same page at once: within a process the first renders and the others wait for its entry
(portal/singleflight.py), so a burst of identical requests for an uncached search costs one search per
process, not one per request.
"""

from __future__ import annotations

import atexit
import base64
import hashlib
import logging
import math
import os
import pickle
import re
import secrets
import threading
import time
from collections import OrderedDict
from contextvars import ContextVar
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.core.signals import request_finished, setting_changed
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.backends.signals import connection_created
from django.db.utils import load_backend
from django.dispatch import receiver
from django.http import HttpResponse, HttpResponseNotModified
from django.http.response import ResponseHeaders
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.http import http_date

from catalog.statements import WRITES_NOTHING, written_table
from portal.readscope import organisations_read
from portal.singleflight import Flights

logger = logging.getLogger(__name__)

FLIGHTS = Flights()
# How long a miss waits for the same page's render in another thread before rendering it itself: longer
# than a public statement may run (PUBLIC_STATEMENT_TIMEOUT_MS), shorter than gunicorn's worker timeout.
FLIGHT_WAIT_SECONDS = 15
# Keys whose 200 answer was not storable (a page that sets the CSRF cookie): their misses skip the flight,
# since followers would only wait for the leader's render and then render for themselves. A 503 or 404 is
# not remembered (the next answer may be storable). Bounded: emptied when full.
NEVER_STORED: set[str] = set()
NEVER_STORED_MAX = 1000

CACHE_ALIAS = "pages"
GENERATION_KEY = "pagecache:generation"
BOUNDARY_KEY = "pagecache:boundary:%s"
# The entry format (Entry.shared) is part of the key: processes of an earlier release, during a rolling
# deployment, neither read nor overwrite these entries. The generation key never changes. Format 4: an
# entry that shows records holds on the records' token or its organisation's (a publication no longer
# starts a generation), so no entry of format 3, which held on the generation alone, may be served.
PAGE_KEY = "pagecache:page4:%s"
ENTRY_FORMAT = 4
# A token per tracked table (TRACKED_TABLES), and one moved by every public write whatever it wrote: the
# position the read router waits for (portal/dbrouter.py).
TABLE_KEY = "pagecache:table:%s"
WRITTEN_KEY = "pagecache:written"

# Cookies that do not change a public page: the CSRF cookie (a page that uses the token says Vary: Cookie
# and is never stored) and the large-text display mode (part of the key).
HARMLESS_COOKIES = {"csrftoken"}
# The display modes (portal/display.py) change the page: each is part of the key.
KEY_COOKIES = ("large_text", "display_contrast", "display_spacing", "display_targets")
ALLOWED_COOKIES = HARMLESS_COOKIES.union(KEY_COOKIES)
EXCLUDED_PREFIXES = ("/admin/", "/static/", "/healthz", "/display/")
MAX_BODY_BYTES = 8 * 1024 * 1024
# Headers that describe a body: a 304 carries every other header of the page.
BODY_HEADERS = frozenset({"content-type", "content-length"})
# Settings that shape the headers middlewares write around the view: part of every key (header_fingerprint).
HEADER_SETTINGS = (
    "MIDDLEWARE",
    "ALLOWED_HOSTS",
    "USE_X_FORWARDED_HOST",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_SSL_REDIRECT",
    "SECURE_SSL_HOST",
    "SECURE_REDIRECT_EXEMPT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "SECURE_CROSS_ORIGIN_OPENER_POLICY",
    "CONTENT_SECURITY_POLICY",
    "CONTENT_SECURITY_POLICY_REPORT_ONLY",
    "PERMISSIONS_POLICY",
    "X_FRAME_OPTIONS",
    "LANGUAGE_CODE",
)

# Tables no public page reads; writes to them leave the generation alone. Anything else bumps it.
QUIET_TABLES = frozenset(
    {
        "django_session",
        "django_admin_log",
        "axes_accessattempt",
        "axes_accessattemptexpiration",
        "axes_accesslog",
        "axes_accessfailurelog",
        "otp_totp_totpdevice",
        "otp_static_staticdevice",
        "otp_static_statictoken",
        "disclosure_activityentry",
        "disclosure_deadlinenotice",
        "portal_pages",
        "portal_ratelimit",
        # Written by staff screens, the job runner and a search's anonymous count: no public page shows
        # them (the popular words on the search page are themselves cached for ten minutes).
        "disclosure_jobslot",
        "disclosure_recordeditlock",
        "disclosure_searchtermcount",
        "disclosure_subscription",
        # The page cache's own record of public rows changed (migration disclosure 0013), deleted by it.
        "disclosure_publicrowchange",
    }
)


# Tables few public pages read, written often: by citizens (applications, comments, objections, messages)
# and by the staff's workflow and sign-in (reviews, versions, the audit trail, last_login). A committed write
# to one of them ends only the pages whose render read it (found in the SQL they ran), not every page.
# A table belongs here only if no public page can show its data without a query naming it: nothing caches
# it in a process or elsewhere, and no trigger or denormalised column carries it into another table.
TRACKED_TABLES = frozenset(
    {
        "auth_user",
        "auth_group",
        "auth_user_groups",
        "auth_group_permissions",
        "auth_user_user_permissions",
        "disclosure_staffprofile",
        "disclosure_application",
        "disclosure_applicationpause",
        "disclosure_disclosurecase",
        "disclosure_feedback",
        "disclosure_consultationcomment",
        "disclosure_noticeobjection",
        "disclosure_review",
        "disclosure_reviewchain",
        "disclosure_reviewstep",
        "disclosure_reviewplan",
        "disclosure_reviewstepentry",
        "disclosure_auditentry",
        "disclosure_recordversion",
        "disclosure_indexsequence",
        "disclosure_privacyscan",
        "disclosure_privacyfinding",
        "disclosure_consultationprivacyscan",
        "disclosure_consultationprivacyfinding",
        "disclosure_sitecheckfinding",
    }
)


# ------------------------------------------------------------------------------------------ generation


def page_cache():
    return caches[CACHE_ALIAS]


def new_token() -> str:
    return f"{time.time_ns():x}-{secrets.token_hex(6)}"


def bump_generation() -> None:
    """Start a new content generation: every page cached so far is dead from now on."""
    bump([None])


def bump(scopes) -> bool:
    """New tokens for ``scopes`` (None: the generation, which ends every page; a tracked table's name: the
    pages that read it), and for the last public write. Whether they were written.

    With a read replica, the tokens carry the primary's WAL position after the write (``@<lsn>``): the
    router reads the replica only once it has replayed that far (portal/dbrouter.py)."""
    token = written_token()
    values = {WRITTEN_KEY: token}
    for scope in scopes:
        values[GENERATION_KEY if scope is None else TABLE_KEY % scope] = token
    try:
        page_cache().set_many(values, timeout=None)
    except DatabaseError:
        # No cache table (yet: migrate runs before createcachetable): no page can be served from it either.
        logger.debug("页面缓存：无法更新内容版本号。", exc_info=True)
        return False
    except Exception:
        logger.exception("页面缓存：无法更新内容版本号。")
        return False
    return True


def written_token() -> str:
    """A new token carrying the primary's WAL position now: for a write just committed, and for a key found
    missing (never set, or dropped by the cache), whose position is then at least that of any write before."""
    from portal.dbrouter import primary_position

    position = primary_position()
    return new_token() + ("@" + position if position else "")


# The records' tables, written mostly by clerks on rows no citizen sees (drafts, reviews in progress). A
# committed write to them ends the pages that read them only if it touched a row the public may see
# (``Guard``). They share one token, ``RECORDS_SCOPE``: a page that names either table in its SQL
# depends on it, as on a tracked table's.
GUARDED_TABLES = frozenset({"disclosure_record", "disclosure_attachment"})
GUARDED = "guarded"  # bump_scope: decided after the commit, by the public-row marker
RECORDS_SCOPE = "disclosure_record"
RECORDS_KEY = TABLE_KEY % RECORDS_SCOPE
# The search index: copies of public records only, written when one is published, revised or withdrawn
# (SQLite's full-text table by triggers on the index); and the counts of public records per organisation and
# column, written by triggers on the records (disclosure 0014), read by the reports and the open-data API's
# completeness. A write to them gives the records' token a new value; a read of them depends on that token.
INDEX_TABLES = frozenset({"disclosure_searchdocument", "disclosure_searchfts", "disclosure_publiccolumncount"})
# What the triggers of migrations disclosure 0012 and 0013 write: a row per organisation whose public rows
# a statement touched, its id drawn from the marker (PostgreSQL: a sequence; SQLite: the AUTOINCREMENT).
MARKER_SEQUENCE = "disclosure_public_row_changes"
CHANGES_TABLE = "disclosure_publicrowchange"

# The scopes a render may depend on (besides the generation), and the scope each table read belongs to.
READ_SCOPES = TRACKED_TABLES | {RECORDS_SCOPE}
SCOPE_OF_TABLE = {
    **{table: table for table in TRACKED_TABLES},
    **dict.fromkeys(GUARDED_TABLES | INDEX_TABLES, RECORDS_SCOPE),
}

TRACKED_KEYS = [WRITTEN_KEY, *(TABLE_KEY % scope for scope in sorted(READ_SCOPES))]


def table_tokens() -> dict:
    """The tokens of every tracked table, of the records and of the last public write, in one read."""
    return read_tokens(TRACKED_KEYS)


def read_tokens(keys: list[str]) -> dict:
    """The tokens at ``keys``, in one read; keys found missing (never set, or dropped by the cache) are set
    first, so that an entry never holds on a token that is merely absent."""
    reader = shared_reader()
    values = reader.read(keys)
    missing = [key for key in keys if key not in values]
    if missing:
        token = written_token()
        cache = page_cache()
        if hasattr(cache, "add_many"):  # PageDatabaseCache: one statement
            cache.add_many(dict.fromkeys(missing, token), timeout=None)
        else:
            for key in missing:
                cache.add(key, token, timeout=None)
        values = reader.read(keys)
        if any(key not in values for key in keys):
            raise RuntimeError("页面缓存：无法读取数据表版本号。")
    return values


def token_position(token) -> str:
    """The WAL position a token carries ("" if none)."""
    return token.partition("@")[2] if isinstance(token, str) else ""


NOTHING = False  # bump_scope: a statement that changes no public page


def bump_scope(sql: str):
    """What a statement's commit must bump: NOTHING, None (the generation: every page), the name of a
    tracked table (the pages that read it), RECORDS_SCOPE (the search index: the pages that read records)
    or GUARDED (the pages that read records, if a public row was touched).
    Conservative: a write it cannot place ends every page."""
    table = written_table(sql)
    if table is None:  # WITH ... (a CTE may write), CREATE, DROP, ALTER, TRUNCATE, COPY...: assume it may.
        return None
    if table == WRITES_NOTHING or table in QUIET_TABLES:
        return NOTHING
    if table in GUARDED_TABLES:
        return GUARDED
    if table in INDEX_TABLES:
        return RECORDS_SCOPE
    return table if table in TRACKED_TABLES else None


class Bump:
    """The commit callback of a transaction's writes to one scope (see ``bump``)."""

    __slots__ = ("scope",)

    def __init__(self, scope):
        self.scope = scope

    def __call__(self):
        bump([self.scope])


def public_row_marker(connection):
    """The public-row marker now (migrations disclosure 0012 and 0013: the last id drawn for a row of
    ``CHANGES_TABLE``), or None if it cannot be read (the migrations not applied yet): a value to compare,
    nothing more. Never raises: inside a transaction a failed statement would abort it on PostgreSQL, so
    the sequence is looked up in a view, not named."""
    try:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT coalesce(last_value, 0) FROM pg_sequences"
                    " WHERE sequencename = %s AND schemaname = ANY (current_schemas(false))",
                    [MARKER_SEQUENCE],
                )
            elif connection.vendor == "sqlite":
                # One statement: whether the table exists, and the last id its AUTOINCREMENT handed out.
                cursor.execute(
                    "SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = %s), 0)"
                    " FROM sqlite_master WHERE type = 'table' AND name = %s",
                    [CHANGES_TABLE, CHANGES_TABLE],
                )
            else:
                return None
            row = cursor.fetchone()
    except DatabaseError:
        logger.warning("页面缓存：无法读取公开信息变更标记。", exc_info=True)
        return None
    return None if row is None else row[0]


def public_row_changes(connection, after) -> list | None:
    """The rows of ``CHANGES_TABLE`` past the marker value ``after``: [(id, organisation id or None)], or
    None if they cannot be read."""
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT id, organisation_id FROM {CHANGES_TABLE} WHERE id > %s", [after])
            return cursor.fetchall()
    except DatabaseError:
        logger.warning("页面缓存：无法读取公开信息变更记录。", exc_info=True)
        return None


def forget_public_row_changes(connection, ids) -> None:
    """Delete change rows whose pages have been ended. Never raises: a row left behind costs one more
    ending of its organisation's pages, by a later transaction that reads it."""
    try:
        with connection.cursor() as cursor:
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                cursor.execute(
                    f"DELETE FROM {CHANGES_TABLE} WHERE id IN ({', '.join(['%s'] * len(chunk))})", chunk
                )
    except DatabaseError:
        logger.warning("页面缓存：无法删除已处理的公开信息变更记录。", exc_info=True)


def organisation_scope(organisation_id: int) -> str:
    """The scope of one organisation's records (its key: ``TABLE_KEY % scope``)."""
    return f"{RECORDS_SCOPE}:{organisation_id}"


class Guard:
    """The commit callback of a transaction's writes to GUARDED_TABLES: the marker as it was before the
    first of them.

    After the commit it reads the change rows past that marker: this transaction's own, and any other's
    committed meanwhile. None: nothing public was touched (or another transaction read this one's rows
    and has already ended their pages: it deletes a row only after ending them). Otherwise the pages of
    the organisations named end, with every page that read records without being bound to one
    organisation (``RECORDS_SCOPE``); then the rows are deleted. An unknown organisation, an unreadable
    marker or unreadable rows end every page."""

    __slots__ = ("connection", "before")

    def __init__(self, connection, before):
        self.connection, self.before = connection, before

    def __call__(self):
        rows = None if self.before is None else public_row_changes(self.connection, self.before)
        if rows is None:
            bump([None])
            return
        if not rows:
            return
        organisations = {organisation for _id, organisation in rows}
        if None in organisations:
            ended = bump([None])
        else:
            ended = bump([RECORDS_SCOPE, *(organisation_scope(o) for o in sorted(organisations))])
        if ended:
            forget_public_row_changes(self.connection, [row_id for row_id, _organisation in rows])


def _guard_write(connection) -> None:
    """Before a statement writing GUARDED_TABLES: in a transaction, read the marker once (unless a Guard
    already registered covers this write); outside one, end every page."""
    if not connection.in_atomic_block:
        _on_commit_bump(connection, None)
    elif not _registered(connection, lambda func: isinstance(func, Guard)):
        connection.on_commit(Guard(connection, public_row_marker(connection)))


def _registered(connection, matches) -> bool:
    """Whether a commit callback for which ``matches`` holds is already registered in this transaction and
    covers a write made now: it is discarded by no savepoint rollback that would keep this write."""
    current = set(connection.savepoint_ids)
    return any(matches(func) and sids <= current for sids, func, _robust in connection.run_on_commit)


def _on_commit_bump(connection, scope) -> None:
    if connection.in_atomic_block:
        # One bump per transaction and scope, however many statements write to it.
        if not _registered(connection, lambda func: isinstance(func, Bump) and func.scope == scope):
            connection.on_commit(Bump(scope))
        return
    # Autocommit (or manual transactions): the write is committed, but its statement may still hold results
    # (INSERT … RETURNING) that writing the cache now, on this connection, would discard. Bump before the
    # connection's next statement, or when the request ends (flush_pending_bumps), whichever comes first.
    # Manual transaction management (set_autocommit(False); nothing in this project uses it) is bumped the
    # same way, which with Redis may show old content until the next write or the entry's end.
    pending = getattr(connection, "pagecache_pending", None) or set()
    pending.add(scope)
    connection.pagecache_pending = pending


def flush_pending_bumps(connection=None, **kwargs) -> None:
    """Carry out the bumps deferred by autocommitted writes (see _on_commit_bump), on one or every
    connection of this thread."""
    for conn in [connection] if connection is not None else connections.all(initialized_only=True):
        pending = getattr(conn, "pagecache_pending", None)
        if pending:
            conn.pagecache_pending = None
            bump(pending)


class Reads:
    """What a render has read so far: the scopes (READ_SCOPES) its SQL named, and, while every read of the
    records was bound to some organisations (portal/readscope.py), those organisations with their tokens,
    each read before the first statement that read its records."""

    __slots__ = ("scopes", "organisations")

    def __init__(self):
        self.scopes: set[str] = set()
        self.organisations: dict[int, object] = {}

    def note(self, names, sql: str, params, many: bool, vendor: str) -> None:
        if RECORDS_SCOPE in names and RECORDS_SCOPE not in self.scopes:
            bound = None if many else organisations_read(sql, params, vendor)
            if bound is None or not self.bind(bound):
                self.scopes.add(RECORDS_SCOPE)
                self.organisations.clear()
            names = names - {RECORDS_SCOPE}
        self.scopes.update(names)

    def bind(self, organisations) -> bool:
        """Hold on these organisations' tokens: those not read yet are read now (keys found missing are set first); False
        if they cannot be read."""
        missing = [organisation for organisation in organisations if organisation not in self.organisations]
        if not missing:
            return True
        keys = [TABLE_KEY % organisation_scope(organisation) for organisation in missing]
        try:
            values = read_tokens(keys)
        except Exception:  # noqa: BLE001 - the page then depends on every organisation's records
            logger.warning("页面缓存：无法读取单位的信息版本号。", exc_info=True)
            return False
        for organisation, key in zip(missing, keys, strict=True):
            self.organisations[organisation] = values[key]
        return True

    def deps(self, tokens: dict) -> list:
        """(key, token) pairs the entry holds while: the scopes' tokens read before the render, and the
        organisations' (none if the render read the records of every organisation)."""
        deps = [(TABLE_KEY % scope, tokens[TABLE_KEY % scope]) for scope in sorted(self.scopes)]
        if RECORDS_SCOPE not in self.scopes:
            deps += [
                (TABLE_KEY % organisation_scope(organisation), token)
                for organisation, token in sorted(self.organisations.items())
            ]
        return deps


# What the render in progress has read (None: no render is being recorded).
_reading: ContextVar[Reads | None] = ContextVar("pagecache_reading", default=None)
_TRACKED_NAME = re.compile(
    r"(?<![\w$])(%s)(?![\w$])" % "|".join(sorted(SCOPE_OF_TABLE, key=len, reverse=True)), re.IGNORECASE
)
_named: dict[str, frozenset] = {}
NAMED_MAX = 4096


def tracked_tables_named(sql: str) -> frozenset:
    """The scopes of the tables a statement names (as a whole word, quoted or not, in any case): the
    tracked tables, and ``RECORDS_SCOPE`` for the records' tables. Every table it may read. Remembered per
    statement text, within NAMED_MAX texts."""
    found = _named.get(sql)
    if found is None:
        found = frozenset(SCOPE_OF_TABLE[name.lower()] for name in _TRACKED_NAME.findall(sql))
        if len(_named) >= NAMED_MAX:
            _named.clear()
        _named[sql] = found
    return found


def _execute_wrapper(connection):
    def wrapper(execute, sql, params, many, context):
        if getattr(connection, "pagecache_pending", None) and not connection.in_atomic_block:
            flush_pending_bumps(connection)  # the previous statement is done with
        reading = _reading.get()
        if reading is not None and isinstance(sql, str):
            names = tracked_tables_named(sql)
            if names:
                reading.note(names, sql, params, many, connection.vendor)
        scope = bump_scope(sql) if isinstance(sql, str) else NOTHING
        if scope == GUARDED:
            _guard_write(connection)  # the marker is read before the statement's triggers can move it
        result = execute(sql, params, many, context)
        if scope is not NOTHING and scope != GUARDED and not _changed_no_row(sql, many, context):
            _on_commit_bump(connection, scope)
        return result

    wrapper.pagecache = True
    return wrapper


def _changed_no_row(sql: str, many: bool, context) -> bool:
    """Whether a single UPDATE or DELETE with a WHERE clause changed no row (its cursor's rowcount is 0):
    it wrote nothing, and no row-level trigger fired. Deleting a draft issues a dozen such statements on
    tables no draft has rows in (related records, interpretations, the search index...); a compare-and-set
    move that lost its race is another. Anything else (an INSERT, executemany, a count the driver does not
    know, -1) is taken as a write."""
    if many or not _UPDATE_OR_DELETE.match(sql) or not _WHERE.search(sql):
        return False
    try:
        return context["cursor"].rowcount == 0
    except Exception:  # noqa: BLE001 - a driver without a rowcount: a write, as before
        return False


_UPDATE_OR_DELETE = re.compile(r"\s*(UPDATE|DELETE)\b", re.IGNORECASE)
_WHERE = re.compile(r"\bWHERE\b", re.IGNORECASE)


def install_write_watch(sender=None, connection=None, **kwargs) -> None:
    """connection_created receiver: watch this connection's writes (once per connection object).

    Only the configured databases: PostgreSQL's maintenance connection (``__no_db__``, CREATE DATABASE
    for the tests) holds no content."""
    if connection is None or connection.alias not in settings.DATABASES:
        return
    if not any(getattr(w, "pagecache", False) for w in connection.execute_wrappers):
        connection.execute_wrappers.append(_execute_wrapper(connection))


def _flush_at_request_end(**kwargs) -> None:
    flush_pending_bumps()


def _flush_at_exit() -> None:
    try:
        flush_pending_bumps()
    except Exception:  # noqa: BLE001 - the process is ending; the entries still expire
        logger.exception("页面缓存：进程退出时无法更新内容版本号。")


def connect() -> None:
    connection_created.connect(install_write_watch, dispatch_uid="portal.pagecache.install_write_watch")
    request_finished.connect(_flush_at_request_end, dispatch_uid="portal.pagecache.flush_at_request_end")
    # A shell, a script or a management command whose last statement was an autocommitted write (a
    # queryset update(), a plain save()) has no next statement and no request end: flush at exit, or the
    # change would be served from the cache until the entries expire.
    atexit.register(_flush_at_exit)
    for connection in connections.all(initialized_only=True):
        install_write_watch(connection=connection)


# ------------------------------------------------------------------------------------------- time


def next_time_boundary(now: datetime) -> datetime:
    """The earliest moment after ``now`` at which a public page may change without any write."""
    from django.db.models import Min

    from disclosure.concerns.models import ConcernResponse
    from disclosure.consultations.models import Consultation
    from disclosure.records.models import Openness, Record, Status

    local = timezone.localtime(now)
    candidates = [
        timezone.make_aware(datetime.combine(local.date() + timedelta(days=1), datetime.min.time())),
        now + timedelta(seconds=max(page_seconds(), 1)),
    ]
    # A record is public from its published_at (public_records); the filter walks index record_public_idx.
    published = Record.objects.filter(status=Status.PUBLISHED, openness=Openness.PROACTIVE)
    for rows, field in (
        (published, "published_at"),
        (Consultation.objects.all(), "opens_at"),
        (Consultation.objects.all(), "closes_at"),
        (Consultation.objects.all(), "feedback_published_at"),
        (ConcernResponse.objects.all(), "published_at"),
    ):
        moment = rows.filter(**{f"{field}__gt": now}).aggregate(moment=Min(field))["moment"]
        if moment is not None:
            candidates.append(moment)
    return min(candidates)


def page_seconds() -> int:
    return int(getattr(settings, "PAGE_CACHE_SECONDS", 0) or 0)


def local_budget() -> int:
    """Bytes of pages this process keeps in memory (PAGE_CACHE_LOCAL_MB; 0: none)."""
    return int(getattr(settings, "PAGE_CACHE_LOCAL_MB", 32) or 0) * 1024 * 1024


# ------------------------------------------------------------------------------------------ entries


class Entry:
    """One cached page, ready to send: its final headers (every middleware's, the security headers
    included), its body, the generation it was rendered under, the tokens of the tracked tables its render
    read (``deps``: (key, token) pairs, read before the render) and the moment it ends (epoch seconds)."""

    __slots__ = (
        "generation", "deps", "dep_keys", "expires", "etag", "headers", "body", "size", "store",
        "not_modified_store",
    )

    def __init__(self, generation: str, expires: float, etag: str, headers, body: bytes, deps=()):
        self.generation = generation
        self.deps = tuple(deps)
        self.dep_keys = [key for key, _token in self.deps]
        self.expires = expires
        self.etag = etag
        self.headers = dict(headers)
        self.body = body
        self.size = len(body) + sum(len(name) + len(value) for name, value in self.headers.items()) + 256
        # The headers as Django's ResponseHeaders keeps them, checked and encoded once, not on every hit.
        self.store = ResponseHeaders(self.headers)._store
        self.not_modified_store = {
            lowered: pair for lowered, pair in self.store.items() if lowered not in BODY_HEADERS
        }

    def response(self, *, head: bool = False) -> HttpResponse:
        """The page (HEAD: without its body; the Content-Length among the headers is the GET's)."""
        response = HttpResponse(b"" if head else self.body)
        response.headers._store = self.store.copy()
        return response

    def not_modified(self) -> HttpResponseNotModified:
        response = HttpResponseNotModified()
        response.headers._store = self.not_modified_store.copy()
        return response

    def live(self, generation, values: dict, now: float) -> bool:
        """Whether the page still holds: its generation is ``generation`` and each tracked table it read
        still has the token it had before the render (``values``: the tokens just read)."""
        return (
            self.generation == generation
            and now < self.expires
            and all(values.get(key) == token for key, token in self.deps)
        )

    def shared(self) -> tuple:
        """The value kept in the shared cache (plain types only: it is pickled)."""
        return (
            ENTRY_FORMAT, self.generation, self.deps, self.expires, self.etag, tuple(self.headers.items()),
            self.body,
        )

    @classmethod
    def from_shared(cls, value) -> Entry | None:
        if not (isinstance(value, tuple) and len(value) == 7 and value[0] == ENTRY_FORMAT):
            return None
        _format, generation, deps, expires, etag, headers, body = value
        return cls(generation, expires, etag, headers, body, deps)


# Per page key, the keys of the tokens its entry was last found to hold on, beyond the records' (an
# organisation's): read with the entry itself when the process keeps no copy of the page, so that such a
# hit is still one read. A wrong hint costs a second read, never a wrong answer. Bounded: emptied when full.
DEP_HINTS: dict[str, tuple] = {}
DEP_HINTS_MAX = 10000


def hint(key: str, entry: Entry) -> None:
    if len(DEP_HINTS) >= DEP_HINTS_MAX:
        DEP_HINTS.clear()
    DEP_HINTS[key] = tuple(dep for dep in entry.dep_keys if dep != RECORDS_KEY)


class LocalTier:
    """This process's copies of shared entries, least recently used first, within ``local_budget()``.

    It holds entries of one generation only: the first request that reads another generation from the
    shared cache empties it. So a copy is served only after the shared cache has just confirmed, for this
    very request, that its generation is still the current one."""

    def __init__(self):
        self.entries: OrderedDict[str, Entry] = OrderedDict()
        self.bytes = 0
        self.generation = None
        self.lock = threading.Lock()

    def get(self, key: str) -> Entry | None:
        return self.entries.get(key)

    def observe(self, generation) -> None:
        """The generation the shared cache holds now: entries of any other are dead, drop them."""
        if generation != self.generation:
            with self.lock:
                self.entries.clear()
                self.bytes = 0
                self.generation = generation

    def touch(self, key: str) -> None:
        with self.lock:
            if key in self.entries:
                self.entries.move_to_end(key)

    def put(self, key: str, entry: Entry) -> None:
        budget = local_budget()
        with self.lock:
            if entry.size > budget or entry.generation != self.generation:
                return
            old = self.entries.pop(key, None)
            if old is not None:
                self.bytes -= old.size
            self.entries[key] = entry
            self.bytes += entry.size
            while self.bytes > budget:
                _key, dropped = self.entries.popitem(last=False)
                self.bytes -= dropped.size

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()
            self.bytes = 0
            self.generation = None


LOCAL = LocalTier()


# ------------------------------------------------------------------------------------- shared reads


class CacheReader:
    """Several keys of the shared cache (the generation, an entry, tokens) through the cache's own API: one
    round trip (Redis GET or MGET)."""

    def __init__(self, cache):
        self.cache = cache

    def read(self, keys: list[str]) -> dict:
        if len(keys) == 1:
            value = self.cache.get(keys[0])
            return {} if value is None else {keys[0]: value}
        return self.cache.get_many(keys)


class DatabaseReader(CacheReader):
    """The same from the database cache's table: one SELECT by primary key on a connection this thread
    keeps for it (autocommit, so every read sees the latest commit of every process).

    The request's own connection is not used: on SQLite it is opened and closed for every request
    (``CONN_MAX_AGE`` 0, and a new SQLite connection first parses the whole schema), and on PostgreSQL
    its per-request health check would be a second round trip. Inside a transaction (the tests' rolled-back
    ones) and on an in-memory SQLite database the request's connection is used, which sees its own writes."""

    def __init__(self, cache):
        super().__init__(cache)
        self.made: dict[str, str] = {}  # key → the table's cache_key, for the keys read often
        self.private = None
        self.pid = None
        self.statements: dict[tuple[str, int], str] = {}
        self.cursor: tuple = (None, {})
        self.cursor_driver = None

    def connection(self):
        main = connections[DEFAULT_DB_ALIAS]
        if main.in_atomic_block or getattr(main, "is_in_memory_db", lambda: False)():
            return main, False
        if self.private is None or self.pid != os.getpid():  # forked (gunicorn --preload): a connection of our own
            self.private = load_backend(main.settings_dict["ENGINE"]).DatabaseWrapper(main.settings_dict, main.alias)
            self.pid = os.getpid()
        return self.private, True

    def drop(self) -> None:
        if self.private is not None:
            try:
                self.private.close()
            except DatabaseError:
                pass
        self.private = None
        self.cursor, self.cursor_driver = (None, {}), None

    def stored_key(self, key: str) -> str:
        made = self.made.get(key)
        if made is None:
            made = self.cache.make_and_validate_key(key)
            if not key.startswith(PAGE_KEY % ""):  # the generation and the tokens: few, read on every hit
                self.made[key] = made
        return made

    def read(self, keys: list[str]) -> dict:
        made = {self.stored_key(key): key for key in keys}
        for attempt in (1, 2):
            connection, private = self.connection()
            try:
                rows = self.select(connection, list(made), private)
                break
            except DatabaseError:
                self.drop()  # a broken connection (the server restarted): once more on a new one
                if not private or attempt == 2:
                    raise
        return {made[row_key]: pickle.loads(base64.b64decode(value)) for row_key, value in rows}

    def select(self, connection, keys: list[str], private: bool) -> list:
        # On the private connection, the driver's cursor: Django's cursor wrapper adds nothing there but
        # time (the placeholders are then the driver's own: ? for sqlite3).
        placeholder = "?" if private and connection.vendor == "sqlite" else "%s"
        sql = self.statements.get((placeholder, len(keys)))
        if sql is None:
            quote = connection.ops.quote_name
            sql = self.statements[placeholder, len(keys)] = "SELECT %s, %s FROM %s WHERE %s IN (%s) AND %s > %s" % (
                quote("cache_key"), quote("value"), quote(self.cache._table), quote("cache_key"),
                ", ".join([placeholder] * len(keys)), quote("expires"), placeholder,
            )
        params = [*keys, connection.ops.adapt_datetimefield_value(timezone.now())]
        if not private:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall()
        if connection.connection is None:
            connection.ensure_connection()
        driver = connection.connection
        with connection.wrap_database_errors:
            cursor, options = self.cursor
            if cursor is None or self.cursor_driver is not driver:
                cursor, options = self.cursor = self.new_cursor(driver)
                self.cursor_driver = driver
            cursor.execute(sql, params, **options)
            # fetchall: the statement runs to its end, so SQLite holds no read lock past this line.
            return cursor.fetchall()

    @staticmethod
    def new_cursor(driver) -> tuple:
        """The driver's cursor this thread reuses for every read on its private connection, and its options."""
        if hasattr(driver, "pgconn"):
            # psycopg 3: a server-side prepared statement (Django's cursors bind on the client and send the
            # whole text every time); the connection lives as long as the process. Django opens its
            # connections with prepare_threshold None, which makes psycopg ignore prepare=True: on this
            # private connection, only the statements asked to be prepared are (parsed and planned once,
            # not on every hit: about 40% of the server's time per read).
            import psycopg

            if driver.prepare_threshold is None:
                driver.prepare_threshold = 2**31 - 1
            return psycopg.Cursor(driver), {"prepare": True}
        return driver.cursor(), {}


_thread = threading.local()


def close_private_connection() -> None:
    """Close this thread's private connection (it reopens on the next read): for a test database that is
    about to be dropped, which PostgreSQL refuses while a session is open on it."""
    reader = getattr(_thread, "reader", None)
    if isinstance(reader, DatabaseReader):
        reader.drop()


def shared_reader() -> CacheReader:
    cache = page_cache()
    reader = getattr(_thread, "reader", None)
    if reader is None or reader.cache is not cache:
        reader = (DatabaseReader if isinstance(cache, DatabaseCache) else CacheReader)(cache)
        _thread.reader = reader
    return reader


# ------------------------------------------------------------------------------------------ middleware


def body_etag(content: bytes) -> str:
    return '"%s"' % hashlib.sha256(content).hexdigest()[:32]


def etag_matches(request, etag: str) -> bool:
    header = request.META.get("HTTP_IF_NONE_MATCH", "")
    if not header:
        return False
    if header.strip() == "*":
        return True
    tags = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    return etag in tags


def not_modified(response) -> HttpResponseNotModified:
    """The 304 for ``response``: every header it has (validators, security headers, Vary, Cache-Control)
    but those describing a body, and its cookies."""
    answer = HttpResponseNotModified(
        headers={name: value for name, value in response.items() if name.lower() not in BODY_HEADERS}
    )
    answer.cookies = response.cookies
    return answer


def request_cacheable(request) -> bool:
    if request.method not in ("GET", "HEAD"):
        return False
    if request.path_info.startswith(EXCLUDED_PREFIXES):
        return False
    if "HTTP_AUTHORIZATION" in request.META:
        return False
    return all(name in ALLOWED_COOKIES for name in request.COOKIES)


def response_storable(response) -> bool:
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if response.has_header("ETag"):
        return False  # the view validates itself
    vary = {v.strip().lower() for v in response.get("Vary", "").split(",") if v.strip()}
    # Vary: Cookie comes from the session and messages being read (base.html): for a request with no cookie
    # but the harmless ones, that is the anonymous page. A page that uses a CSRF token sets its cookie
    # (refused above). Any other Vary (Authorization, Accept...) is not keyed here: not stored.
    if vary - {"accept-language", "accept-encoding", "cookie"}:
        return False
    cache_control = response.get("Cache-Control", "").lower()
    if any(word in cache_control for word in ("private", "no-store")):
        return False
    if "nonce-" in response.get("Content-Security-Policy", ""):
        return False  # a per-request nonce: the headers are this request's own
    return len(response.content) <= MAX_BODY_BYTES


_fingerprint: list[str] = []


def header_fingerprint() -> str:
    """A hash of the settings that shape a response's headers outside the view (security headers, CSP,
    redirects, accepted hosts): a stored entry carries those headers, so a deployment that changes one
    of these settings never serves the headers of the one before."""
    if not _fingerprint:
        values = tuple(repr(getattr(settings, name, None)) for name in HEADER_SETTINGS)
        _fingerprint.append(hashlib.sha256("\n".join(values).encode()).hexdigest()[:16])
    return _fingerprint[0]


@receiver(setting_changed)
def _settings_changed(setting=None, **kwargs) -> None:
    if setting in HEADER_SETTINGS:
        _fingerprint.clear()


def page_key(request) -> str:
    """The entry's key. The host is the request's own header, not yet validated: an entry exists only
    for a host that passed ALLOWED_HOSTS when its page was rendered (the setting is in the fingerprint)."""
    meta = request.META
    parts = [
        header_fingerprint(),
        request.scheme,
        meta.get("HTTP_X_FORWARDED_HOST", "") if settings.USE_X_FORWARDED_HOST else "",
        meta.get("HTTP_HOST") or f"{meta.get('SERVER_NAME', '')}:{meta.get('SERVER_PORT', '')}",
        # The path and the query string as sent (finer than their decoded forms: never two pages on one key).
        request.path,
        meta.get("QUERY_STRING", ""),
        *(f"{name}={request.COOKIES.get(name, '')}" for name in KEY_COOKIES),
    ]
    return PAGE_KEY % hashlib.sha256("\n".join(parts).encode()).hexdigest()


def add_validators(request, response, *, answer_304: bool = True):
    """ETag and Last-Modified on a GET answer we may validate; 304 if the client holds this very body."""
    if (
        request.method not in ("GET", "HEAD")
        or response.status_code != 200
        or response.streaming
        or response.has_header("ETag")
    ):
        return response
    etag = body_etag(response.content)
    response["ETag"] = etag
    if not response.has_header("Last-Modified"):
        response["Last-Modified"] = http_date(math.ceil(time.time()))
    if answer_304 and etag_matches(request, etag):
        return not_modified(response)
    return response


class PageCacheMiddleware:
    """Serve and store anonymous public pages (see the module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.warned = False

    def __call__(self, request):
        if request.path_info.startswith(EXCLUDED_PREFIXES):
            return self.get_response(request)
        if page_seconds() <= 0 or not request_cacheable(request):
            return add_validators(request, self.get_response(request))
        key = page_key(request)
        local = LOCAL.get(key)
        entry = None
        try:
            reader = shared_reader()
            # One round trip: with a copy in this process, the generation and the tokens of the scopes its
            # render read; without one, the generation, the shared entry and the records' token (which most
            # pages read).
            values = reader.read(
                [GENERATION_KEY, *local.dep_keys]
                if local is not None
                else [GENERATION_KEY, RECORDS_KEY, key, *DEP_HINTS.get(key, ())]
            )
            generation = values.get(GENERATION_KEY)
            if generation is None:
                page_cache().add(GENERATION_KEY, written_token(), timeout=None)
                values = reader.read([GENERATION_KEY, key])
                generation = values.get(GENERATION_KEY)
            LOCAL.observe(generation)
            now = time.time()
            if local is not None:
                if local.live(generation, values, now):
                    LOCAL.touch(key)
                    return self.hit(request, local)
                # A dead copy: another worker may already have stored the page afresh.
                values = reader.read([key])
            found = values.get(key)
            entry = Entry.from_shared(found) if found is not None else None
            if entry is not None and any(dep not in values for dep in entry.dep_keys):
                values.update(reader.read(entry.dep_keys))
                hint(key, entry)
        except Exception:
            self.unavailable()
            return add_validators(request, self.get_response(request))
        if entry is not None and entry.live(generation, values, now):
            LOCAL.put(key, entry)
            return self.hit(request, entry)
        if key in NEVER_STORED:
            # A page whose 200 answer could not be stored (a form's CSRF cookie): nothing to wait for.
            return self.render(request, key, generation)
        # A miss: one render per key at a time in this process, the others take its page (singleflight.py).
        with FLIGHTS.lead_or_wait(key, FLIGHT_WAIT_SECONDS) as leader:
            if not leader:
                entry = self.stored_meanwhile(key, generation)
                if entry is not None:
                    return self.hit(request, entry)
            return self.render(request, key, generation)

    def unavailable(self) -> None:
        if not self.warned:  # once per process: a missing table would otherwise log every request
            self.warned = True
            logger.exception("页面缓存不可用（是否已运行 manage.py createcachetable？），页面不经缓存。")

    def render(self, request, key, generation):
        """Render the page, recording the tracked tables it reads; store it if it may be stored.

        The tables' tokens are read before the render: a write that commits while the page renders gives
        its table a new token after its commit, so the page (which may show the old state) is stored with a
        token that is already dead."""
        try:
            tokens = table_tokens()
        except Exception:
            self.unavailable()
            return add_validators(request, self.get_response(request))
        # The router waits for the position of the last public write (portal/dbrouter.py).
        request.pagecache_written = tokens[WRITTEN_KEY]
        reading = Reads()
        marker = _reading.set(reading)
        try:
            response = self.get_response(request)
        finally:
            _reading.reset(marker)
        if request.method == "GET" and response_storable(response):
            response = add_validators(request, response, answer_304=False)
            patch_cache_control(response, no_cache=True)
            self.store(key, generation, response, reading.deps(tokens), records=tokens[RECORDS_KEY])
            if etag_matches(request, response["ETag"]):
                return not_modified(response)
            return response
        if response.status_code == 200:
            if len(NEVER_STORED) >= NEVER_STORED_MAX:
                NEVER_STORED.clear()
            NEVER_STORED.add(key)
        return add_validators(request, response)

    def stored_meanwhile(self, key, generation):
        """The entry another thread of this process stored for ``key`` under ``generation``, if it still
        holds, or None."""
        try:
            reader = shared_reader()
            entry = LOCAL.get(key)
            if entry is None or entry.generation != generation:
                found = reader.read([key]).get(key)
                entry = Entry.from_shared(found) if found is not None else None
            if entry is None:
                return None
            values = reader.read(entry.dep_keys) if entry.deps else {}
        except Exception:
            return None
        return entry if entry.live(generation, values, time.time()) else None

    def hit(self, request, entry: Entry):
        if etag_matches(request, entry.etag):
            return entry.not_modified()
        return entry.response(head=request.method == "HEAD")

    def store(self, key, generation, response, deps=(), records=None) -> None:
        """Keep the page until the first time boundary after now (``time_boundary``), which belongs to the
        generation and the records' token (``records``) it was rendered under: a record's publication time
        ahead is one of them."""
        now = timezone.now()
        try:
            boundary = time_boundary(generation if records is None else f"{generation}|{records}", now)
            timeout = _seconds_until(boundary, now)
            if timeout <= 0:
                return
            headers = [(name, value) for name, value in response.items() if name.lower() != "set-cookie"]
            entry = Entry(generation, boundary.timestamp(), response["ETag"], headers, response.content, deps)
            page_cache().set(key, entry.shared(), timeout=timeout)
            LOCAL.put(key, entry)
            hint(key, entry)
        except Exception:
            logger.exception("页面缓存：无法保存页面。")


# [(epoch, boundary)]: the time boundary this process last used, and the epoch it belongs to.
_boundary: list[tuple[object, datetime]] = []


def time_boundary(epoch, now: datetime) -> datetime:
    """The moment pages rendered under ``epoch`` end (next_time_boundary), computed once per epoch by one
    process and shared; each process also remembers the last one it used, so its further misses in the
    same epoch read nothing for it. A boundary belongs to its epoch, the generation and the records' token:
    any write that could move it starts another generation (consultations, concerns' responses) or gives
    the records a new token (a record public from a time ahead)."""
    memo = _boundary[0] if _boundary else None  # one read: another thread may replace it meanwhile
    if memo is not None and memo[0] == epoch and memo[1] > now:
        return memo[1]
    boundary = page_cache().get(BOUNDARY_KEY % epoch)
    if boundary is None or boundary <= now:
        boundary = next_time_boundary(now)
        page_cache().set(BOUNDARY_KEY % epoch, boundary, timeout=_seconds_until(boundary, now))
    _boundary[:] = [(epoch, boundary)]
    return boundary


def _seconds_until(moment: datetime, now: datetime) -> int:
    """Whole seconds strictly before ``moment`` (rounded down, so an entry never outlives it)."""
    return int((moment - now).total_seconds())

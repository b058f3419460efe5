"""The public trees, built once per process and reused until a catalog write commits.

Every public page needs the visible catalog, the organisations that disclose, each organisation's own
column settings (本单位栏目设置) and the channels of the catalog items. They change a few times a year;
pages are read thousands of times a minute. So one ``PublicTrees`` snapshot holds them all, loaded in four
queries, and is shared by every request of the process until the catalog changes.

Never stale, across processes and hosts:

* **A version in the shared cache.** The snapshot carries the *tree version* it was built under: a
  random token in the ``pages`` cache (Redis with ``REDIS_URL``, else the database table
  ``portal_pages``), which every worker and host reads. A request reads it once (one cache read) and
  rebuilds the snapshot if it moved.
* **Every committed write to a catalog table bumps it.** An execute wrapper on every connection notices
  INSERT, UPDATE, DELETE (or any other writing statement) on a ``catalog_`` table — the admin,
  ``update()``, ``bulk_create``, raw SQL, ``load_catalog`` in another process — and sets a new token when
  the transaction commits (an autocommitted write: before the connection's next statement or at the end of
  the request, like the page cache's generation).
* **In this process at once.** The same write also drops this process's snapshot immediately, so the
  writing request (and a test, whose transaction never commits) reads its own change; a snapshot built
  while the connection holds an uncommitted catalog write is kept only for that transaction, so a rollback
  never leaves its state behind.

The snapshot is read-only: views never set attributes on its nodes or organisations.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import caches
from django.core.signals import request_finished, request_started
from django.db import DatabaseError, connection, connections
from django.db.backends.signals import connection_created

from catalog.statements import written_table

logger = logging.getLogger(__name__)

VERSION_KEY = "catalog:tree-version"
WATCHED_PREFIX = "catalog_"


def _cache():
    return caches["pages" if "pages" in settings.CACHES else "default"]


def new_token() -> str:
    return f"{time.time_ns():x}-{secrets.token_hex(6)}"


# --------------------------------------------------------------------------------------------- writes

_lock = threading.Lock()
_local_epoch = 0  # moved by every catalog write of this process, committed or not


def writes_catalog(sql: str) -> bool:
    """Whether a statement may change a catalog table (conservative: unknown writes do)."""
    table = written_table(sql)
    if table is None:  # CREATE INDEX / TABLE of the cache, WITH … (a CTE may write), TRUNCATE, ALTER…
        return WATCHED_PREFIX in sql.lower()
    return table.startswith(WATCHED_PREFIX)


def bump_version() -> None:
    """A new tree version: every process rebuilds its snapshot at its next request."""
    try:
        _cache().set(VERSION_KEY, new_token(), timeout=None)
    except DatabaseError:
        logger.debug("目录缓存：无法更新目录版本号。", exc_info=True)
    except Exception:
        logger.exception("目录缓存：无法更新目录版本号。")


def _drop_local() -> None:
    global _local_epoch
    with _lock:
        _local_epoch += 1


def _committed(conn) -> None:
    conn.catalog_txn_token = None
    bump_version()
    _drop_local()


def _on_catalog_write(conn) -> None:
    _drop_local()
    if conn.in_atomic_block:
        if getattr(conn, "catalog_txn_token", None) is None:
            conn.catalog_txn_token = object()
        current = set(conn.savepoint_ids)
        if any(getattr(entry[1], "catalog_commit", False) and entry[0] <= current for entry in conn.run_on_commit):
            return

        def on_commit():
            _committed(conn)

        on_commit.catalog_commit = True
        conn.on_commit(on_commit)
        return
    # Autocommitted: the statement may still hold results (INSERT … RETURNING) that a cache write on this
    # connection would discard; bump before its next statement or at the end of the request.
    conn.catalog_pending = True


def flush_pending(conn=None, **kwargs) -> None:
    for each in [conn] if conn is not None else connections.all(initialized_only=True):
        if getattr(each, "catalog_pending", False):
            each.catalog_pending = False
            bump_version()
            _drop_local()


def _execute_wrapper(conn):
    def wrapper(execute, sql, params, many, context):
        if getattr(conn, "catalog_pending", False) and not conn.in_atomic_block:
            flush_pending(conn)
        result = execute(sql, params, many, context)
        if isinstance(sql, str) and writes_catalog(sql):
            _on_catalog_write(conn)
        return result

    wrapper.catalog_trees = True
    return wrapper


def install_write_watch(sender=None, connection=None, **kwargs) -> None:
    if connection is None or connection.alias not in settings.DATABASES:
        return
    if not any(getattr(w, "catalog_trees", False) for w in connection.execute_wrappers):
        connection.execute_wrappers.append(_execute_wrapper(connection))


# ------------------------------------------------------------------------------------------- reading

_request = threading.local()  # the version read by this request, once


def _start_request(**kwargs) -> None:
    _request.active = True
    _request.version = None


def _end_request(**kwargs) -> None:
    _request.active = False
    _request.version = None
    flush_pending()


def connect() -> None:
    connection_created.connect(install_write_watch, dispatch_uid="catalog.trees.install_write_watch")
    request_started.connect(_start_request, dispatch_uid="catalog.trees.start_request")
    request_finished.connect(_end_request, dispatch_uid="catalog.trees.end_request")
    for conn in connections.all(initialized_only=True):
        install_write_watch(connection=conn)


def _read_version() -> str | None:
    """The shared tree version (one cache read), or None when the cache cannot be read."""
    # No savepoint around it: public pages run outside transactions, and like the page cache's own read
    # (portal/pagecache.py) a missing cache table is logged and the trees are built without caching.
    try:
        return _read_or_add()
    except DatabaseError:
        logger.debug("目录缓存：无法读取目录版本号。", exc_info=True)
        return None
    except Exception:
        logger.exception("目录缓存：无法读取目录版本号。")
        return None


def _read_or_add() -> str | None:
    version = _cache().get(VERSION_KEY)
    if version is None:
        _cache().add(VERSION_KEY, new_token(), timeout=None)
        version = _cache().get(VERSION_KEY)
    return version


def _request_version() -> str | None:
    """The version, read at most once per request (every call outside a request reads it)."""
    active = getattr(_request, "active", False)
    version = getattr(_request, "version", None) if active else None
    if version is None:
        version = _read_version()
        if active:  # inside a request: keep it for the rest of it
            _request.version = version
    return version


# ------------------------------------------------------------------------------------------ snapshot


@dataclass
class PublicTrees:
    """What every public page knows about the catalog and the organisations, for one tree version.

    ``roots``: the visible catalog as a cached tree (``get_cached_trees``); ``organisations``: the visible
    organisations that disclose (some catalog item applies to their level), in tree order; settings,
    hidden nodes and channels by id. The columns of an organisation are computed once and memoised.
    """

    roots: list
    organisations: list
    settings_by_org: dict[int, dict]
    channels_by_node: dict[int, list]
    nodes_by_code: dict = field(default_factory=dict)
    nodes_by_id: dict = field(default_factory=dict)
    organisations_by_code: dict = field(default_factory=dict)
    # Ids of every visible organisation, disclosing or not (a search's first narrowing, no query).
    visible_organisation_ids: tuple = ()
    _columns: dict = field(default_factory=dict)
    _descendants: dict = field(default_factory=dict)
    _navigation: dict = field(default_factory=dict)

    def node(self, code: str):
        """The visible catalog node with ``code``, or None."""
        return self.nodes_by_code.get(code)

    def node_by_id(self, pk: int):
        """The visible catalog node with primary key ``pk``, or None."""
        return self.nodes_by_id.get(pk)

    def organisation(self, code: str):
        """The disclosing organisation with ``code``, or None."""
        return self.organisations_by_code.get(code)

    def column_settings(self, organisation) -> dict:
        """The organisation's own settings of platform columns, by node id."""
        return self.settings_by_org.get(organisation.pk, {})

    def hidden_ids(self, organisation) -> set[int]:
        return {node_id for node_id, setting in self.column_settings(organisation).items() if not setting.shown}

    def columns(self, organisation) -> list:
        """The organisation's columns: the branches that apply to it, less those it switched off."""
        from catalog import selectors

        found = self._columns.get(organisation.pk)
        if found is None:
            found = selectors.shown_tree(
                selectors.applicable_tree(self.roots, organisation), self.hidden_ids(organisation)
            )
            self._columns[organisation.pk] = found
        return found

    def descendant_codes(self, node) -> list[str]:
        """Codes of ``node`` and of every visible node beneath it."""
        from catalog import selectors

        found = self._descendants.get(node.code)
        if found is None:
            found = selectors.descendant_codes(node)
            self._descendants[node.code] = found
        return found

    def descendant_ids(self, node) -> list[int]:
        """Ids of ``node`` and of every visible node beneath it."""
        return [self.nodes_by_code[code].pk for code in self.descendant_codes(node)]

    @property
    def node_ids(self) -> list[int]:
        """Ids of every visible catalog node."""
        return list(self.nodes_by_id)

    def channels(self, node) -> list:
        return self.channels_by_node.get(node.pk, [])

    def fragment(self, key, render):
        """Something that depends on the trees alone (the column navigation's HTML, the sitemap's column
        addresses), made once per version and ``key``. Bounded: organisations × columns."""
        found = self._navigation.get(key)
        if found is None:
            found = render()
            if len(self._navigation) < 20000:
                self._navigation[key] = found
        return found


def build() -> PublicTrees:
    """Load the public trees: four queries (catalog, organisations, column settings, channels)."""
    from catalog import selectors
    from catalog.models import ColumnSetting, NodeChannel

    roots = selectors.catalog_tree()
    nodes_by_code = {node.code: node for node in selectors.descendants(roots)}
    levels: set[str] = set()
    for root in roots:
        levels |= selectors.applicable_levels(root)
    visible = list(selectors.visible_organisations().order_by("tree_id", "lft"))
    organisations = [organisation for organisation in visible if organisation.level in levels]
    settings_by_org: dict[int, dict] = {}
    for setting in ColumnSetting.objects.all():
        settings_by_org.setdefault(setting.organisation_id, {})[setting.node_id] = setting
    channels_by_node: dict[int, list] = {}
    for link in NodeChannel.objects.select_related("channel").order_by("channel__sort_order", "channel__code", "pk"):
        channels_by_node.setdefault(link.node_id, []).append(link)
    return PublicTrees(
        roots=roots,
        organisations=organisations,
        settings_by_org=settings_by_org,
        channels_by_node=channels_by_node,
        nodes_by_code=nodes_by_code,
        nodes_by_id={node.pk: node for node in nodes_by_code.values()},
        organisations_by_code={o.code: o for o in organisations},
        visible_organisation_ids=tuple(organisation.pk for organisation in visible),
    )


_snapshot: tuple | None = None  # (version, local epoch, transaction token or None, PublicTrees)


def public_trees() -> PublicTrees:
    """The current snapshot: one cache read per request, four queries when the trees changed."""
    global _snapshot
    version = _request_version()
    token = getattr(connection, "catalog_txn_token", None)
    if token is not None and not connection.in_atomic_block:
        connection.catalog_txn_token = token = None  # that transaction is over (rolled back)
    found = _snapshot
    if (
        version is not None
        and found is not None
        and found[0] == version
        and found[1] == _local_epoch
        and found[2] is token
    ):
        return found[3]
    epoch = _local_epoch
    trees = build()
    if version is not None:
        _snapshot = (version, epoch, token, trees)
    return trees


def clear() -> None:
    """Forget this process's snapshot (tests: a rolled-back test leaves nothing behind)."""
    global _snapshot
    _snapshot = None
    _request.active = False
    _request.version = None
    for conn in connections.all(initialized_only=True):
        conn.catalog_txn_token = None

"""The database cache with a counter that holds across workers: the rate limits' store by default.

Django's ``DatabaseCache.incr`` reads the value and writes it back in separate steps (a dozen queries),
so two workers incrementing at once can both write the same number and lose a count. Here ``incr`` reads
the row and writes it back in one transaction that holds it: ``SELECT … FOR UPDATE`` on PostgreSQL; on
SQLite, whose transactions begin IMMEDIATE in this project (portal/env.py), the database's write lock.
Concurrent increments queue. ``add`` is Django's, in a savepoint of its own, like ``incr``: a failure
(say, a missing table) never poisons the request's own transaction.

``PageDatabaseCache`` is the page cache's table (portal/pagecache.py), whose ``set``, ``set_many`` and
``add_many`` are one statement each.
"""

from __future__ import annotations

import base64
import itertools
import pickle
from datetime import UTC, datetime

from django.conf import settings
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.db import DatabaseCache
from django.db import connections, models, router, transaction
from django.utils.timezone import now as tz_now


class CounterDatabaseCache(DatabaseCache):
    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        with transaction.atomic(using=router.db_for_write(self.cache_model_class)):
            return super().add(key, value, timeout=timeout, version=version)

    def incr(self, key, delta=1, version=None):
        cache_key = self.make_and_validate_key(key, version=version)
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        quote_name = connection.ops.quote_name
        table, key_column = quote_name(self._table), quote_name("cache_key")
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        expression = models.Expression(output_field=models.DateTimeField())
        converters = connection.ops.get_db_converters(expression) + expression.get_db_converters(connection)
        with transaction.atomic(using=db), connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {quote_name('value')}, {quote_name('expires')} FROM {table} WHERE {key_column} = %s{lock}",
                [cache_key],
            )
            row = cursor.fetchone()
            if row is None:
                raise ValueError(f"Key '{key}' not found.")
            value, expires = row
            for converter in converters:
                expires = converter(expires, expression, connection)
            if expires < tz_now():
                raise ValueError(f"Key '{key}' not found.")
            new_value = pickle.loads(base64.b64decode(connection.ops.process_clob(value).encode())) + delta
            encoded = base64.b64encode(pickle.dumps(new_value, self.pickle_protocol)).decode("latin1")
            cursor.execute(
                f"UPDATE {table} SET {quote_name('value')} = %s WHERE {key_column} = %s", [encoded, cache_key]
            )
        return new_value


class PageDatabaseCache(DatabaseCache):
    """The database cache with a ``set`` of one statement: the page cache's store without Redis.

    Django's ``DatabaseCache.set`` counts the table's rows, culls when they exceed ``MAX_ENTRIES``, looks
    the key up and then updates or inserts it, in a transaction: four statements or more for every page a
    miss stores, and for every new generation. Here a ``set`` is one ``INSERT … ON CONFLICT (cache_key) DO
    UPDATE`` (PostgreSQL; SQLite since 3.24), atomic by itself: two processes storing the same key at once
    both succeed, the later value stays. Other databases keep Django's ``set``.

    The count (and the cull past ``MAX_ENTRIES``, Django's own) runs on one ``set`` in ``CULL_EVERY``
    (option, default 100) of this process: the table may exceed ``MAX_ENTRIES`` by that many entries per
    process between two counts. Inside a transaction (the tests' rolled-back ones) the statement has a
    savepoint of its own, so that a failure never poisons the transaction around it, as Django's does."""

    def __init__(self, table, params):
        super().__init__(table, params)
        options = params.get("OPTIONS", {})
        self._cull_every = max(int(options.get("CULL_EVERY", 100)), 1)
        self._sets = itertools.count(1)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        if not self._upsert({key: value}, timeout, version, replace_live=True):
            super().set(key, value, timeout=timeout, version=version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        """All of ``data`` in one statement (a new generation and the tokens of a write: one round trip)."""
        if data and not self._upsert(data, timeout, version, replace_live=True):
            return super().set_many(data, timeout=timeout, version=version)
        return []

    def add_many(self, data, timeout=DEFAULT_TIMEOUT, version=None) -> None:
        """Each key of ``data`` that is missing or expired, in one statement; live keys keep their value."""
        if not data:
            return
        if not self._upsert(data, timeout, version, replace_live=False):
            for key, value in data.items():
                self.add(key, value, timeout=timeout, version=version)

    def _upsert(self, data, timeout, version, *, replace_live: bool) -> bool:
        """One ``INSERT … ON CONFLICT`` for every item of ``data``; False on a database without it."""
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        if connection.vendor not in ("postgresql", "sqlite"):
            return False
        timeout = self.get_backend_timeout(timeout)
        if timeout is None:
            expires = datetime.max
        else:
            expires = datetime.fromtimestamp(timeout, tz=UTC if settings.USE_TZ else None)
        expires = connection.ops.adapt_datetimefield_value(expires.replace(microsecond=0))
        params = []
        for key, value in data.items():
            encoded = base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")
            params += [self.make_and_validate_key(key, version=version), encoded, expires]
        quote_name = connection.ops.quote_name
        table, key_column = quote_name(self._table), quote_name("cache_key")
        value_column, expires_column = quote_name("value"), quote_name("expires")
        rows = ", ".join(["(%s, %s, %s)"] * len(data))
        sql = (
            f"INSERT INTO {table} ({key_column}, {value_column}, {expires_column}) VALUES {rows} "
            f"ON CONFLICT ({key_column}) DO UPDATE SET {value_column} = EXCLUDED.{value_column}, "
            f"{expires_column} = EXCLUDED.{expires_column}"
        )
        if not replace_live:
            sql += f" WHERE {table}.{expires_column} < %s"
            params.append(connection.ops.adapt_datetimefield_value(tz_now().replace(microsecond=0)))
        if connection.in_atomic_block:
            with transaction.atomic(using=db), connection.cursor() as cursor:
                cursor.execute(sql, params)
        else:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
        if next(self._sets) % self._cull_every == 0:
            self.cull()
        return True

    def cull(self) -> None:
        """Django's cull (expired entries first, then a share of the rest) if the table is over MAX_ENTRIES."""
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        with transaction.atomic(using=db), connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(self._table)}")
            count = cursor.fetchone()[0]
            if count > self._max_entries:
                self._cull(db, cursor, tz_now().replace(microsecond=0), count)

"""The database cache with a counter that holds across workers: the rate limits' store by default.

Django's ``DatabaseCache.incr`` reads the value and writes it back in separate steps (a dozen queries),
so two workers incrementing at once can both write the same number and lose a count. Here ``incr`` reads
the row and writes it back in one transaction that holds it: ``SELECT … FOR UPDATE`` on PostgreSQL; on
SQLite, whose transactions begin IMMEDIATE in this project (portal/env.py), the database's write lock.
Concurrent increments queue. ``add`` is Django's, in a savepoint of its own, like ``incr``: a failure
(say, a missing table) never poisons the request's own transaction.
"""

from __future__ import annotations

import base64
import pickle

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

"""Which table an SQL statement writes: one reading for every watcher of writes.

Two caches are kept never stale by execute wrappers that look at each statement on every connection: the
public trees (catalog/trees.py: writes to a ``catalog_`` table) and the page cache (portal/pagecache.py:
writes to any table a public page reads). Both must read a statement the same way, so they share this.
"""

from __future__ import annotations

import re

# Statements that write nothing: reads and transaction control.
READ_STATEMENTS = ("SELECT", "SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT", "PRAGMA", "SHOW", "EXPLAIN")
# Statements that write no table of ours whatever they name.
HARMLESS_HEADS = ("VACUUM", "ANALYZE", "SET ")
# The table a writing statement names first: INSERT INTO "t", UPDATE "t", DELETE FROM "t", with or without
# its schema ("public"."t", public.t).
WRITE_TABLE = re.compile(
    r'^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|REPLACE\s+INTO|UPDATE(?:\s+OR\s+\w+)?|DELETE\s+FROM)\s+'
    r'(?:[`"]?\w+[`"]?\.)?[`"]?(\w+)',
    re.IGNORECASE,
)

WRITES_NOTHING = ""


def written_table(sql: str) -> str | None:
    """The table ``sql`` writes, in lower case without its schema; ``WRITES_NOTHING`` ("") for a read,
    transaction control, VACUUM, ANALYZE or SET; None for any other statement, which may write anything
    (``WITH …``, whose common table expressions may write, CREATE, ALTER, TRUNCATE, COPY…).

    A read wrapped as ``SELECT * FROM (WITH …)`` is a read: PostgreSQL refuses a writing WITH inside a
    subquery (disclosure/search/selectors.py relies on it)."""
    head = sql.lstrip()[:10].upper()
    if head.startswith(READ_STATEMENTS):
        return WRITES_NOTHING
    match = WRITE_TABLE.match(sql)
    if match:
        return match.group(1).lower()
    if head.startswith(HARMLESS_HEADS):
        return WRITES_NOTHING
    return None

"""portal.cache.PageDatabaseCache: the page cache's table, where a set is one statement (issue 15).

Django's DatabaseCache.set counts the rows, looks the key up, then updates or inserts (four statements
or more per stored page). These tests run on the real cache table (created with the test database).
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.cache import PageDatabaseCache

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_table():
    """Start from an empty table (the page cache's generation may be there): rolled back with the test."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM portal_pages")


def table_statements(queries) -> list[str]:
    """The statements that touched the table (not the savepoint around them inside the test's transaction)."""
    return [q["sql"] for q in queries.captured_queries if "portal_pages" in q["sql"]]


def rows() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key FROM portal_pages ORDER BY cache_key")
        return [row[0] for row in cursor.fetchall()]


def test_a_set_is_one_statement_that_inserts_then_replaces():
    cache = PageDatabaseCache("portal_pages", {})
    with CaptureQueriesContext(connection) as first:
        cache.set("page", ("old", b"x"), timeout=60)
    with CaptureQueriesContext(connection) as second:
        cache.set("page", ("new", b"y"), timeout=60)
    assert len(table_statements(first)) == 1 and len(table_statements(second)) == 1
    assert "ON CONFLICT" in table_statements(second)[0]
    assert cache.get("page") == ("new", b"y")
    assert rows() == [":1:page"]


def test_set_many_and_add_many_are_one_statement_each():
    """A write's tokens (set_many) replace what is there; the tokens found missing (add_many) are added
    only where the key is missing or expired, so a token another process just set is never overwritten."""
    cache = PageDatabaseCache("portal_pages", {})
    cache.set("expired", "stale", timeout=0)
    with CaptureQueriesContext(connection) as bump:
        assert cache.set_many({"written": "t1", "table": "t1"}, timeout=None) == []
    with CaptureQueriesContext(connection) as add:
        cache.add_many({"written": "t0", "missing": "t0", "expired": "t0"}, timeout=None)
    assert len(table_statements(bump)) == 1 and len(table_statements(add)) == 1
    assert cache.get_many(["written", "table", "missing", "expired"]) == {
        "written": "t1", "table": "t1", "missing": "t0", "expired": "t0",
    }
    cache.set_many({"written": "t2"}, timeout=None)
    assert cache.get("written") == "t2"


def test_expiry_and_no_expiry_as_django_stores_them():
    cache = PageDatabaseCache("portal_pages", {})
    cache.set("gone", 1, timeout=0)  # Django: a timeout of 0 expires at once
    cache.set("forever", 2, timeout=None)
    cache.set("minute", 3, timeout=60)
    assert cache.get("gone") is None
    assert cache.get_many(["forever", "minute"]) == {"forever": 2, "minute": 3}


def test_the_count_and_cull_run_on_one_set_in_cull_every():
    """MAX_ENTRIES 3, CULL_FREQUENCY 2, CULL_EVERY 5. Sets 1–4 count nothing (4 rows, over the maximum).
    Set 5 counts 5 rows > 3: nothing has expired, so Django's cull deletes 5 // 2 = 2 entries, the keys
    ordered before the one at offset 2 (:1:k1, :1:k2); :1:k3–:1:k5 stay."""
    cache = PageDatabaseCache("portal_pages", {"OPTIONS": {"MAX_ENTRIES": 3, "CULL_FREQUENCY": 2, "CULL_EVERY": 5}})
    for n in range(1, 5):
        with CaptureQueriesContext(connection) as queries:
            cache.set(f"k{n}", n, timeout=60)
        assert len(table_statements(queries)) == 1
    assert rows() == [":1:k1", ":1:k2", ":1:k3", ":1:k4"]
    with CaptureQueriesContext(connection) as queries:
        cache.set("k5", 5, timeout=60)
    assert any("COUNT(*)" in sql for sql in table_statements(queries))
    assert rows() == [":1:k3", ":1:k4", ":1:k5"]

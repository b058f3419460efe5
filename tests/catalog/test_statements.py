"""catalog/statements.py: how the two write watchers (page cache, public trees) read a statement."""

import pytest

from catalog.statements import WRITES_NOTHING, written_table


@pytest.mark.parametrize(
    ("sql", "table"),
    [
        ('INSERT INTO "disclosure_record" ("title") VALUES (%s) RETURNING "id"', "disclosure_record"),
        ('UPDATE "catalog_catalognode" SET "name" = %s', "catalog_catalognode"),
        ('  DELETE FROM "public"."Catalog_Organisation" WHERE id = 1', "catalog_organisation"),
        ("INSERT OR REPLACE INTO portal_pages VALUES (1)", "portal_pages"),
        ("REPLACE INTO `disclosure_tag` VALUES (1)", "disclosure_tag"),
        ("UPDATE OR IGNORE disclosure_record SET title = 1", "disclosure_record"),
        ('SELECT * FROM "disclosure_record" FOR UPDATE', WRITES_NOTHING),
        ("select 1", WRITES_NOTHING),
        ("SAVEPOINT s1", WRITES_NOTHING),
        ("RELEASE SAVEPOINT s1", WRITES_NOTHING),
        ("SET statement_timeout = 1000", WRITES_NOTHING),
        ("VACUUM ANALYZE disclosure_record", WRITES_NOTHING),
        # The search's candidates: a WITH inside a SELECT, which PostgreSQL allows only for reads.
        ("SELECT * FROM (WITH c (pk) AS MATERIALIZED (SELECT 1) SELECT pk FROM c) AS ranked", WRITES_NOTHING),
        # A statement that may write anything: the watchers assume it does.
        ("WITH x AS (DELETE FROM t RETURNING 1) SELECT 1", None),
        ("TRUNCATE catalog_nodechannel", None),
        ("CREATE INDEX i ON disclosure_record (title)", None),
        ("COPY disclosure_record FROM STDIN", None),
    ],
)
def test_written_table(sql, table):
    assert written_table(sql) == table

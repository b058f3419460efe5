"""Which organisations' public rows a transaction touched: the page cache ends only their pages.

Migration 0012 gave the page cache (portal/pagecache.py) a marker that moves when a statement touches a
record the public may see, or an attachment of one. This one tells it *whose*: the same triggers now
also write one row per organisation concerned into ``disclosure_publicrowchange`` (the record's
organisation, before and after the write; for an attachment, its record's). The marker is the table's
id: on PostgreSQL the ids are drawn from the sequence of 0012, still advanced once per statement; on
SQLite they are the table's AUTOINCREMENT, which replaces the counter row of 0012.

The cache reads the marker before a transaction's first write to the records' tables. After the commit
it reads the rows past it, ends the pages of those organisations (and the pages that read any
organisation's records), and only then deletes the rows it read: whoever deletes a row has ended its
pages after it was committed, so a transaction that finds its own rows gone has nothing left to do. A
row whose organisation is unknown (an attachment whose record is gone) ends every page.

Rows written by a statement no transaction of the cache watches (a write outside a transaction, which
ends every page anyway; a bulk COPY of the scale seeder) stay until deleted by hand; each is a few bytes.
"""

from importlib import import_module

from django.db import migrations

# 0012's statuses and sequence (tests/portal/test_pagecache_drafts.py checks the statuses against the model).
_0012 = import_module("disclosure.migrations.0012_public_row_marker")
HIDDEN_STATUSES = _0012.HIDDEN_STATUSES
HIDDEN = _0012.HIDDEN
SEQUENCE = _0012.SEQUENCE
CHANGES = "disclosure_publicrowchange"
OLD_MARKER_TABLE = "disclosure_publicrowmarker"
TABLES = ("disclosure_record", "disclosure_attachment")
OPERATIONS = ("INSERT", "UPDATE", "DELETE")

PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION disclosure_mark_public_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'disclosure_record' THEN
        IF TG_OP = 'INSERT' THEN
            INSERT INTO {CHANGES} (organisation_id)
            SELECT DISTINCT organisation_id FROM new_rows WHERE status NOT IN {HIDDEN};
        ELSIF TG_OP = 'UPDATE' THEN
            INSERT INTO {CHANGES} (organisation_id)
            SELECT organisation_id FROM new_rows WHERE status NOT IN {HIDDEN}
            UNION SELECT organisation_id FROM old_rows WHERE status NOT IN {HIDDEN};
        ELSE
            INSERT INTO {CHANGES} (organisation_id)
            SELECT DISTINCT organisation_id FROM old_rows WHERE status NOT IN {HIDDEN};
        END IF;
    ELSE
        IF TG_OP = 'INSERT' THEN
            INSERT INTO {CHANGES} (organisation_id)
            SELECT DISTINCT r.organisation_id FROM new_rows a JOIN disclosure_record r ON r.id = a.record_id
            WHERE r.status NOT IN {HIDDEN};
        ELSIF TG_OP = 'UPDATE' THEN
            INSERT INTO {CHANGES} (organisation_id)
            SELECT r.organisation_id FROM new_rows a JOIN disclosure_record r ON r.id = a.record_id
            WHERE r.status NOT IN {HIDDEN}
            UNION SELECT r.organisation_id FROM old_rows a JOIN disclosure_record r ON r.id = a.record_id
            WHERE r.status NOT IN {HIDDEN};
        ELSE
            INSERT INTO {CHANGES} (organisation_id)
            SELECT DISTINCT r.organisation_id FROM old_rows a JOIN disclosure_record r ON r.id = a.record_id
            WHERE r.status NOT IN {HIDDEN};
        END IF;
    END IF;
    RETURN NULL;
END $$;
"""

# 0012's function, restored when this migration is reversed (a migration is never edited once applied,
# so its text is taken from there rather than copied).
PG_OLD_FUNCTION = _0012.PG_FUNCTION


def _pg_install():
    # The triggers of 0012 call the function by name: replacing it is enough.
    yield (f"CREATE TABLE IF NOT EXISTS {CHANGES} (id bigint PRIMARY KEY DEFAULT nextval('{SEQUENCE}'),"
           f" organisation_id integer NULL)")
    yield PG_FUNCTION


def _pg_remove():
    yield PG_OLD_FUNCTION
    yield f"DROP TABLE IF EXISTS {CHANGES}"


def _sqlite_triggers(changes_sql):
    record = "(SELECT organisation_id FROM disclosure_record WHERE id = {side}.record_id)"
    record_status = "(SELECT status FROM disclosure_record WHERE id = {side}.record_id)"
    for table in TABLES:
        if table == "disclosure_record":
            organisation, status = "{side}.organisation_id", "{side}.status"
        else:
            organisation, status = record, record_status
        sides = {"INSERT": ("NEW",), "UPDATE": ("NEW", "OLD"), "DELETE": ("OLD",)}
        for operation in OPERATIONS:
            counted = [f"{status.format(side=side)} NOT IN {HIDDEN}" for side in sides[operation]]
            organisations = [organisation.format(side=side) for side in sides[operation]]
            yield (f"CREATE TRIGGER IF NOT EXISTS {table}_public_{operation.lower()} AFTER {operation} ON {table}"
                   f" FOR EACH ROW WHEN {' OR '.join(counted)} BEGIN {changes_sql(organisations)} END")


def _sqlite_install():
    yield f"CREATE TABLE IF NOT EXISTS {CHANGES} (id integer PRIMARY KEY AUTOINCREMENT, organisation_id integer NULL)"
    for table in TABLES:
        for operation in OPERATIONS:
            yield f"DROP TRIGGER IF EXISTS {table}_public_{operation.lower()}"
    yield f"DROP TABLE IF EXISTS {OLD_MARKER_TABLE}"
    # An update of a public row names both organisations, before and after (the same one, mostly).
    yield from _sqlite_triggers(
        lambda organisations: f"INSERT INTO {CHANGES} (organisation_id) VALUES "
        + ", ".join(f"({organisation})" for organisation in organisations) + ";"
    )


def _sqlite_remove():
    for table in TABLES:
        for operation in OPERATIONS:
            yield f"DROP TRIGGER IF EXISTS {table}_public_{operation.lower()}"
    yield f"DROP TABLE IF EXISTS {CHANGES}"
    yield f"CREATE TABLE IF NOT EXISTS {OLD_MARKER_TABLE} (id integer PRIMARY KEY, n integer NOT NULL)"
    yield f"INSERT OR IGNORE INTO {OLD_MARKER_TABLE} (id, n) VALUES (1, 0)"
    yield from _sqlite_triggers(lambda organisations: f"UPDATE {OLD_MARKER_TABLE} SET n = n + 1 WHERE id = 1;")


def _run(schema_editor, statements):
    for sql in statements:
        schema_editor.execute(sql, params=None)


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    _run(schema_editor, _pg_install() if vendor == "postgresql" else _sqlite_install() if vendor == "sqlite" else ())


def remove(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    _run(schema_editor, _pg_remove() if vendor == "postgresql" else _sqlite_remove() if vendor == "sqlite" else ())


class Migration(migrations.Migration):
    dependencies = [("disclosure", "0012_public_row_marker")]

    operations = [migrations.RunPython(install, remove, elidable=False)]

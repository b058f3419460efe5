"""A marker the page cache reads to learn whether a transaction touched a row the public may see.

The page cache (portal/pagecache.py) ends every cached page when a write to a table public pages read
commits. Most writes to the records' tables are a clerk's work on rows no citizen can see: a draft saved,
submitted, sent back, approved, an attachment added to a draft. These triggers let the cache tell them
apart, in the database itself, whatever code wrote the row (a service, a queryset ``update()``, raw SQL):

- ``disclosure_record``: a row counts when its status, before or after the write, is anything but
  draft, submitted, changes_requested or approved (scheduled, published, withdrawn, superseded, and any
  status added later);
- ``disclosure_attachment``: a row counts when its record's status counts.

A counted row advances the marker. PostgreSQL: the sequence ``disclosure_public_row_changes``, advanced
once per statement (statement-level triggers over the transition tables): a sequence takes no row lock,
so two transactions never wait on each other for it, and a bulk load costs one call per statement.
SQLite (one writer at a time anyway): the single row of ``disclosure_publicrowmarker``, one increment per
counted row.

The cache reads the marker before a transaction's first write to these tables and again after the
commit: unchanged, no public row was touched and the cached pages stay; changed (by this transaction or
any other meanwhile) or unreadable, every page ends as before.
"""

from django.db import migrations

# Statuses no public page shows and no time boundary reads (a subset of records.models.UNPUBLISHED_STATUSES,
# tests/portal/test_pagecache_drafts.py checks it). Written out, as a migration must: the model may change.
HIDDEN_STATUSES = ("draft", "submitted", "changes_requested", "approved")
HIDDEN = "(" + ", ".join(f"'{status}'" for status in HIDDEN_STATUSES) + ")"
SEQUENCE = "disclosure_public_row_changes"
MARKER_TABLE = "disclosure_publicrowmarker"

PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION disclosure_mark_public_rows() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    counted boolean := false;
BEGIN
    IF TG_TABLE_NAME = 'disclosure_record' THEN
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            SELECT EXISTS (SELECT 1 FROM new_rows WHERE status NOT IN {HIDDEN}) INTO counted;
        END IF;
        IF NOT counted AND TG_OP IN ('UPDATE', 'DELETE') THEN
            SELECT EXISTS (SELECT 1 FROM old_rows WHERE status NOT IN {HIDDEN}) INTO counted;
        END IF;
    ELSE
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            SELECT EXISTS (SELECT 1 FROM new_rows a JOIN disclosure_record r ON r.id = a.record_id
                           WHERE r.status NOT IN {HIDDEN}) INTO counted;
        END IF;
        IF NOT counted AND TG_OP IN ('UPDATE', 'DELETE') THEN
            SELECT EXISTS (SELECT 1 FROM old_rows a JOIN disclosure_record r ON r.id = a.record_id
                           WHERE r.status NOT IN {HIDDEN}) INTO counted;
        END IF;
    END IF;
    IF counted THEN
        PERFORM nextval('{SEQUENCE}');
    END IF;
    RETURN NULL;
END $$;
"""

TABLES = ("disclosure_record", "disclosure_attachment")
TRANSITIONS = {
    "INSERT": "REFERENCING NEW TABLE AS new_rows",
    "UPDATE": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
    "DELETE": "REFERENCING OLD TABLE AS old_rows",
}


def _pg_statements():
    yield f"CREATE SEQUENCE IF NOT EXISTS {SEQUENCE}"
    yield PG_FUNCTION
    for table in TABLES:
        for operation, referencing in TRANSITIONS.items():
            yield (f"CREATE TRIGGER {table}_public_{operation.lower()} AFTER {operation} ON {table} {referencing}"
                   f" FOR EACH STATEMENT EXECUTE FUNCTION disclosure_mark_public_rows()")


def _sqlite_statements():
    yield f"CREATE TABLE IF NOT EXISTS {MARKER_TABLE} (id integer PRIMARY KEY, n integer NOT NULL)"
    yield f"INSERT OR IGNORE INTO {MARKER_TABLE} (id, n) VALUES (1, 0)"
    bump = f"UPDATE {MARKER_TABLE} SET n = n + 1 WHERE id = 1;"
    record_counts = {
        "INSERT": f"NEW.status NOT IN {HIDDEN}",
        "UPDATE": f"NEW.status NOT IN {HIDDEN} OR OLD.status NOT IN {HIDDEN}",
        "DELETE": f"OLD.status NOT IN {HIDDEN}",
    }
    attachment_counts = {
        "INSERT": f"(SELECT status FROM disclosure_record WHERE id = NEW.record_id) NOT IN {HIDDEN}",
        "UPDATE": (f"(SELECT status FROM disclosure_record WHERE id = NEW.record_id) NOT IN {HIDDEN}"
                   f" OR (SELECT status FROM disclosure_record WHERE id = OLD.record_id) NOT IN {HIDDEN}"),
        "DELETE": f"(SELECT status FROM disclosure_record WHERE id = OLD.record_id) NOT IN {HIDDEN}",
    }
    for table, counts in (("disclosure_record", record_counts), ("disclosure_attachment", attachment_counts)):
        for operation, condition in counts.items():
            yield (f"CREATE TRIGGER IF NOT EXISTS {table}_public_{operation.lower()} AFTER {operation} ON {table}"
                   f" FOR EACH ROW WHEN {condition} BEGIN {bump} END")


def _drop_statements(vendor):
    for table in TABLES:
        for operation in TRANSITIONS:
            on = f" ON {table}" if vendor == "postgresql" else ""
            yield f"DROP TRIGGER IF EXISTS {table}_public_{operation.lower()}{on}"
    if vendor == "postgresql":
        yield "DROP FUNCTION IF EXISTS disclosure_mark_public_rows()"
        yield f"DROP SEQUENCE IF EXISTS {SEQUENCE}"
    elif vendor == "sqlite":
        yield f"DROP TABLE IF EXISTS {MARKER_TABLE}"


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = _pg_statements() if vendor == "postgresql" else _sqlite_statements() if vendor == "sqlite" else ()
    for sql in statements:
        schema_editor.execute(sql, params=None)


def remove(apps, schema_editor):
    for sql in _drop_statements(schema_editor.connection.vendor):
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [("disclosure", "0011_guidecheck")]

    operations = [migrations.RunPython(install, remove, elidable=False)]

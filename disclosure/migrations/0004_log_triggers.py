"""The log cannot be rewritten: database triggers refuse UPDATE and DELETE on the history tables.

``LogEntryModel.save``/``delete`` and the read-only admin only stop Django code that goes through a
model instance; a queryset ``update()``/``delete()`` or a raw SQL session went straight past them. These
triggers hold the rule in the database itself, on PostgreSQL and SQLite alike.

Protected tables, and the only changes they still accept:

- ``disclosure_auditentry`` (the records' log) and ``disclosure_activityentry`` (the other duties' log):
  no DELETE; an UPDATE only when it sets the ``on_delete=SET_NULL`` foreign keys (``actor_id``,
  ``record_id``, ``organisation_id``) to NULL and changes nothing else — that is what Django issues when
  a user, a never-published draft or an organisation is deleted; the entry keeps ``actor_name`` and
  ``record_title``.
- ``disclosure_recordversion`` (the version history): UPDATE only to set ``author_id`` to NULL (the
  author's account is deleted). DELETE only while the record is a never-published draft
  (status draft / changes_requested, no index number, never published): its versions go with it by
  ``on_delete=CASCADE`` when ``records.services.record_delete`` deletes it (Django deletes the versions
  first, so the record row is still there to be checked).
- ``disclosure_review`` (the review rounds): part of the history too, but ``_close_review`` writes the
  decision into the open review. So an UPDATE is accepted only when it closes an open review
  (decision '' -> non-empty, same record, submitter and submission time) or only sets
  ``submitted_by_id`` / ``reviewer_id`` to NULL; a decided review is never changed again. DELETE as for
  versions (a never-published draft's rounds go with it).

The error is a database IntegrityError (SQLite ``RAISE(ABORT)``; PostgreSQL SQLSTATE 23001
``restrict_violation``) with the message "日志只能追加，不能修改或删除（<table>）".

On PostgreSQL one PL/pgSQL function guards all four tables. It compares the whole old and new rows as
jsonb (minus the foreign keys being set to NULL), so a column added later is protected without touching
the trigger. On SQLite the triggers name the columns of each table as they are in this migration; a
migration that adds a column to one of these tables must recreate the SQLite trigger of that table.

The test suite's flushes. Django's ``flush`` (run by ``TransactionTestCase``, ``transaction=True`` tests
and live_server tests between tests) issues TRUNCATE on PostgreSQL, which fires no row-level trigger,
so nothing is needed there (and no statement-level TRUNCATE trigger is added: wiping a whole database
is a deliberate act of an operator, not a rewrite of history). On SQLite it issues a plain
``DELETE FROM`` per table, which the DELETE triggers refuse. The triggers are not weakened for it (no
"flush mode" flag a session could set): ``tests/conftest.py`` wraps SQLite's ``execute_sql_flush`` so
that a flush drops these triggers, flushes, and recreates them in the same transaction, using
``drop_statements``/``create_statements`` below. Production code never calls that wrapper, and every
test that does not flush runs with the triggers in place.
"""

from django.db import migrations

MESSAGE = "日志只能追加，不能修改或删除（{table}）"

# table -> (columns that must never change, foreign keys that may only be set to NULL)
TABLES = {
    "disclosure_auditentry": (
        ["id", "actor_name", "action", "comment", "created_at", "record_title", "from_status",
         "to_status"],
        ["record_id", "organisation_id", "actor_id"],
    ),
    "disclosure_activityentry": (
        ["id", "actor_name", "action", "comment", "created_at", "subject_type", "subject_id",
         "subject_title", "from_status", "to_status"],
        ["organisation_id", "actor_id"],
    ),
    "disclosure_recordversion": (
        ["id", "record_id", "number", "author_name", "created_at", "data"],
        ["author_id"],
    ),
    "disclosure_review": (
        ["id", "record_id", "submitted_at", "reviewer_name", "decision", "decided_at",
         "confidentiality_checked", "openness_checked", "comment"],
        ["submitted_by_id", "reviewer_id"],
    ),
}
# Tables whose rows go with a never-published draft record (on_delete=CASCADE from record_delete).
DRAFT_CHILDREN = ("disclosure_recordversion", "disclosure_review")
DRAFT_RECORD = (
    "r.id = OLD.record_id AND r.status IN ('draft', 'changes_requested') "
    "AND r.index_number = '' AND r.published_at IS NULL"
)
# The one change a review row accepts besides SET NULL: an open review receives its decision.
# ``{same}``: the null-safe equality of the engine, so that no comparison yields NULL (a trigger whose
# WHEN is NULL does not fire).
REVIEW_CLOSES = (
    "OLD.decision {same} '' AND NOT (NEW.decision {same} '') AND NEW.id {same} OLD.id "
    "AND NEW.record_id {same} OLD.record_id AND NEW.submitted_at {same} OLD.submitted_at "
    "AND NEW.submitted_by_id {same} OLD.submitted_by_id"
)

PG_FUNCTION = r"""
CREATE OR REPLACE FUNCTION disclosure_log_guard() RETURNS trigger LANGUAGE plpgsql AS $guard$
DECLARE
    old_row jsonb;
    new_row jsonb;
    fk text;
BEGIN
    -- TG_ARGV[0]: 'log', or 'draft_child' (deletable together with a never-published draft record);
    -- TG_ARGV[1..]: the foreign keys an UPDATE may set to NULL (on_delete=SET_NULL).
    IF TG_OP = 'UPDATE' THEN
        old_row := to_jsonb(OLD);
        new_row := to_jsonb(NEW);
        FOR i IN 1 .. TG_NARGS - 1 LOOP
            fk := TG_ARGV[i];
            IF new_row -> fk = 'null'::jsonb THEN
                old_row := old_row - fk;
                new_row := new_row - fk;
            END IF;
        END LOOP;
        IF old_row = new_row THEN
            RETURN NEW;
        END IF;
    ELSIF TG_OP = 'DELETE' AND TG_ARGV[0] = 'draft_child' THEN
        IF EXISTS (SELECT 1 FROM disclosure_record r WHERE %(draft)s) THEN
            RETURN OLD;
        END IF;
    END IF;
    RAISE EXCEPTION '日志只能追加，不能修改或删除（%%）', TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END
$guard$;
""" % {"draft": DRAFT_RECORD}


def _pg_create(table):
    fixed, nullable = TABLES[table]
    mode = "draft_child" if table in DRAFT_CHILDREN else "log"
    args = ", ".join(f"'{a}'" for a in [mode, *nullable])
    closes = REVIEW_CLOSES.format(same="IS NOT DISTINCT FROM")
    when = f"WHEN (NOT ({closes}))" if table == "disclosure_review" else ""
    return [
        f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} FOR EACH ROW {when} "
        f"EXECUTE FUNCTION disclosure_log_guard({args})",
        f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} FOR EACH ROW "
        f"EXECUTE FUNCTION disclosure_log_guard({args})",
    ]


def _sqlite_create(table):
    fixed, nullable = TABLES[table]
    same = [f"NEW.{c} IS OLD.{c}" for c in fixed]
    nulled = [f"(NEW.{c} IS OLD.{c} OR NEW.{c} IS NULL)" for c in nullable]
    allowed = " AND ".join(same + nulled)
    if table == "disclosure_review":
        allowed = f"({allowed}) OR ({REVIEW_CLOSES.format(same='IS')})"
    refuse = f"SELECT RAISE(ABORT, '{MESSAGE.format(table=table)}');"
    delete_when = (
        f"WHEN NOT EXISTS (SELECT 1 FROM disclosure_record r WHERE {DRAFT_RECORD}) "
        if table in DRAFT_CHILDREN
        else ""
    )
    return [
        f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} FOR EACH ROW "
        f"WHEN NOT ({allowed}) BEGIN {refuse} END",
        f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} FOR EACH ROW "
        f"{delete_when}BEGIN {refuse} END",
    ]


def create_statements(vendor):
    """The SQL that installs the triggers on ``vendor`` ('postgresql' or 'sqlite'; others: none)."""
    if vendor == "postgresql":
        return [PG_FUNCTION] + [sql for table in TABLES for sql in _pg_create(table)]
    if vendor == "sqlite":
        return [sql for table in TABLES for sql in _sqlite_create(table)]
    return []


def drop_statements(vendor):
    """The SQL that removes them again."""
    if vendor not in ("postgresql", "sqlite"):
        return []
    on = " ON {table}" if vendor == "postgresql" else ""
    statements = [
        f"DROP TRIGGER IF EXISTS {table}_{kind}{on.format(table=table)}"
        for table in TABLES
        for kind in ("no_update", "no_delete")
    ]
    if vendor == "postgresql":
        statements.append("DROP FUNCTION IF EXISTS disclosure_log_guard()")
    return statements


def install(apps, schema_editor):
    for sql in create_statements(schema_editor.connection.vendor):
        schema_editor.execute(sql, params=None)


def remove(apps, schema_editor):
    for sql in drop_statements(schema_editor.connection.vendor):
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [("disclosure", "0003_search_index")]

    operations = [migrations.RunPython(install, remove, elidable=False)]

"""The number of published, 主动公开 records per organisation and catalog node, kept by the database.

The reports' figures per column (completeness, freshness: disclosure/reports/common.py) counted every
public record at each report: an index-only scan of a million entries at province scale, whose time
grows with the records. ``disclosure_publiccolumncount`` holds the counts instead, one row per
(organisation, node) that ever had such a record, written only by the triggers below:

- on PostgreSQL, one trigger per statement (INSERT, UPDATE, DELETE; COPY fires the INSERT one) groups the
  statement's rows (its transition tables, as 0012's) and adds the difference to each row concerned with
  ``INSERT … ON CONFLICT DO UPDATE SET records = records + excluded.records``, in (organisation, node)
  order. Under concurrent transactions each addition waits for the row's lock and applies to the row as the
  other left it, so no count is lost; the fixed order keeps two multi-row statements from deadlocking;
- on SQLite, the same per row.

The count ignores the publication time: a record whose publication time lies ahead is counted already,
and the reader subtracts those (a range of the index ``record_public_idx``). A row falls to 0 rather than
being deleted, so no insert races a delete. The rows are filled here from the records as they are; the
lock CREATE TRIGGER takes keeps every write to the records out until this migration commits.
"""

from django.db import migrations, models

COUNTS = "disclosure_publiccolumncount"
RECORDS = "disclosure_record"
PUBLIC = "status = 'published' AND openness = 'proactive'"
OPERATIONS = ("INSERT", "UPDATE", "DELETE")
FUNCTION = "disclosure_count_public_columns"


def _upsert(select: str) -> str:
    return (f"INSERT INTO {COUNTS} (organisation_id, node_id, records) {select}"
            f" ON CONFLICT (organisation_id, node_id) DO UPDATE SET records = {COUNTS}.records + excluded.records;")


def _delta(*sides: tuple[str, int]) -> str:
    rows = " UNION ALL ".join(
        f"SELECT organisation_id, node_id, {sign} AS n FROM {table} WHERE {PUBLIC}" for table, sign in sides
    )
    return _upsert(f"SELECT organisation_id, node_id, sum(n) FROM ({rows}) AS delta"
                   " GROUP BY organisation_id, node_id HAVING sum(n) <> 0 ORDER BY organisation_id, node_id")


PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {_delta(("new_rows", 1))}
    ELSIF TG_OP = 'UPDATE' THEN
        {_delta(("new_rows", 1), ("old_rows", -1))}
    ELSE
        {_delta(("old_rows", -1))}
    END IF;
    RETURN NULL;
END $$;
"""
PG_REFERENCING = {
    "INSERT": "REFERENCING NEW TABLE AS new_rows",
    "UPDATE": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
    "DELETE": "REFERENCING OLD TABLE AS old_rows",
}
FILL = (f"INSERT INTO {COUNTS} (organisation_id, node_id, records) SELECT organisation_id, node_id, count(*)"
        f" FROM {RECORDS} WHERE {PUBLIC} GROUP BY organisation_id, node_id")


def _trigger(operation: str) -> str:
    return f"{RECORDS}_count_{operation.lower()}"


def _pg_install():
    yield PG_FUNCTION
    for operation in OPERATIONS:
        yield (f"CREATE TRIGGER {_trigger(operation)} AFTER {operation} ON {RECORDS} {PG_REFERENCING[operation]}"
               f" FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()")
    yield FILL


def _pg_remove():
    for operation in OPERATIONS:
        yield f"DROP TRIGGER IF EXISTS {_trigger(operation)} ON {RECORDS}"
    yield f"DROP FUNCTION IF EXISTS {FUNCTION}()"


def _sqlite_public(side: str) -> str:
    return f"{side}.status = 'published' AND {side}.openness = 'proactive'"


def _sqlite_add(side: str) -> str:
    return _upsert(f"SELECT {side}.organisation_id, {side}.node_id, 1 WHERE {_sqlite_public(side)}")


def _sqlite_remove_one(side: str) -> str:
    return (f"UPDATE {COUNTS} SET records = records - 1 WHERE organisation_id = {side}.organisation_id"
            f" AND node_id = {side}.node_id AND {_sqlite_public(side)};")


def _sqlite_install():
    bodies = {
        "INSERT": (("NEW",), _sqlite_add("NEW")),
        "UPDATE": (("OLD", "NEW"), _sqlite_remove_one("OLD") + " " + _sqlite_add("NEW")),
        "DELETE": (("OLD",), _sqlite_remove_one("OLD")),
    }
    for operation, (sides, body) in bodies.items():
        when = " OR ".join(f"({_sqlite_public(side)})" for side in sides)
        yield f"CREATE TRIGGER {_trigger(operation)} AFTER {operation} ON {RECORDS} FOR EACH ROW WHEN {when} BEGIN {body} END"
    yield FILL


def _sqlite_remove():
    for operation in OPERATIONS:
        yield f"DROP TRIGGER IF EXISTS {_trigger(operation)}"


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
    dependencies = [
        ("catalog", "0002_standard"),
        ("disclosure", "0013_public_row_changes"),
    ]

    operations = [
        migrations.CreateModel(
            name="PublicColumnCount",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("records", models.IntegerField(default=0)),
                ("node", models.ForeignKey(db_constraint=False, on_delete=models.deletion.DO_NOTHING,
                                           related_name="+", to="catalog.catalognode")),
                ("organisation", models.ForeignKey(db_constraint=False, db_index=False,
                                                   on_delete=models.deletion.DO_NOTHING,
                                                   related_name="+", to="catalog.organisation")),
            ],
            options={
                "verbose_name": "栏目公开信息数",
                "verbose_name_plural": "栏目公开信息数",
                "constraints": [models.UniqueConstraint(fields=("organisation", "node"), name="unique_public_column_count")],
            },
        ),
        migrations.RunPython(install, remove, elidable=False),
    ]

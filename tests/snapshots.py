"""Seeded data built once per test process and copied into each test that asks for it.

``load_catalog`` and ``seed_demo`` run the real services (the review chain, the audit log's hash chain, the
search index…) and take seconds; many tests need exactly their result. A ``Snapshot`` runs such a builder
once, in a transaction it rolls back, keeps the rows it added, and ``restore()`` inserts those rows again
with plain INSERTs: the same rows, primary keys and search index (the FTS table is filled by its insert
trigger), at a fraction of the cost.

Rows referring to content types, permissions and groups are translated by natural key: after a
transactional test's flush, the post_migrate receivers (Django's, and disclosure's role groups) recreate
those tables with new primary keys.

SQLite only; on another database, and whenever the builder changed a row that existed before it ran
(a snapshot would not reproduce that), ``restore()`` simply runs the builder.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection, transaction

# Filled by triggers (on disclosure_searchdocument, migration 0003_search_index; on disclosure_record, 0014_public_column_counts)
# when the rows they derive from are inserted, never copied directly.
DERIVED_PREFIXES = ("disclosure_searchfts", "disclosure_publiccolumncount")
TRANSLATED = {"django_content_type", "auth_permission", "auth_group"}


class _Rollback(Exception):
    pass


def _tables(cursor) -> list[str]:
    names = connection.introspection.django_table_names(only_existing=True, include_views=False)
    return sorted(name for name in names if not name.startswith(DERIVED_PREFIXES))


def _rows(cursor, table: str) -> tuple[list[str], list[tuple]]:
    quoted = connection.ops.quote_name(table)
    cursor.execute(f"SELECT * FROM {quoted}")
    columns = [column[0] for column in cursor.description]
    return columns, cursor.fetchall()


def _content_type_keys(cursor) -> dict[int, tuple[str, str]]:
    cursor.execute("SELECT id, app_label, model FROM django_content_type")
    return {pk: (app, model) for pk, app, model in cursor.fetchall()}


def _natural_keys(cursor) -> dict[str, dict[int, tuple]]:
    """Each row of the translated tables by primary key: its natural key, as of now."""
    types = _content_type_keys(cursor)
    cursor.execute("SELECT id, name FROM auth_group")
    groups = {pk: (name,) for pk, name in cursor.fetchall()}
    permissions = {pk: (types[ct], codename) for pk, (ct, codename) in _permission_keys(cursor).items()}
    return {"django_content_type": types, "auth_permission": permissions, "auth_group": groups}


def _permission_keys(cursor) -> dict[int, tuple[int, str]]:
    cursor.execute("SELECT id, content_type_id, codename FROM auth_permission")
    return {pk: (content_type, codename) for pk, content_type, codename in cursor.fetchall()}


class Snapshot:
    def __init__(self, build: Callable[[], None]):
        self.build = build
        self.tables: list[tuple[str, list[str], list[tuple], dict[int, str]]] | None = None
        self.usable = connection.vendor == "sqlite"

    def capture(self) -> None:
        """Run the builder in a transaction that is rolled back, keeping the rows it added. Call it between
        tests (a session fixture, with the database unblocked), when the database holds no test's rows."""
        if not self.usable:
            return
        with connection.cursor() as cursor:
            before = {table: set(_rows(cursor, table)[1]) for table in _tables(cursor)}
            keys = _natural_keys(cursor)
        captured = []
        try:
            with transaction.atomic():
                self.build()
                with connection.cursor() as cursor:
                    for table in _tables(cursor):
                        columns, rows = _rows(cursor, table)
                        old = before.get(table, set())
                        added = [row for row in rows if row not in old]
                        if len(rows) - len(added) != len(old) or (table in TRANSLATED and added):
                            self.usable = False  # the builder changed or removed a row, or added a type
                        if not added:
                            continue
                        relations = connection.introspection.get_relations(cursor, table)
                        translate = {
                            columns.index(column): other_table
                            for column, (_other_column, other_table) in relations.items()
                            if other_table in TRANSLATED
                        }
                        if any(
                            before.get(other_table) and other_table not in TRANSLATED
                            for _other_column, other_table in relations.values()
                        ):
                            self.usable = False  # refers to rows that existed before, with no natural key
                        captured.append((table, columns, added, translate))
                raise _Rollback
        except _Rollback:
            pass
        self.keys = keys
        self.tables = captured

    def restore(self) -> None:
        """The builder's rows, in the database of the current test."""
        if self.usable and self.tables is None:
            self.capture()
        if not self.usable:
            self.build()
            return
        with transaction.atomic(), connection.cursor() as cursor:
            maps = {}
            for table, now in _natural_keys(cursor).items():
                by_key = {key: pk for pk, key in now.items()}
                maps[table] = {old: by_key[key] for old, key in self.keys[table].items() if key in by_key}
            for table, columns, rows, translate in self.tables:
                if translate:
                    rows = [
                        tuple(
                            maps[translate[i]][value] if i in translate and value is not None else value
                            for i, value in enumerate(row)
                        )
                        for row in rows
                    ]
                names = ", ".join(connection.ops.quote_name(column) for column in columns)
                marks = ", ".join(["%s"] * len(columns))
                cursor.executemany(
                    f"INSERT INTO {connection.ops.quote_name(table)} ({names}) VALUES ({marks})", rows
                )

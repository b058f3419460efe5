"""The search index the database keeps from the search documents: PostgreSQL tsvector + GIN, SQLite FTS5.

Kept by hand (makemigrations cannot write it). The tables are created by 0001_initial (SearchDocument,
and SearchFts as an unmanaged model); this migration adds the vendor-specific part as plain SQL run only
on its database (``RunSQLForVendor``). Note for later migrations: on SQLite, Django alters a table by
copying it to a new one, which drops its triggers; a migration that alters ``disclosure_searchdocument``
must recreate the SQLite triggers below.
"""

from django.db import migrations

POSTGRESQL_FORWARD = [
    # The vector is derived from the pre-tokenised terms by the database on every write, so bulk
    # loads and ORM saves alike keep it right. 'simple': no stemming, no stop words; the terms are
    # already segmented (disclosure/core/tokens.py). Weights: title A, document number B, body D.
    """
    CREATE FUNCTION disclosure_searchdocument_vector() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW.vector :=
            setweight(to_tsvector('pg_catalog.simple', coalesce(NEW.title_tokens, '')), 'A')
            || setweight(to_tsvector('pg_catalog.simple', coalesce(NEW.number_tokens, '')), 'B')
            || setweight(to_tsvector('pg_catalog.simple', coalesce(NEW.body_tokens, '')), 'D');
        RETURN NEW;
    END
    $$
    """,
    """
    CREATE TRIGGER disclosure_searchdocument_vector
    BEFORE INSERT OR UPDATE ON disclosure_searchdocument
    FOR EACH ROW EXECUTE FUNCTION disclosure_searchdocument_vector()
    """,
    "CREATE INDEX searchdoc_vector_gin ON disclosure_searchdocument USING gin (vector)",
]
POSTGRESQL_BACKWARD = [
    "DROP INDEX IF EXISTS searchdoc_vector_gin",
    "DROP TRIGGER IF EXISTS disclosure_searchdocument_vector ON disclosure_searchdocument",
    "DROP FUNCTION IF EXISTS disclosure_searchdocument_vector()",
]

_FTS_INSERT = (
    "INSERT INTO disclosure_searchfts(rowid, title_tokens, number_tokens, body_tokens) "
    "VALUES (new.record_id, new.title_tokens, new.number_tokens, new.body_tokens);"
)
SQLITE_FORWARD = [
    # Its own copy of the terms (not external content): a row is deleted by rowid alone.
    """
    CREATE VIRTUAL TABLE disclosure_searchfts USING fts5(
        title_tokens, number_tokens, body_tokens, tokenize = 'unicode61 remove_diacritics 0'
    )
    """,
    # The hidden rank column: bm25 with title hits weighing most, then document number, then body.
    "INSERT INTO disclosure_searchfts(disclosure_searchfts, rank) VALUES ('rank', 'bm25(10.0, 5.0, 1.0)')",
    f"""
    CREATE TRIGGER disclosure_searchdocument_fts_insert AFTER INSERT ON disclosure_searchdocument
    BEGIN {_FTS_INSERT} END
    """,
    """
    CREATE TRIGGER disclosure_searchdocument_fts_delete AFTER DELETE ON disclosure_searchdocument
    BEGIN DELETE FROM disclosure_searchfts WHERE rowid = old.record_id; END
    """,
    f"""
    CREATE TRIGGER disclosure_searchdocument_fts_update AFTER UPDATE ON disclosure_searchdocument
    BEGIN DELETE FROM disclosure_searchfts WHERE rowid = old.record_id; {_FTS_INSERT} END
    """,
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS disclosure_searchdocument_fts_update",
    "DROP TRIGGER IF EXISTS disclosure_searchdocument_fts_delete",
    "DROP TRIGGER IF EXISTS disclosure_searchdocument_fts_insert",
    "DROP TABLE IF EXISTS disclosure_searchfts",
]


class RunSQLForVendor(migrations.RunSQL):
    """RunSQL whose statements depend on the database vendor; any other vendor runs nothing.

    A RunSQL rather than a RunPython so that ``sqlmigrate`` shows the statements for the database
    at hand. Each statement runs with ``params=None``: its ``%`` characters are not placeholders.
    """

    def __init__(self, sql_by_vendor, reverse_sql_by_vendor):
        self.sql_by_vendor = sql_by_vendor
        self.reverse_sql_by_vendor = reverse_sql_by_vendor
        super().__init__(sql=[], reverse_sql=[])

    def deconstruct(self):
        return (self.__class__.__qualname__, [self.sql_by_vendor, self.reverse_sql_by_vendor], {})

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        self._run_sql(schema_editor, self.sql_by_vendor.get(schema_editor.connection.vendor, []))

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        self._run_sql(schema_editor, self.reverse_sql_by_vendor.get(schema_editor.connection.vendor, []))

    def describe(self):
        return "Search index: PostgreSQL tsvector trigger and GIN index, or SQLite FTS5 table and triggers"


class Migration(migrations.Migration):
    dependencies = [
        ("disclosure", "0002_roles"),
    ]

    operations = [
        RunSQLForVendor(
            {"postgresql": POSTGRESQL_FORWARD, "sqlite": SQLITE_FORWARD},
            {"postgresql": POSTGRESQL_BACKWARD, "sqlite": SQLITE_BACKWARD},
        ),
    ]

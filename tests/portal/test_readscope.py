"""portal/readscope.py: a statement is bound to organisations only when every read of the records is
restricted by them in the same SELECT; anything else is unbound (None), never a narrower set."""

from __future__ import annotations

import pytest

from portal.readscope import organisations_read

R = '"disclosure_record"'
COUNT_OF_ONE = (
    f'SELECT COUNT(*) FROM (SELECT {R}."id" AS "col1" FROM {R} WHERE ({R}."organisation_id" IN '
    f'(SELECT V0."id" FROM "catalog_organisation" V0 WHERE V0."is_active") AND {R}."status" = %s AND '
    f'{R}."node_id" IN (%s, %s) AND {R}."organisation_id" = %s) LIMIT 10001) subquery'
)


@pytest.mark.parametrize("vendor", ["postgresql", "sqlite"])
@pytest.mark.parametrize(
    ("sql", "params", "expected"),
    [
        # Django's column page count: a derived table restricted to one organisation (the 4th parameter).
        (COUNT_OF_ONE, ["published", 1, 2, 3], {3}),
        # Literal numbers and IN lists; the EXISTS branches of the year probe each restricted.
        (f"SELECT 1 FROM {R} WHERE {R}.\"organisation_id\" = 7", None, {7}),
        (
            f'SELECT EXISTS (SELECT 1 FROM (SELECT {R}."published_at" FROM {R} WHERE ({R}."organisation_id" = %s))'
            f' probe WHERE probe."published_at" >= %s), EXISTS (SELECT 1 FROM (SELECT {R}."published_at" FROM {R}'
            f' WHERE ({R}."organisation_id" IN (%s, 9))) probe)',
            [3, "2026-01-01", 4],
            {3, 4, 9},
        ),
        # UNION branches, each restricted: the union of their organisations.
        (f'SELECT 1 FROM {R} T1 WHERE T1."organisation_id" = %s UNION SELECT 1 FROM {R} WHERE {R}."organisation_id" = %s',
         [1, 2], {1, 2}),
        # An OR over the condition: not bound.
        (f'SELECT 1 FROM {R} WHERE ({R}."organisation_id" = %s OR {R}."status" = %s)', [3, "x"], None),
        # Through the organisation's code (a join): not bound.
        (f'SELECT 1 FROM {R} INNER JOIN "catalog_organisation" ON ({R}."organisation_id" = "catalog_organisation"."id")'
         ' WHERE "catalog_organisation"."code" = %s', ["419901"], None),
        # An attachment read, even of a restricted record: not bound.
        (f'SELECT 1 FROM {R} WHERE {R}."organisation_id" = 3 AND EXISTS(SELECT 1 FROM "disclosure_attachment" U0'
         f' WHERE U0."record_id" = {R}."id")', None, None),
        # The condition on another alias than the one read: not bound.
        (f'SELECT 1 FROM {R} T1 WHERE {R}."organisation_id" = %s', [1], None),
        # A second, unrestricted reference (a joined revision): not bound.
        ('SELECT 1 FROM disclosure_record r LEFT JOIN disclosure_record s ON s.id = r.revises_id'
         ' WHERE r.organisation_id = %s', [1], None),
        # Correlated to an outer column, or a subquery in the IN list: not bound.
        (f'SELECT 1 FROM {R} WHERE {R}."organisation_id" = (SELECT 3)', None, None),
        (f'SELECT 1 FROM {R} WHERE {R}."organisation_id" IN (SELECT "id" FROM "catalog_organisation")', None, None),
        # The search index carries no organisation column here: not bound.
        ('SELECT 1 FROM "disclosure_searchdocument" WHERE "organisation_id" = %s', [1], None),
        # Writes, and what the parser cannot read: not bound.
        (f'UPDATE {R} SET "title" = %s WHERE {R}."organisation_id" = %s', ["t", 1], None),
        ("garbage ((( sql", [1], None),
        # The name without a table reference the analysis can find (here inside a string): not bound.
        ("SELECT 1 FROM \"django_content_type\" WHERE \"model\" = 'disclosure_record' AND organisation_id = 1",
         None, None),
        # A parameter that is no number: not bound.
        (f'SELECT 1 FROM {R} WHERE {R}."organisation_id" = %s', ["x"], None),
    ],
)
def test_what_binds_a_statement_to_organisations(sql, params, expected, vendor):
    found = organisations_read(sql, params, vendor)
    assert found == (frozenset(expected) if expected is not None else None)


def test_an_analysis_that_fails_is_unbound_and_never_raises(monkeypatch):
    """The analysis runs inside the database wrapper of a render: whatever goes wrong in it, the statement
    is taken as reading every organisation's records, and the page is rendered."""
    from portal import readscope

    def broken(sql, vendor):
        raise RecursionError("too deep")

    monkeypatch.setattr(readscope, "_analyse", broken)
    sql = f'SELECT 2 FROM {R} WHERE {R}."organisation_id" = %s AND {R}."id" > 0'
    assert organisations_read(sql, [3], "postgresql") is None

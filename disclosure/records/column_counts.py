"""The counts of public records per (organisation, catalog node) that the database keeps
(``PublicColumnCount``, migration 0014): compared with a recount, and rebuilt from the records.

The triggers keep them through every INSERT, UPDATE, DELETE and COPY. What they cannot see: a TRUNCATE of the
records, a data-only restore run with triggers disabled, a hand edit of the counts. After such an operation,
``manage.py public_column_counts`` says whether the counts still agree with the records, and ``--rebuild``
makes them agree.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection, transaction

from catalog.models import CatalogNode, Organisation
from disclosure.records.models import PublicColumnCount, Record
from disclosure.records.selectors import counted_in_columns, records_per_column


@dataclass(frozen=True)
class CountDifference:
    organisation_code: str
    node_code: str
    kept: int
    recounted: int


def _recount() -> dict[tuple[int, int], int]:
    return records_per_column(Record.objects.filter(counted_in_columns()))


def _hold_the_records_still() -> None:
    """Inside a transaction: on PostgreSQL, writes to the records wait until it ends (SHARE mode: readers go
    on); SQLite's IMMEDIATE transaction already keeps every other writer out."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {Record._meta.db_table} IN SHARE MODE")


def column_count_differences() -> tuple[list[CountDifference], int, int]:
    """(the columns whose kept count differs from a recount, the columns recounted, the records recounted).

    Both reads in one transaction, of one state: on PostgreSQL the records are locked against writes
    meanwhile (SHARE mode: readers go on); SQLite's transaction reads one snapshot."""
    with transaction.atomic():
        _hold_the_records_still()
        recounted = _recount()
        kept = {
            (organisation_id, node_id): count
            for organisation_id, node_id, count in PublicColumnCount.objects.values_list(
                "organisation_id", "node_id", "records"
            )
        }
    wrong = sorted(key for key in recounted.keys() | kept.keys() if recounted.get(key, 0) != kept.get(key, 0))
    organisations = dict(Organisation.objects.filter(pk__in={o for o, _n in wrong}).values_list("pk", "code"))
    nodes = dict(CatalogNode.objects.filter(pk__in={n for _o, n in wrong}).values_list("pk", "code"))
    differences = [
        CountDifference(
            organisation_code=organisations.get(organisation_id, f"#{organisation_id}"),
            node_code=nodes.get(node_id, f"#{node_id}"),
            kept=kept.get((organisation_id, node_id), 0),
            recounted=recounted.get((organisation_id, node_id), 0),
        )
        for organisation_id, node_id in wrong
    ]
    return differences, len(recounted), sum(recounted.values())


def column_counts_rebuild() -> int:
    """Replace every kept count by a recount of the records; returns the number of columns. Writes to the
    records wait until it commits (PostgreSQL: SHARE lock; SQLite: one writer at a time)."""
    with transaction.atomic():
        _hold_the_records_still()
        PublicColumnCount.objects.all().delete()
        recounted = _recount()
        PublicColumnCount.objects.bulk_create(
            PublicColumnCount(organisation_id=organisation_id, node_id=node_id, records=count)
            for (organisation_id, node_id), count in recounted.items()
        )
    return len(recounted)

"""Reads of records. ``public_records`` is THE definition of what a citizen may see.

Every public surface (columns, record pages, counts, attachments, home page lists, search, feeds,
sitemap, API) starts from ``public_records()``. Nothing else decides visibility.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime

from django.db.models import Count, DateTimeField, OuterRef, Q, QuerySet, Subquery, Value
from django.utils import timezone

from catalog import selectors as catalog_selectors
from disclosure.core.compiled import TopLevelExists
from disclosure.core.visibility import visible_placement, visibly_placed
from disclosure.records.models import Attachment, Interpretation, Openness, PublicColumnCount, Record, Status


def public_records(*, now: datetime | None = None) -> QuerySet[Record]:
    """Published, 主动公开, publication time reached, not withdrawn or superseded, organisation and
    catalog node (and all their ancestors) active."""
    # The placement half, built once per process (disclosure/core/visibility.py), then the record's own.
    return visibly_placed(Record).filter(published_proactive(now=now))


def public_record_condition(prefix: str = "", *, now: datetime | None = None) -> Q:
    """The condition of ``public_records``, on the record reached through ``prefix`` (e.g. "record__").

    For a model that points at its record (the search index): filtering through the join lets the
    database probe each row's record, where ``record__in=public_records()`` makes SQLite list every
    public record first. Same rule, one definition.
    """
    return published_proactive(prefix, now=now) & visible_placement(prefix)


def published_proactive(prefix: str = "", *, now: datetime | None = None) -> Q:
    """The record's own half of the public rule (state, openness, time reached); the other half is where it
    is placed (``visible_placement``)."""
    return Q(
        **{
            f"{prefix}status": Status.PUBLISHED,
            f"{prefix}openness": Openness.PROACTIVE,
            f"{prefix}published_at__lte": now or timezone.now(),
        }
    )


def counted_in_columns() -> Q:
    """What the counts the database keeps per column (``PublicColumnCount``) count, as its triggers do:
    published and 主动公开, whatever the publication time."""
    return Q(status=Status.PUBLISHED, openness=Openness.PROACTIVE)


def records_per_column(records: QuerySet[Record]) -> dict[tuple[int, int], int]:
    """(organisation id, node id) → how many of ``records``: one grouped query."""
    rows = (
        records.order_by()
        .values("organisation_id", "node_id")
        .annotate(n=Count("*"))
        .values_list("organisation_id", "node_id", "n")
    )
    return {(organisation_id, node_id): count for organisation_id, node_id, count in rows}


def public_records_ahead(
    organisation_ids: Iterable[int], *, node_ids: Iterable[int] | None = None, now: datetime
) -> dict[tuple[int, int], int]:
    """(organisation id, node id) → records published and 主动公开 whose publication time lies after ``now``:
    what the counts the database keeps (``PublicColumnCount``) hold but the public does not see yet. One
    query, a range of the index ``record_public_idx`` (scheduled publications are few)."""
    nodes = {} if node_ids is None else {"node_id__in": list(node_ids)}
    return records_per_column(
        Record.objects.filter(
            counted_in_columns(), published_at__gt=now, organisation_id__in=list(organisation_ids), **nodes
        )
    )


def public_column_figures(
    organisation_ids: Iterable[int],
    *,
    node_ids: Iterable[int] | None = None,
    now: datetime | None = None,
    latest: bool = True,
) -> Iterator[tuple[int, int, int, datetime | None]]:
    """(organisation id, node id, public records, latest publication) of every column of the organisations
    holding a record of the record's own half of the public rule (``published_proactive``), without
    counting the records: the counts the database keeps (``PublicColumnCount``, migration 0014), less the
    records whose publication time lies ahead (few: a range of ``record_public_idx``), and per column the
    newest publication reached (one probe of ``record_public_column_idx`` each). The placement half is the
    caller's, who holds the visible organisations and nodes (disclosure/reports/common.py). ``node_ids``
    limits the columns to these nodes; without ``latest`` the last value is None and no column is probed.

    Two queries whatever the number of records."""
    organisation_ids = list(organisation_ids)
    now = now or timezone.now()
    nodes = {} if node_ids is None else {"node_id__in": list(node_ids)}
    ahead = public_records_ahead(organisation_ids, node_ids=node_ids, now=now)
    newest = (
        Record.objects.filter(
            published_proactive(now=now), organisation_id=OuterRef("organisation_id"), node_id=OuterRef("node_id")
        )
        .order_by("-published_at")
        .values("published_at")[:1]
    )
    columns = (
        PublicColumnCount.objects.filter(organisation_id__in=organisation_ids, records__gt=0, **nodes)
        .annotate(latest=Subquery(newest) if latest else Value(None, output_field=DateTimeField()))
        .values_list("organisation_id", "node_id", "records", "latest")
    )
    for organisation_id, node_id, count, latest in columns:
        count -= ahead.get((organisation_id, node_id), 0)
        if count > 0:
            yield organisation_id, node_id, count, latest


def public_records_placed(*, organisation_id: int, node_ids: list[int], now: datetime | None = None) -> QuerySet[Record]:
    """``public_records()`` of one organisation under some catalog nodes, for a caller that took both from
    the current public trees (``catalog.selectors.public_trees()``), where they are visible by construction
    (the trees are rebuilt whenever a catalog or organisation write commits, catalog/trees.py).

    The same rule without the visibility subqueries, which the trees already decided: a probe then reads
    one index (record_public_column_idx) and plans in microseconds, where forty probes each planning the
    tree subqueries cost PostgreSQL 85 ms of planning on a column page.
    """
    return Record.objects.filter(published_proactive(now=now), organisation_id=organisation_id, node_id__in=node_ids)


def _interpretation_links():
    number = OuterRef("index_number")
    return Interpretation.objects.filter(Q(record__index_number=number) | Q(policy__index_number=number))


# The record page's EXISTS flags, their SQL compiled once per process and database (disclosure/core/compiled.py;
# Django compiling them afresh cost more than a millisecond a page). For ``public_record_page``'s query only,
# which runs as it is.
_LINK_FLAGS = {
    "has_attachments": TopLevelExists(Record, lambda: Attachment.objects.filter(record_id=OuterRef("pk"))),
    "has_related": TopLevelExists(Record, lambda: Record.related.through.objects.filter(from_record_id=OuterRef("pk"))),
    "has_interpretation_links": TopLevelExists(Record, _interpretation_links),
}


def public_record(*, org_code: str, serial: str) -> Record | None:
    """The public record of an organisation with index number "<org>/<serial>", or None."""
    records = _record_query("rule").filter(published_proactive())
    return next(iter(_numbered(records, org_code, serial)[:1]), None)


def public_record_page(*, org_code: str, serial: str) -> Record | None:
    """``public_record`` for the record page, with ``has_attachments``, ``has_related`` and
    ``has_interpretation_links`` (EXISTS in the same query), so that the page skips the queries of lists it
    would find empty.

    The same rule, its placement half taken from the current public trees as ``public_records_placed`` does
    (``catalog.selectors.public_trees()``, rebuilt whenever a catalog or organisation write commits): the
    record's organisation among the visible ones and its node among the visible nodes, as lists of ids.
    The record's node, with the nodes above it for the breadcrumb, is the trees' own. At a million records
    PostgreSQL planned the visibility subqueries and the node's two parents for 3.6 ms per page, against
    0.3 ms to run the query; without them it plans in 0.7–1.0 ms.
    """
    trees = catalog_selectors.public_trees()
    records = _record_query("page").filter(
        published_proactive(),
        organisation_id__in=trees.visible_organisation_ids,
        node_id__in=trees.node_ids,
    )
    found = next(iter(_numbered(records, org_code, serial)[:1]), None)
    if found is not None:
        found.node = trees.node_by_id(found.node_id)
    return found


_record_queries: dict = {}


def _record_query(kind: str) -> QuerySet[Record]:
    """The record queries less the record's own half of the rule (which holds the time) and the index
    number, built once per process and cloned, as ``visibly_placed()`` is: "rule" with the placement half
    of the rule, "page" with the record page's flags instead (its placement comes from the trees).

    Unordered (``first()`` would order by the model's ordering): at most one published row has an index
    number (``unique_live_index_number``), and an ordered query makes Django hash every selected column."""
    found = _record_queries.get(kind)
    if found is None:
        if kind == "rule":
            records = visibly_placed(Record).select_related("organisation", "node", "public_notice")
        else:
            records = Record.objects.select_related("organisation", "public_notice").annotate(**_LINK_FLAGS)
        found = _record_queries[kind] = records.order_by()
    return found


def _numbered(records: QuerySet[Record], org_code: str, serial: str) -> QuerySet[Record]:
    return records.filter(organisation__code=org_code, index_number=f"{org_code}/{serial}")


def withdrawal_notice(*, org_code: str, serial: str) -> Record | None:
    """A withdrawn record whose reviewer chose to leave a public notice, or None.

    Only its title, index number and withdrawal date are shown; body and files never are.
    """
    return (
        Record.objects.filter(
            visible_placement(),
            status=Status.WITHDRAWN,
            withdrawal_notice=True,
            openness=Openness.PROACTIVE,
            organisation__code=org_code,
            index_number=f"{org_code}/{serial}",
        )
        .only("title", "index_number", "withdrawn_at", "organisation__code", "organisation__name")
        .select_related("organisation")
        .first()
    )


def public_attachment(*, org_code: str, serial: str, attachment_id: int) -> Attachment | None:
    """An attachment whose record is public, or None."""
    return (
        Attachment.objects.filter(
            pk=attachment_id,
            record__in=public_records().filter(
                organisation__code=org_code, index_number=f"{org_code}/{serial}"
            ),
        )
        .first()
    )


def public_image(digest: str) -> Attachment | None:
    """An image attachment (JPG, PNG) with this SHA-256 on a public record, or None: what a body's
    ``<img src="/images/<sha256>/">`` shows the public (disclosure/records/body_images.py)."""
    return Attachment.objects.filter(
        sha256=digest, kind__in=("jpg", "jpeg", "png"), record__in=public_records()
    ).first()

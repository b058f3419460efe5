"""The public 政策文件库 of an organisation: its public policy documents, current ones first, each with the
documents that amended or repealed it and those it amended or repealed.

Reads through ``public_records()`` only; a linked document is linked only when a public record holds its
index number (a document from elsewhere, or one not public, is named without a link). Queries do not grow
with the number of documents: the page, the links, and the index numbers that are public.
"""

from __future__ import annotations

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from disclosure.records.models import Record, Validity
from disclosure.records.selectors import public_records
from disclosure.records.validity import IN_FORCE_STATUSES, POLICY_TYPES, in_force_condition
from disclosure.records.validity_models import PolicyChange

VALIDITY_ORDER = Case(
    When(validity=Validity.CURRENT, then=Value(0)),
    When(validity=Validity.UPCOMING, then=Value(1)),
    When(validity=Validity.AMENDED, then=Value(2)),
    default=Value(3),
    output_field=IntegerField(),
)


def library_records(organisation, *, record_type: str = "", year: int | None = None,
                    validity: str = "") -> QuerySet[Record]:
    records = public_records().filter(organisation=organisation, record_type__in=POLICY_TYPES)
    if record_type:
        records = records.filter(record_type=record_type)
    if year:
        records = records.filter(effective_on__year=year)
    if validity:
        records = records.filter(validity=validity)
    return records.select_related("organisation").order_by(VALIDITY_ORDER, "-effective_on", "-published_at", "-id")


def library_years(organisation) -> list[int]:
    dates = (
        public_records()
        .filter(organisation=organisation, record_type__in=POLICY_TYPES, effective_on__isnull=False)
        .dates("effective_on", "year", order="DESC")
    )
    return [d.year for d in dates]


def with_links(records: list[Record]) -> list[Record]:
    """Give each record ``changed_by`` (links in force that amend or repeal it) and ``changes_made`` (what it
    amends or repeals), each link with ``url``: the public address of the other document, or ""."""
    ids = [record.pk for record in records]
    links = list(
        PolicyChange.objects.filter((in_force_condition() & Q(target_id__in=ids)) | Q(by_record_id__in=ids))
        .select_related("by_record__organisation", "target__organisation")
        .order_by("effective_on", "id")
    )
    received = [
        change for change in links
        if change.target_id in ids and (change.by_record is None or change.by_record.status in IN_FORCE_STATUSES)
    ]
    made = [change for change in links if change.by_record_id in ids]
    numbers = {c.by_record.index_number for c in received if c.by_record} | {c.target.index_number for c in made}
    public_numbers = set(
        public_records().filter(index_number__in=[n for n in numbers if n]).values_list("index_number", flat=True)
    )
    by_target, by_maker = {}, {}
    for change in received:
        other = change.by_record
        change.url = other.get_absolute_url() if other and other.index_number in public_numbers else ""
        by_target.setdefault(change.target_id, []).append(change)
    for change in made:
        change.url = change.target.get_absolute_url() if change.target.index_number in public_numbers else ""
        by_maker.setdefault(change.by_record_id, []).append(change)
    for record in records:
        record.changed_by = by_target.get(record.pk, [])
        record.changes_made = by_maker.get(record.pk, [])
    return records


__all__ = ["library_records", "library_years", "with_links"]

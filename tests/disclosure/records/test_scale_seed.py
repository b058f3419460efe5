"""manage.py seed_scale: a small synthetic province, checked against the public rule and the search index.

Runs on whichever database the suite runs on (SQLite: bulk_create; PostgreSQL: COPY in the test's
transaction, the single-connection path).
"""

import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from catalog.models import Organisation, OrgLevel
from disclosure.records.models import IndexSequence, Openness, Record, SearchDocument, Status
from disclosure.records.scale_seed import SEED_PREFIX, province_shape, seed_scale
from disclosure.records.search_index import build_document
from disclosure.records.selectors import public_records
from disclosure.search.selectors import search_public_records
from tests.factories import record_fields

pytestmark = pytest.mark.django_db


def seed(**options):
    stderr = io.StringIO()
    call_command("seed_scale", organisations=3, records=500, stderr=stderr, stdout=io.StringIO(), **options)
    return stderr.getvalue()


def test_province_shape():
    assert province_shape(150) == (9, 35, 105)
    assert province_shape(3) == (1, 1, 0)
    assert province_shape(1) == (0, 0, 0)


def test_a_small_province(standard_catalog):
    progress = seed()
    assert "100%" in progress  # the progress bar, on stderr

    orgs = Organisation.objects.filter(code__startswith=SEED_PREFIX)
    assert sorted(orgs.values_list("level", flat=True)) == sorted([OrgLevel.PROVINCE, OrgLevel.CITY, OrgLevel.COUNTY])
    records = Record.objects.filter(organisation__in=orgs)
    assert records.count() == 500

    # Hand count of what the public rule must let through: published, 主动公开, time reached.
    expected = set(
        records.filter(status=Status.PUBLISHED, openness=Openness.PROACTIVE, published_at__lte=timezone.now())
        .values_list("pk", flat=True)
    )
    public = set(public_records().filter(organisation__in=orgs).values_list("pk", flat=True))
    assert public == expected
    assert 350 < len(public) < 500  # a share is withheld from the public
    hidden = records.exclude(pk__in=public)
    for status in (Status.DRAFT, Status.WITHDRAWN, Status.APPROVED):
        assert hidden.filter(status=status).exists(), status
    assert hidden.filter(openness=Openness.ON_APPLICATION).exists()

    # One search document per public record, and none for the others.
    assert set(SearchDocument.objects.values_list("record_id", flat=True)) == public

    # The documents are exactly what the application's own indexing makes of each record.
    for record in records.filter(pk__in=public).order_by("pk")[:40]:
        made = build_document(record)
        stored = SearchDocument.objects.get(record=record)
        for name in ("title_tokens", "number_tokens", "body_tokens", "body_text", "title", "year", "node_id"):
            assert getattr(stored, name) == getattr(made, name), name

    # Search finds seeded words, and only public records.
    found = [document.record_id for document in search_public_records("征收")]
    assert found
    assert set(found) <= public
    assert search_public_records("保障性住房").exists()

    # Index numbers continue after the seeded ones.
    record = records.filter(pk__in=public).order_by("-published_at").first()
    year, serial = record.index_serial.split("-")
    sequence = IndexSequence.objects.get(organisation=record.organisation, year=int(year))
    assert sequence.last_serial >= int(serial)


def test_refuses_a_second_seed_without_replace(standard_catalog):
    seed()
    with pytest.raises(CommandError, match="--replace"):
        seed()
    seed(replace=True)
    assert Record.objects.filter(organisation__code__startswith=SEED_PREFIX).count() == 500
    assert Organisation.objects.filter(code__startswith=SEED_PREFIX).count() == 3


def test_refuses_a_database_with_real_published_records(standard_catalog, county):
    from catalog.models import CatalogNode

    node = CatalogNode.objects.filter(level=2).first()
    Record.objects.create(
        organisation=county, node=node, status=Status.PUBLISHED, published_at=timezone.now(),
        index_number=f"{county.code}/2026-00001", **record_fields(),
    )
    with pytest.raises(CommandError, match="--force"):
        seed()
    assert not Organisation.objects.filter(code__startswith=SEED_PREFIX).exists()
    seed(force=True)
    assert Record.objects.filter(organisation__code__startswith=SEED_PREFIX).count() == 500


def test_the_module_api_refuses_without_catalog(db):
    from disclosure.records.scale_seed import SeedRefused

    with pytest.raises(SeedRefused, match="load_catalog"):
        seed_scale(organisations=3, records=10, stream=io.StringIO())

"""The demo's history: an index number's year (索引号) is the year of first publication, also for the
records the demo publishes into the past (issue 13: 15 demo records published in 2025 carried 2026)."""

import pytest
from django.utils import timezone

from disclosure.records.models import Record, Status


@pytest.mark.django_db
def test_every_demo_index_number_carries_its_publication_year(seeded_demo):
    """Each published demo record's index number reads "<org>/<year of publication>-<serial>", and no
    two records share one. (The whole demo, ``seeded_demo``: the records of ``ensure_demo_records`` and
    those the later demo steps publish.)"""
    published = Record.objects.filter(status__in=[Status.PUBLISHED, Status.WITHDRAWN], revises__isnull=True)
    assert published.count() > 10
    years = {timezone.localtime(r.published_at).year for r in published}
    assert len(years) >= 2  # the demo spreads its history over more than one year
    for record in published.select_related("organisation"):
        year = timezone.localtime(record.published_at).year
        assert record.index_number.startswith(f"{record.organisation.code}/{year}-"), record.index_number
    numbers = list(Record.objects.exclude(index_number="").filter(revises__isnull=True).values_list("index_number", flat=True))
    assert len(numbers) == len(set(numbers))

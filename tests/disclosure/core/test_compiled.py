"""SQL compiled once per process (disclosure/core/compiled.py): the text Django writes itself, holding no data.

The public rule's visibility subqueries and the record page's EXISTS flags are compiled on first use and
then written as they are into every query: the query must say what Django would have said, a switch
made after the text was compiled must still hide what it hides, and an EXISTS compiled for a top-level
query must refuse any other.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from catalog import selectors as catalog_selectors
from catalog.models import CatalogNode, Organisation
from disclosure.core.compiled import TopLevelExists
from disclosure.records import selectors
from disclosure.records.models import Attachment, Record
from tests.disclosure.records.test_public_records import COUNTY, Desk, node


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def desk(standard_catalog, demo_orgs):
    return Desk(demo_orgs[COUNTY])


def sql(queryset) -> tuple[str, tuple]:
    return queryset.query.get_compiler(connection=connection).as_sql()


@pytest.mark.django_db
def test_public_records_says_what_django_compiles_from_the_rule(standard_catalog, demo_orgs):
    now = timezone.now()
    compiled_by_django = Record.objects.filter(
        Q(organisation__in=catalog_selectors.visible_organisations())
        & Q(node__in=catalog_selectors.visible_nodes())
    ).filter(selectors.published_proactive(now=now))
    selectors.public_records(now=now).count()  # compiled once already
    assert sql(selectors.public_records(now=now)) == sql(compiled_by_django)


@pytest.mark.django_db
def test_a_switch_made_after_the_text_was_compiled_still_hides(desk, client):
    shown = desk.make(node("020502"), "shown", "published")
    other = desk.make(node("030201"), "other", "published")
    org, serial = shown.index_number.rsplit("/", 1)
    attachment = shown.attachments.get()
    nested = Attachment.objects.filter(record__in=selectors.public_records())
    assert set(selectors.public_records()) == {shown, other}
    assert set(nested) == {attachment, other.attachments.get()}
    assert selectors.public_record_page(org_code=org, serial=serial) == shown

    CatalogNode.objects.filter(code="0205").update(is_active=False)  # the first-level item above it
    assert set(selectors.public_records()) == {other}
    assert set(nested.all()) == {other.attachments.get()}
    assert selectors.public_record_page(org_code=org, serial=serial) is None
    assert client.get(shown.get_absolute_url()).status_code == 404

    CatalogNode.objects.filter(code="0205").update(is_active=True)
    Organisation.objects.filter(code=COUNTY).update(is_active=False)
    assert list(selectors.public_records()) == []
    assert selectors.public_record(org_code=org, serial=serial) is None
    assert selectors.public_record_page(org_code=org, serial=serial) is None
    assert client.get(shown.get_absolute_url()).status_code == 404


@pytest.mark.django_db
def test_the_record_flags_answer_as_exists_does_and_only_at_the_top(desk):
    with_file = desk.make(node("020502"), "with-file", "published")
    without = desk.make(node("020502"), "without", "published")
    without.attachments.all().delete()
    compiled = TopLevelExists(Record, lambda: Attachment.objects.filter(record_id=OuterRef("pk")))
    plain = Exists(Attachment.objects.filter(record_id=OuterRef("pk")))
    found = dict(Record.objects.annotate(flag=compiled).values_list("pk", "flag"))
    assert found == dict(Record.objects.annotate(flag=plain).values_list("pk", "flag"))
    assert found == {with_file.pk: True, without.pk: False}

    inside = Record.objects.filter(pk__in=Record.objects.annotate(flag=compiled).filter(flag=True).values("pk"))
    with pytest.raises(ValueError, match="top-level"):
        list(inside)

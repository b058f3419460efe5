"""The ``demo_orgs`` fixture restores the demo organisations from a snapshot (tests/conftest.py): what a
test starts from must be what running ``ensure_demo_organisations`` in it would give."""

from __future__ import annotations

import pytest
from django.db import transaction

from catalog.demo import DEMO_ORGANISATIONS, ensure_demo_organisations
from catalog.models import Organisation


class _Undo(Exception):
    pass


def _rows() -> list[dict]:
    """Every organisation row, ids replaced by codes (a transactional test elsewhere may have moved the
    table's id sequence, so the built rows' ids may differ from the snapshot's)."""
    codes = dict(Organisation.objects.values_list("pk", "code"))
    rows = []
    for row in Organisation.objects.order_by("code").values():
        row["id"] = codes[row["id"]]
        row["parent_id"] = codes.get(row["parent_id"])
        rows.append(row)
    return rows


def _instances(by_code: dict[str, Organisation]) -> dict[str, dict]:
    """The returned instances' field values (their tree fields included, as the builder left them in
    memory) and their cached parents, ids replaced by codes."""
    codes = {org.pk: code for code, org in by_code.items()}
    described = {}
    for code, org in by_code.items():
        values = {field.attname: getattr(org, field.attname) for field in Organisation._meta.concrete_fields}
        values["id"] = codes[values["id"]]
        values["parent_id"] = codes.get(values["parent_id"])
        cached = org._state.fields_cache.get("parent")
        values["cached parent"] = None if cached is None else cached.code
        described[code] = values
    return described


@pytest.mark.django_db
def test_demo_orgs_gives_what_building_them_in_the_test_gives(request):
    try:
        with transaction.atomic():
            built = ensure_demo_organisations()
            built_rows, built_instances = _rows(), _instances(built)
            raise _Undo
    except _Undo:
        pass
    assert not Organisation.objects.exists()
    assert len(built_rows) == len(DEMO_ORGANISATIONS) == 6

    restored = request.getfixturevalue("demo_orgs")

    assert _rows() == built_rows
    assert _instances(restored) == built_instances
    assert list(restored) == [code for code, *_ in DEMO_ORGANISATIONS]
    assert all(not org._state.adding and org._state.db == "default" for org in restored.values())


@pytest.mark.django_db
def test_demo_orgs_after_seeded_demo_finds_its_organisations(seeded_demo, demo_orgs):
    """The demo snapshot holds these organisations already: they are found, not inserted a second time."""
    assert Organisation.objects.filter(code__in=demo_orgs).count() == len(DEMO_ORGANISATIONS)
    assert {code: org.pk for code, org in demo_orgs.items()} == dict(
        Organisation.objects.filter(code__in=demo_orgs).values_list("code", "pk")
    )

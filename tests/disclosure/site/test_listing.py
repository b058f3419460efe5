"""Column lists with bounded work (disclosure/site/listing.py): a capped count, numbered pages up to a
limit, then keyset pages that continue exactly where the numbered ones stop."""

from __future__ import annotations

import re

import pytest

from catalog.models import CatalogNode
from disclosure.core.access import Role
from disclosure.records.models import Record
from disclosure.site import listing
from tests.disclosure.records.test_public_records import bulk_published
from tests.factories import make_staff

COUNTY = "419901"
TITLE = re.compile(r"批量公开信息(\d+)")


@pytest.fixture
def small_limits(monkeypatch, settings):
    settings.PAGE_SIZE = 10
    monkeypatch.setattr(listing, "MAX_PAGE", 3)
    monkeypatch.setattr(listing, "COUNT_CAP", 45)


def numbers(html: str) -> list[int]:
    return [int(n) for n in TITLE.findall(html)]


@pytest.mark.django_db
def test_deep_pages_continue_by_keyset_without_gaps(client, standard_catalog, demo_orgs, small_limits):
    """70 records, 10 a page, 3 numbered pages: then 更早的信息 walks the rest, each once, newest first."""
    county = demo_orgs[COUNTY]
    author = make_staff(county, Role.EDITOR)
    bulk_published(county, CatalogNode.objects.get(code="020502"), 0, 70, author)
    assert Record.objects.count() == 70
    url = f"/org/{COUNTY}/020502/"
    html = client.get(url).content.decode()
    assert "超过 45 条" in html  # counted to the cap only
    seen = []
    for page in (1, 2, 3):
        html = client.get(url, {"page": page}).content.decode()
        seen += numbers(html)
    # Newest first: bulk_published makes record n published n + 1 minutes ago.
    assert seen == list(range(30))
    cursor = re.search(r'href="\?before=([^"]+)"[^>]*>更早的信息', html)
    assert cursor, "the last numbered page offers 更早的信息"
    while cursor:
        html = client.get(url + "?before=" + cursor.group(1).replace("&amp;", "&")).content.decode()
        seen += numbers(html)
        cursor = re.search(r'href="\?before=([^"]+)"[^>]*>更早的信息', html)
    assert seen == list(range(70))


@pytest.mark.django_db
def test_a_page_past_the_limit_or_a_bad_cursor_says_so_in_chinese(client, standard_catalog, demo_orgs, small_limits):
    county = demo_orgs[COUNTY]
    bulk_published(county, CatalogNode.objects.get(code="020502"), 0, 70, make_staff(county, Role.EDITOR))
    url = f"/org/{COUNTY}/020502/"
    response = client.get(url, {"page": 9})
    assert response.status_code == 200
    assert "页码超过 3 页" in response.content.decode()
    for bad in ("nonsense", "2026-01-01T00:00:00~x", "~1", "9" * 40):
        response = client.get(url, {"before": bad})
        assert response.status_code == 200, bad
        assert "翻页参数无效" in response.content.decode(), bad

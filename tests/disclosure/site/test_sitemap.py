"""sitemap.xml (an index of organisations, columns and records) and robots.txt."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from tests.disclosure.publishing import COUNTY, PUBLIC_KEYS, TOWNSHIP, leak_world

NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def locations(client, url) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200, url
    body = b"".join(response.streaming_content) if response.streaming else response.content
    root = ET.fromstring(body)
    return [loc.text.removeprefix("http://testserver") for loc in root.iter(f"{NS}loc")]


@pytest.mark.django_db
def test_sitemap_index_points_to_three_sections(client, standard_catalog, demo_orgs):
    """sitemap.xml is an index of the organisation, column and record sitemaps."""
    assert sorted(locations(client, "/sitemap.xml")) == [
        "/sitemap-columns.xml",
        "/sitemap-organisations.xml",
        "/sitemap-records.xml",
    ]


@pytest.mark.django_db
def test_organisations_and_their_applicable_columns(client, standard_catalog, demo_orgs):
    """Disclosing organisations are listed; columns only where the catalog item applies to the level."""
    organisations = locations(client, "/sitemap-organisations.xml")
    assert f"/org/{COUNTY}/" in organisations and f"/org/{TOWNSHIP}/" in organisations
    assert "/org/410000/" not in organisations  # the province office discloses nothing by this catalog
    columns = set(locations(client, "/sitemap-columns.xml"))
    assert {f"/org/{COUNTY}/02/", f"/org/{COUNTY}/0205/", f"/org/{COUNTY}/040201/"} <= columns
    assert f"/org/{TOWNSHIP}/020102/" in columns
    assert f"/org/{TOWNSHIP}/040201/" not in columns  # county-level item


@pytest.mark.django_db
def test_records_sitemap_lists_exactly_the_public_records(client, standard_catalog, demo_orgs):
    """Every public record once, nothing else; switched-off columns and organisations drop out."""
    world = leak_world(demo_orgs)
    records = locations(client, "/sitemap-records.xml")
    assert sorted(records) == sorted(world[key].get_absolute_url() for key in PUBLIC_KEYS)
    columns = set(locations(client, "/sitemap-columns.xml"))
    assert f"/org/{COUNTY}/020503/" not in columns and f"/org/{COUNTY}/0301/" not in columns
    assert "/org/419901002/" not in set(locations(client, "/sitemap-organisations.xml"))


@pytest.mark.django_db
def test_sitemap_query_counts_do_not_grow(client, standard_catalog, demo_orgs):
    """Each section costs a fixed number of queries whatever the number of records."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.disclosure.publishing import Desk

    def counts():
        result = {}
        for section in ("organisations", "columns", "records"):
            with CaptureQueriesContext(connection) as captured:
                response = client.get(f"/sitemap-{section}.xml")
                if response.streaming:
                    b"".join(response.streaming_content)
            result[section] = len(captured)
        return result

    desk = Desk(demo_orgs[COUNTY])
    desk.publish("020503", title="配租结果一")
    client.get("/sitemap.xml")  # the public trees, built once (catalog/trees.py)
    small = counts()
    for n in range(10):
        desk.publish("020502", title=f"摇号公告{n}")
    assert counts() == small


def test_robots_txt_allows_all_but_admin_and_reports(client):
    """robots.txt lets crawlers in, keeps them out of the admin and the reports, names the sitemap."""
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "User-agent: *" in lines and "Allow: /" in lines
    assert "Disallow: /admin/" in lines and "Disallow: /reports/" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines

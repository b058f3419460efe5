"""RSS and Atom feeds per organisation and per column: valid XML, newest public records only."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from disclosure.site.feeds import FEED_SIZE
from tests.disclosure.publishing import CLOSED_TOWNSHIP, COUNTY, PUBLIC_KEYS, TOWNSHIP, Desk, leak_world, marker

ATOM = "{http://www.w3.org/2005/Atom}"


def rss_items(client, url) -> list[ET.Element]:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("application/rss+xml")
    root = ET.fromstring(response.content)  # raises on malformed XML
    assert root.tag == "rss" and root.get("version") == "2.0"
    return root.findall("./channel/item")


def atom_entries(client, url) -> list[ET.Element]:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    return root.findall(f"{ATOM}entry")


@pytest.fixture
def desk(standard_catalog, demo_orgs):
    return Desk(demo_orgs[COUNTY])


@pytest.mark.django_db
def test_organisation_feeds_list_the_latest_records_newest_first(client, desk):
    """RSS and Atom of an organisation: the newest 20 public records, with title, link and date."""
    records = [desk.publish("020503", title=f"公租房配租结果第{n}批", document_number="") for n in range(FEED_SIZE + 2)]
    items = rss_items(client, f"/org/{COUNTY}/feed/rss/")
    assert len(items) == FEED_SIZE
    newest = records[-1]
    assert items[0].findtext("title") == newest.title
    assert items[0].findtext("link").endswith(newest.get_absolute_url())
    assert items[0].findtext("pubDate")
    assert records[0].title not in {item.findtext("title") for item in items}
    entries = atom_entries(client, f"/org/{COUNTY}/feed/atom/")
    assert len(entries) == FEED_SIZE
    assert entries[0].findtext(f"{ATOM}title") == newest.title


@pytest.mark.django_db
def test_column_feeds_hold_the_column_and_its_subcolumns_only(client, desk):
    """A column's feed lists records filed on it or beneath it, none from other columns."""
    rental = desk.publish("020503", title="公租房配租结果公示")
    lottery = desk.publish("020502", title="选房摇号公告")
    other = desk.publish("040201", title="燃气经营许可证核发")
    first_level = {item.findtext("title") for item in rss_items(client, f"/org/{COUNTY}/0205/feed/rss/")}
    assert first_level == {rental.title, lottery.title}
    leaf = {e.findtext(f"{ATOM}title") for e in atom_entries(client, f"/org/{COUNTY}/020503/feed/atom/")}
    assert leaf == {rental.title}
    assert other.title not in first_level


@pytest.mark.django_db
def test_feeds_never_carry_a_non_public_record(client, standard_catalog, demo_orgs):
    """Records in every other state and openness, and hidden ones, stay out of every feed."""
    world = leak_world(demo_orgs)
    seen = set()
    for url in (
        "/feed/rss/",
        f"/org/{COUNTY}/feed/rss/",
        f"/org/{COUNTY}/020502/feed/rss/",
        f"/org/{COUNTY}/02/feed/rss/",
        f"/org/{TOWNSHIP}/feed/rss/",
    ):
        for item in rss_items(client, url):
            seen.update(key for key in world if item.findtext("title").endswith(marker(key)))
    for url in ("/feed/atom/", f"/org/{COUNTY}/feed/atom/", f"/org/{TOWNSHIP}/020102/feed/atom/"):
        for entry in atom_entries(client, url):
            seen.update(key for key in world if entry.findtext(f"{ATOM}title").endswith(marker(key)))
    assert seen == PUBLIC_KEYS
    # A switched-off organisation or column has no feed at all.
    assert client.get(f"/org/{CLOSED_TOWNSHIP}/feed/rss/").status_code == 404
    assert client.get(f"/org/{COUNTY}/020503/feed/rss/").status_code == 404
    assert client.get(f"/org/{COUNTY}/030101/feed/atom/").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/org/nope/feed/rss/",
        f"/org/{COUNTY}/nope/feed/rss/",
        f"/org/{TOWNSHIP}/040201/feed/atom/",  # a county-level item: not a column of a township
        "/org/410000/feed/rss/",  # the province office has no columns under this catalog
    ],
)
def test_unknown_or_inapplicable_feeds_are_404(client, standard_catalog, demo_orgs, url):
    """Feeds exist only for disclosing organisations and the columns that apply to them."""
    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_pages_link_their_feeds(client, desk):
    """Organisation and column pages announce their feeds in <head> and link them visibly."""
    organisation = client.get(f"/org/{COUNTY}/").content.decode()
    head, body = organisation.split("</head>")
    assert 'type="application/rss+xml"' in head and f'href="/org/{COUNTY}/feed/rss/"' in head
    assert f'href="/org/{COUNTY}/feed/atom/"' in head
    assert f'<a href="/org/{COUNTY}/feed/rss/">RSS</a>' in body
    column = client.get(f"/org/{COUNTY}/020503/").content.decode()
    head, body = column.split("</head>")
    assert f'href="/org/{COUNTY}/020503/feed/atom/"' in head
    assert f'<a href="/org/{COUNTY}/020503/feed/rss/">RSS</a>' in body


@pytest.mark.django_db
def test_feed_query_count_does_not_grow(client, desk):
    """A column feed costs the same queries with 2 or 22 records."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/org/{COUNTY}/0205/feed/rss/").status_code == 200
        return len(captured)

    for n in range(2):
        desk.publish("020503", title=f"配租结果{n}")
    queries()  # the first request builds the public trees once (catalog/trees.py)
    small = queries()
    for n in range(20):
        desk.publish("020502", title=f"摇号公告{n}")
    assert queries() == small

"""Nothing of a consultation that is not public reaches the public: the no-leak world of leak.py against
every public surface, and the switched-off column and domain one by one.

Public means: opened (not a draft), its opening time reached, and its organisation and catalog node,
with all their ancestors, active (selectors.public_consultations, built on
disclosure.core.visibility.visible_placement); of its comments, the shown ones only.
"""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client

from catalog.models import CatalogNode
from disclosure.consultations import selectors
from disclosure.consultations.models import Moderation
from tests.disclosure.consultations.desk import CLOSED_TOWNSHIP, COUNTY, PDF, TOWNSHIP, pdf
from tests.disclosure.consultations.leak import (
    LEAK_WORDS,
    PUBLIC_KEYS,
    comment_marker,
    consultation_leak_world,
    marker,
)

MARKER = re.compile(r"mkc[a-z]+")
# Keys of the public consultations by organisation, written down rather than derived.
COUNTY_PUBLIC = {"open", "ended", "closed", "feedback"}
TOWNSHIP_PUBLIC = {"township"}


def markers_in(text: str) -> set[str]:
    return set(MARKER.findall(text))


def consultation_markers(keys) -> set[str]:
    return {marker(key) for key in keys}


def shown_comment_markers(keys) -> set[str]:
    return {comment_marker(key, Moderation.SHOWN) for key in keys}


@pytest.fixture
def world(standard_catalog, demo_orgs):
    return consultation_leak_world(demo_orgs)


def attachment_url(consultation) -> str:
    attachment = consultation.attachments.get()
    return f"/consultations/{consultation.organisation.code}/{consultation.pk}/files/{attachment.pk}/"


# ------------------------------------------------------------------------- the consultations' own pages


@pytest.mark.django_db
def test_the_public_selectors_hold_exactly_the_public_ones(world):
    """public_consultations holds the PUBLIC_KEYS; public_comments their shown comments only."""
    assert PUBLIC_KEYS == COUNTY_PUBLIC | TOWNSHIP_PUBLIC
    public = set(selectors.public_consultations())
    assert public == {world.consultations[key] for key in PUBLIC_KEYS}
    texts = " ".join(selectors.public_comments().values_list("text", flat=True))
    assert markers_in(texts) == shown_comment_markers(PUBLIC_KEYS)


@pytest.mark.django_db
def test_list_pages_show_exactly_the_public_ones_with_their_shown_comment_counts(client, world):
    """Each organisation's list shows its public consultations and nothing else, counting only shown
    comments; the switched-off organisation's list is a 404."""
    county = client.get(f"/consultations/{COUNTY}/")
    assert county.status_code == 200
    html = county.content.decode()
    assert markers_in(html) == consultation_markers(COUNTY_PUBLIC)
    # Each public one received one shown, one pending and one hidden comment: only the shown one counts.
    assert html.count("公开意见 1 条") == len(COUNTY_PUBLIC)
    assert "公开意见 3 条" not in html and "公开意见 2 条" not in html
    # The platform's list (the navigation's 意见征集 outside an organisation) holds every organisation's
    # public ones and nothing else.
    platform = client.get("/consultations/")
    assert platform.status_code == 200
    assert markers_in(platform.content.decode()) == consultation_markers(PUBLIC_KEYS)
    township = client.get(f"/consultations/{TOWNSHIP}/").content.decode()
    assert markers_in(township) == consultation_markers(TOWNSHIP_PUBLIC)
    closed = client.get(f"/consultations/{CLOSED_TOWNSHIP}/")
    assert closed.status_code == 404 and not markers_in(closed.content.decode())


@pytest.mark.django_db
def test_detail_pages_answer_only_for_public_ones_showing_only_shown_comments(client, world):
    """A public consultation's page shows it and its shown comment only (never the pending or hidden one,
    never a contact); every other one answers the same 404 as one that never existed."""
    for key, consultation in world.consultations.items():
        response = client.get(f"/consultations/{consultation.organisation.code}/{consultation.pk}/")
        html = response.content.decode()
        if key in PUBLIC_KEYS:
            assert response.status_code == 200, key
            assert markers_in(html) == {marker(key), comment_marker(key, Moderation.SHOWN)}, key
            assert "13800000000" not in html
        else:
            assert response.status_code == 404, key
            assert not markers_in(html), key
    assert client.get(f"/consultations/{COUNTY}/999999/").status_code == 404


@pytest.mark.django_db
def test_attachments_download_only_for_public_ones(client, world):
    """A public consultation's file downloads; every other one's is a 404."""
    for key, consultation in world.consultations.items():
        response = client.get(attachment_url(consultation))
        if key in PUBLIC_KEYS:
            assert response.status_code == 200, key
            assert b"".join(response.streaming_content) == PDF
        else:
            assert response.status_code == 404, key


@pytest.mark.django_db
def test_no_comment_form_takes_a_comment_for_a_hidden_consultation(client, world):
    """Posting a comment to a consultation that is not public is a 404 that saves nothing, even while
    its window is open (switched-off column, domain, organisation)."""
    from disclosure.consultations.models import ConsultationComment

    count = ConsultationComment.objects.count()
    for key in ("draft", "notyet", "inactivenode", "inactivedomain", "inactiveorg"):
        consultation = world.consultations[key]
        response = client.post(
            f"/consultations/{consultation.organisation.code}/{consultation.pk}/",
            {"name": "", "contact": "13800000000", "text": "意见", "homepage": ""},
        )
        assert response.status_code == 404, key
    assert ConsultationComment.objects.count() == count


# ------------------------------------------------------------------------- every other public surface

SITE_PAGES = [
    "/",
    f"/org/{COUNTY}/",
    f"/org/{TOWNSHIP}/",
    f"/org/{COUNTY}/02/",
    f"/org/{COUNTY}/0202/",
    f"/org/{COUNTY}/020201/",
    f"/org/{COUNTY}/guide/",
    "/sitemap.xml",
    "/sitemap-organisations.xml",
    "/sitemap-columns.xml",
    "/sitemap-records.xml",
    f"/org/{COUNTY}/feed/rss/",
    f"/org/{COUNTY}/feed/atom/",
    f"/org/{COUNTY}/020201/feed/rss/",
    f"/org/{TOWNSHIP}/feed/atom/",
    "/api/v1/records?page_size=100",
    f"/api/v1/records?q={LEAK_WORDS}",
    "/api/v1/organisations",
    "/api/v1/completeness",
]


@pytest.mark.django_db
def test_no_other_public_surface_shows_a_non_public_consultation_or_comment(client, world):
    """Home, organisation and column pages, the guide, the sitemap, the feeds and the API show no marker
    of a consultation that is not public, and no pending or hidden comment of any (these surfaces list
    records, not consultations: a public consultation's marker may appear, nothing else)."""
    allowed = consultation_markers(PUBLIC_KEYS) | shown_comment_markers(PUBLIC_KEYS)
    for url in SITE_PAGES:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode() if not response.streaming else b"".join(response.streaming_content).decode()
        assert markers_in(body) <= allowed, url


@pytest.mark.django_db
def test_search_and_api_queries_find_no_non_public_consultation(client, world):
    """Searching the site or the API for any consultation's marker finds nothing that is not public."""
    allowed = consultation_markers(PUBLIC_KEYS) | shown_comment_markers(PUBLIC_KEYS)
    terms = [LEAK_WORDS] + [marker(key) for key in world.consultations]
    terms += [comment_marker(key, moderation) for key in world.consultations for moderation in Moderation.values]
    for term in terms:
        html = client.get("/search/", {"q": term}).content.decode()
        results = html.split('id="results-heading"', 1)[1]
        assert markers_in(results) <= allowed, term
        payload = json.loads(client.get("/api/v1/records", {"q": term}).content)
        assert markers_in(json.dumps(payload.get("results", []), ensure_ascii=False)) <= allowed, term


# ------------------------------------------------------------------------- switching off node and domain


@pytest.fixture
def running(people):
    """An open consultation under 决策前预公开 with a file and a shown comment."""
    from disclosure.consultations import services

    consultation = people.desk.draft(files=[pdf()], title="公租房管理办法草案 mkcrunning")
    consultation = services.consultation_open(user=people.reviewer, consultation=consultation)
    comment = services.comment_submit(
        consultation=consultation, name="", contact="13800000000", text="意见 mkcshownrunning"
    )
    services.comment_moderate(user=people.editor, comment=comment, moderation=Moderation.SHOWN)
    return consultation


def public_traces(consultation) -> dict:
    """What the public can reach of ``consultation``: its pages and file, and the selectors' answers."""
    client = Client()
    listing = client.get(f"/consultations/{COUNTY}/").content.decode()
    return {
        "detail": client.get(consultation.get_absolute_url()).status_code,
        "file": client.get(attachment_url(consultation)).status_code,
        "listed": "mkcrunning" in listing,
        "selector": selectors.public_consultations().filter(pk=consultation.pk).exists(),
        "comments": selectors.public_comments().filter(consultation=consultation).count(),
        "shown": selectors.shown_comments(consultation).count(),
    }


VISIBLE = {"detail": 200, "file": 200, "listed": True, "selector": True, "comments": 1, "shown": 1}
HIDDEN = {"detail": 404, "file": 404, "listed": False, "selector": False, "comments": 0, "shown": 0}


@pytest.mark.django_db
@pytest.mark.parametrize("switched_off", ["020201", "0202", "02"], ids=["node", "first-level-item", "domain"])
def test_switching_off_its_column_or_an_ancestor_hides_it_everywhere(people, running, switched_off):
    """A consultation under a switched-off column, or under a switched-off ancestor (first-level item,
    domain), is a 404 on its page and file, in no list or count, and its comments are gone with it;
    switching the column back on brings it back."""
    assert public_traces(running) == VISIBLE
    CatalogNode.objects.filter(code=switched_off).update(is_active=False)
    assert public_traces(running) == HIDDEN
    CatalogNode.objects.filter(code=switched_off).update(is_active=True)
    assert public_traces(running) == VISIBLE

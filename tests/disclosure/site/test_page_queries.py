"""Every public page type runs at most six SQL queries, the same number with 10 or 1,000 public records.

The demo portal (``seed_demo``) gives one page of each type: home, organisation, the three column levels,
a record, a service-guide record, an interpretation and its policy, the print page, consultations (list
and detail), the disclosure guides, the 政府信息公开 column, 互动交流, the policy library, the sitemap index
and its sections, the feeds, the catalog item, the application form and the search page (a word, a filtered phrase, a
query that only its fallback answers, filters alone). Then 1,000 more public records
are written in one INSERT (tests/disclosure/records/test_public_records.py ``bulk_published``) under the
very columns those pages show, and every count must be unchanged. The page cache is off
(tests/conftest.py): these are the uncached pages; the public trees (catalog/trees.py) are built by one
warm-up request first, as in a running process.
"""

from __future__ import annotations

import pytest

from disclosure.consultations.models import Consultation
from disclosure.records.models import Interpretation
from disclosure.records.selectors import public_records
from disclosure.service_guides.models import ServiceGuide
from tests.disclosure.records.test_public_records import bulk_published
from tests.queries import count_queries

COUNTY = "419901"
LIMIT = 6


def public_page_urls() -> dict[str, str]:
    public = public_records().select_related("organisation", "node")
    record = public.filter(organisation__code=COUNTY).order_by("-published_at", "-id").first()
    guide = public.filter(pk__in=ServiceGuide.objects.values("record_id")).first()
    link = Interpretation.objects.filter(record__in=public, policy__in=public).select_related("record", "policy").first()
    consultation = Consultation.objects.filter(organisation__code=COUNTY).exclude(status="draft").first()
    node = record.node
    first_level = node.parent if node.level == 2 else node
    urls = {
        "home": "/",
        "organisation": f"/org/{COUNTY}/",
        "column (domain)": f"/org/{COUNTY}/{first_level.parent.code}/",
        "column (first level)": f"/org/{COUNTY}/{first_level.code}/",
        "column (second level)": f"/org/{COUNTY}/{node.code}/",
        "column (page 2, filtered)": f"/org/{COUNTY}/{first_level.parent.code}/?type=notice&page=2",
        "catalog item": f"/catalog/{node.code}/",
        "record": record.get_absolute_url(),
        "print": record.get_absolute_url() + "print/",
        "guide index": "/guide/",
        "organisation guide": f"/org/{COUNTY}/guide/",
        "xxgk index": "/xxgk/",
        "xxgk": f"/xxgk/{COUNTY}/",
        "interact": f"/org/{COUNTY}/interact/",
        "policy library": f"/org/{COUNTY}/policies/",
        "consultation index": "/consultations/",
        "consultations": f"/consultations/{COUNTY}/",
        "sitemap.xml": "/sitemap.xml",
        "sitemap organisations": "/sitemap-organisations.xml",
        "sitemap columns": "/sitemap-columns.xml",
        "sitemap records": "/sitemap-records.xml",
        "feed (site rss)": "/feed/rss/",
        "feed (organisation atom)": f"/org/{COUNTY}/feed/atom/",
        "feed (column rss)": f"/org/{COUNTY}/{first_level.code}/feed/rss/",
        "apply": "/apply/",
        "search (one word)": "/search/?q=%E5%BE%81%E6%94%B6",  # 征收
        "search (phrase, filtered)": f"/search/?q=%E5%BE%81%E6%94%B6%E8%A1%A5%E5%81%BF&org={COUNTY}&sort=date",
        "search (nothing holds every word)": "/search/?q=%E5%BE%81%E6%94%B6+%E9%9B%B6%E9%9B%B6%E9%9B%B6",
        "search (filters only)": f"/search/?org={COUNTY}&type=notice",
    }
    if guide is not None:
        urls["service guide record"] = guide.get_absolute_url()
    if link is not None:
        urls["interpretation"] = link.record.get_absolute_url()
        urls["interpreted policy"] = link.policy.get_absolute_url()
    if consultation is not None:
        urls["consultation"] = f"/consultations/{COUNTY}/{consultation.pk}/"
    return urls


def steady_queries(client, url) -> int:
    """The queries of ``url`` in a running worker: fetched once first, so that what a process keeps for a
    while is there (the public trees; the synonyms, the search window and the popular words, read again
    after a minute or ten). Fetched just before counting: on a slow machine the pass over 1,000 records
    comes more than a minute after the first, when those have expired."""
    client.get(url)
    return count_queries(client, url)


@pytest.mark.django_db
def test_every_public_page_type_is_flat_and_within_six_queries(client, seeded_demo, demo_orgs):
    # seeded_demo (load_catalog, then seed_demo) before demo_orgs, which then finds the demo's organisations.
    urls = public_page_urls()
    assert {"service guide record", "interpretation", "consultation"} <= set(urls)
    small = {name: steady_queries(client, url) for name, url in urls.items()}
    assert public_records().count() < 100

    shown = public_records().filter(organisation__code=COUNTY).order_by("-published_at", "-id").first()
    bulk_published(demo_orgs[COUNTY], shown.node, 0, 1000, shown.created_by)
    assert public_records().count() > 1000
    large = {name: steady_queries(client, url) for name, url in urls.items()}

    assert small == large
    over = {name: count for name, count in large.items() if count > LIMIT}
    assert not over, over

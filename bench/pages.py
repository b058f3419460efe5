"""Uncached public pages on the current database: median and worst time and SQL queries per page type.

``python bench/run.py pages`` (PAGE_CACHE_SECONDS is ignored: the page cache is bypassed, every request
renders). Picks the organisation with the most public records, its busiest domain, first- and second-level
columns, a deep page, its newest record, and times each page type in this process (Django's test client,
connection kept), after one warm-up request that builds the public trees (catalog/trees.py). Reads only.
Run it on a seeded database (``manage.py seed_scale``) to see the figures at 100k or 1M records.
"""

from __future__ import annotations

import statistics
import time

ROUNDS = 7


def main() -> None:
    from django.conf import settings
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from catalog import selectors as catalog_selectors
    from disclosure.records.selectors import public_records

    settings.PAGE_CACHE_SECONDS = 0
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    trees = catalog_selectors.public_trees()
    total = public_records().count()
    busiest = (
        public_records().values("organisation_id").annotate(n=Count("id")).order_by("-n").first()
    )
    if busiest is None:
        print("没有公开信息：请先 seed_demo 或 seed_scale。")
        return
    organisation = next(o for o in trees.organisations if o.pk == busiest["organisation_id"])
    per_node = dict(
        public_records().filter(organisation=organisation).values_list("node_id").annotate(n=Count("id"))
    )
    columns = trees.columns(organisation)

    def weight(branch):
        return per_node.get(branch.node.pk, 0) + sum(weight(child) for child in branch.children)

    domain = max(columns, key=weight)
    first = max(domain.children, key=weight) if domain.children else domain
    second = max(first.children, key=weight) if first.children else first
    record = public_records().filter(organisation=organisation).order_by("-published_at", "-id").first()
    code = organisation.code
    serial = record.index_number.partition("/")[2]
    pages = {
        "home": "/",
        "organisation": f"/org/{code}/",
        "column domain": f"/org/{code}/{domain.node.code}/",
        "column first-level": f"/org/{code}/{first.node.code}/",
        "column second-level": f"/org/{code}/{second.node.code}/",
        "column page 50": f"/org/{code}/{domain.node.code}/?page=50",
        "record": f"/org/{code}/doc/{serial}/",
        "print": f"/org/{code}/doc/{serial}/print/",
        "guide": f"/org/{code}/guide/",
        "xxgk": f"/xxgk/{code}/",
        "interact": f"/org/{code}/interact/",
        "consultations": f"/consultations/{code}/",
        "feed (column)": f"/org/{code}/{domain.node.code}/feed/rss/",
        "sitemap.xml": "/sitemap.xml",
        "sitemap-columns": "/sitemap-columns.xml",
    }
    client = Client()
    client.get("/")  # builds the public trees once
    print(f"{connection.vendor}，公开信息 {total} 条；单位 {organisation.name}（{busiest['n']} 条）")
    print(f"{'page':<22}{'median ms':>10}{'max ms':>9}{'queries':>9}  url")
    for name, url in pages.items():
        times, queries, status = [], 0, None
        for _ in range(ROUNDS):
            with CaptureQueriesContext(connection) as captured:
                start = time.perf_counter()
                response = client.get(url)
                if response.streaming:
                    b"".join(response.streaming_content)
                times.append((time.perf_counter() - start) * 1000)
            queries, status = len(captured), response.status_code
        print(f"{name:<22}{statistics.median(times):>10.1f}{max(times):>9.1f}{queries:>9}  {url} ({status})")
    # The records sitemap streams its first file (up to 50,000 addresses): time and size.
    start = time.perf_counter()
    response = client.get("/sitemap-records.xml")
    size = sum(len(chunk) for chunk in response.streaming_content)
    print(f"{'sitemap-records':<22}{(time.perf_counter() - start) * 1000:>10.1f}{'':>9}{'':>9}  {size} bytes streamed")

"""sitemap.xml: organisations, their applicable columns, and public records (from ``public_records()``).

Constant memory and bounded time at a million records:

* the index (``/sitemap.xml``) lists each section's files; its ``lastmod`` is one aggregate (the newest
  public publication time, read backwards on the index ``record_public_idx``), never a load of every
  record; the record section's files are ranges of record ids, so counting them is one more aggregate
  (the largest public id);
* each file holds at most ``PAGE_URLS`` (50,000, the sitemap protocol's limit) addresses and is streamed
  row by row from a server-side iterator: memory does not grow with the file.

Files: ``/sitemap-<section>.xml`` and ``/sitemap-<section>.xml?p=N`` (N ≥ 2), as Django's sitemaps name them.
Organisations and columns come from the public trees (catalog/trees.py), records from ``public_records()``.
"""

from __future__ import annotations

from collections.abc import Iterator
from xml.sax.saxutils import escape

from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from catalog import selectors as catalog_selectors
from disclosure.core import addresses
from disclosure.records.selectors import public_records

PAGE_URLS = 50_000
CHUNK = 2_000
XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'
URLSET_OPEN = '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
SECTIONS = ("organisations", "columns", "records")
CHANGEFREQ = {"organisations": "daily", "columns": "weekly", "records": "monthly"}
PRIORITY = {"organisations": "0.8", "columns": "0.6", "records": "0.5"}


def _organisation_paths() -> list[str]:
    trees = catalog_selectors.public_trees()
    return trees.fragment(
        ("sitemap", "organisations"),
        lambda: [addresses.address("disclosure:organisation", o.code) for o in trees.organisations],
    )


def _column_paths() -> list[str]:
    """Every organisation × every visible catalog node that applies to it and that it shows: worked out
    once per tree version (150 organisations make some 10,000 addresses)."""
    trees = catalog_selectors.public_trees()
    return trees.fragment(("sitemap", "columns"), lambda: _all_column_paths(trees))


def _all_column_paths(trees) -> list[str]:
    paths = []
    for organisation in trees.organisations:
        stack = list(reversed(trees.columns(organisation)))
        while stack:
            branch = stack.pop()
            paths.append(addresses.address("disclosure:column", organisation.code, branch.node.code))
            stack.extend(reversed(branch.children))
    return paths


def _record_pages() -> int:
    """How many record files: public records by id range, PAGE_URLS ids each (one aggregate)."""
    # The newest id first, not MAX(): PostgreSQL then steps back on the primary key and stops at the first
    # public row, where the aggregate hashed every public record (220 ms at 100,000).
    largest = public_records().order_by("-id").values_list("id", flat=True).first()
    return 0 if largest is None else (largest - 1) // PAGE_URLS + 1


def _latest_publication():
    # One step back on record_public_idx (status, openness, published_at) to the first visible row.
    return public_records().order_by("-published_at").values_list("published_at", flat=True).first()


def _page_number(request) -> int:
    raw = request.GET.get("p", "1")
    if not (raw.isdigit() and len(raw) < 9) or int(raw) < 1:
        raise Http404(_("没有这一页。"))
    return int(raw)


def _section_file(request, section: str, number: int) -> str:
    path = reverse("disclosure:sitemap_section", kwargs={"section": section})
    return request.build_absolute_uri(path + (f"?p={number}" if number > 1 else ""))


@require_safe
def index(request):
    """The sitemap index: one entry per file of each section (three aggregates at most)."""
    latest = _latest_publication()
    lastmod = f"<lastmod>{latest.date().isoformat()}</lastmod>" if latest else ""
    counts = {
        "organisations": max(1, -(-len(_organisation_paths()) // PAGE_URLS)),
        "columns": max(1, -(-len(_column_paths()) // PAGE_URLS)),
        "records": max(1, _record_pages()),
    }
    parts = [XML_HEAD, '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n']
    for section in SECTIONS:
        for number in range(1, counts[section] + 1):
            stamp = lastmod if section == "records" else ""
            parts.append(f"<sitemap><loc>{escape(_section_file(request, section, number))}</loc>{stamp}</sitemap>\n")
    parts.append("</sitemapindex>\n")
    return HttpResponse("".join(parts), content_type="application/xml; charset=utf-8")


def _url(base: str, path: str, section: str, lastmod=None) -> str:
    stamp = f"<lastmod>{lastmod.date().isoformat()}</lastmod>" if lastmod else ""
    return (
        f"<url><loc>{escape(base + path)}</loc>{stamp}"
        f"<changefreq>{CHANGEFREQ[section]}</changefreq><priority>{PRIORITY[section]}</priority></url>\n"
    )


def _records_xml(base: str, number: int) -> Iterator[str]:
    rows = (
        public_records()
        .filter(id__gt=(number - 1) * PAGE_URLS, id__lte=number * PAGE_URLS)
        .order_by("id")
        .values_list("organisation__code", "index_number", "published_at")
    )
    yield XML_HEAD + URLSET_OPEN
    for code, index_number, published_at in rows.iterator(chunk_size=CHUNK):
        serial = index_number.partition("/")[2]
        path = addresses.address("disclosure:record", code, serial)
        yield _url(base, path, "records", published_at)
    yield "</urlset>\n"


def _paths_xml(base: str, section: str, paths: list[str], number: int) -> Iterator[str]:
    yield XML_HEAD + URLSET_OPEN
    for path in paths[(number - 1) * PAGE_URLS : number * PAGE_URLS]:
        yield _url(base, path, section)
    yield "</urlset>\n"


@require_safe
def section(request, section):
    """One file of a section, streamed (constant memory)."""
    if section not in SECTIONS:
        raise Http404(_("没有这个网站地图。"))
    number = _page_number(request)
    base = request.build_absolute_uri("/").rstrip("/")
    if section == "records":
        if number > max(1, _record_pages()):
            raise Http404(_("没有这一页。"))
        body = _records_xml(base, number)
    else:
        paths = _organisation_paths() if section == "organisations" else _column_paths()
        if number > max(1, -(-len(paths) // PAGE_URLS)):
            raise Http404(_("没有这一页。"))
        # As large as the trees, not the records: one body, which the page cache may keep.
        return HttpResponse("".join(_paths_xml(base, section, paths, number)), content_type="application/xml; charset=utf-8")
    return StreamingHttpResponse(body, content_type="application/xml; charset=utf-8")

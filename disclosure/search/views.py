"""The public search page. Results come from ``search_public_records`` (through ``public_records()``)."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.safestring import SafeString
from django.views.decorators.http import require_safe

from catalog import selectors as catalog_selectors
from catalog.models import CatalogNode, Organisation
from disclosure.records.models import Record, SearchDocument
from disclosure.search import insights
from disclosure.search.forms import SearchForm
from disclosure.search.highlight import highlight, matches, snippet
from disclosure.search.selectors import (
    SEARCH_CANDIDATES,
    can_relax,
    filter_public_records,
    has_terms,
    search_public_records,
)
from disclosure.search.synonyms import expansion_words, query_groups


@dataclass
class Hit:
    """One result as the page shows it, with its text escaped and the query's words marked."""

    record: Record
    organisation: Organisation
    node: CatalogNode
    title: SafeString
    document_number: SafeString
    snippet: SafeString
    attachment_name: str = ""  # the file the snippet comes from, when the words are only in an attachment


def _attachment_snippet(document: SearchDocument, marked: str) -> tuple[str, SafeString] | None:
    """(file name, snippet) of the first attachment holding the words, when the body does not."""
    for paragraph in (document.attachment_text or "").split("\n"):
        name, _sep, text = paragraph[1:].partition("》")
        if matches(text, marked):
            return name, snippet(text, marked)
    return None


def _search_hit(document: SearchDocument, marked: str) -> Hit:
    """``marked``: the query with its synonyms' expansions, which are highlighted too."""
    text, name = snippet(document.body_text, marked), ""
    if not matches(document.body_text, marked) and not matches(document.title, marked):
        found = _attachment_snippet(document, marked)
        if found is not None:
            name, text = found
    return Hit(
        record=document.record,
        organisation=document.organisation,
        node=document.node,
        title=highlight(document.title, marked),
        document_number=highlight(document.document_number, marked),
        snippet=text,
        attachment_name=name,
    )


def _listed_hit(record: Record, query_text: str) -> Hit:
    return Hit(
        record=record,
        organisation=record.organisation,
        node=record.node,
        title=highlight(record.title, ""),
        document_number=highlight(record.document_number, ""),
        snippet=highlight("", ""),
    )


FACET_TITLES = {"domain": "领域", "item": "公开事项", "year": "发布年份", "type": "信息类别"}


def _facet_links(groups: dict, active) -> list[dict]:
    """Each facet with the link that narrows the search to it (or, when chosen, widens it again)."""
    sections = []
    for param, facets in groups.items():
        if not facets:
            continue
        links = []
        for facet in facets:
            query = active.copy()
            query.pop("page", None)
            if facet.selected:
                query.pop(param, None)
            else:
                query[param] = facet.value
            links.append({"facet": facet, "url": "?" + query.urlencode()})
        sections.append({"title": FACET_TITLES[param], "param": param, "links": links})
    return sections


def _sort_links(active) -> dict:
    relevance, newest = active.copy(), active.copy()
    for query in (relevance, newest):
        query.pop("page", None)
    relevance.pop("sort", None)
    newest["sort"] = "date"
    return {"relevance": "?" + relevance.urlencode(), "date": "?" + newest.urlencode()}


@require_safe
def search(request):
    """Keywords plus the columns' filters, in the URL; without either, only the form.

    Words are searched in the index; filters alone list the public records newest first. Either way
    at most SEARCH_CANDIDATES results are counted and paged (a larger count shows as "至少 1,000 条").
    Queries (issue 15: at most six): the public trees' version (catalog and organisations come from
    the process's snapshot, catalog/trees.py); with words, the candidates with their records' public
    check (disclosure/search/selectors.py), the page's documents and the word's anonymous daily count
    (one more candidates query when no record holds every word; on PostgreSQL a phrase may take one
    more, see ``search_public_records``); with filters alone, one count and one page. Facets, popular
    words (cached) and the nearest columns cost none.
    """
    trees = catalog_selectors.public_trees()
    tree, organisations = trees.roots, trees.organisations
    form = SearchForm(
        request.GET or None, organisations=organisations, tree=tree,
        rendered=trees.fragment("search:form-selects", dict),
    )
    query_text, filters = form.criteria()
    context = {"form": form, "query_text": query_text, "searched": False}
    active = form.active_query()
    by_date = active.get("sort") == "date"
    context["popular"] = insights.popular_terms()
    searching = {key: value for key, value in active.items() if key != "sort"}
    if searching:
        exact = True
        marked = query_text
        if has_terms(query_text):
            rows, to_hit = search_public_records(query_text, filters, tree=tree, by_date=by_date), _search_hit
            marked = " ".join([query_text, *expansion_words(query_groups(query_text))])
        else:
            rows, to_hit = filter_public_records(filters, tree=tree)[:SEARCH_CANDIDATES], _listed_hit
        page = Paginator(rows, settings.PAGE_SIZE).get_page(request.GET.get("page"))
        if not page.paginator.count and can_relax(query_text):
            # No record holds every word: show those holding some (see search_with_fallback).
            exact = False
            rows = search_public_records(query_text, filters, tree=tree, match_all=False, by_date=by_date)
            page = Paginator(rows, settings.PAGE_SIZE).get_page(request.GET.get("page"))
        if has_terms(query_text) and page.paginator.count:
            insights.count_search(query_text)
            context["facets"] = _facet_links(insights.facets(rows, tree, selected=active), active)
        if not page.paginator.count and query_text:
            context["nearest"] = insights.nearest_columns(query_text, tree)
        context.update(
            searched=True,
            exact=exact,
            capped=getattr(rows, "capped", False) or page.paginator.count >= SEARCH_CANDIDATES,
            page_obj=page,
            query=active,
            by_date=by_date,
            sort_links=_sort_links(active),
            page_range=page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
            hits=[to_hit(row, marked) for row in page.object_list],
        )
    return render(request, "disclosure/search/search.html", context)

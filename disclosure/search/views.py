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
from disclosure.search.forms import SearchForm
from disclosure.search.highlight import highlight, snippet
from disclosure.search.selectors import (
    can_relax,
    filter_public_records,
    has_terms,
    search_public_records,
)


@dataclass
class Hit:
    """One result as the page shows it, with its text escaped and the query's words marked."""

    record: Record
    organisation: Organisation
    node: CatalogNode
    title: SafeString
    document_number: SafeString
    snippet: SafeString


def _search_hit(document: SearchDocument, query_text: str) -> Hit:
    return Hit(
        record=document.record,
        organisation=document.organisation,
        node=document.node,
        title=highlight(document.title, query_text),
        document_number=highlight(document.document_number, query_text),
        snippet=snippet(document.body_text, query_text),
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


@require_safe
def search(request):
    """Keywords plus the columns' filters, in the URL; without either, only the form.

    Words are searched in the index; filters alone list the public records newest first.
    Queries: catalog tree, organisation levels, organisations; with a search, one count and one page
    (and one more when no record holds every word, to look for records holding some).
    """
    tree = catalog_selectors.catalog_tree()
    organisations = list(catalog_selectors.disclosing_organisations())
    form = SearchForm(request.GET or None, organisations=organisations, tree=tree)
    query_text, filters = form.criteria()
    context = {"form": form, "query_text": query_text, "searched": False}
    active = form.active_query()
    if active:
        exact = True
        if has_terms(query_text):
            rows, to_hit = search_public_records(query_text, filters, tree=tree), _search_hit
        else:
            rows, to_hit = filter_public_records(filters, tree=tree), _listed_hit
        page = Paginator(rows, settings.PAGE_SIZE).get_page(request.GET.get("page"))
        if not page.paginator.count and can_relax(query_text):
            # No record holds every word: show those holding some (see search_with_fallback).
            exact = False
            rows = search_public_records(query_text, filters, tree=tree, match_all=False)
            page = Paginator(rows, settings.PAGE_SIZE).get_page(request.GET.get("page"))
        context.update(
            searched=True,
            exact=exact,
            page_obj=page,
            query=active,
            page_range=page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
            hits=[to_hit(row, query_text) for row in page.object_list],
        )
    return render(request, "disclosure/search/search.html", context)

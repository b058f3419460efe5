"""Endpoints of the open-data API. Thin: parse parameters, read through selectors, return dicts.

Every response, errors included, is JSON with ``Access-Control-Allow-Origin: *``: this is open data,
read with GET by anyone, so any web page may use it (no cookies are read or set).
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime, timedelta

from django.db.models import Q
from django.http import HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog import selectors as catalog_selectors
from catalog.models import NodeChannel, Organisation
from disclosure.api import params
from disclosure.api.openapi import openapi_document
from disclosure.api.params import ApiError
from disclosure.core import addresses
from disclosure.records.metadata import Topic
from disclosure.records.models import RecordType, Validity
from disclosure.records.selectors import public_record
from disclosure.reports.common import OrganisationNotFound, all_organisations, select_organisations
from disclosure.reports.completeness import completeness_summary
from disclosure.search.selectors import (
    QUERY_MAX_LENGTH,
    SEARCH_CANDIDATES,
    SearchFilters,
    filter_public_records,
    has_terms,
    search_public_records,
)

ALLOWED_METHODS = ("GET", "HEAD", "OPTIONS")
YEAR_MIN, YEAR_MAX = 1949, 2100


def _cors(response: HttpResponse) -> HttpResponse:
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Allow-Methods"] = ", ".join(ALLOWED_METHODS)
    return response


def json_response(data, status: int = 200) -> JsonResponse:
    return _cors(JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False}))


def api_view(view):
    """GET/HEAD only (OPTIONS answered for pre-flight), CORS headers, ApiError → JSON error."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method == "OPTIONS":
            response = _cors(HttpResponse(status=204))
            response["Access-Control-Max-Age"] = "86400"
            return response
        if request.method not in ALLOWED_METHODS:
            response = json_response(
                ApiError(405, "method_not_allowed", _("只支持 GET 请求。")).as_dict(), status=405
            )
            response["Allow"] = ", ".join(ALLOWED_METHODS)
            return response
        try:
            return view(request, *args, **kwargs)
        except ApiError as error:
            return json_response(error.as_dict(), status=error.status)

    # No CSRF concerns: nothing is changed and no cookie is read.
    wrapper.csrf_exempt = True
    return wrapper


def _absolute(request, path: str) -> str:
    return request.build_absolute_uri(path)


# ------------------------------------------------------------------------------------- index


@api_view
def index(request):
    """Where everything is: the endpoints and the OpenAPI document."""
    names = ["catalog", "organisations", "records", "completeness", "openapi"]
    return json_response(
        {
            "name": _("政务公开开放数据接口"),
            "version": "v1",
            "endpoints": {name: _absolute(request, reverse(f"api:{name}")) for name in names},
        }
    )


@api_view
def openapi(request):
    return json_response(openapi_document(server_url=_absolute(request, reverse("api:index"))))


@api_view
def not_found(request, rest=""):
    raise params.not_found(_("没有这个接口。可用接口见 /api/v1/openapi.json。"))


# ----------------------------------------------------------------------------------- catalog


def _node_dict(node, channels_by_node, owner_codes) -> dict:
    return {
        "code": node.code,
        "name": node.name,
        "depth": node.level,
        "content": node.content,
        "basis": node.basis,
        "time_limit": node.time_limit_text,
        "time_limit_days": node.time_limit_days,
        "time_limit_trigger": node.time_limit_trigger,
        "subject": node.subject,
        "channels": channels_by_node.get(node.pk, []),
        "channels_text": node.channels_text,
        "audience": node.audience,
        "audience_scope": node.audience_scope,
        "method": node.method,
        "levels": list(node.levels or []),
        "provenance": node.provenance,
        "origin": node.origin,
        "owner": owner_codes.get(node.owner_id),
        "children": [_node_dict(child, channels_by_node, owner_codes) for child in catalog_selectors.children(node)],
    }


@api_view
def catalog(request):
    """The visible standard catalog as a nested tree with every standard attribute (two queries)."""
    tree = catalog_selectors.catalog_tree()
    channels_by_node: dict[int, list[dict]] = {}
    links = NodeChannel.objects.filter(node__in=catalog_selectors.visible_nodes()).select_related("channel")
    for link in links.order_by("node_id", "channel__sort_order", "channel__code"):
        channels_by_node.setdefault(link.node_id, []).append(
            {"code": link.channel.code, "name": link.channel.name, "required": link.required}
        )
    owner_ids = {node.owner_id for node in catalog_selectors.descendants(tree) if node.owner_id}
    # Organisations owning local items (本单位细化): a query only when there are such items.
    owner_codes = dict(Organisation.objects.filter(pk__in=owner_ids).values_list("pk", "code")) if owner_ids else {}
    return json_response({"results": [_node_dict(root, channels_by_node, owner_codes) for root in tree]})


# ----------------------------------------------------------------------------- organisations


@api_view
def organisations(request):
    """Visible organisations, flat in tree order, each with its parent's code (two queries)."""
    levels = catalog_selectors.catalog_levels()
    rows = catalog_selectors.visible_organisations().select_related("parent").order_by("tree_id", "lft")
    results = []
    for org in rows:
        disclosing = org.level in levels
        results.append(
            {
                "code": org.code,
                "name": org.name,
                "short_name": org.short_name,
                "level": org.level,
                "parent": org.parent.code if org.parent_id else None,
                "disclosing": disclosing,
                "url": _absolute(request, addresses.address("disclosure:organisation", org.code))
                if disclosing
                else None,
                "address": org.address,
                "postcode": org.postcode,
                "office_hours": org.office_hours,
                "phone": org.phone,
                "email": org.email,
                "website": org.website,
            }
        )
    return json_response({"count": len(results), "results": results})


# ----------------------------------------------------------------------------------- records


def _date(value):
    return value.isoformat() if value else None


def _record_dict(request, record, organisation, node) -> dict:
    serial = record.index_serial
    return {
        "index_number": record.index_number,
        "title": record.title,
        "document_number": record.document_number,
        "issuing_body": record.issuing_body,
        "organisation": {"code": organisation.code, "name": organisation.name},
        "node": {"code": node.code, "name": node.name},
        "record_type": record.record_type,
        "record_type_label": RecordType(record.record_type).label,
        "topic": record.topic,
        "topic_label": Topic(record.topic).label,
        "keywords": record.keyword_list,
        "validity": record.validity,
        "validity_label": Validity(record.validity).label,
        "written_on": _date(record.written_on),
        "formed_on": _date(record.formed_on),
        "published_at": timezone.localtime(record.published_at).isoformat(),
        "url": _absolute(
            request, addresses.address("disclosure:record", organisation.code, serial)
        ),
        "api_url": _absolute(
            request, addresses.address("api:record", organisation.code, serial)
        ),
    }


def _record_filters(request) -> tuple[str, SearchFilters]:
    query = request.GET
    q = params.text(query, "q", max_length=QUERY_MAX_LENGTH)
    filters = SearchFilters(
        organisation=params.code(query, "org"),
        nodes=tuple(code for code in [params.code(query, "node")] if code),
        year=params.integer(query, "year", default=None, minimum=YEAR_MIN, maximum=YEAR_MAX),
        record_type=params.choice(query, "type", RecordType.choices),
        validity=params.choice(query, "validity", Validity.choices),
        topic=params.choice(query, "topic", Topic.choices),
        keyword=params.text(query, "keyword", max_length=QUERY_MAX_LENGTH).strip(),
    )
    return q, filters


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)
MAX_CURSOR_MICROSECONDS = (datetime(9999, 1, 1, tzinfo=UTC) - EPOCH) // MICROSECOND
LIST_COUNT_MAX = 10_000
"""Without ``q``, ``count`` counts at most this many records (``count_exact`` false beyond) and ``page``
reaches no further; ``cursor`` pages on to the end. With ``q`` a search holds at most
``SEARCH_CANDIDATES`` records (disclosure/search/selectors.py). No request counts or skips more rows."""


def _cursor_of(record) -> str:
    """Where the next page starts: after this record in (published_at, id) descending order."""
    return f"{(record.published_at - EPOCH) // MICROSECOND}_{record.pk}"


def _after_cursor(rows, cursor: str):
    when, pk = params.cursor(request_value=cursor)
    if when > MAX_CURSOR_MICROSECONDS:
        raise params.invalid("cursor", _("参数 cursor 无效：请使用上一页返回的 next_cursor。"))
    at = EPOCH + timedelta(microseconds=when)
    return rows.filter(published_at__lte=at).filter(Q(published_at__lt=at) | Q(pk__lt=pk))


@api_view
def records(request):
    """Public records, newest first (or best first with words in ``q``), with the columns' filters, paged.

    ``page`` pages through the first LIST_COUNT_MAX records; ``cursor`` (from ``next_cursor``) pages
    through all of them, each page one index range. Queries: the organisation check and the catalog
    tree when those filters are given, then one bounded count and one page.
    """
    page_number = params.integer(request.GET, "page", default=1, minimum=1, maximum=params.PAGE_MAX)
    page_size = params.integer(
        request.GET, "page_size", default=params.PAGE_SIZE_DEFAULT, minimum=1, maximum=params.PAGE_SIZE_MAX
    )
    cursor = request.GET.get("cursor", "").strip()
    q, filters = _record_filters(request)
    if filters.organisation and not (
        catalog_selectors.visible_organisations().filter(code=filters.organisation).exists()
    ):
        raise params.invalid("org", _("没有编码为“%(code)s”的机构。") % {"code": filters.organisation})
    tree = None
    if filters.nodes:
        tree = catalog_selectors.catalog_tree()
        if catalog_selectors.find_in_tree(tree, filters.nodes[0]) is None:
            raise params.invalid("node", _("没有编码为“%(code)s”的目录栏目。") % {"code": filters.nodes[0]})
    searching = has_terms(q)
    if searching:
        if cursor:
            raise params.invalid("cursor", _("按检索词 q 查询时请用 page 翻页，不能使用 cursor。"))
        rows = search_public_records(q, filters, tree=tree)
        limit = SEARCH_CANDIDATES

        def parts(document):
            return document.record, document.organisation, document.node, {"score": document.score}

    else:
        rows = filter_public_records(filters, tree=tree)
        limit = LIST_COUNT_MAX

        def parts(record):
            return record, record.organisation, record.node, {}

    if cursor and "page" in request.GET:
        raise params.invalid("cursor", _("cursor 与 page 不能同时使用。"))
    found = rows.count() if searching else rows.order_by().values("pk")[: limit + 1].count()
    # A search holds at most ``limit`` records and says whether older ones may match too.
    count, exact = min(found, limit), not rows.capped if searching else found <= limit
    num_pages = max(1, -(-count // page_size))
    if cursor:
        page_rows = list(_after_cursor(rows, cursor)[: page_size + 1])
        number = None
    else:
        if (page_number - 1) * page_size >= limit:
            raise params.invalid(
                "page", _("page 只能翻到前 %(limit)s 条；更多记录请用上一页返回的 next_cursor。") % {"limit": limit}
            )
        if page_number > num_pages:
            raise params.not_found(_("页码超出范围：共 %(pages)s 页。") % {"pages": num_pages})
        start = (page_number - 1) * page_size
        # One row more than the page tells whether another follows (a search holds no more than ``limit``).
        page_rows = list(rows[start : min(start + page_size + 1, limit) if searching else start + page_size + 1])
        number = page_number
    more = len(page_rows) > page_size
    page_rows = page_rows[:page_size]
    next_cursor = _cursor_of(page_rows[-1]) if more and not searching else None

    def link(**changes):
        query = request.GET.copy()
        for key, value in changes.items():
            query.pop(key, None)
            if value is not None:
                query[key] = value
        return _absolute(request, f"{request.path}?{query.urlencode()}")

    if number is None:
        next_link = link(cursor=next_cursor, page=None) if next_cursor else None
        previous_link = None
    else:
        if number < num_pages:
            next_link = link(page=number + 1)
        elif next_cursor:
            next_link = link(cursor=next_cursor, page=None)
        else:
            next_link = None
        previous_link = link(page=number - 1) if number > 1 else None
    return json_response(
        {
            "count": count,
            "count_exact": exact,
            "page": number,
            "page_size": page_size,
            "num_pages": num_pages,
            "next": next_link,
            "previous": previous_link,
            "next_cursor": next_cursor,
            "results": [
                {**_record_dict(request, record, organisation, node), **extra}
                for record, organisation, node, extra in map(parts, page_rows)
            ],
        }
    )


@api_view
def record(request, org, number):
    """One public record with its summary, body and attachments (two queries)."""
    found = public_record(org_code=org, serial=number)
    if found is None:
        raise params.not_found(_("没有找到该公开信息。"))
    data = _record_dict(request, found, found.organisation, found.node)
    data.update(
        summary=found.summary,
        body_html=found.body,
        attachments=[
            {
                "name": attachment.original_name,
                "kind": attachment.kind,
                "size": attachment.size,
                "sha256": attachment.sha256,
                "url": _absolute(
                    request,
                    reverse(
                        "disclosure:attachment",
                        kwargs={"org": org, "number": number, "attachment_id": attachment.pk},
                    ),
                ),
            }
            for attachment in found.attachments.all()
        ],
    )
    return json_response(data)


# ------------------------------------------------------------------------------ completeness


@api_view
def completeness(request):
    """The completeness summary of disclosure/reports, over visible organisations (optionally a subtree)."""
    code = params.code(request.GET, "org")
    published_from = params.day(request.GET, "from")
    published_to = params.day(request.GET, "to")
    if published_from and published_to and published_from > published_to:
        raise params.invalid("from", _("开始日期不能晚于结束日期。"))
    include_cells = params.boolean(request.GET, "cells")
    try:
        scope = select_organisations(all_organisations(), code)
    except OrganisationNotFound:
        raise params.invalid("org", _("没有编码为“%(code)s”的机构。") % {"code": code}) from None
    return json_response(
        completeness_summary(
            scope,
            include_cells=include_cells,
            published_from=published_from,
            published_to=published_to,
        )
    )

"""Public columns: the catalog as citizens browse it, per organisation, with the records filed there.

Every record shown here comes from ``disclosure.records.selectors.public_records()``.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from catalog import selectors as catalog_selectors
from catalog.models import CatalogNode, OrgLevel
from disclosure.core import addresses
from disclosure.records import selectors
from disclosure.records.filters import PublicRecordFilter
from disclosure.site import fragments, listing

LATEST_COUNT = 10


def _organisation_or_404(code: str):
    organisation = catalog_selectors.public_trees().organisation(code)
    if organisation is None:
        raise Http404(_("没有找到该机构。"))
    return organisation


def _newest_first(records):
    return records.order_by("-published_at", "-id")


@dataclass
class ItemCount:
    """A first-level item of an organisation's columns and how many public records lie beneath it."""

    node: CatalogNode
    count: int
    address: str


@dataclass
class DomainSection:
    """A domain of an organisation's columns with its first-level items."""

    node: CatalogNode
    items: list[ItemCount]
    address: str


def _domain_sections(organisation, branches, trees) -> list[DomainSection]:
    """Domains with their first-level items and public record counts: one aggregate query in all, grouped
    by node id on the index record_public_column_idx alone (an index-only scan of the organisation's
    public records), no join: organisation and nodes come from the public trees."""
    per_node = dict(
        selectors.public_records_placed(organisation_id=organisation.pk, node_ids=trees.node_ids)
        .values_list("node_id")
        .annotate(records=Count("*"))
        .order_by()
    )
    per_code = {node.code: per_node.get(node.pk, 0) for node in trees.nodes_by_code.values()}
    return [
        DomainSection(
            domain.node,
            [
                ItemCount(
                    item.node,
                    sum(per_code.get(code, 0) for code in trees.descendant_codes(item.node)),
                    addresses.address("disclosure:column", organisation.code, item.node.code),
                )
                for item in domain.children
            ],
            addresses.address("disclosure:column", organisation.code, domain.node.code),
        )
        for domain in branches
    ]


def home(request):
    """The four domains and their first-level items; with one organisation, straight to it."""
    trees = catalog_selectors.public_trees()
    organisations = trees.organisations
    if len(organisations) == 1:
        return redirect("disclosure:organisation", org=organisations[0].code)
    latest = _newest_first(selectors.public_records().select_related("organisation"))[:LATEST_COUNT]
    return render(
        request,
        "disclosure/site/home.html",
        {
            # The organisations and the catalog depend on the trees alone: rendered once per tree version.
            "organisations_html": fragments.tree_fragment(
                trees, "disclosure/site/includes/home_organisations.html", (), lambda: {"organisations": organisations}
            ),
            "catalog_html": fragments.tree_fragment(
                trees, "disclosure/site/includes/home_catalog.html", (), lambda: {"domains": trees.roots}
            ),
            "latest": list(latest),
        },
    )


def organisation_home(request, org):
    organisation = _organisation_or_404(org)
    trees = catalog_selectors.public_trees()
    branches = trees.columns(organisation)
    latest = _newest_first(
        selectors.public_records().filter(organisation=organisation).select_related("organisation")
    )[:LATEST_COUNT]
    return render(
        request,
        "disclosure/site/organisation.html",
        {
            "organisation": organisation,
            "sections": _domain_sections(organisation, branches, trees),
            "latest": list(latest),
        },
    )


def _record_listing(request, organisation, node, trees) -> dict:
    """The public records of ``organisation`` under ``node`` and everything beneath it, filtered and paged,
    with bounded work at any size (disclosure/site/listing.py).

    Queries: one for the years present (which also tells whether the column has any record), then,
    only if it has, one capped count and one page (a keyset page: the page alone).
    """
    column_records = selectors.public_records().filter(
        organisation=organisation, node_id__in=trees.descendant_ids(node)
    )
    years = listing.years_present(
        selectors.public_records_placed(organisation_id=organisation.pk, node_ids=trees.descendant_ids(node)),
        since=selectors.public_records_placed(organisation_id=organisation.pk, node_ids=trees.node_ids),
    )
    if not years:
        return {"has_records": False}
    record_filter = PublicRecordFilter(request.GET, queryset=column_records, years=years)
    page = listing.page_of(record_filter.qs.select_related("organisation"), request.GET, settings.PAGE_SIZE)
    return {
        "has_records": True,
        "filter": record_filter,
        # Each field with its widget's HTML, rendered once per distinct state (listing.field_html).
        "fields": [
            (field, mark_safe(listing.label_html(field)), mark_safe(listing.field_html(field)))  # noqa: S308
            for field in record_filter.form
        ],
        "query": record_filter.active_query(),
        "page_obj": page,
    }


def column(request, org, node):
    """One catalog node as a column of one organisation: the standard, then what is disclosed.

    A node that does not apply to the organisation (catalog.selectors.applies_to) is not one of its
    columns: the answer is 404, with a page that says which organisations disclose it.
    """
    organisation = _organisation_or_404(org)
    trees = catalog_selectors.public_trees()
    current = trees.node(node)
    if current is None:
        raise Http404(_("没有找到该栏目。"))
    path = catalog_selectors.path_in_tree(current)
    branches = trees.columns(organisation)
    settings_by_node = trees.column_settings(organisation)
    hidden = trees.hidden_ids(organisation)
    switched_off = any(step.pk in hidden for step in path)
    applies = catalog_selectors.applies_to(current, organisation) and not switched_off
    levels = catalog_selectors.applicable_levels(current)
    # The navigation depends on the trees alone: rendered once per tree version, organisation and column.
    navigation = trees.fragment(
        ("column_nav", organisation.pk, current.code),
        lambda: mark_safe(  # noqa: S308 -- our own template's output, escaped where it was rendered
            render_to_string(
                "includes/column_nav.html",
                {
                    "organisation": organisation,
                    "branches": branches,
                    "open_codes": {n.code for n in path},
                    "current_code": current.code,
                },
            )
        ),
    )
    return render(
        request,
        "disclosure/site/column.html",
        {
            "organisation": organisation,
            "node": current,
            "path": path,
            # The navigation opens only the branches on the way to this column.
            "navigation": navigation,
            "applies": applies,
            "switched_off": switched_off,
            # The organisation's own note on this column (本单位说明), shown under the standard.
            "local_note": settings_by_node[current.pk].note if applies and current.pk in settings_by_node else "",
            # Who discloses it, told on the 404 page of a column that does not apply here.
            "applicable_level_labels": [label for value, label in OrgLevel.choices if value in levels],
            "channels": trees.channels(current) if applies else [],
            "children": catalog_selectors.applicable_children(current, organisation, hidden) if applies else [],
            "listing": _record_listing(request, organisation, current, trees) if applies else {},
            # The feed links and the standard (公开标准) depend on the trees alone, like the navigation.
            "standard_html": fragments.tree_fragment(
                trees,
                "disclosure/site/includes/column_standard.html",
                (organisation.pk, current.code),
                lambda: {
                    "organisation": organisation,
                    "node": current,
                    "channels": trees.channels(current),
                    "local_note": settings_by_node[current.pk].note if current.pk in settings_by_node else "",
                },
            )
            if applies
            else "",
        },
        status=200 if applies else 404,
    )


def catalog_item(request, node):
    """A catalog item across organisations: the citizen picks whose column to open."""
    trees = catalog_selectors.public_trees()
    current = trees.node(node)
    if current is None:
        raise Http404(_("没有找到该栏目。"))
    organisations = [o for o in trees.organisations if catalog_selectors.applies_to(current, o)]
    if len(organisations) == 1:
        return redirect("disclosure:column", org=organisations[0].code, node=current.code)
    return render(
        request,
        "disclosure/site/catalog_item.html",
        {
            "node": current,
            "path": catalog_selectors.path_in_tree(current),
            "organisations": organisations,
        },
    )

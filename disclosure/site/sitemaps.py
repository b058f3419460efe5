"""sitemap.xml: organisations, their applicable columns, and public records (from ``public_records()``)."""

from __future__ import annotations

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from catalog import selectors as catalog_selectors
from disclosure.records.selectors import public_records


class OrganisationSitemap(Sitemap):
    changefreq = "daily"
    priority = 0.8

    def items(self):
        return list(catalog_selectors.disclosing_organisations())

    def location(self, organisation):
        return reverse("disclosure:organisation", kwargs={"org": organisation.code})


class ColumnSitemap(Sitemap):
    """Every organisation × every visible catalog node that applies to it (two queries in all)."""

    changefreq = "weekly"
    priority = 0.6

    def items(self):
        tree = catalog_selectors.catalog_tree()
        pairs = []
        hidden = catalog_selectors.hidden_node_ids_by_organisation()
        for organisation in catalog_selectors.disclosing_organisations():
            branches = catalog_selectors.applicable_tree(tree, organisation)
            branches = catalog_selectors.shown_tree(branches, hidden.get(organisation.pk, set()))
            stack = list(reversed(branches))
            while stack:
                branch = stack.pop()
                pairs.append((organisation.code, branch.node.code))
                stack.extend(reversed(branch.children))
        return pairs

    def location(self, pair):
        org, node = pair
        return reverse("disclosure:column", kwargs={"org": org, "node": node})


class RecordSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.5

    def items(self):
        return (
            public_records()
            .select_related("organisation")
            .only("index_number", "published_at", "organisation", "organisation__code")
            .order_by("-published_at", "-id")
        )

    def lastmod(self, record):
        return record.published_at


SITEMAPS = {
    "organisations": OrganisationSitemap,
    "columns": ColumnSitemap,
    "records": RecordSitemap,
}

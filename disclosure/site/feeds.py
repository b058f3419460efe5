"""RSS 2.0 and Atom feeds of the latest public records: the whole site's, per organisation and per column.

Items come from ``public_records()``; a column's feed holds the records filed under the node and
everything beneath it, as the column page lists them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from catalog import selectors as catalog_selectors
from disclosure.core import addresses
from disclosure.records.search_index import body_text
from disclosure.records.selectors import public_records

FEED_SIZE = 20
DESCRIPTION_LENGTH = 200


@dataclass
class FeedSubject:
    organisation: object | None = None  # None: every organisation of the site
    node: object | None = None

    @property
    def name(self) -> str:
        if self.organisation is None:
            return settings.PORTAL_SITE_NAME
        if self.node is None:
            return self.organisation.name
        return f"{self.organisation.name} · {self.node.name}"


class RecordsRssFeed(Feed):
    """The latest public records of the site (no ``org``), of an organisation, or of one of its columns
    (``node`` given)."""

    feed_type = Rss201rev2Feed

    def get_object(self, request, org=None, node=None):
        if org is None:
            return FeedSubject()
        trees = catalog_selectors.public_trees()
        organisation = trees.organisation(org)
        if organisation is None:
            raise Http404(_("没有找到该机构。"))
        if node is None:
            return FeedSubject(organisation)
        current = trees.node(node)
        if current is None or not catalog_selectors.applies_to(current, organisation):
            raise Http404(_("没有找到该栏目。"))
        return FeedSubject(organisation, current)

    def title(self, subject):
        return _("%(name)s - 最新公开信息") % {"name": subject.name}

    def link(self, subject):
        if subject.organisation is None:
            return reverse("disclosure:home")
        if subject.node is None:
            return addresses.address("disclosure:organisation", subject.organisation.code)
        return addresses.address("disclosure:column", subject.organisation.code, subject.node.code)

    def description(self, subject):
        return _("%(name)s最新发布的%(count)s条主动公开政府信息。") % {
            "name": subject.name,
            "count": FEED_SIZE,
        }

    def items(self, subject):
        records = public_records()
        if subject.organisation is not None:
            records = records.filter(organisation=subject.organisation)
        if subject.node is not None:
            records = records.filter(node__code__in=catalog_selectors.descendant_codes(subject.node))
        return list(
            records.select_related("organisation", "node").order_by("-published_at", "-id")[:FEED_SIZE]
        )

    def item_title(self, record):
        return record.title

    def item_description(self, record):
        text = record.summary or body_text(record.body)
        return Truncator(text).chars(DESCRIPTION_LENGTH)

    def item_link(self, record):
        return record.get_absolute_url()

    def item_guid(self, record):
        # The index number is permanent; a revision keeps it but is a new item, hence the pk.
        return f"{record.index_number}#{record.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, record):
        return record.published_at

    def item_author_name(self, record):
        return record.issuing_body or record.organisation.name

    def item_categories(self, record):
        return [record.node.name]


class RecordsAtomFeed(RecordsRssFeed):
    feed_type = Atom1Feed

    def subtitle(self, subject):
        return self.description(subject)

    def item_updateddate(self, record):
        return record.published_at

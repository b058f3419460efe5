"""Reads of concerns for staff: the overdue filter in SQL, who may be made responsible, where responses go.

A concern is internal monitoring and never public: the public sees a response only through its
record, published in the 回应关切 column, under ``public_records()``. Which concerns a member of staff
may see is the policy's question (``policy.visible_concerns``).
"""

from __future__ import annotations

from datetime import datetime
from functools import reduce
from operator import or_

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from catalog import selectors as catalog_selectors
from catalog.models import CatalogNode
from disclosure.concerns.clock import RULES
from disclosure.concerns.models import Concern, ConcernResponse, ConcernStatus

# The first-level catalog item whose columns carry responses to concerns (回应关切, 020901 beneath it).
CONCERN_COLUMN_CODE = "0209"


def overdue_condition(now: datetime | None = None) -> Q:
    """A filter for concerns, not closed, with a deadline past due and not met: the clock's rules
    (disclosure/concerns/clock.py) in SQL."""
    now = now or timezone.now()
    parts = []
    for severity, rules in RULES.items():
        for rule in rules:
            satisfied = ConcernResponse.objects.filter(concern=OuterRef("pk"), kind__in=rule.satisfied_by)
            parts.append(Q(severity=severity, arose_at__lte=now - rule.span) & ~Exists(satisfied))
    return ~Q(status=ConcernStatus.CLOSED) & reduce(or_, parts)


def overdue_concerns(queryset: QuerySet[Concern] | None = None, *, now: datetime | None = None) -> QuerySet[Concern]:
    queryset = Concern.objects.all() if queryset is None else queryset
    return queryset.filter(overdue_condition(now))


def staff_of(organisation_id: int) -> QuerySet:
    """Active accounts of an organisation's staff: the people who may be made responsible."""
    return get_user_model().objects.filter(
        is_active=True, staff_profile__organisation_id=organisation_id
    ).order_by("username")


def all_staff() -> QuerySet:
    """Active accounts of every organisation's staff (whom a system administrator may choose from)."""
    return get_user_model().objects.filter(is_active=True, staff_profile__isnull=False).order_by("username")


def concern_column_node_ids() -> set[int]:
    """Catalog nodes where responses are published: 回应关切 and everything beneath it."""
    node = catalog_selectors.find_in_tree(catalog_selectors.catalog_tree(visible_only=False), CONCERN_COLUMN_CODE)
    if node is None:
        return set()
    codes = catalog_selectors.descendant_codes(node)
    return set(CatalogNode.objects.filter(code__in=codes).values_list("pk", flat=True))

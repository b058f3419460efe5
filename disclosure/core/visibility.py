"""The building block of every public rule: where an object sits must be switched on.

"Its organisation and its catalog node, and all their ancestors, are active." Records, withdrawal
notices, consultations and their files and comments, service-guide forms, interpretation links and
every future public object add this condition to their own (published, 主动公开, time reached, …), so
that switching off a column, a domain or an organisation hides everything under it at once, from every
surface.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from catalog import selectors as catalog_selectors
from disclosure.core import compiled

# The visible organisations and nodes (catalog/selectors.py) as subqueries whose SQL is compiled once per
# process and database (disclosure/core/compiled.py): Django would compile the same text afresh in every
# public query, the largest part of an uncached record page's CPU.
_visible_organisations = compiled.ids_of(catalog_selectors.visible_organisations)
_visible_nodes = compiled.ids_of(catalog_selectors.visible_nodes)


def visible_organisation(prefix: str = "") -> Q:
    """The object's organisation and all its ancestors are active (``prefix`` reaches the object,
    e.g. "record__")."""
    return Q(**{f"{prefix}organisation__in": _visible_organisations})


def visible_placement(prefix: str = "") -> Q:
    """The object's organisation and catalog node, and all their ancestors, are active."""
    return visible_organisation(prefix) & Q(**{f"{prefix}node__in": _visible_nodes})


_placed: dict = {}


def visibly_placed(model) -> QuerySet:
    """``model.objects.filter(visible_placement())``, built once per process and cloned by every caller.

    The condition is two subqueries (catalog/selectors.py) that Django takes about 2 ms of CPU to build,
    on every public page; they hold no data and no time (the database evaluates them at each query), so
    one unevaluated queryset serves every request, as a class-based view's ``queryset`` does: callers
    only ``filter()`` it, which clones it, and never evaluate or change it in place.
    """
    found = _placed.get(model)
    if found is None:
        found = _placed[model] = model.objects.filter(visible_placement())
    return found

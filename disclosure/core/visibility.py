"""The building block of every public rule: where an object sits must be switched on.

"Its organisation and its catalog node, and all their ancestors, are active." Records, withdrawal
notices, consultations and their files and comments, service-guide forms, interpretation links and
every future public object add this condition to their own (published, 主动公开, time reached, …), so
that switching off a column, a domain or an organisation hides everything under it at once, from every
surface.
"""

from __future__ import annotations

from django.db.models import Q

from catalog import selectors as catalog_selectors


def visible_organisation(prefix: str = "") -> Q:
    """The object's organisation and all its ancestors are active (``prefix`` reaches the object,
    e.g. "record__")."""
    return Q(**{f"{prefix}organisation__in": catalog_selectors.visible_organisations()})


def visible_placement(prefix: str = "") -> Q:
    """The object's organisation and catalog node, and all their ancestors, are active."""
    return visible_organisation(prefix) & Q(**{f"{prefix}node__in": catalog_selectors.visible_nodes()})

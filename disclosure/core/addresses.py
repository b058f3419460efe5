"""Public addresses of the pages listed by the hundred (records, columns, organisations), without
``reverse()`` for each.

``reverse()`` walks the resolver's possibilities, checks converters and quotes each time: about 40 µs a
call, and a home page lists 150 organisations and 24 catalog items. Here each URL name is reversed once
with placeholder arguments, per script prefix and URLconf; an address is then the template with the real
arguments put in. Only for arguments made of characters that ``reverse()`` would neither quote nor
refuse in a ``str`` converter (letters, digits, ``-``, ``_``, ``.``), and only for the names below, whose
arguments are all ``str``; anything else goes through ``reverse()`` itself, so the address is always
the one ``reverse()`` gives.
"""

from __future__ import annotations

import re

from django.core.signals import setting_changed
from django.urls import get_script_prefix, get_urlconf, reverse

# URL names of the public pages' links (in lists and in every page's shell) and their arguments, all
# ``<str:…>`` path converters (disclosure/urls.py, portal/urls.py). Any other name: reverse().
NAMES = {
    "disclosure:record": ("org", "number"),
    "disclosure:column": ("org", "node"),
    "disclosure:organisation": ("org",),
    "disclosure:catalog_item": ("node",),
    "disclosure:organisation_guide": ("org",),
    "disclosure:consultations": ("org",),
    "disclosure:feedback_list": ("org",),
    "disclosure:disclosure_column": ("org",),
    "disclosure:policy_library": ("org",),
    "disclosure:organisation_feed_rss": ("org",),
    "disclosure:organisation_feed_atom": ("org",),
    "disclosure:column_feed_rss": ("org", "node"),
    "disclosure:column_feed_atom": ("org", "node"),
    "disclosure:home": (),
    "disclosure:search": (),
    "disclosure:application_apply": (),
    "disclosure:application_status": (),
    "disclosure:disclosure_column_index": (),
    "disclosure:guide_index": (),
    "disclosure:consultation_index": (),
    "disclosure:feedback_new": (),
    "disclosure:site_feed_rss": (),
    "disclosure:site_feed_atom": (),
    "display_mode": (),
    "api:record": ("org", "number"),
}
PLAIN = re.compile(r"[A-Za-z0-9_.-]+")
_PLACEHOLDER = "Zq{}placeholderQz"

_templates: dict = {}


def _template(name: str) -> list[str] | None:
    """The address of ``name`` split around its arguments, in the order NAMES gives them."""
    key = (name, get_script_prefix(), get_urlconf())
    found = _templates.get(key)
    if found is None:
        params = NAMES[name]
        marks = {param: _PLACEHOLDER.format(index) for index, param in enumerate(params)}
        address = reverse(name, kwargs=marks)
        parts = []
        for param in params:
            head, mark, address = address.partition(marks[param])
            if not mark or marks[param] in address:
                found = False  # an argument used twice or not at all: leave it to reverse()
                break
            parts.append(head)
        else:
            parts.append(address)
            found = parts
        _templates[key] = found
    return found or None


def address(name: str, *args) -> str:
    """``reverse(name, args=args)``."""
    if name in NAMES and all(isinstance(arg, str) and PLAIN.fullmatch(arg) for arg in args):
        parts = _template(name)
        if parts is not None and len(args) + 1 == len(parts):
            pieces = [parts[0]]
            for arg, tail in zip(args, parts[1:], strict=True):
                pieces.append(arg)
                pieces.append(tail)
            return "".join(pieces)
    if name in NAMES and len(args) == len(NAMES[name]):
        return reverse(name, kwargs=dict(zip(NAMES[name], args, strict=True)))
    return reverse(name, args=args)


def _forget(*, setting, **kwargs) -> None:
    if setting == "ROOT_URLCONF":
        _templates.clear()


setting_changed.connect(_forget, dispatch_uid="disclosure.core.addresses.forget")

"""The address a request came from, as far as this site can trust it.

Behind no proxy (``TRUSTED_PROXY_COUNT = 0``, the default) it is the socket's peer, ``REMOTE_ADDR``.
Behind N reverse proxies of our own, each of them appends the address it received the request from to
``X-Forwarded-For``: the N-th entry from the right is then the address the outermost proxy saw, i.e. the
citizen's. Entries further left were written by the client and prove nothing, so they are never read.
A header shorter than N entries, or an entry that is not an IP address, falls back to ``REMOTE_ADDR``.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings

UNKNOWN = "unknown"


def _address(value: str) -> str | None:
    """``value`` as a normalised IP address, or None when it is not one."""
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request) -> str:
    """The client's IP address for per-address limits; ``"unknown"`` when nothing usable was given."""
    remote = _address(request.META.get("REMOTE_ADDR", "")) or UNKNOWN
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if proxies <= 0:
        return remote
    # Several X-Forwarded-For headers arrive joined by commas, in order; the right end is ours.
    forwarded = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if len(forwarded) < proxies or not forwarded[-proxies].strip():
        return remote
    return _address(forwarded[-proxies]) or remote

"""client_ip: REMOTE_ADDR by default; behind N trusted proxies the N-th X-Forwarded-For entry from the right."""

import pytest
from django.test import RequestFactory

from disclosure.core.clientip import client_ip


def ip(remote="192.0.2.1", forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_ip(RequestFactory().get("/", **extra))


def test_without_proxies_the_socket_address_counts_and_the_header_is_ignored(settings):
    """TRUSTED_PROXY_COUNT=0: whatever X-Forwarded-For says, the address is REMOTE_ADDR."""
    settings.TRUSTED_PROXY_COUNT = 0
    assert ip("192.0.2.1") == "192.0.2.1"
    assert ip("192.0.2.1", "203.0.113.5") == "192.0.2.1"
    assert ip("", "203.0.113.5") == "unknown"
    assert ip("garbage") == "unknown"


@pytest.mark.parametrize(
    "forwarded, expected",
    [
        ("203.0.113.5", "203.0.113.5"),
        ("203.0.113.5 ", "203.0.113.5"),
        # Whatever the client wrote itself stands to the left of what our proxy appended.
        ("198.51.100.77, 203.0.113.5", "203.0.113.5"),
        ("10.0.0.1,198.51.100.77,203.0.113.5", "203.0.113.5"),
        ("2001:DB8::1", "2001:db8::1"),
        ("198.51.100.77, 2001:db8:0:0::7", "2001:db8::7"),
        # Too short or not an address: the proxy's own address, so at worst everyone behind it shares one bucket.
        (None, "192.0.2.1"),
        ("", "192.0.2.1"),
        ("203.0.113.5, ", "192.0.2.1"),
        ("unknown", "192.0.2.1"),
        ("203.0.113.5:4711", "192.0.2.1"),
        ("203.0.113.500", "192.0.2.1"),
        ("<script>", "192.0.2.1"),
    ],
)
def test_behind_one_proxy(settings, forwarded, expected):
    """TRUSTED_PROXY_COUNT=1: the right-most X-Forwarded-For entry, when it is an IP address."""
    settings.TRUSTED_PROXY_COUNT = 1
    assert ip("192.0.2.1", forwarded) == expected


@pytest.mark.parametrize(
    "forwarded, expected",
    [
        ("203.0.113.5, 10.1.1.1", "203.0.113.5"),
        ("198.51.100.77, 203.0.113.5, 10.1.1.1", "203.0.113.5"),
        ("10.1.1.1", "192.0.2.1"),
        (", 10.1.1.1", "192.0.2.1"),
    ],
)
def test_behind_two_proxies(settings, forwarded, expected):
    """TRUSTED_PROXY_COUNT=2 (say a CDN, then nginx): the second entry from the right; fewer than two entries
    fall back to REMOTE_ADDR."""
    settings.TRUSTED_PROXY_COUNT = 2
    assert ip("192.0.2.1", forwarded) == expected

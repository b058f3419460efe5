"""The public forms' per-address rate limit, counted in the shared rate-limit cache (the database table)."""

import logging
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.cache import caches
from django.db import connection
from django.test import RequestFactory

from catalog.models import Organisation
from disclosure.core.antispam import rate_limited


def post(remote="192.0.2.1", forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().post("/", **extra)


def hits(request, n, scope="form", limit=3):
    return [rate_limited(request, scope, limit=limit, window_seconds=60) for _i in range(n)]


@pytest.mark.django_db
def test_the_limit_counts_per_scope_and_address():
    """Three allowed, the fourth and fifth refused; another scope or another address has its own count."""
    assert hits(post(), 5) == [False, False, False, True, True]
    assert hits(post(), 1, scope="other") == [False]
    assert hits(post("192.0.2.2"), 1) == [False]


@pytest.mark.django_db
def test_the_count_lives_in_the_database_table():
    """The count is a row of the rate-limit cache table, which every worker and host reads (rows other
    tests' live servers left behind are not this test's: count the one it adds)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM portal_ratelimit")
        before = cursor.fetchone()[0]
    hits(post(), 2)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM portal_ratelimit")
        assert cursor.fetchone()[0] == before + 1
    assert caches["ratelimit"].get("ratelimit:form:192.0.2.1") == 2


@pytest.mark.django_db
def test_a_new_window_starts_over():
    """Once the window has passed, the address starts from one again."""
    assert hits(post(), 4)[-1] is True
    with connection.cursor() as cursor:
        cursor.execute("UPDATE portal_ratelimit SET expires = %s", ["2000-01-01 00:00:00"])
    assert hits(post(), 4) == [False, False, False, True]


@pytest.mark.django_db
def test_behind_a_trusted_proxy_each_forwarded_address_has_its_own_count(settings):
    """TRUSTED_PROXY_COUNT=1: same proxy address, different citizens; a spoofed left-most entry changes nothing."""
    settings.TRUSTED_PROXY_COUNT = 1
    assert hits(post(forwarded="203.0.113.5"), 4)[-1] is True
    assert hits(post(forwarded="198.51.100.77, 203.0.113.5"), 1) == [True]
    assert hits(post(forwarded="198.51.100.7"), 1) == [False]


@pytest.mark.django_db
def test_a_cache_outage_lets_citizens_through_with_a_warning(settings, caplog):
    """Fail open: when the counter cannot be reached nobody is locked out, a warning is logged, and the
    request's own database transaction is still usable."""
    settings.CACHES = {
        **django_settings.CACHES,
        "ratelimit": {"BACKEND": "portal.cache.CounterDatabaseCache", "LOCATION": "no_such_table"},
    }
    with caplog.at_level(logging.WARNING, logger="disclosure.core.antispam"):
        assert hits(post(), 5) == [False] * 5
    assert "rate-limit cache failed" in caplog.text
    assert Organisation.objects.count() >= 0  # no aborted transaction (PostgreSQL)


def test_make_demo_creates_the_table():
    """`migrate` does not create cache tables: the demo target runs createcachetable after it."""
    makefile = (Path(django_settings.BASE_DIR) / "Makefile").read_text()
    demo = makefile.split("\ndemo:", 1)[1].split("\n\n", 1)[0]
    assert "manage.py migrate" in demo and "manage.py createcachetable" in demo

import pickle

import pytest
from django.conf import settings
from django.core.signals import request_finished

from catalog.demo import DEMO_COUNTY, ensure_demo_organisations
from catalog.services import catalog_load_standard
from tests.snapshots import Snapshot


def pytest_configure(config):
    """Every test runs with a fast password hasher: PBKDF2's deliberate slowness only costs time here,
    and many tests make accounts and log in."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Test transactions never commit, so the page cache's generation (bumped on commit) would never move:
    # off, except in tests/portal/test_pagecache.py, which runs the commit callbacks.
    settings.PAGE_CACHE_SECONDS = 0


def _public_timeout_ends_with_the_request(sender, **kwargs):
    """A public request leaves its statement timeout on the connection for the next request to keep or
    reset (portal/timeouts.py); in tests the next user of the connection may be the test itself, whose
    flush of a transactional test must not be cancelled after 3 s on a loaded machine."""
    from django.db import connections

    from portal import timeouts

    for connection in connections.all(initialized_only=True):
        if connection.vendor == "postgresql" and getattr(connection, timeouts._STATE, 0) and connection.connection:
            if not connection.in_atomic_block:
                with connection.connection.cursor() as raw:
                    raw.execute("SET statement_timeout = 0")
                setattr(connection, timeouts._STATE, 0)


def pytest_collection_modifyitems(config, items):
    """Tests marked ``long`` come first. ``--dist loadgroup`` deals the tests of no group out in collection
    order: a two-minute test dealt out late keeps one worker busy long after the other has run out of work."""
    items.sort(key=lambda item: item.get_closest_marker("long") is None)  # stable: the rest keep their order


request_finished.connect(_public_timeout_ends_with_the_request, dispatch_uid="tests.public_timeout_ends")


@pytest.fixture(autouse=True, scope="session")
def _sqlite_flush_keeps_log_triggers():
    """Django's flush between transactional / live_server tests is a DELETE per table on SQLite, which
    the log's triggers refuse (migration 0004_log_triggers). Around a flush only, drop those triggers and
    recreate them in the same transaction; every other statement of every test meets them. PostgreSQL
    flushes with TRUNCATE, which row triggers do not see."""
    from importlib import import_module

    from django.db import connection

    if connection.vendor != "sqlite":
        yield
        return
    operations = type(connection.ops)
    triggers = import_module("disclosure.migrations.0004_log_triggers")
    flush = operations.execute_sql_flush

    def execute_sql_flush(self, sql_list):
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = 'disclosure_auditentry_no_delete'"
            )
            installed = cursor.fetchone() is not None
        if installed:
            sql_list = [*triggers.drop_statements("sqlite"), *sql_list, *triggers.create_statements("sqlite")]
        flush(self, sql_list)

    operations.execute_sql_flush = execute_sql_flush
    yield
    operations.execute_sql_flush = flush


@pytest.fixture(autouse=True)
def _fresh_working_day_calendar():
    """Rolled-back test transactions send no delete signals: start each test with an empty calendar cache."""
    from disclosure.core.workdays import clear_cache

    clear_cache()
    yield
    clear_cache()


@pytest.fixture(autouse=True)
def _fresh_search_window():
    """The start of a search's window of newest documents is reused a minute per process
    (disclosure/search/selectors.py): each test looks it up in its own data."""
    from disclosure.search.selectors import forget_recent_threshold

    forget_recent_threshold()
    yield
    forget_recent_threshold()


@pytest.fixture(scope="session")
def _catalog_snapshot(django_db_setup, django_db_blocker):
    snapshot = Snapshot(catalog_load_standard)
    with django_db_blocker.unblock():
        snapshot.capture()
    return snapshot


@pytest.fixture
def standard_catalog(_catalog_snapshot, db):
    """The standard catalog as `load_catalog` loads it (``catalog_load_standard()``), restored from rows
    captured once per test process (tests/snapshots.py)."""
    _catalog_snapshot.restore()


class _DemoOrganisations:
    """``ensure_demo_organisations`` as a snapshot's builder, keeping what it returned (pickled: each test
    gets its own copies of the very instances a run in the test would return, parents cached and all)."""

    def __init__(self):
        self.returned = None

    def __call__(self):
        self.returned = pickle.dumps(ensure_demo_organisations())


@pytest.fixture(scope="session")
def _demo_orgs_snapshot(django_db_setup, django_db_blocker):
    builder = _DemoOrganisations()
    snapshot = Snapshot(builder)
    with django_db_blocker.unblock():
        snapshot.capture()
    return snapshot, builder


@pytest.fixture
def demo_orgs(_demo_orgs_snapshot, db):
    """The fictional demo county with its province, city and three townships, by code: restored from rows
    captured once per test process (tests/snapshots.py). When organisations exist already (``seeded_demo``
    holds these, or the test made its own, whose ids the snapshot's could meet) or off SQLite, built."""
    from catalog.models import Organisation

    snapshot, builder = _demo_orgs_snapshot
    if not snapshot.usable or Organisation.objects.exists():
        return ensure_demo_organisations()
    snapshot.restore()
    return pickle.loads(builder.returned)


@pytest.fixture
def county(demo_orgs):
    return demo_orgs[DEMO_COUNTY]


@pytest.fixture(autouse=True)
def _fresh_public_trees():
    """A rolled-back test leaves no public trees behind (catalog/trees.py keeps them per process)."""
    from catalog import trees

    trees.clear()
    yield
    trees.clear()


# What the last run of ``seed_demo`` by ``_load_catalog_and_seed_demo`` printed (the run whose rows the
# current test holds: the snapshot's capture on SQLite, the test's own run on another database).
_SEED_DEMO_OUTPUT = {}


def _load_catalog_and_seed_demo():
    from io import StringIO

    from django.core.management import call_command

    call_command("load_catalog", stdout=StringIO())
    out = StringIO()
    call_command("seed_demo", verbosity=0, stdout=out)
    _SEED_DEMO_OUTPUT["seed_demo"] = out.getvalue()


@pytest.fixture(scope="session")
def _demo_snapshot(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo's rows, and its attachments' files in a media directory of their own."""
    from django.test import override_settings

    media = tmp_path_factory.mktemp("demo-media")
    snapshot = Snapshot(_load_catalog_and_seed_demo)
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media):
        snapshot.capture()
    return snapshot, media


@pytest.fixture
def seeded_demo(_demo_snapshot, db, settings):
    """What ``manage.py load_catalog`` then ``manage.py seed_demo`` leave in the database, restored from
    rows captured once per test process (tests/snapshots.py) instead of seeded again in every test.
    MEDIA_ROOT is the directory holding the demo attachments' files. Its value is what that run of
    ``seed_demo`` printed."""
    snapshot, media = _demo_snapshot
    settings.MEDIA_ROOT = media
    snapshot.restore()
    return _SEED_DEMO_OUTPUT["seed_demo"]

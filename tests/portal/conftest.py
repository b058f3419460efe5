"""Fixtures of the page cache's tests (tests/portal/test_pagecache*.py)."""

import pytest

from portal import pagecache
from tests.disclosure.publishing import COUNTY, Desk
from tests.portal.test_pagecache import commit


@pytest.fixture
def cached(settings, standard_catalog, demo_orgs):
    settings.PAGE_CACHE_SECONDS = 600
    pagecache.page_cache().clear()
    pagecache.LOCAL.clear()
    pagecache.DEP_HINTS.clear()
    commit()


@pytest.fixture
def desk(cached, demo_orgs):
    return Desk(demo_orgs[COUNTY])


@pytest.fixture
def committed(settings, standard_catalog, demo_orgs):
    """Real commits (a transactional test): the page cache's reads go through its own connection, as
    under gunicorn. The cache table is no model table, so the flush after the test leaves it: cleared."""
    settings.PAGE_CACHE_SECONDS = 600
    pagecache.page_cache().clear()
    pagecache.LOCAL.clear()
    pagecache.DEP_HINTS.clear()
    yield Desk(demo_orgs[COUNTY])
    pagecache.page_cache().clear()
    pagecache.LOCAL.clear()
    pagecache.DEP_HINTS.clear()
    pagecache.close_private_connection()

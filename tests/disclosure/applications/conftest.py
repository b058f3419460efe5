import pytest
from django.core.cache import cache

from tests.disclosure.applications.world import make_desk


@pytest.fixture(autouse=True)
def _empty_rate_limits():
    """The rate limit counts live in the cache: every test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def desk(county):
    """The county bureau's handler (信息员), reviewer (审核员), 单位管理员, auditor, a member of staff
    without a role, another organisation's staff, the city's auditor and a system administrator."""
    return make_desk(county)

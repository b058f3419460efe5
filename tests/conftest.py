import pytest
from django.conf import settings

from catalog.demo import DEMO_COUNTY, ensure_demo_organisations
from catalog.services import catalog_load_standard


def pytest_configure(config):
    """Every test runs with a fast password hasher: PBKDF2's deliberate slowness only costs time here,
    and many tests make accounts and log in."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_working_day_calendar():
    """Rolled-back test transactions send no delete signals: start each test with an empty calendar cache."""
    from disclosure.core.workdays import clear_cache

    clear_cache()
    yield
    clear_cache()


@pytest.fixture
def standard_catalog(db):
    """The standard catalog as `load_catalog` loads it."""
    catalog_load_standard()


@pytest.fixture
def demo_orgs(db):
    """The fictional demo county with its province, city and three townships, by code."""
    return ensure_demo_organisations()


@pytest.fixture
def county(demo_orgs):
    return demo_orgs[DEMO_COUNTY]

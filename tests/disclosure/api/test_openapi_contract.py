"""The API keeps the promise of /api/v1/openapi.json: schemathesis generates requests from the
document (valid and invalid parameters) and checks every answer against it: no server error, the
documented status codes, content type and response schema."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.disclosure.publishing import COUNTY, Desk

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@pytest.fixture
def connection_kept_open():
    """Requests go through the real WSGI handler, whose end-of-request signal closes the database
    connection; inside a test that would close the test's transaction too (Django's test client
    holds the same signal off the same way)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def world(standard_catalog, demo_orgs, settings, tmp_path):
    """One published record, so that lists and filters have something to find."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return Desk(demo_orgs[COUNTY]).publish("020502")


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_keeps_its_openapi_contract(case, world, connection_kept_open):
    """Each operation of the document, with generated parameters: the answer matches the document."""
    # A well-formed code of an organisation or column that does not exist is a documented 400
    # ("invalid_parameter", naming it); schemathesis would count any 400 to a schema-valid request.
    case.call_and_validate(excluded_checks=[positive_data_acceptance])

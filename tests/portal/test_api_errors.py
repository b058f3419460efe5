"""Every answer under /api/ is JSON, errors raised outside the API's own views included: an
unexpected exception is a logged 500 with a JSON body, an unknown address a JSON 404; the site's
own pages keep their HTML error pages."""

from __future__ import annotations

import logging

import pytest
from django.test import Client
from django.urls import include, path

from portal import urls as portal_urls


def broken(request):
    raise RuntimeError("a bug nobody foresaw")


# This module is the URLconf of the tests below: the site's own, plus a view that fails under /api/.
urlpatterns = [path("api/v1/broken", broken), path("broken", broken), path("", include(portal_urls))]
handler400 = portal_urls.handler400
handler403 = portal_urls.handler403
handler404 = portal_urls.handler404
handler500 = portal_urls.handler500


@pytest.mark.urls("tests.portal.test_api_errors")
@pytest.mark.django_db
def test_unexpected_exception_under_api_is_a_logged_json_500(caplog):
    """A bug in an API view answers 500 as JSON with a Chinese message, and the exception is logged."""
    client = Client(raise_request_exception=False)
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.get("/api/v1/broken")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"] == {"code": "server_error", "message": "服务器内部错误，请稍后再试。"}
    assert "a bug nobody foresaw" not in response.content.decode()
    assert any(record.exc_info and "a bug nobody foresaw" in str(record.exc_info[1]) for record in caplog.records)


@pytest.mark.urls("tests.portal.test_api_errors")
@pytest.mark.django_db
def test_unexpected_exception_on_a_page_is_the_html_500_page():
    """Outside /api/ the 500 page stays HTML."""
    response = Client(raise_request_exception=False).get("/broken")
    assert response.status_code == 500 and response["Content-Type"].startswith("text/html")
    assert "系统繁忙" in response.content.decode()


@pytest.mark.django_db
def test_unknown_address_under_api_is_json_404(client):
    """An address under /api/ that no API version serves is a JSON 404, not the HTML page."""
    response = client.get("/api/v2/records")
    assert response.status_code == 404 and response["Content-Type"].startswith("application/json")
    assert response.json()["error"]["code"] == "not_found"
    assert response["Access-Control-Allow-Origin"] == "*"


@pytest.mark.django_db
def test_out_of_range_dates_and_numbers_are_400_json(client):
    """Dates outside 1900–2999 (9999-12-31 overflowed the date arithmetic) and pages past the last
    possible one are refused with 400 and a Chinese message naming the parameter."""
    for params, parameter in [
        ({"to": "9999-12-31"}, "to"),
        ({"from": "0001-01-01"}, "from"),
        ({"from": "1899-12-31"}, "from"),
    ]:
        response = client.get("/api/v1/completeness", params)
        assert response.status_code == 400, params
        assert response.json()["error"]["parameter"] == parameter
        assert "1900" in response.json()["error"]["message"]
    response = client.get("/api/v1/records", {"page": "1000001"})
    assert response.status_code == 400 and response.json()["error"]["parameter"] == "page"

"""No input gives a 5xx: every URL pattern of the site with hostile path and query values, and the
public forms with hostile fields, answer 4xx (or a normal page), never a server error.

Property-based (hypothesis): a small sample per pattern here (profile "ci", HYPOTHESIS_PROFILE); the
full 10,000 requests run in ``python bench/run.py hostile``.
"""

from __future__ import annotations

import os
import time

import pytest
from hypothesis import HealthCheck, Phase, settings

from tests.portal.hostile import (
    Visitor,
    form_property,
    hostile_text,
    hostile_world,
    public_forms,
    route_property,
    site_routes,
)

settings.register_profile(
    "ci",
    max_examples=10,
    deadline=None,
    database=None,
    # No shrinking: a failure is reported with the value that found it, and the file stays fast.
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.register_profile(
    "full",
    max_examples=300,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

ROUTES = site_routes()
REPORT_ROUTES = [route for route in ROUTES if route.template.startswith("reports/")]
PUBLIC_ROUTES = [route for route in ROUTES if route not in REPORT_ROUTES]


@pytest.fixture
def world(standard_catalog, demo_orgs, settings, tmp_path):
    """A published record, an open consultation and an auditor of the county."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return hostile_world(demo_orgs)


def check_routes(visitor: Visitor, routes, *, with_parameters: bool, examples: int = 0) -> dict:
    """Run the property for each route; collect every route's failure so one run reports them all."""
    failures = {}
    for route in routes:
        parameters = {name: hostile_text() for name in route.parameters} if with_parameters else {}

        check = route_property(visitor, route, parameters)
        if examples:
            check = settings(max_examples=examples)(check)

        started = time.monotonic()
        try:
            check()
        except Exception as error:  # noqa: BLE001 (reported below, with the falsifying example)
            failures[route.template] = f"{type(error).__name__}: {str(error)[:500]}"
        if os.environ.get("HOSTILE_TIMES"):
            print(f"{time.monotonic() - started:6.2f}s {route.template}", failures.get(route.template, ""))
    return failures


def test_the_walk_finds_every_kind_of_pattern():
    """The resolver walk sees the site, the API (regex patterns) and the reports, but not the admin."""
    templates = {route.template for route in ROUTES}
    assert "org/{org}/doc/{number}/" in templates
    assert "api/v1/records/{org}/{number}/" in templates
    assert "consultations/{org}/{pk}/files/{attachment_id}/" in templates
    assert "reports/completeness/export.csv" in templates
    assert not any(template.startswith("admin/") for template in templates)


@pytest.mark.django_db
def test_no_public_pattern_answers_5xx(client, world):
    """Every public URL pattern with hostile path parameters and query parameters, anonymous: never a 5xx."""
    assert check_routes(Visitor(client), PUBLIC_ROUTES, with_parameters=True) == {}


@pytest.mark.django_db
def test_no_report_pattern_answers_5xx_to_an_auditor(client, world):
    """Every report page and export with hostile query parameters, as a logged-in auditor: never a 5xx."""
    client.force_login(world["auditor"])
    # The reports compute whole tables per request: half the sample here, the full count in bench/hostile.py.
    examples = max(3, settings.default.max_examples // 2)
    assert check_routes(Visitor(client), REPORT_ROUTES, with_parameters=False, examples=examples) == {}


@pytest.mark.django_db
def test_nul_in_path_or_query_is_a_chinese_400(client, world):
    """A NUL byte anywhere in the address is refused with 400 and a Chinese message (JSON under /api/)."""
    page = client.get("/org/%00/")
    assert page.status_code == 400 and "控制字符" in page.content.decode()
    api = client.get("/api/v1/records/419901/%00")
    assert api.status_code == 400 and api["Content-Type"].startswith("application/json")
    assert api.json()["error"]["code"] == "invalid_request" and "控制字符" in api.json()["error"]["message"]
    assert client.get("/search/", {"q": "公告\x00"}).status_code == 400
    assert client.get("/search/", {"q": "公告\n"}).status_code == 200  # a line break is only text


@pytest.mark.django_db
def test_public_forms_never_answer_5xx(client, world):
    """The application form, the tracking-code status form and an open consultation's comment form,
    each with hostile fields: a form error, a refusal or a receipt, never a 5xx."""
    visitor = Visitor(client)
    for url, valid in public_forms(world["consultation"]):
        form_property(visitor, url, valid)()


@pytest.mark.django_db
def test_report_dates_out_of_range_are_chinese_form_errors(client, world):
    """A report's date range ending 9999-12-31 (one day later overflows) or starting before 1900 is a
    400 with the form's Chinese error, on the page and on its export."""
    client.force_login(world["auditor"])
    for url in ("/reports/completeness/", "/reports/timeliness/", "/reports/completeness/export.csv"):
        for params in ({"date_to": "9999-12-31"}, {"date_from": "0001-01-01"}):
            response = client.get(url, params)
            assert response.status_code == 400, (url, params, response.status_code)
            if url.endswith("/"):
                assert "日期应在 1900 年到 2999 年之间" in response.content.decode()

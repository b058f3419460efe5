"""No 5xx from any input, the full count: 10,000 hostile requests against every URL pattern of the site.

    python bench/run.py hostile        (BENCH_HOSTILE_REQUESTS=10000)

The CI test (tests/portal/test_hostile_input.py) sends a small sample per pattern; this sends the
full count through the same generators (tests/portal/hostile.py, hypothesis: needs the ``test``
extra): hostile path and query values for every public pattern as an anonymous visitor, the report
pages as an auditor, and hostile submissions of the public forms. Runs on the current database
(DATABASE_URL, or the embedded SQLite file) inside ONE transaction that is rolled back at the end:
the standard catalog (if missing), the demo organisations, a published record, an open consultation
and an auditor are made for the run and never committed.

Prints "N requests, 0 × 5xx" and lists every request that got a 5xx.
"""

from __future__ import annotations

import os
import tempfile
import time

from django.db import transaction
from django.test import Client, override_settings
from django.test.utils import setup_test_environment
from hypothesis import HealthCheck, Phase, settings

REQUESTS = int(os.environ.get("BENCH_HOSTILE_REQUESTS", "10000"))


class _Rollback(Exception):
    pass


def main() -> None:
    from catalog.demo import ensure_demo_organisations
    from catalog.models import CatalogNode
    from catalog.services import catalog_load_standard
    from tests.portal.hostile import (
        Visitor,
        form_property,
        hostile_text,
        hostile_world,
        public_forms,
        route_property,
        site_routes,
    )

    setup_test_environment()  # "testserver" allowed, e-mail kept in memory
    routes = site_routes()
    reports = [route for route in routes if route.template.startswith("reports/")]
    public = [route for route in routes if route not in reports]
    per_target = -(-REQUESTS // (len(routes) + 3))  # rounded up: at least REQUESTS in all
    profile = settings(
        max_examples=per_target,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    anonymous = Visitor(Client(raise_request_exception=False), strict=False)
    auditor = Visitor(Client(raise_request_exception=False), strict=False)
    started = time.monotonic()
    try:
        with tempfile.TemporaryDirectory() as media, override_settings(MEDIA_ROOT=media), transaction.atomic():
            if not CatalogNode.objects.exists():
                catalog_load_standard()
            world = hostile_world(ensure_demo_organisations())
            auditor.client.force_login(world["auditor"])
            for route in public:
                parameters = {name: hostile_text() for name in route.parameters}
                profile(route_property(anonymous, route, parameters))()
            for route in reports:
                profile(route_property(auditor, route, {}))()
            for url, valid in public_forms(world["consultation"]):
                profile(form_property(anonymous, url, valid))()
            raise _Rollback
    except _Rollback:
        pass
    total = anonymous.requests + auditor.requests
    errors = anonymous.server_errors + auditor.server_errors
    print(
        f"{total} requests, {len(errors)} × 5xx  ({time.monotonic() - started:.0f} s, {len(routes)} patterns + 3 forms)"
    )
    for method, url, data, status in errors:
        print(f"  {status} {method} {url[:200]!r}" + (f" {data!r}"[:300] if data else ""))

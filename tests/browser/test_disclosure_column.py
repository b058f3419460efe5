"""The 政府信息公开 column and a published annual report pass axe-core (WCAG 2.1 AA) in headless Chromium,
fit a 360 px phone, and load nothing from outside the site, like every public page
(tests/browser/test_accessibility.py)."""

import pytest

from disclosure.records.disclosure_column import REPORTS_CODE
from disclosure.records.selectors import public_records
from tests.browser.conftest import axe_violations, save_screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_disclosure_column_and_annual_report_pass_axe(live_server, browser_page, seeded_demo):
    report = public_records().filter(node__code=REPORTS_CODE).select_related("organisation").get()
    urls = {
        "column-index": "/xxgk/",
        "column": "/xxgk/419901/",
        "column-township": "/xxgk/419901001/",
        "reports-column": f"/org/419901/{REPORTS_CODE}/",
        "annual-report": report.get_absolute_url(),
        "annual-report-print": report.get_absolute_url() + "print/",
    }
    page = browser_page
    problems = []
    for name, path in urls.items():
        requests = []

        def record_request(request, requests=requests):
            requests.append(request)

        page.on("request", record_request)
        response = page.goto(live_server.url + path)
        page.remove_listener("request", record_request)
        if response.status != 200:
            problems.append(f"{name} {path}: HTTP {response.status}")
            continue
        violations = axe_violations(page)
        if violations:
            problems.append(f"{name} {path}: " + "; ".join(
                f"{v['id']} ({len(v['nodes'])}): {v['nodes'][0]['target']}" for v in violations
            ))
        foreign = [r.url for r in requests if not r.url.startswith((live_server.url, "data:"))]
        if foreign:
            problems.append(f"{name}: loads from outside the site: {foreign}")
        if name != "annual-report-print":  # the A4 sheet keeps its print size
            page.set_viewport_size({"width": 360, "height": 740})
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            if overflow > 0:
                problems.append(f"{name}: {overflow}px wider than a 360 px phone")
            page.set_viewport_size({"width": 1280, "height": 900})
        if problems and problems[-1].startswith(name):
            save_screenshot(page, f"a11y-{name}")
    assert not problems, "\n".join(problems)

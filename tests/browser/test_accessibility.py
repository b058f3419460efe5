"""Every public page type passes axe-core (WCAG 2.1 AA) in headless Chromium, fits a 360 px phone,
loads nothing from outside the site, and weighs under 100 KB of HTML, CSS and JavaScript."""

import re

import pytest

from disclosure.consultations.models import Consultation
from disclosure.records.selectors import public_records
from portal.display import MODES
from tests.browser.conftest import axe_violations, save_screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGE_BUDGET_BYTES = 100 * 1024


def public_page_urls():
    """One URL of every public page type, taken from the demo portal."""
    record = public_records().select_related("organisation", "node").order_by("-published_at").first()
    consultation = Consultation.objects.filter(organisation__code="419901").exclude(status="draft").first()
    urls = {
        "home": "/",
        "organisation": "/org/419901/",
        "domain-column": "/org/419901/02/",
        "item-column": f"/org/419901/{record.node.code}/",
        "catalog-item": "/catalog/0205/",
        "record": record.get_absolute_url(),
        "record-print": record.get_absolute_url() + "print/",
        "search": "/search/?q=公租房",
        "guide": "/org/419901/guide/",
        "consultations": "/consultations/419901/",
        "guide-index": "/guide/",
        "consultation-index": "/consultations/",
        "on-application-column": "/org/419901/010201/",
        "apply-errors": "/apply/?org=419901&column=010201",
        "feedback-form": "/interact/new/?org=419901&kind=error&from=/org/419901/",
        "feedback-list": "/org/419901/interact/",
        "subscribe": "/subscribe/?org=419901&node=0205",
        "apply": "/apply/",
        "application-status": "/apply/status/",
        "not-found": "/org/419901/doc/1999-99999/",
    }
    if consultation:
        urls["consultation"] = f"/consultations/419901/{consultation.pk}/"
    return urls


def test_public_pages_pass_axe_and_budgets(live_server, browser_page, seeded_demo):
    problems = []
    page = browser_page
    for name, path in public_page_urls().items():
        requests = []

        def record_request(request, requests=requests):
            requests.append(request)

        page.on("request", record_request)
        page.goto(live_server.url + path)
        page.remove_listener("request", record_request)

        violations = axe_violations(page)
        if violations:
            problems.append(f"{name} {path}: " + "; ".join(
                f"{v['id']} ({len(v['nodes'])}): {v['nodes'][0]['target']}" for v in violations
            ))

        foreign = [r.url for r in requests if not r.url.startswith((live_server.url, "data:"))]
        if foreign:
            problems.append(f"{name}: loads from outside the site: {foreign}")

        weight = 0
        for request in requests:
            if request.resource_type in {"document", "stylesheet", "script"}:
                response = request.response()
                if response is not None and not 300 <= response.status < 400:
                    weight += len(response.body())
        if weight > PAGE_BUDGET_BYTES:
            problems.append(f"{name}: {weight} bytes of HTML, CSS and JS (budget {PAGE_BUDGET_BYTES})")

        assert page.evaluate("document.documentElement.lang") == "zh-CN", name

        page.set_viewport_size({"width": 360, "height": 740})
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        if overflow > 0:
            problems.append(f"{name}: {overflow}px wider than a 360 px phone")
        page.set_viewport_size({"width": 1280, "height": 900})

        if problems and problems[-1].startswith(name):
            save_screenshot(page, f"a11y-{name}")
    assert not problems, "\n".join(problems)


def test_display_switches_are_the_first_stops_after_the_skip_link(live_server, browser_page, seeded_demo):
    """From the top of a page, Tab reaches the skip link, then the four mode switches; Enter on one turns
    it on and comes back to the same page."""
    page = browser_page
    page.goto(live_server.url + "/org/419901/")
    page.keyboard.press("Tab")
    stops = []
    for _ in MODES:
        page.keyboard.press("Tab")
        stops.append(page.evaluate("document.activeElement.textContent").strip())
    assert stops == [mode.label for mode in MODES]
    with page.expect_navigation(url=live_server.url + "/org/419901/"):
        page.keyboard.press("Enter")  # on the last one: 大按钮
    assert page.url == live_server.url + "/org/419901/"
    assert "large-targets" in page.evaluate("document.documentElement.className")


def test_keyboard_reaches_main_content_through_skip_link(live_server, browser_page, seeded_demo):
    """The first Tab stop is the skip link; following it moves focus into the main landmark."""
    page = browser_page
    page.goto(live_server.url + "/org/419901/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused.strip() == "跳到主要内容"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none", "focus must be visible"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_pages_work_without_javascript(live_server, chromium, seeded_demo):
    """With JavaScript off, a citizen still browses a column, filters it and opens a record."""
    record = public_records().select_related("node").order_by("-published_at").first()
    context = chromium.new_context(java_script_enabled=False, locale="zh-CN")
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/org/419901/{record.node.code}/")
        page.get_by_role("link", name=re.compile(re.escape(record.title[:12]))).first.click()
        assert page.locator("h1").first.inner_text().strip() == record.title
    except Exception:
        save_screenshot(page, "no-js")
        raise
    finally:
        context.close()

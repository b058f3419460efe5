"""Under the strict Content-Security-Policy, Chromium reports no violation on the public pages, the
admin and a report, and the admin's own JavaScript still works (the change form's add-row link)."""

import re

import pytest
from django.contrib.auth import get_user_model

from catalog.demo import ensure_demo_organisations
from tests.browser.conftest import save_screenshot
from tests.disclosure.publishing import Desk

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Runs before any page script (and is not itself subject to the page's CSP): every violation the
# browser raises is kept on window for the test to read.
COLLECT_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`);
});
"""


def test_no_csp_violation_and_admin_javascript_works(live_server, chromium, standard_catalog):
    county = ensure_demo_organisations()["419901"]
    desk = Desk(county)
    record = desk.publish("020102", title="清河县公租房配租结果公示", body="<p>配租结果见附表。</p>")
    draft = desk.draft("020102", title="清河县公租房配租结果公示（第二批）")
    get_user_model().objects.create_superuser("root", password="pw-for-tests")

    context = chromium.new_context(locale="zh-CN")
    context.add_init_script(COLLECT_VIOLATIONS)
    page = context.new_page()
    console = []
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    problems = []

    def visit(name, path):
        response = page.goto(live_server.url + path)
        assert response.status == 200, (name, response.status)
        assert "script-src 'self'" in response.headers["content-security-policy"], name
        page.wait_for_load_state("load")
        violations = page.evaluate("window.__cspViolations")
        reported = [line for line in console if "Content Security Policy" in line or "Permissions-Policy" in line]
        if violations or reported:
            problems.append(f"{name}: {violations} {reported}")
            save_screenshot(page, f"csp-{name}")
        console.clear()

    try:
        visit("home", "/")
        visit("record", record.get_absolute_url())
        visit("admin-login", "/admin/login/")
        page.fill("#id_username", "root")
        page.fill("#id_password", "pw-for-tests")
        page.click("input[type=submit]")
        page.wait_for_url(re.compile(r"/admin/$"))
        visit("admin-record-change", f"/admin/disclosure/record/{draft.pk}/change/")
        # The inline's "add another" link exists only once admin/js/inlines.js has run; clicking it
        # adds an attachment row, so the admin's JavaScript works under the policy.
        rows = page.locator("input[type=file][name^='attachments-']")
        before = rows.count()
        page.locator(".add-row a").click()
        assert rows.count() == before + 1
        visit("report", "/reports/completeness/")
        assert page.locator("figure.chart svg, table").count() > 0
        assert not page.evaluate("window.__cspViolations")
    finally:
        context.close()
    assert not problems, "\n".join(problems)

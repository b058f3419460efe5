"""Playwright driving Debian's Chromium against pytest-django's live server.

Nothing is downloaded: the browser is /usr/bin/chromium (installed by .ci/run), axe-core comes inside
the axe-playwright-python wheel. Screenshots of failing pages go to test-artifacts/.
"""

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the test's own ORM calls are synchronous
# and safe, but Django refuses them near a running loop unless told otherwise.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# Debian's package, by its path: a ``chromium`` found first on PATH may be another build (a CI machine once
# had Playwright's own Chrome there, and Debian's was then never installed).
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="session")
def chromium():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("CI must provide Debian's chromium (.ci/run installs it)")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def browser_page(chromium):
    context = chromium.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def save_screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_violations(page, context=None) -> list[dict]:
    """axe-core's WCAG 2.1 AA violations on the page as it is now (or the part ``context`` selects).

    What axe checks is what ``Axe().run`` checks; only the cost is lower: axe.min.js is injected once per
    document (not again for a second run at another width), and axe is asked for violations only
    (``resultTypes``: the passes and incomplete checks, which nobody reads, are not serialized node by node)."""
    if not page.evaluate("typeof window.axe !== 'undefined' && typeof window.axe.run === 'function'"):
        page.evaluate(_axe_script())
    options = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
    return page.evaluate(
        "([context, options]) => axe.run(context || document, options).then(results => results.violations)",
        [context, options],
    )


_AXE = {}


def _axe_script() -> str:
    if "script" not in _AXE:
        from axe_playwright_python.sync_playwright import Axe

        _AXE["script"] = Axe().axe_script
    return _AXE["script"]


def signed_in_page(context, live_server, username: str):
    """A new page of ``context`` signed in as ``username``, its session made by Django's test client
    (``force_login``) instead of the login form, which costs a form post and the admin home page per
    account. For tests whose subject comes after the sign-in; the form itself is driven in Chromium by
    test_admin_chinese.py (every demo account) and test_security_headers.py."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies(
        [{"name": cookie.key, "value": cookie.value, "url": live_server.url, "httpOnly": True, "sameSite": "Lax"}]
    )
    return context.new_page()

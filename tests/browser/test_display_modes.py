"""Every 适老化 display mode, alone and all together, on every public page type: 0 axe-core violations at
360 px and 1366 px, no wider than a 360 px phone. One test per set of modes, so that the two test workers
share the browser work.

The A4 notice-board sheet (``record-print``) keeps its print look in every mode: the server sends the same
bytes whatever mode cookies come with the request (checked below), so the browser checks it once, with every
mode on, instead of five times over the same document."""

import pytest
from django.test import Client

from portal.display import MODES
from tests.browser.conftest import axe_violations, save_screenshot
from tests.browser.test_accessibility import public_page_urls

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


DISPLAY_SETS = {mode.key: [mode] for mode in MODES} | {"all": list(MODES)}


@pytest.mark.parametrize("modes", DISPLAY_SETS.values(), ids=DISPLAY_SETS.keys())
def test_display_modes_pass_axe_and_fit_a_phone(live_server, chromium, modes, seeded_demo):
    """Each 适老化 display mode (大字模式, 高对比度, 加宽行距, 大按钮) and all of them together: every public page
    type has 0 axe-core violations at 360 px and at 1366 px and is no wider than a 360 px phone."""
    context = chromium.new_context(locale="zh-CN", viewport={"width": 360, "height": 740})
    context.add_cookies([{"name": mode.cookie, "value": "1", "url": live_server.url} for mode in modes])
    page = context.new_page()
    problems = []
    try:
        for name, path in public_page_urls().items():
            if name == "record-print" and modes != DISPLAY_SETS["all"]:
                continue  # the same document in every mode (test below): checked once, in the set of all
            page.set_viewport_size({"width": 360, "height": 740})
            page.goto(live_server.url + path)
            if name != "record-print":  # the A4 notice-board sheet keeps its print look
                classes = page.evaluate("document.documentElement.className").split()
                assert {mode.css_class for mode in modes} <= set(classes), name
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            if overflow > 0:
                problems.append(f"{name}: {overflow}px wider than a 360 px phone")
                save_screenshot(page, f"modes-{'-'.join(m.key for m in modes)}-{name}")
            for width in (360, 1366):
                page.set_viewport_size({"width": width, "height": 900})
                for v in axe_violations(page):
                    problems.append(f"{name} at {width}px: {v['id']} ({len(v['nodes'])}): {v['nodes'][0]['target']}")
    finally:
        context.close()
    assert not problems, "\n".join(problems)


@pytest.mark.django_db
def test_the_print_sheet_is_the_same_document_in_every_display_mode(seeded_demo):
    """What lets the browser check ``record-print`` in one set of modes: with any mode cookie, or all of
    them, the sheet's bytes are those sent without one."""
    path = public_page_urls()["record-print"]
    plain = Client().get(path)
    assert plain.status_code == 200
    for modes in DISPLAY_SETS.values():
        client = Client()
        for mode in modes:
            client.cookies[mode.cookie] = "1"
        response = client.get(path)
        assert response.status_code == 200
        assert response.content == plain.content, [mode.key for mode in modes]

"""The three-step review chain in a real browser: 初审, 保密审查 and 终审签发 by three reviewers through the
admin's buttons and check boxes, then the printable 信息发布审核表 on A4 with nothing loaded from elsewhere."""

import re

import pytest

from catalog.demo import ensure_demo_organisations
from disclosure.core.access import Role
from disclosure.records import review_chain, services
from disclosure.records.models import Record, Status
from disclosure.records.review_models import STANDARD_CHAIN, ReviewChain
from tests.browser.conftest import save_screenshot, signed_in_page
from tests.factories import CatalogNodeFactory, make_staff, record_fields

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STEPS = [
    ("first", "李建国", "pass_step", ["#id_check_accurate", "#id_openness_checked"], "内容准确，同意"),
    ("second", "孙丽华", "pass_step", ["#id_confidentiality_checked", "#id_check_no_privacy"], "不涉密"),
    ("third", "周国平", "approve", ["#id_check_sign_off"], "同意签发"),
]


def log_in(chromium, live_server, username):
    context = chromium.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    return context, signed_in_page(context, live_server, username)


def test_three_reviewers_pass_the_chain_and_print_the_sheet(live_server, chromium):
    county = ensure_demo_organisations()["419901"]
    chain = ReviewChain.objects.create(organisation=county)
    review_chain.chain_set(chain, [(str(name), checks) for name, checks in STANDARD_CHAIN])
    node = CatalogNodeFactory(code="020503", name="配租（分配）结果", levels=["county"])
    editor = make_staff(county, Role.EDITOR, username="editor", first_name="张晓梅")
    for username, name, *_rest in STEPS:
        make_staff(county, Role.REVIEWER, username=username, first_name=name)
    record = services.record_create(user=editor, organisation=county, node=node, **record_fields())
    record = services.record_submit(user=editor, record=record)

    for username, _name, move, checks, comment in STEPS:
        context, page = log_in(chromium, live_server, username)
        page.goto(f"{live_server.url}/admin/disclosure/record/{record.pk}/change/")
        page.click(f"a[data-move={move}]")
        for selector in checks:
            page.check(selector)
        page.fill("#id_comment", comment)
        page.click("input[type=submit].default")
        page.wait_for_load_state()
        assert "/change/" in page.url, save_screenshot(page, f"review-chain-{username}")
        context.close()
    record.refresh_from_db()
    assert record.status == Status.APPROVED

    context, page = log_in(chromium, live_server, "first")
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(f"{live_server.url}/admin/disclosure/record/{record.pk}/review-sheet/")
    text = page.inner_text("body")
    for _username, name, _move, _checks, comment in STEPS:
        assert name in text and comment in text
    for step in ("初审", "保密审查", "终审签发"):
        assert step in text
    assert all(url.startswith(live_server.url) for url in requests), requests
    # On paper: A4, and the print button is not printed.
    page.emulate_media(media="print")
    assert page.eval_on_selector(".noprint", "el => getComputedStyle(el).display") == "none"
    pdf = page.pdf(format="A4", prefer_css_page_size=True)
    assert pdf.startswith(b"%PDF")
    # A4 portrait in points (595 × 842), as the sheet's @page rule asks.
    assert re.search(rb"/MediaBox \[0 0 59[45]\.\d* 84[12]\.\d*\]", pdf) or b"/MediaBox [0 0 595 842]" in pdf
    context.close()
    assert Record.objects.get(pk=record.pk).status == Status.APPROVED

"""The whole story in a real browser: an 信息员 files a record with an attachment in the admin, a
审核员 approves and publishes it, a citizen finds it through the column and through search, opens it
and downloads the attachment; a 不予公开 record filed alongside never appears in public."""

import re

import pytest

from catalog.demo import ensure_demo_organisations
from catalog.models import CatalogNode
from disclosure.records.models import Record, Status
from tests.browser.conftest import save_screenshot, signed_in_page
from tests.factories import make_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
PUBLIC_TITLE = "清河县2026年第四批公租房配租结果公示"
WITHHELD_TITLE = "公租房配租对象家庭收入核查内部请示"


def add_record(page, live_server, node, title, openness, attachment=None, ground=None):
    page.goto(f"{live_server.url}/admin/disclosure/record/add/")
    page.fill("#id_title", title)
    page.select_option("#id_node", str(node.pk))
    page.fill("#id_formed_on", "2026-11-20")
    page.select_option("#id_record_type", "result")
    page.select_option("#id_openness", openness)
    if ground:
        page.select_option("#id_withholding_ground", ground)
    # The body is the rich-text editor (disclosure/core/editor.py); the textarea behind it is hidden.
    page.locator(".body-editor .tiptap").click()
    page.keyboard.type("经审核，下列家庭获配公共租赁住房。<script>alert(1)</script>")
    if attachment:
        page.set_input_files("input[name='attachments-0-upload']", attachment)
    page.click("input[name=_save]")
    page.wait_for_load_state()
    return Record.objects.get(title=title)


def move(page, live_server, record, name, check=()):
    page.goto(f"{live_server.url}/admin/disclosure/record/{record.pk}/change/")
    page.click(f"a[data-move={name}]")
    for selector in check:
        page.check(selector)
    page.click("input[type=submit].default")
    page.wait_for_load_state()


def test_editor_reviewer_citizen_story(live_server, chromium, tmp_path, standard_catalog):
    county = ensure_demo_organisations()["419901"]
    make_staff(county, "信息员", username="editor")
    make_staff(county, "审核员", username="reviewer")
    node = CatalogNode.objects.get(name="配租（分配）结果", parent__name="配给管理")
    pdf = tmp_path / "配租结果名单.pdf"
    pdf.write_bytes(PDF)

    contexts = {who: chromium.new_context(locale="zh-CN", accept_downloads=True) for who in ("editor", "reviewer", "citizen")}
    pages = {}
    try:
        # 信息员: two records, one 主动公开 with an attachment, one 不予公开 on a legal ground; both submitted.
        pages["editor"] = editor = signed_in_page(contexts["editor"], live_server, "editor")
        public = add_record(editor, live_server, node, PUBLIC_TITLE, "proactive", attachment=str(pdf))
        withheld = add_record(
            editor, live_server, node, WITHHELD_TITLE, "withheld", ground="art16_process"
        )
        assert public.attachments.count() == 1
        assert "<script>" not in public.body
        move(editor, live_server, public, "submit")
        move(editor, live_server, withheld, "submit")

        # 审核员: confidentiality review and attribute check, then publish now; the withheld one is approved only.
        pages["reviewer"] = reviewer = signed_in_page(contexts["reviewer"], live_server, "reviewer")
        checks = ("#id_confidentiality_checked", "#id_openness_checked")
        move(reviewer, live_server, public, "approve", check=checks)
        move(reviewer, live_server, withheld, "approve", check=checks)
        move(reviewer, live_server, public, "publish")
        public.refresh_from_db()
        assert public.status == Status.PUBLISHED and public.index_number.startswith("419901/")
        # The 不予公开 one offers no 发布 or 定时发布 button, only the reason why; nothing changes.
        reviewer.goto(f"{live_server.url}/admin/disclosure/record/{withheld.pk}/change/")
        assert reviewer.locator("a[data-move=publish], a[data-move=schedule]").count() == 0
        assert "公开属性为“不予公开”，不能发布。" in reviewer.inner_text("#record-workflow")
        withheld.refresh_from_db()
        assert withheld.status == Status.APPROVED and not withheld.index_number

        # 群众: the column, then the record, then the attachment.
        pages["citizen"] = citizen = contexts["citizen"].new_page()
        citizen.goto(f"{live_server.url}/org/419901/")
        citizen.get_by_role("link", name="配给管理").first.click()
        citizen.get_by_role("link", name=PUBLIC_TITLE).first.click()
        assert citizen.locator("h1").first.inner_text().strip() == PUBLIC_TITLE
        assert public.index_number in citizen.content()
        with citizen.expect_download() as download_info:
            citizen.get_by_role("link", name=re.compile("配租结果名单")).first.click()
        assert open(download_info.value.path(), "rb").read() == PDF

        # Search finds it by a two-character word; the withheld record is nowhere.
        citizen.goto(f"{live_server.url}/search/?q=配租")
        assert PUBLIC_TITLE in citizen.inner_text("main")  # visible text: matches are wrapped in <mark>
        for path in ("/search/?q=配租", "/search/?q=内部请示", "/", "/org/419901/", f"/org/419901/{node.code}/",
                     f"/org/419901/{node.parent.code}/"):
            citizen.goto(live_server.url + path)
            assert WITHHELD_TITLE not in citizen.inner_text("body"), path
            assert WITHHELD_TITLE not in citizen.content(), path
    except Exception:
        for who, page in pages.items():
            save_screenshot(page, f"story-{who}")
        raise
    finally:
        for context in contexts.values():
            context.close()

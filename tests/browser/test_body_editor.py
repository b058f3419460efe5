"""The body editor in a real Chromium: an 信息员 pastes a fragment as Word puts it on the clipboard (mso
styles, a list written as Word's list paragraphs, a table) and types a plain text of several paragraphs;
after review and publication the public page shows the same paragraphs, list and table, with Word's
styles gone. An image uploaded as an attachment is inserted from the editor's list and shows in the preview
and on the public page. Nothing on the way is fetched from anywhere but the test server, and Chromium
reports no Content-Security-Policy violation."""

import struct
import zlib
from urllib.parse import urlsplit

import pytest

from catalog.demo import ensure_demo_organisations
from catalog.models import CatalogNode
from disclosure.core.access import Role
from disclosure.records import services
from disclosure.records.models import Record
from tests.browser.conftest import axe_violations, save_screenshot, signed_in_page
from tests.factories import make_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The clipboard's text/html as Word 2016 writes it for a heading-less letter: a normal paragraph, a
# two-item bulleted list (list paragraphs with the bullet in an mso-list:Ignore span inside Word's
# conditional comments), a numbered list and a 2×2 table, all dressed in Office styles.
WORD_FRAGMENT = """<html xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:w="urn:schemas-microsoft-com:office:word">
<head><meta charset="utf-8"><style><!-- p.MsoNormal {mso-style-parent:""; font-family:宋体;} --></style></head>
<body lang=ZH-CN style='tab-interval:21.0pt'><!--StartFragment-->
<p class=MsoNormal style='text-indent:32.0pt;mso-char-indent-count:2.0'><span style='font-size:16.0pt;font-family:仿宋_GB2312;color:red'>经审核，下列家庭符合公共租赁住房保障条件。<o:p></o:p></span></p>
<p class=MsoListParagraphCxSpFirst style='margin-left:18.0pt;text-indent:-18.0pt;mso-list:l0 level1 lfo1'><![if !supportLists]><span style='font-family:Symbol;mso-list:Ignore'>·<span style='font:7.0pt "Times New Roman"'>&nbsp;&nbsp;&nbsp; </span></span><![endif]><span style='font-family:仿宋_GB2312'>城关镇张某某家庭<o:p></o:p></span></p>
<p class=MsoListParagraphCxSpLast style='margin-left:18.0pt;text-indent:-18.0pt;mso-list:l0 level1 lfo1'><![if !supportLists]><span style='font-family:Symbol;mso-list:Ignore'>·<span style='font:7.0pt "Times New Roman"'>&nbsp;&nbsp;&nbsp; </span></span><![endif]><span style='font-family:仿宋_GB2312'>城关镇李某某家庭<o:p></o:p></span></p>
<p class=MsoNormal><o:p>&nbsp;</o:p></p>
<p class=MsoListParagraph style='margin-left:18.0pt;text-indent:-18.0pt;mso-list:l1 level1 lfo2'><![if !supportLists]><span style='mso-list:Ignore'>1.<span style='font:7.0pt "Times New Roman"'>&nbsp; </span></span><![endif]><b>公示期</b>为七个工作日<o:p></o:p></p>
<p class=MsoListParagraph style='margin-left:18.0pt;text-indent:-18.0pt;mso-list:l1 level1 lfo2'><![if !supportLists]><span style='mso-list:Ignore'>2.<span style='font:7.0pt "Times New Roman"'>&nbsp; </span></span><![endif]>异议请书面提出<o:p></o:p></p>
<table class=MsoTableGrid border=1 cellspacing=0 cellpadding=0 style='border-collapse:collapse;border:none;mso-border-alt:solid windowtext .5pt'>
 <tr style='mso-yfti-irow:0'><td width=277 valign=top style='width:207.4pt;border:solid windowtext 1.0pt;padding:0cm 5.4pt 0cm 5.4pt'><p class=MsoNormal><span style='font-family:黑体'>姓名<o:p></o:p></span></p></td>
  <td width=277 valign=top style='width:207.4pt;border:solid windowtext 1.0pt'><p class=MsoNormal><span style='font-family:黑体'>保障面积<o:p></o:p></span></p></td></tr>
 <tr style='mso-yfti-irow:1;mso-yfti-lastrow:yes'><td width=277 valign=top style='width:207.4pt;border:solid windowtext 1.0pt'><p class=MsoNormal>张某某<o:p></o:p></p></td>
  <td width=277 valign=top style='width:207.4pt;border:solid windowtext 1.0pt'><p class=MsoNormal>50平方米<o:p></o:p></p></td></tr>
</table>
<!--EndFragment--></body></html>"""
WORD_TEXT = "经审核，下列家庭符合公共租赁住房保障条件。\n城关镇张某某家庭\n城关镇李某某家庭\n"
TYPED = ["公示期间如有异议，请向县住房和城乡建设局反映。", "联系电话：0000-1234567。", "清河县住房和城乡建设局"]
LINK_TEXT = "详见县人民政府网站"
LINK_URL = "https://www.example.gov.cn/zwgk/"
PASTED_TEXT = "本公示自发布之日起生效。\n\n特此公示。"

PASTE = """([html, text]) => {
  const target = document.querySelector(".body-editor .tiptap.ProseMirror");
  const data = new DataTransfer();
  if (html) data.setData("text/html", html);
  data.setData("text/plain", text);
  target.dispatchEvent(new ClipboardEvent("paste", {clipboardData: data, bubbles: true, cancelable: true}));
}"""


# Runs before any page script: every CSP violation the browser raises is kept for the test to read.
COLLECT_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`);
});
"""


def png(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\x20\x60\xa0" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def axe_problems(page, context=None) -> list[str]:
    """axe-core's WCAG 2.1 AA violations on the page (or the part ``context`` selects)."""
    return [f"{v['id']}: {v['nodes'][0]['target']}" for v in axe_violations(page, context)]


def violations(page) -> list:
    return page.evaluate("window.__cspViolations")


def image_loaded(page, selector: str) -> bool:
    """Whether the image at ``selector`` loads (the 40×30 test picture), waiting up to five seconds."""
    page.wait_for_function(
        "selector => { const img = document.querySelector(selector); return img && img.complete && img.naturalWidth === 40; }",
        arg=selector,
        timeout=5000,
    )
    return True


def test_word_paste_and_typed_paragraphs_reach_the_public_page(live_server, chromium, tmp_path, standard_catalog):
    county = ensure_demo_organisations()["419901"]
    editor_user = make_staff(county, Role.EDITOR, username="editor")
    reviewer = make_staff(county, Role.REVIEWER, username="reviewer")
    node = CatalogNode.objects.get(name="配租（分配）结果", parent__name="配给管理")

    picture = tmp_path / "小区位置图.png"
    picture.write_bytes(png(40, 30))
    context = chromium.new_context(locale="zh-CN")
    context.add_init_script(COLLECT_VIOLATIONS)
    requested = []
    context.on("request", lambda request: requested.append(request.url))
    try:
        page = signed_in_page(context, live_server, "editor")
        page.goto(f"{live_server.url}/admin/disclosure/record/add/")
        page.fill("#id_title", "清河县2026年第五批公租房配租结果公示")
        page.select_option("#id_node", str(node.pk))
        page.fill("#id_formed_on", "2026-11-20")
        page.select_option("#id_record_type", "result")
        page.select_option("#id_openness", "proactive")
        page.set_input_files("input[name='attachments-0-upload']", str(picture))
        page.click("input[name=_continue]")
        page.wait_for_load_state()
        record = Record.objects.get(title="清河县2026年第五批公租房配租结果公示")
        assert page.url.endswith(f"/admin/disclosure/record/{record.pk}/change/")

        body = page.locator(".body-editor .tiptap.ProseMirror")
        body.wait_for()
        assert page.locator("#id_body").is_hidden()
        # The toolbar speaks Chinese.
        assert page.locator(".body-editor [title='加粗']").count() == 1
        assert page.locator(".body-editor [title='插入表格']").count() == 1

        body.click()
        for number, paragraph in enumerate(TYPED):
            if number:
                page.keyboard.press("Enter")
            page.keyboard.type(paragraph)
        page.keyboard.press("Enter")
        # A link through the toolbar's dialog (in Chinese).
        page.keyboard.type(LINK_TEXT)
        page.keyboard.press("Shift+Home")
        page.click(".body-editor [title='插入链接']")
        page.fill("dialog input[name=href]", LINK_URL)
        page.click("dialog button[type=submit]")
        page.locator("dialog").first.wait_for(state="hidden")
        # The dialog's promise sets the link after it closes: wait for it, then put the caret at the end of
        # that paragraph (pressing Enter over a still-selected text would replace it).
        body.locator(f"a[href='{LINK_URL}']").wait_for()
        # The caret to the end through the editor's own command (Tiptap keeps the editor on its element):
        # focusing the element and pressing Control+End raced the dialog handing focus back, and on a busy
        # CI machine the caret once never reached the editor within 30 s.
        page.evaluate("() => document.querySelector('.body-editor .tiptap').editor.commands.focus('end')")
        page.wait_for_function(
            "() => { const editor = document.querySelector('.body-editor .tiptap').editor;"
            " const s = window.getSelection(); const end = editor.state.doc.content.size - 1;"
            " return editor.isFocused && editor.state.selection.empty && editor.state.selection.from === end"
            " && s.isCollapsed && editor.view.dom.contains(s.anchorNode); }"
        )
        # The keyboard, not ``body.press``: that focuses the editor again first, which may bring back the
        # editor's remembered selection (the link text), and Enter would then replace it.
        page.keyboard.press("Enter")
        assert body.locator(f"a[href='{LINK_URL}']").inner_text() == LINK_TEXT
        page.evaluate(PASTE, [None, PASTED_TEXT])
        page.keyboard.press("Enter")
        page.select_option(".body-editor-images select", label="小区位置图.png")
        page.click(".body-editor-images button")
        assert image_loaded(page, ".body-editor .tiptap img")
        page.evaluate(PASTE, [WORD_FRAGMENT, WORD_TEXT])
        save_screenshot(page, "body-editor-editing")
        assert not axe_problems(page, {"include": [[".body-editor"], [".body-editor-images"]]})
        page.click("input[name=_save]")
        page.wait_for_load_state()
        save_screenshot(page, "body-editor-saved")

        record.refresh_from_db()
        assert record.created_by == editor_user
        stored = record.body
        assert "mso" not in stored and "style" not in stored and "class" not in stored, stored
        assert not violations(page)

        # The preview, before submitting: the same structure, the image shown, marked 预览.
        page.goto(f"{live_server.url}/admin/disclosure/record/{record.pk}/preview/")
        assert page.locator(".preview-banner").inner_text().startswith("预览")
        assert page.locator(".record-body ol > li").count() == 2
        assert image_loaded(page, ".record-body img")
        assert not violations(page)
        assert not axe_problems(page)

        services.record_submit(user=editor_user, record=record)
        services.record_approve(user=reviewer, record=record, confidentiality_checked=True, openness_checked=True)
        record = services.record_publish(user=reviewer, record=record)

        public = context.new_page()
        public.goto(live_server.url + record.get_absolute_url())
        article = public.locator(".record-body")
        paragraphs = [text.strip() for text in article.locator(":scope > p").all_inner_texts()]
        assert paragraphs == [*TYPED, LINK_TEXT, "本公示自发布之日起生效。", "特此公示。", "经审核，下列家庭符合公共租赁住房保障条件。"]
        assert article.locator("ul > li").all_inner_texts() == ["城关镇张某某家庭", "城关镇李某某家庭"]
        assert [t.strip() for t in article.locator("ol > li").all_inner_texts()] == ["公示期为七个工作日", "异议请书面提出"]
        assert article.locator("ol > li strong").inner_text() == "公示期"
        cells = [t.strip() for t in article.locator("table tr td, table tr th").all_inner_texts()]
        assert cells == ["姓名", "保障面积", "张某某", "50平方米"]
        # Nothing of Word's styling survives; the only class is the table's scroll region the page adds.
        assert article.locator("[style], [class]:not(.table-scroll)").count() == 0
        link = article.locator("a")
        assert (link.inner_text(), link.get_attribute("href")) == (LINK_TEXT, LINK_URL)
        assert article.locator("img").get_attribute("src") == f"/images/{record.attachments.get().sha256}/"
        assert article.locator("img").get_attribute("alt") == "小区位置图"
        assert image_loaded(public, ".record-body img")
        assert not violations(public)
        assert not axe_problems(public)
        save_screenshot(public, "body-editor-public")
    finally:
        context.close()
    outside = {urlsplit(url).hostname for url in requested} - {"localhost", "127.0.0.1"}
    assert not outside, outside
    assert any("/static/django_prose_editor/editor.js" in url for url in requested)

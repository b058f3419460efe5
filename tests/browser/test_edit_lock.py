"""Two editors on one draft in Chromium: the second sees 张晓梅's lock; his saves are refused while she
edits and again after she saved (stale), each time with his text still in the editor; saving once more,
knowingly, keeps his text."""


import pytest
from django.utils import timezone

from catalog.demo import ensure_demo_organisations
from catalog.models import CatalogNode
from disclosure.core.access import Role
from disclosure.records import services
from disclosure.records.edit_lock import RecordEditLock
from disclosure.records.models import Record
from tests.browser.conftest import save_screenshot, signed_in_page
from tests.factories import make_staff, record_fields

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WANG_TEXT = "王芳补充的一段说明：公示期内接受社会监督。"


def editor_text(page) -> str:
    page.locator(".body-editor .tiptap").wait_for()
    return page.locator(".body-editor .tiptap").inner_text()


def test_second_editor_sees_the_lock_and_loses_nothing(live_server, chromium, standard_catalog):
    county = ensure_demo_organisations()["419901"]
    zhang = make_staff(county, Role.EDITOR, username="zhang", first_name="张晓梅")
    make_staff(county, Role.EDITOR, username="wang", first_name="王芳")
    node = CatalogNode.objects.get(name="配租（分配）结果", parent__name="配给管理")
    record = services.record_create(user=zhang, organisation=county, node=node, **record_fields())
    url = f"{live_server.url}/admin/disclosure/record/{record.pk}/change/"

    contexts = [chromium.new_context(locale="zh-CN") for _ in range(2)]
    try:
        her = signed_in_page(contexts[0], live_server, "zhang")
        his = signed_in_page(contexts[1], live_server, "wang")
        her.goto(url)
        assert her.locator("#record-edit-lock").count() == 0
        his.goto(url)
        since = timezone.localtime(RecordEditLock.objects.get(record=record).taken_at).strftime("%H:%M")
        assert f"张晓梅 正在编辑，{since} 起" in his.locator("#record-edit-lock").inner_text()

        # He writes anyway and saves while she holds the lock: refused, his text still in the editor.
        his.locator(".body-editor .tiptap").click()
        his.keyboard.press("Control+End")
        his.keyboard.press("Enter")
        his.keyboard.type(WANG_TEXT)
        his.click("input[name=_save]")
        his.wait_for_load_state()
        assert "暂不能保存" in his.locator(".errornote, .errorlist").all_inner_texts().__str__()
        assert WANG_TEXT in editor_text(his)
        save_screenshot(his, "edit-lock-refused")

        # She saves (and so releases the lock); his next save comes from an older version: refused as stale.
        her.fill("#id_title", "张晓梅改的标题")
        her.click("input[name=_save]")
        her.wait_for_load_state()
        his.click("input[name=_save]")
        his.wait_for_load_state()
        assert "保存未成功" in str(his.locator(".errornote, .errorlist").all_inner_texts())
        assert "张晓梅" in str(his.locator(".errorlist").all_inner_texts())
        assert WANG_TEXT in editor_text(his)
        save_screenshot(his, "edit-lock-stale")
        assert WANG_TEXT not in Record.objects.get(pk=record.pk).body

        # Told what happened, he saves once more: his text is kept.
        his.click("input[name=_save]")
        his.wait_for_load_state()
        assert WANG_TEXT in Record.objects.get(pk=record.pk).body
    finally:
        for context in contexts:
            context.close()

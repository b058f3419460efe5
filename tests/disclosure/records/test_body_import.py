"""Filling a record body: plain text keeps its paragraphs, and a .docx (built here with python-docx) becomes a
body with the same headings, paragraphs, lists and table, through the attachment checks, posted in the
admin by the 信息员 who owns the form."""

from __future__ import annotations

import importlib
import io
import struct
import zipfile
import zlib
from types import SimpleNamespace

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from catalog.models import CatalogNode
from disclosure.core.access import Role
from disclosure.core.sanitize import clean_body
from disclosure.records import services
from disclosure.records.models import Record
from tests.admin_client import client_for, messages_of
from tests.disclosure.records.test_admin_records import ADD_URL, COUNTY, NODE, PDF, change_url, form_data
from tests.factories import make_staff, record_fields

pytestmark = pytest.mark.django_db

@pytest.fixture
def a(standard_catalog, demo_orgs):
    county = demo_orgs[COUNTY]
    return SimpleNamespace(
        county=county,
        node=CatalogNode.objects.get(code=NODE),
        editor=make_staff(county, Role.EDITOR, username="editor", first_name="张晓梅"),
        reviewer=make_staff(county, Role.REVIEWER, username="reviewer", first_name="李建国"),
    )


def draft(a, **overrides) -> Record:
    return services.record_create(user=a.editor, organisation=a.county, node=a.node, **record_fields(**overrides))


DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def word_document() -> bytes:
    """A notice as a clerk writes it in Word: two heading levels, paragraphs, a bulleted and a numbered
    list, a 3×2 table with a header row, and a 落款 (signature and date) at the end."""
    document = docx.Document()
    document.add_heading("一、配租对象", level=1)
    document.add_paragraph("经审核，下列家庭符合公共租赁住房保障条件，现予公示。")
    document.add_heading("（一）城关镇", level=2)
    document.add_paragraph("张某某家庭", style="List Bullet")
    document.add_paragraph("李某某家庭", style="List Bullet")
    table = document.add_table(rows=3, cols=2)
    for row, cells in zip(table.rows, [("姓名", "保障面积"), ("张某某", "50平方米"), ("李某某", "45平方米")]):
        for cell, text in zip(row.cells, cells):
            cell.text = text
    document.add_heading("二、异议", level=1)
    document.add_paragraph("公示期为七个工作日", style="List Number")
    paragraph = document.add_paragraph("异议请")
    paragraph.add_run("书面").bold = True
    paragraph.add_run("提出。")
    document.add_paragraph("清河县住房和城乡建设局")
    document.add_paragraph("2026年11月20日")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def png_1x1() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\xff\xff\xff")) + chunk(b"IEND", b"")


def docx_post(a, content: bytes, name: str = "配租结果公示.docx", **overrides) -> dict:
    data = form_data(a.node, **overrides)
    data["body_docx"] = SimpleUploadedFile(name, content, content_type=DOCX_TYPE)
    return data


def test_plain_text_body_keeps_its_paragraphs(a):
    """A body typed without markup (a bare textarea, a script) is stored as one <p> per line, blank lines
    between paragraphs or not; markup is kept as it is, and what is unsafe still goes."""
    record = draft(a, body="第一段：经审核，现予公示。\r\n\r\n第二段：公示期七个工作日。\n第三段 <b>异议</b> & 反映\n\n")
    assert record.body == (
        "<p>第一段：经审核，现予公示。</p><p>第二段：公示期七个工作日。</p><p>第三段 <b>异议</b> &amp; 反映</p>"
    )
    record = services.record_update(user=a.editor, record=record, body="甲\n乙<script>alert(1)</script>")
    assert record.body == "<p>甲</p><p>乙</p>"
    assert clean_body("<p>已是段落</p>\n<p>第二段</p>") == "<p>已是段落</p>\n<p>第二段</p>"
    # Empty paragraphs (an editor's trailing ones, or what held only removed markup) are not kept.
    assert clean_body("<p></p><p>正文</p><p>&nbsp;</p><p><br></p>") == "<p>正文</p>"
    assert clean_body("<script>alert(1)</script>") == ""


def test_docx_fills_the_body_with_the_same_structure(a):
    """The 信息员 uploads a .docx on the add form: headings (one level down, under the page's title),
    paragraphs, both lists, the table and the bold run arrive in that order; nothing of Word's styling."""
    response = client_for(a.editor).post(ADD_URL, docx_post(a, word_document(), body="<p>旧正文</p>"))
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    body = Record.objects.get().body
    assert body == (
        "<h2>一、配租对象</h2>"
        "<p>经审核，下列家庭符合公共租赁住房保障条件，现予公示。</p>"
        "<h3>（一）城关镇</h3>"
        "<ul><li>张某某家庭</li><li>李某某家庭</li></ul>"
        "<table><tbody><tr><td><p>姓名</p></td><td><p>保障面积</p></td></tr>"
        "<tr><td><p>张某某</p></td><td><p>50平方米</p></td></tr>"
        "<tr><td><p>李某某</p></td><td><p>45平方米</p></td></tr></tbody></table>"
        "<h2>二、异议</h2>"
        "<ol><li>公示期为七个工作日</li></ol>"
        "<p>异议请<strong>书面</strong>提出。</p>"
        "<p>清河县住房和城乡建设局</p>"
        "<p>2026年11月20日</p>"
    )
    assert "旧正文" not in body


def test_docx_import_replaces_the_body_of_a_draft(a):
    """On the change form too; the version history records the imported body."""
    record = draft(a)
    response = client_for(a.editor).post(change_url(record), docx_post(a, word_document()))
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.body.startswith("<h2>一、配租对象</h2>")
    assert record.versions.order_by("-number").first().data["body"] == record.body


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("通知.docx", PDF, "内容与扩展名不符"),
        ("通知.pdf", PDF, "只能从 Word 文档（.docx）导入正文"),
        ("通知.exe", b"MZ" + b"\x00" * 60, "不支持的附件格式"),
    ],
)
def test_anything_but_a_docx_is_refused_and_the_typed_body_kept(a, name, content, message):
    """A file that is not a .docx gets a Chinese error on the field; the form comes back with the
    body the editor had written, and nothing is saved."""
    response = client_for(a.editor).post(ADD_URL, docx_post(a, content, name=name, body="<p>已写好的正文</p>"))
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert any(message in error for error in form.errors["body_docx"]), form.errors
    assert "已写好的正文" in response.content.decode()
    assert not Record.objects.exists()


def test_docx_bomb_is_refused_before_mammoth_opens_it(a, settings):
    """The attachment gate's archive checks run first: a .docx promising more than the expanded-size
    limit is refused by its central directory."""
    settings.ARCHIVE_MAX_EXPANDED_BYTES = 1024 * 1024
    settings.ARCHIVE_MAX_RATIO = 1_000_000  # so that the expanded size, not the ratio, is what refuses it
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(word_document())) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bomb:
        for item in source.infolist():
            bomb.writestr(item, source.read(item))
        bomb.writestr("word/media/padding.xml", b" " * (2 * 1024 * 1024))
    response = client_for(a.editor).post(ADD_URL, docx_post(a, buffer.getvalue()))
    assert response.status_code == 200
    assert any("解压后达" in error for error in response.context["adminform"].form.errors["body_docx"])
    assert not Record.objects.exists()


def test_pictures_in_the_docx_are_left_out_and_the_user_told(a, tmp_path):
    """A body shows only images uploaded as attachments: the document's picture is not imported, and the
    message says so."""
    picture = tmp_path / "图.png"
    picture.write_bytes(png_1x1())
    document = docx.Document()
    document.add_paragraph("附图如下。")
    document.add_picture(str(picture))
    buffer = io.BytesIO()
    document.save(buffer)
    response = client_for(a.editor).post(ADD_URL, docx_post(a, buffer.getvalue()), follow=True)
    assert Record.objects.get().body == "<p>附图如下。</p>"
    assert any("1 张图片未导入" in message for message in messages_of(response))


def test_reviewer_form_has_no_import_field(a):
    """The import belongs to whoever may edit: the reviewer's read-only form does not show it."""
    record = services.record_submit(user=a.editor, record=draft(a))
    response = client_for(a.reviewer).get(change_url(record))
    assert response.status_code == 200
    assert b'name="body_docx"' not in response.content


def test_migration_gives_bodies_saved_as_plain_text_their_paragraphs(a):
    """Migration 0007_editor: a body stored as plain lines before this change gets one <p> per line; a
    body with markup is left alone."""
    from django.apps import apps

    migration = importlib.import_module("disclosure.migrations.0007_editor")
    plain, marked, single = draft(a), draft(a, title="二"), draft(a, title="三")
    Record.objects.filter(pk=plain.pk).update(body="第一段 & 说明\r\n\r\n第二段\n")
    Record.objects.filter(pk=marked.pk).update(body="<p>甲</p>\n<p>乙</p>")
    Record.objects.filter(pk=single.pk).update(body="只有一行")
    migration.paragraphs_of_plain_bodies(apps, None)
    assert Record.objects.get(pk=plain.pk).body == "<p>第一段 &amp; 说明</p><p>第二段</p>"
    assert Record.objects.get(pk=marked.pk).body == "<p>甲</p>\n<p>乙</p>"
    assert Record.objects.get(pk=single.pk).body == "<p>只有一行</p>"

"""Bringing the history in (issue 11): a bureau's published records from a spreadsheet and a zip of
attachments, through the records' services; a dry run lists every row's problems and writes nothing."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from docx import Document
from openpyxl import Workbook

from disclosure.core.access import Role
from disclosure.records.importing import ImportRefused, check_import, run_import
from disclosure.records.models import Attachment, AuditEntry, Record, Status
from tests.admin_client import client_for
from tests.disclosure.core.test_files import pdf_bytes
from tests.disclosure.publishing import COUNTY, Desk
from tests.disclosure.records.test_privacy_guard import roster
from tests.factories import make_staff

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
YEAR = TODAY.year
HEADER = ["标题", "栏目编码", "发布日期", "索引号", "信息形成日期", "文号", "信息类别", "正文", "附件"]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def county(standard_catalog, demo_orgs):
    return demo_orgs[COUNTY]


@pytest.fixture
def importer(county):
    return make_staff(county, Role.EDITOR, Role.ORG_ADMIN, username="importer", first_name="刘管理")


def sheet(rows) -> bytes:
    book = Workbook()
    book.active.append(HEADER)
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def authored_docx() -> bytes:
    document = Document()
    document.core_properties.author = "原网站管理员张某"
    document.add_paragraph("2019年度公共租赁住房分配方案")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def archive(files: dict[str, bytes]) -> io.BytesIO:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zipped:
        for name, data in files.items():
            zipped.writestr(name, data)
    out.seek(0)
    return out


GOOD = [
    ["关于2019年度公共租赁住房分配方案的通知", "020502", "2019-03-05 10:30", "419901/2019-00012", "2019-02-27",
     "清建 [2019] 8号", "通知公告", "第一段。\n第二段。", "分配方案.docx"],
    ["2020年第一季度公租房配租结果公示", "020502", datetime(2020, 4, 1, 9, 0), "", "", "", "结果公示",
     "<p>现予公示。</p>", "配租结果.pdf"],
    # This year's number in the portal's own form: the sequence must move past it.
    [f"{YEAR}年公共租赁住房工作要点", "020502", f"{TODAY:%Y年%m月%d日}", f"419901/{YEAR}-00007", "", "", "", "", ""],
]
FILES = {"分配方案.docx": authored_docx(), "old/配租结果.pdf": pdf_bytes(), "名单.xlsx": roster(masked=False)}


def test_the_dry_run_lists_every_rows_problems_and_writes_nothing(county, importer, media):
    rows = [
        GOOD[0],
        ["", "999999", "2019-13-45", "", "", "", "", "", ""],
        ["名单公示", "020502", "2019-05-01", "419901/2019-00012", "", "", "未知类别", "", "名单.xlsx"],
        ["外链图片", "020502", "2019-05-01", "110000/2019-1", "", "", "", '<img src="https://evil.example/p.gif">', "缺失.pdf"],
        ["未来的信息", "020502", "2099-01-01", "", "", "", "", "", ""],
    ]
    report = check_import(user=importer, organisation=county, sheet_name="旧网站.xlsx", sheet=sheet(rows), archive=archive(FILES))
    assert not report.ok
    by_row = {row.number: row.problems for row in report.rows}
    assert by_row[2] == []
    assert "缺少标题。" in by_row[3] and "栏目编码“999999”不存在。" in by_row[3]
    assert any("发布日期“2019-13-45”不是有效日期" in p for p in by_row[3])
    assert "索引号“419901/2019-00012”已被使用。" in by_row[4]  # the first row holds it
    assert any("信息类别“未知类别”无法识别" in p for p in by_row[4])
    assert any(p.startswith("发现个人信息 102 项") and "4101**********" in p for p in by_row[4])
    assert any("须为“419901/序号”的形式" in p for p in by_row[5])
    assert "正文不得引用外部图片，请将图片作为附件上传。" in by_row[5]
    assert "附件“缺失.pdf”不在附件压缩包中。" in by_row[5]
    assert "发布日期不能晚于今天。" in by_row[6]
    assert report.lines()[0].startswith("第3行（-）：")
    assert not Record.objects.exists() and not AuditEntry.objects.exists()
    assert not media.exists() or not any(media.rglob("*.*"))

    # The real run refuses the same files as a whole.
    report = run_import(user=importer, organisation=county, sheet_name="旧网站.xlsx", sheet=sheet(rows), archive=archive(FILES))
    assert not report.ok and not report.imported and not Record.objects.exists()


def test_the_import_publishes_with_the_original_dates_and_index_numbers(county, importer, client):
    """Three clean rows: published at their original time, the given index numbers kept, one numbered
    anew, attachments stored through the upload checks (metadata removed), an 'imported' audit entry
    naming the source row; the public site shows them; the year's sequence moves past an imported number."""
    report = run_import(user=importer, organisation=county, sheet_name="旧网站.xlsx", sheet=sheet(GOOD), archive=archive(FILES))
    assert report.ok, report.lines()
    first, second, third = report.imported
    assert all(r.status == Status.PUBLISHED for r in report.imported)
    assert timezone.localtime(first.published_at).strftime("%Y-%m-%d %H:%M") == "2019-03-05 10:30"
    assert first.index_number == "419901/2019-00012" and first.formed_on.isoformat() == "2019-02-27"
    assert first.document_number == "清建〔2019〕8号"  # the brackets a typist used, normalised
    assert first.body == "<p>第一段。</p><p>第二段。</p>"
    assert second.index_number.startswith("419901/2020-") and second.formed_on.isoformat() == "2020-04-01"
    assert second.record_type == "result"
    stored = Attachment.objects.get(record=first)
    with stored.file.open("rb") as data:
        assert "原网站管理员张某".encode() not in zipfile.ZipFile(data).read("docProps/core.xml")
    entry = AuditEntry.objects.get(record=first, action="imported")
    assert entry.actor_name == "刘管理" and entry.to_status == Status.PUBLISHED
    assert "旧网站.xlsx第2行" in entry.comment and "（沿用原索引号）" in entry.comment
    assert [e.action for e in AuditEntry.objects.filter(record=first).order_by("id")] == ["create", "privacy_scan", "imported"]
    assert client.get(first.get_absolute_url()).status_code == 200
    assert client.get(third.get_absolute_url()).status_code == 200

    desk = Desk(county)
    fresh = desk.publish("020502", title="新发布的信息")
    assert fresh.index_number == f"419901/{YEAR}-00008"


def test_only_an_editor_who_is_also_the_organisations_administrator_may_import(county):
    editor = make_staff(county, Role.EDITOR, username="editor-only")
    with pytest.raises(PermissionDenied):
        check_import(user=editor, organisation=county, sheet_name="a.xlsx", sheet=sheet(GOOD))


def test_unreadable_files_are_refused_in_chinese(county, importer):
    with pytest.raises(ImportRefused, match="表头缺少必需的列：栏目编码、发布日期"):
        check_import(user=importer, organisation=county, sheet_name="a.csv", sheet="标题\n一\n".encode())
    with pytest.raises(ImportRefused, match="表格须为 .xlsx 或 .csv 文件"):
        check_import(user=importer, organisation=county, sheet_name="a.txt", sheet=b"x")
    with pytest.raises(ImportRefused, match="附件压缩包内含非法路径"):
        check_import(user=importer, organisation=county, sheet_name="a.xlsx", sheet=sheet(GOOD),
                     archive=archive({"../../etc/passwd.pdf": b"%PDF"}))


def test_a_gbk_csv_is_read(county, importer):
    text = "标题,栏目编码,发布日期\n关于公布2018年保障房名单的通知,020502,2018/6/1\n"
    report = check_import(user=importer, organisation=county, sheet_name="旧.csv", sheet=text.encode("gbk"))
    assert report.ok and report.rows[0].title == "关于公布2018年保障房名单的通知"


def test_the_command_checks_by_default_and_imports_with_commit(county, importer, tmp_path):
    path = tmp_path / "旧网站.xlsx"
    path.write_bytes(sheet(GOOD))
    zipped = tmp_path / "附件.zip"
    zipped.write_bytes(archive(FILES).getvalue())
    out = io.StringIO()
    call_command("import_records", str(path), "--attachments", str(zipped), "--org", "419901", "--user", "importer",
                 stdout=out)
    assert "共 3 行，未发现问题" in out.getvalue() and not Record.objects.exists()
    call_command("import_records", str(path), "--attachments", str(zipped), "--org", "419901", "--user", "importer",
                 "--commit", stdout=out)
    assert "已导入 3 条信息" in out.getvalue() and Record.objects.filter(status=Status.PUBLISHED).count() == 3
    path.write_bytes(sheet([["", "020502", "2019-01-01", "", "", "", "", "", ""]]))
    with pytest.raises(CommandError, match="未导入任何内容"):
        call_command("import_records", str(path), "--org", "419901", "--user", "importer", stdout=out)
    assert "第2行（-）：缺少标题。" in out.getvalue()


def test_the_admin_page_shows_the_problems_then_imports(county, importer):
    admin = client_for(importer)
    url = reverse("records_import")
    assert admin.get(url).status_code == 200
    assert "导入历史信息" in admin.get(reverse("admin:disclosure_record_changelist")).content.decode()

    def post(rows, commit):
        upload = io.BytesIO(sheet(rows))
        upload.name = "旧网站.xlsx"
        files = archive(FILES)
        files.name = "附件.zip"
        data = {"organisation": county.pk, "sheet": upload, "archive": files}
        if commit:
            data["commit"] = "on"
        return admin.post(url, data).content.decode()

    page = post([GOOD[0], ["", "020502", "2019-01-01", "", "", "", "", "", ""]], commit=True)
    assert "发现以下问题，未导入任何内容" in page and "第3行（-）：缺少标题。" in page
    assert not Record.objects.exists()
    page = post(GOOD, commit=False)
    assert "共 3 行，未发现问题" in page and not Record.objects.exists()
    page = post(GOOD, commit=True)
    assert "已导入 3 条信息" in page and Record.objects.filter(status=Status.PUBLISHED).count() == 3
    editor = make_staff(county, Role.EDITOR, username="plain-editor")
    assert client_for(editor).get(url).status_code == 403


def test_a_zip_made_on_chinese_windows_has_its_gbk_names_read(county, importer):
    """Windows' own zip writes GBK names without the UTF-8 flag; the entry is found by its Chinese name."""
    gbk = "配租结果.pdf".encode("gbk")
    placeholder = b"X" * (len(gbk) - 4) + b".pdf"
    zipped = archive({placeholder.decode(): pdf_bytes()}).getvalue().replace(placeholder, gbk)
    with zipfile.ZipFile(io.BytesIO(zipped)) as check:
        assert not check.infolist()[0].flag_bits & 0x800  # no UTF-8 flag, as Windows writes it
    rows = [["配租结果公示", "020502", "2020-04-01", "", "", "", "", "", "配租结果.pdf"]]
    report = check_import(user=importer, organisation=county, sheet_name="a.xlsx", sheet=sheet(rows),
                          archive=io.BytesIO(zipped))
    assert report.ok, report.lines()
    assert report.rows[0].files[0][0] == "配租结果.pdf"

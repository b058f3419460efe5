"""The personal-data scanner (disclosure/core/privacy.py): what it finds, where, and how it masks."""

from __future__ import annotations

import io

import docx
from openpyxl import Workbook

from disclosure.core import privacy

KEY = b"test-key"


def kinds(text: str) -> list[tuple[str, str]]:
    return [(f.kind, f.masked) for f in privacy.scan_text(text, key=KEY).findings]


def test_resident_id_needs_the_check_digit_and_a_real_birth_date():
    """11010519491231002X is the standard's example (check digit X, hand-computed in
    tests/disclosure/records/test_privacy_guard.py); one digit changed, or 19491331, is not an ID."""
    assert kinds("身份证 11010519491231002X") == [("id_number", "1101**********002X")]
    assert kinds("身份证 110105194912310021") == []
    assert kinds("编号 110105194913310020") == []


def test_mobile_numbers_only_as_a_whole_run_of_digits():
    """13812345678 is a mobile number; inside a longer run of digits it is not."""
    assert kinds("电话13812345678") == [("mobile", "138****5678")]
    assert kinds("流水号 2138123456789") == []
    assert kinds("电话１３８１２３４５６７８") == [("mobile", "138****5678")]  # full-width digits


def test_landline_counts_next_to_a_name_not_as_an_office_number():
    """A bureau's 咨询电话 alone is public; a landline in a row with a name is personal."""
    assert kinds("咨询电话：0370-1234567") == []
    assert kinds("户主：王小明 电话 0370-1234567") == [("landline", "0370-***4567")]


def test_bank_card_numbers_pass_luhn():
    """6222021234567890128 passes Luhn (checked by hand: digit sum 80); 6222021234567890121 does not."""
    assert kinds("卡号 6222021234567890128") == [("bank_card", "6222***********0128")]
    assert kinds("卡号 6222021234567890121") == []


def test_same_value_gives_the_same_digest_and_no_raw_value():
    """The digest recognises a value again without holding it."""
    first = privacy.scan_text("13812345678", key=KEY).findings[0]
    again = privacy.scan_text("李四 13812345678", key=KEY).findings[0]
    assert first.digest == again.digest and "13812345678" not in first.digest
    assert again.subject == "李*"


def test_xlsx_hidden_sheet_row_and_column_are_scanned():
    """Cells in a hidden sheet, a hidden row and a hidden column are read and located."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "名单"
    sheet["A1"], sheet["B1"] = "张三", "可见"
    sheet["A3"], sheet["B3"] = "李四", "13912345678"
    sheet.row_dimensions[3].hidden = True
    sheet["D1"] = "11010519491231002X"
    sheet.column_dimensions["D"].hidden = True
    extra = workbook.create_sheet("备份")
    extra.sheet_state = "veryHidden"
    extra["A1"] = "13712345678"
    data = io.BytesIO()
    workbook.save(data)
    found = privacy.scan_file("名单.xlsx", data.getvalue(), key=KEY).findings
    assert [(f.where, f.masked) for f in found] == [
        ("附件“名单.xlsx” 工作表“名单” 第1行 D列", "1101**********002X"),
        ("附件“名单.xlsx” 工作表“名单” 第3行 B列", "139****5678"),
        ("附件“名单.xlsx” 工作表“备份”（隐藏） 第1行 A列", "137****5678"),
    ]


def test_docx_paragraphs_and_tables_are_scanned():
    document = docx.Document()
    document.add_paragraph("联系人：赵六，手机13612345678")
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "钱七"
    table.rows[0].cells[1].text = "11010519491231002X"
    data = io.BytesIO()
    document.save(data)
    found = privacy.scan_file("公示.docx", data.getvalue(), key=KEY).findings
    assert [(f.where, f.kind, f.subject) for f in found] == [
        ("附件“公示.docx” 第1段", "mobile", "赵*"),
        ("附件“公示.docx” 表格1 第1行 第2列", "id_number", "钱*"),
    ]


def test_csv_and_unreadable_files():
    """CSV rows are scanned; a file of an unreadable kind is noted for a manual check, not failed."""
    found = privacy.scan_file("名单.csv", "姓名,电话\n周八,13512345678\n".encode("gb18030"), key=KEY).findings
    assert [(f.where, f.masked) for f in found] == [("附件“名单.csv” 第2行 第2列", "135****5678")]
    result = privacy.scan_file("旧表.xls", b"\xd0\xcf\x11\xe0", key=KEY)
    assert result.findings == [] and "人工核对" in result.notes[0]

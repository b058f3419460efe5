"""Finding personal data (个人信息) in what is about to be published: pure functions, no feature imports.

The most common disclosure incident of a county housing bureau is a 公示 list of 保障房 or 危房改造
households published with full ID and phone numbers. ``scan_text`` and ``scan_file`` find, line by line
(a table row or a sheet row counts as one line, its cells as its columns):

- resident ID numbers (居民身份证号码): 18 characters whose GB 11643-1999 check digit is right and whose
  birth date (digits 7–14) is a real date between 1900 and today;
- mainland mobile numbers: ``1[3-9]`` and nine more digits, not part of a longer run of digits;
- landline numbers: ``0`` + two or three digits (area code), an optional hyphen, seven or eight digits,
  on a line that also holds a name or another personal number (a bureau's 咨询电话 alone is public);
- bank card numbers: 16 to 19 digits passing the Luhn check (an ID number is never counted twice).

Names are context, not findings: the word after a label (姓名、户主、申请人、联系人…), or else the first
cell (or space-separated word) of the same line that is two to four Chinese characters starting with a
common surname, is shown, masked, next to each finding of the
line ("张**"), so that a reviewer knows whose number it is. A 公示 list must usually name people, so names
alone are never a finding; a surname list keeps table headers ("联系电话", "身份证号") from being taken for
names. Digits are compared after NFKC normalisation, so full-width digits count as well.

A finding carries its kind, where it is, a masked form and an HMAC of the raw value (key given by the
caller): the raw value itself never leaves this module. Work is bounded (``MAX_UNITS`` lines/rows per
file, ``MAX_PAGES`` PDF pages, ``MAX_UNIT_CHARS`` per line); what was cut short is said in ``notes``.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date

ID_NUMBER = "id_number"
MOBILE = "mobile"
LANDLINE = "landline"
BANK_CARD = "bank_card"
KIND_LABELS = {ID_NUMBER: "身份证号码", MOBILE: "手机号码", LANDLINE: "固定电话", BANK_CARD: "银行卡号"}

MAX_UNITS = 100_000  # lines / rows per file (a 公示 list is a few thousand rows at most)
MAX_PAGES = 300
MAX_UNIT_CHARS = 20_000

GB11643_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
GB11643_CHECK = "10X98765432"

# Landline first: its hyphen joins two digit runs that must not be read as anything else.
LANDLINE_RE = re.compile(r"(?<![\d-])0\d{2,3}-?\d{7,8}(?![\d-])")
DIGIT_RUN_RE = re.compile(r"\d+[Xx]?(?![A-Za-z0-9])|\d+")
MOBILE_RE = re.compile(r"1[3-9]\d{9}")
HAN_NAME_RE = re.compile(r"[\u4e00-\u9fff]{2,4}")
TOKEN_SPLIT_RE = re.compile(r"[\s,，;；、|]+")
NAME_LABEL_RE = re.compile(r"(?:姓名|户主|申请人|联系人|承租人|被征收人)[:：\s]*([\u4e00-\u9fff]{2,4})(?![\u4e00-\u9fff])")
# The most common Chinese surnames (about 85% of the population) and a few two-character ones.
SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
    "姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施"
    "文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷"
    "盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷"
    "晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝"
)
COMPOUND_SURNAMES = ("欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "慕容", "令狐", "夏侯", "尉迟", "公孙", "长孙")


@dataclass(frozen=True)
class Finding:
    """One piece of personal data: what kind, where, masked, and a keyed digest of the raw value."""

    kind: str
    where: str
    masked: str
    digest: str
    subject: str = ""  # the masked name found on the same line, if any

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]


@dataclass
class ScanResult:
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # truncated or unreadable parts, in Chinese


# ------------------------------------------------------------------------------------------ checks


def id_check_digit(first17: str) -> str:
    """The GB 11643-1999 check character (ISO 7064 MOD 11-2) of the first 17 digits."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, GB11643_WEIGHTS))
    return GB11643_CHECK[total % 11]


def is_resident_id(value: str, *, today: date | None = None) -> bool:
    """An 18-character resident ID number with a right check digit and a plausible birth date."""
    if len(value) != 18 or not value[:17].isdigit():
        return False
    if id_check_digit(value[:17]) != value[17].upper():
        return False
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    return date(1900, 1, 1) <= born <= (today or date.today())


def luhn_ok(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        digit = int(char)
        if position % 2:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def personal_values(text: str, *, today: date | None = None) -> list[tuple[str, str]]:
    """(kind, raw value) for each piece of personal data in one line of text (for masking it)."""
    return list(_values_in(text, today))


def mask(kind: str, value: str) -> str:
    """``4101**********1234``, ``138****5678``, ``0371-****5678``, ``6222*********0123``."""
    if kind == ID_NUMBER:
        return value[:4] + "*" * 10 + value[-4:]
    if kind == MOBILE:
        return value[:3] + "****" + value[-4:]
    if kind == LANDLINE:
        area, sep, number = value.partition("-")
        if not sep:
            return value[:3] + "*" * (len(value) - 7) + value[-4:]
        return f"{area}-" + "*" * (len(number) - 4) + number[-4:]
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def digest(kind: str, value: str, key: bytes) -> str:
    """Keyed digest of the raw value: recognises the same number again without storing it (a plain
    hash of an ID number could be reversed by trying every birth date and serial)."""
    return hmac.new(key, f"{kind}:{value.upper()}".encode(), hashlib.sha256).hexdigest()


def _mask_name(name: str) -> str:
    keep = 2 if name[:2] in COMPOUND_SURNAMES and len(name) > 2 else 1
    return name[:keep] + "*" * (len(name) - keep)


def _name_in(texts: Iterable[str]) -> str:
    """The first name on the line: after a label (姓名：张三), or a whole cell or space-separated word of
    two to four Chinese characters starting with a common surname (a table row, a PDF line of one)."""
    texts = list(texts)
    for text in texts:
        labelled = NAME_LABEL_RE.search(text)
        if labelled:
            return _mask_name(labelled.group(1))
    for text in texts:
        for word in TOKEN_SPLIT_RE.split(text):
            if HAN_NAME_RE.fullmatch(word) and (word[0] in SURNAMES or word[:2] in COMPOUND_SURNAMES):
                return _mask_name(word)
    return ""


def _values_in(text: str, today: date | None) -> Iterator[tuple[str, str]]:
    """(kind, raw value) for each piece of personal data in one line or cell."""
    for kind, _start, _end, value in spans_in(text, today=today):
        yield kind, value


def spans_in(text: str, *, today: date | None = None) -> Iterator[tuple[str, int, int, str]]:
    """(kind, start, end, raw value) for each piece of personal data in one (NFKC-normalised) line or
    cell; the de-identification (disclosure/core/deidentify.py) masks these spans."""
    taken: list[tuple[int, int]] = []
    for match in LANDLINE_RE.finditer(text):
        taken.append(match.span())
        yield LANDLINE, match.start(), match.end(), match.group()
    for match in DIGIT_RUN_RE.finditer(text):
        start, end = match.span()
        if any(start < t_end and t_start < end for t_start, t_end in taken):
            continue
        run = match.group()
        if len(run) == 18 and is_resident_id(run, today=today):
            yield ID_NUMBER, start, end, run.upper()
        elif not run[-1].isdigit():
            continue
        elif len(run) == 11 and MOBILE_RE.fullmatch(run):
            yield MOBILE, start, end, run
        elif 16 <= len(run) <= 19 and luhn_ok(run):
            yield BANK_CARD, start, end, run


def scan_units(units: Iterable[tuple[str, list[tuple[str, str]]]], *, key: bytes, today: date | None = None,
               result: ScanResult | None = None, label: str = "") -> ScanResult:
    """Scan ``units``: (where, [(column, text), …]) — a line, or a table/sheet row and its cells."""
    result = result or ScanResult()
    for count, (where, parts) in enumerate(units):
        if count >= MAX_UNITS:
            result.notes.append(f"{label}内容过多，只检查了前 {MAX_UNITS} 行。")
            break
        texts = [unicodedata.normalize("NFKC", text[:MAX_UNIT_CHARS]) for _column, text in parts]
        name = None
        values = [(column, list(_values_in(text, today))) for (column, _raw), text in zip(parts, texts)]
        personal = any(kind != LANDLINE for _column, found in values for kind, _value in found)
        for column, found in values:
            for kind, value in found:
                if kind == LANDLINE and not personal:
                    # An office number (咨询电话) alone is not personal data: a landline counts only
                    # on a line with a name or another personal number.
                    if name is None:
                        name = _name_in(texts)
                    if not name:
                        continue
                if name is None:
                    name = _name_in(texts)
                result.findings.append(
                    Finding(
                        kind=kind,
                        where=f"{where} {column}".strip(),
                        masked=mask(kind, value),
                        digest=digest(kind, value, key),
                        subject=name,
                    )
                )
    return result


def scan_text(text: str, *, key: bytes, where: str = "正文", today: date | None = None) -> ScanResult:
    """Scan plain text (a record's body with its tags stripped), line by line."""
    return scan_units(
        ((f"{where} 第{number}行", [("", line)]) for number, line in enumerate(text.splitlines(), 1) if line),
        key=key,
        today=today,
        label=where,
    )


# -------------------------------------------------------------------------------------- extraction


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _xlsx_units(data: bytes, label: str) -> Iterator[tuple[str, list[tuple[str, str]]]]:
    """Every sheet (hidden and very hidden ones too), every row and column, hidden or not: read-only
    mode streams the cells and ignores visibility, which is what a scan wants."""
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        for sheet in workbook.worksheets:
            hidden = "（隐藏）" if sheet.sheet_state != "visible" else ""
            for row_number, row in enumerate(sheet.iter_rows(values_only=True), 1):
                parts = [
                    (f"{get_column_letter(index)}列", _cell_text(value))
                    for index, value in enumerate(row, 1)
                    if value is not None and value != ""
                ]
                if parts:
                    yield f"{label} 工作表“{sheet.title}”{hidden} 第{row_number}行", parts
    finally:
        workbook.close()


def _docx_units(data: bytes, label: str) -> Iterator[tuple[str, list[tuple[str, str]]]]:
    """Paragraphs and table rows of the document body (text boxes, headers and footers are not read)."""
    import docx

    document = docx.Document(io.BytesIO(data))
    for number, paragraph in enumerate(document.paragraphs, 1):
        if paragraph.text.strip():
            yield f"{label} 第{number}段", [("", paragraph.text)]
    for table_number, table in enumerate(document.tables, 1):
        for row_number, row in enumerate(table.rows, 1):
            parts = [(f"第{column}列", cell.text) for column, cell in enumerate(row.cells, 1) if cell.text.strip()]
            if parts:
                yield f"{label} 表格{table_number} 第{row_number}行", parts


def _pdf_units(data: bytes, label: str, notes: list[str]) -> Iterator[tuple[str, list[tuple[str, str]]]]:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    for page_number, page in enumerate(reader.pages, 1):
        if page_number > MAX_PAGES:
            notes.append(f"{label}页数过多，只检查了前 {MAX_PAGES} 页。")
            return
        text = page.extract_text() or ""
        for line_number, line in enumerate(text.splitlines(), 1):
            if line.strip():
                yield f"{label} 第{page_number}页 第{line_number}行", [("", line)]


def _csv_units(data: bytes, label: str) -> Iterator[tuple[str, list[tuple[str, str]]]]:
    text = _decode(data)
    for row_number, row in enumerate(csv.reader(io.StringIO(text)), 1):
        parts = [(f"第{column}列", value) for column, value in enumerate(row, 1) if value.strip()]
        if parts:
            yield f"{label} 第{row_number}行", parts


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace")


def scan_file(name: str, data: bytes, *, key: bytes, kind: str | None = None, today: date | None = None) -> ScanResult:
    """Scan an attachment by its kind (``docx``, ``xlsx``, ``pdf``; ``csv`` and ``txt`` by file name).

    A file that cannot be read (legacy .doc/.xls, OFD, images, a damaged file) gives no findings and a
    note saying it was not checked, for the reviewer to look at by hand.
    """
    label = f"附件“{name}”"
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    kind = kind or suffix
    result = ScanResult()
    try:
        if kind == "xlsx":
            units = _xlsx_units(data, label)
        elif kind == "docx":
            units = _docx_units(data, label)
        elif kind == "pdf":
            units = _pdf_units(data, label, result.notes)
        elif suffix == "csv":
            units = _csv_units(data, label)
        elif suffix == "txt":
            return scan_text(_decode(data), key=key, where=label, today=today)
        else:
            result.notes.append(f"{label}的格式无法自动检查个人信息，请人工核对。")
            return result
        return scan_units(units, key=key, today=today, result=result, label=label)
    except Exception as error:
        # A damaged or unusual file must not stop the workflow: it is reported for a manual check.
        result.notes.append(f"{label}无法读取（{type(error).__name__}），未能自动检查个人信息，请人工核对。")
        return result


def file_text(name: str, data: bytes, *, kind: str | None = None, limit: int = 20_000) -> str:
    """The readable text of an attachment (docx, xlsx with every sheet, pdf, csv, txt), for the search
    index: the same readers as the scan, at most ``limit`` characters; "" for what cannot be read."""
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    kind = kind or suffix
    readers = {
        "xlsx": lambda: _xlsx_units(data, ""),
        "docx": lambda: _docx_units(data, ""),
        "pdf": lambda: _pdf_units(data, "", []),
        "csv": lambda: _csv_units(data, ""),
    }
    pieces, size = [], 0
    try:
        if kind == "txt" or suffix == "txt":
            return _decode(data)[:limit]
        if kind not in readers:
            return ""
        for _where, parts in readers[kind]():
            line = " ".join(text for _column, text in parts)
            pieces.append(line)
            size += len(line) + 1
            if size >= limit:
                break
    except Exception:  # a damaged or unreadable file: nothing to index, never a failed publication
        return ""
    return _RADICALS.sub(lambda m: unicodedata.normalize("NFKC", m.group()), "\n".join(pieces)[:limit])


# PDF text often comes out in the Kangxi radical forms of common characters (⾥ for 里, ⼩ for 小): they
# look the same but are other characters. Folded back, leaving every other character as written.
_RADICALS = re.compile("[\u2e80-\u2fdf]")

"""Attachments are checked by their content, not their name, and stored under random names."""

import hashlib
import io
import re
import struct
import zipfile
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from catalog.models import CatalogNode
from disclosure.core.access import Role
from disclosure.core.files import check_upload, content_type_for
from disclosure.records import services
from tests.factories import make_staff, record_fields

# ---------------------------------------------------------------- real minimal files, made here


def pdf_bytes() -> bytes:
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def png_bytes() -> bytes:
    """A valid 1×1 white PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\xff\xff")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def jpeg_bytes() -> bytes:
    """SOI, a JFIF APP0 segment and EOI: the start of every JPEG camera or scanner writes."""
    app0 = b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    return b"\xff\xd8\xff\xe0" + struct.pack(">H", len(app0) + 2) + app0 + b"\xff\xd9"


def zip_bytes(members: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    return buffer.getvalue()


CONTENT_TYPES_XML = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    'content-types"><Default Extension="xml" ContentType="application/xml"/></Types>'
)


def docx_bytes() -> bytes:
    return zip_bytes(
        {
            "[Content_Types].xml": CONTENT_TYPES_XML,
            "_rels/.rels": "<Relationships/>",
            "word/document.xml": "<w:document><w:body><w:p><w:r><w:t>公示</w:t></w:r></w:p></w:body></w:document>",
        }
    )


def xlsx_bytes() -> bytes:
    return zip_bytes(
        {
            "[Content_Types].xml": CONTENT_TYPES_XML,
            "_rels/.rels": "<Relationships/>",
            "xl/workbook.xml": "<workbook><sheets><sheet name='名单' sheetId='1'/></sheets></workbook>",
            "xl/worksheets/sheet1.xml": "<worksheet><sheetData/></worksheet>",
        }
    )


def ofd_bytes() -> bytes:
    return zip_bytes(
        {
            "OFD.xml": '<ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016" Version="1.0"><ofd:DocBody/></ofd:OFD>',
            "Doc_0/Document.xml": "<ofd:Document/>",
        }
    )


def ole2_bytes() -> bytes:
    """A compound-file header (legacy .doc/.xls/.wps) padded to one 512-byte sector."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16 + struct.pack("<HH", 0x3E, 0x03) + b"\xfe\xff"
    return header.ljust(512, b"\x00")


def exe_bytes() -> bytes:
    """The start of a Windows executable: MZ header, DOS stub, PE signature."""
    return (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 44 + b"\x80\x00\x00\x00"
            + b"This program cannot be run in DOS mode.\r\r\n$" + b"\x00" * 32 + b"PE\x00\x00")


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, "application/octet-stream")


ACCEPTED = [
    ("配租结果.pdf", pdf_bytes, "pdf"),
    ("现场照片.png", png_bytes, "png"),
    ("现场照片.jpg", jpeg_bytes, "jpg"),
    ("现场照片.JPEG", jpeg_bytes, "jpeg"),
    ("申请表.docx", docx_bytes, "docx"),
    ("补助名单.xlsx", xlsx_bytes, "xlsx"),
    ("征收决定.ofd", ofd_bytes, "ofd"),
    ("旧版通知.doc", ole2_bytes, "doc"),
    ("旧版名单.xls", ole2_bytes, "xls"),
    ("金山文档.wps", ole2_bytes, "wps"),
]


@pytest.mark.parametrize("name,make,kind", ACCEPTED, ids=[a[0] for a in ACCEPTED])
def test_real_office_and_image_files_are_accepted(name, make, kind):
    """Each accepted format passes when its content matches its name; size and digest are reported."""
    content = make()
    facts = check_upload(upload(name, content))
    assert facts == {"kind": kind, "size": len(content), "sha256": hashlib.sha256(content).hexdigest(), "name": name}


def test_the_generated_files_are_real():
    """The sample files are what they claim: the PNG's CRCs check out, the archives open."""
    assert zipfile.ZipFile(io.BytesIO(docx_bytes())).testzip() is None
    assert zipfile.ZipFile(io.BytesIO(xlsx_bytes())).testzip() is None
    assert zipfile.ZipFile(io.BytesIO(ofd_bytes())).testzip() is None
    png = png_bytes()
    length, kind = struct.unpack(">I4s", png[8:16])
    assert kind == b"IHDR" and zlib.crc32(png[12 : 16 + length]) == struct.unpack(">I", png[16 + length : 20 + length])[0]
    assert pdf_bytes().startswith(b"%PDF-1.4") and pdf_bytes().rstrip().endswith(b"%%EOF")


REJECTED = [
    ("renamed executable .pdf", "通知.pdf", exe_bytes, "内容与扩展名不符"),
    ("renamed executable .docx", "通知.docx", exe_bytes, "内容与扩展名不符"),
    ("renamed executable .jpg", "照片.jpg", exe_bytes, "内容与扩展名不符"),
    ("executable", "setup.exe", exe_bytes, "不支持的附件格式“.exe”"),
    ("zip renamed .docx without word/", "申请表.docx",
     lambda: zip_bytes({"[Content_Types].xml": CONTENT_TYPES_XML, "payload/run.js": "alert(1)"}), "内容与扩展名不符"),
    ("plain zip renamed .docx", "申请表.docx", lambda: zip_bytes({"readme.txt": "x"}), "内容与扩展名不符"),
    ("xlsx renamed .docx", "申请表.docx", xlsx_bytes, "内容与扩展名不符"),
    ("docx renamed .pdf", "申请表.pdf", docx_bytes, "内容与扩展名不符"),
    ("html renamed .jpg", "照片.jpg",
     lambda: b"<html><body><script>alert(document.cookie)</script></body></html>", "内容与扩展名不符"),
    ("svg renamed .png", "图.png", lambda: b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
     "内容与扩展名不符"),
    ("png renamed .jpg", "照片.jpg", png_bytes, "内容与扩展名不符"),
    ("no extension", "配租结果", pdf_bytes, "不支持的附件格式“无扩展名”"),
    ("html", "公告.html", lambda: b"<p>x</p>", "不支持的附件格式“.html”"),
    ("double extension", "通知.pdf.exe", exe_bytes, "不支持的附件格式“.exe”"),
    ("empty pdf", "空.pdf", lambda: b"", "内容与扩展名不符"),
]


@pytest.mark.parametrize("label,name,make,message", REJECTED, ids=[r[0] for r in REJECTED])
def test_files_whose_content_does_not_match_are_rejected_in_chinese(label, name, make, message):
    """Executables, archives and markup under an office or image name, and unknown names, are refused
    with a Chinese message naming the problem."""
    with pytest.raises(ValidationError) as error:
        check_upload(upload(name, make()))
    assert message in " ".join(error.value.messages)


@override_settings(ATTACHMENT_MAX_BYTES=1024)
def test_an_oversized_file_is_rejected_with_the_limit_in_the_message():
    """A file above ATTACHMENT_MAX_BYTES is refused, saying its size and the limit; one at the limit passes."""
    content = pdf_bytes().ljust(2048, b"\n")
    with pytest.raises(ValidationError) as error:
        check_upload(upload("大文件.pdf", content))
    text = " ".join(error.value.messages)
    assert "超过上限" in text and "大文件.pdf" in text and "1.0\xa0KB" in text
    assert check_upload(upload("刚好.pdf", content[:1024]))["size"] == 1024


def test_content_types_follow_the_checked_extension():
    """Downloads are served with the type of their (checked) extension; unknown names get a neutral type."""
    assert content_type_for("a.PDF") == "application/pdf"
    assert content_type_for("a.ofd") == "application/ofd"
    assert content_type_for("a.html") == "application/octet-stream"



@pytest.mark.django_db
def test_stored_names_are_random_and_keep_nothing_of_the_original_name(standard_catalog, county, settings, tmp_path):
    """Through the service, files are stored as attachments/<32 hex>.<ext>: nothing of the original
    name (which may carry a person's name) and no two alike; the original name is kept in the database."""
    settings.MEDIA_ROOT = tmp_path
    editor = make_staff(county, Role.EDITOR, username="editor")
    record = services.record_create(
        user=editor, organisation=county, node=CatalogNode.objects.get(code="030302"), **record_fields()
    )
    original = "张三-身份证复印件 (1).pdf"
    first = services.attachment_add(user=editor, record=record, upload=upload(original, pdf_bytes()))
    second = services.attachment_add(user=editor, record=record, upload=upload(original, pdf_bytes()))
    for attachment in (first, second):
        assert re.fullmatch(r"attachments/[0-9a-f]{32}\.pdf", attachment.file.name), attachment.file.name
        assert "张三" not in attachment.file.name and "身份证" not in attachment.file.name
        assert attachment.original_name == original
        assert (tmp_path / attachment.file.name).read_bytes() == pdf_bytes()
    assert first.file.name != second.file.name


@pytest.mark.django_db
def test_a_rejected_upload_leaves_no_attachment_and_no_file(standard_catalog, county, settings, tmp_path):
    """A refused file is neither recorded nor written to storage, and no version is added."""
    settings.MEDIA_ROOT = tmp_path
    editor = make_staff(county, Role.EDITOR, username="editor")
    record = services.record_create(
        user=editor, organisation=county, node=CatalogNode.objects.get(code="030302"), **record_fields()
    )
    with pytest.raises(ValidationError):
        services.attachment_add(user=editor, record=record, upload=upload("通知.pdf", exe_bytes()))
    assert not record.attachments.exists()
    assert record.versions.count() == 1
    assert not any(tmp_path.rglob("*.*"))

"""Document metadata is removed from attachments before they are stored (disclosure/core/metadata.py).

The files are built here with the libraries an office would use to make them (python-docx, openpyxl,
pypdf), then given what Word, Excel and Acrobat add: authors, company, custom properties, comments,
tracked changes, XMP packets, note annotations. After stripping, every part of the file is searched
for the names and the deleted wording, and the file is opened again with the same library.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from docx import Document
from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.packaging.custom import StringProperty
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, NameObject, NumberObject, TextStringObject

from disclosure.core.metadata import MetadataUnreadable, strip_metadata
from disclosure.records import services
from tests.disclosure.core.test_files import pdf_bytes
from tests.disclosure.publishing import COUNTY, Desk

AUTHOR = "张晓梅"
EDITOR = "李建国"
REVIEWER = "王审核"
COMPANY = "某县住房和城乡建设局办公室"
DELETED = "此句涉及内部讨论意见已删除"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def all_text(package: bytes) -> str:
    """Every part of an OOXML package, decompressed and decoded, joined."""
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        return "\n".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())


def add_part(package: bytes, name: str, content: bytes, *, rels: str | None = None, relationship: str = "",
             content_type: str = "") -> bytes:
    """A copy of ``package`` with one more part, its relationship and its content type, as Office writes them."""
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        parts = {n: archive.read(n) for n in archive.namelist()}
    parts[name] = content
    if rels:
        rid = f"rIdTest{len(parts)}"
        target = "/" + name
        parts[rels] = parts[rels].replace(
            b"</Relationships>",
            f'<Relationship Id="{rid}" Type="{relationship}" Target="{target}"/></Relationships>'.encode(),
        )
    if content_type:
        parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
            b"</Types>", f'<Override PartName="/{name}" ContentType="{content_type}"/></Types>'.encode()
        )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for part, data in parts.items():
            archive.writestr(part, data)
    return out.getvalue()


def replace_part(package: bytes, name: str, change) -> bytes:
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        parts = {n: archive.read(n) for n in archive.namelist()}
    parts[name] = change(parts[name])
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for part, data in parts.items():
            archive.writestr(part, data)
    return out.getvalue()


APP_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Properties '
    'xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
    'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
    f"<Template>C:\\Users\\zhangxm\\模板\\红头.dotm</Template><Application>Microsoft Office Word</Application>"
    f"<Company>{COMPANY}</Company><Manager>{REVIEWER}</Manager></Properties>"
)
CUSTOM_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Properties '
    'xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
    'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
    '<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" name="承办人">'
    f"<vt:lpwstr>{EDITOR}</vt:lpwstr></property></Properties>"
)
CUSTOM_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"
CUSTOM_TYPE = "application/vnd.openxmlformats-officedocument.custom-properties+xml"


def word_document() -> bytes:
    """A .docx as a section would circulate it: author and last editor, the company and template path,
    a custom property, a reviewer's comment, and tracked changes (an insertion by one person, a deletion
    by another, a formatting change)."""
    document = Document()
    document.core_properties.author = AUTHOR
    document.core_properties.last_modified_by = EDITOR
    document.core_properties.comments = f"{REVIEWER}意见已吸收"
    document.core_properties.keywords = "内部"
    document.add_heading("关于公布2026年第一批公共租赁住房配租结果的通知", level=1)
    paragraph = document.add_paragraph("现将配租结果予以公布。")
    document.add_comment(paragraph.runs[0], text="请核对户数", author=REVIEWER, initials="王")
    document.add_paragraph("公示期为七个工作日。")
    out = io.BytesIO()
    document.save(out)
    package = out.getvalue()

    def tracked(xml: bytes) -> bytes:
        text = xml.decode()
        revision = (
            f'<w:p w:rsidR="00A1B2C3"><w:r><w:t xml:space="preserve">公示期间如有异议，</w:t></w:r>'
            f'<w:ins w:id="901" w:author="{EDITOR}" w:date="2026-03-02T09:15:00Z">'
            f'<w:r><w:t>请向县住建局反映。</w:t></w:r></w:ins>'
            f'<w:del w:id="902" w:author="{REVIEWER}" w:date="2026-03-03T10:00:00Z">'
            f"<w:r><w:delText>{DELETED}</w:delText></w:r></w:del>"
            f'<w:r><w:rPr><w:b/><w:rPrChange w:id="903" w:author="{REVIEWER}" w:date="2026-03-03T10:01:00Z">'
            f"<w:rPr/></w:rPrChange></w:rPr><w:t>特此通知。</w:t></w:r></w:p>"
        )
        return text.replace("<w:sectPr", revision + "<w:sectPr", 1).encode()

    package = replace_part(package, "word/document.xml", tracked)
    package = replace_part(package, "docProps/app.xml", lambda _old: APP_XML.encode())
    return add_part(package, "docProps/custom.xml", CUSTOM_XML.encode(), rels="_rels/.rels",
                    relationship=CUSTOM_REL, content_type=CUSTOM_TYPE)


def workbook() -> bytes:
    """A 公示 .xlsx with creator and last editor, a custom property, a company, notes on two cells, and the
    folder it was saved from (Excel's x15ac:absPath)."""
    book = Workbook()
    book.properties.creator = AUTHOR
    book.properties.lastModifiedBy = EDITOR
    book.properties.description = f"{REVIEWER}审核"
    book.custom_doc_props.append(StringProperty(name="承办人", value=EDITOR))
    sheet = book.active
    sheet.title = "公示名单"
    sheet.append(["序号", "户主", "保障方式"])
    sheet.append([1, "王某某", "实物配租"])
    sheet["B2"].comment = Comment("此户已核实收入", REVIEWER)
    sheet["C2"].comment = Comment("待定", EDITOR)
    out = io.BytesIO()
    book.save(out)
    package = replace_part(out.getvalue(), "docProps/app.xml", lambda _old: APP_XML.encode())

    def saved_from(xml: bytes) -> bytes:
        path = (
            '<mc:AlternateContent xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006">'
            '<mc:Choice Requires="x15"><x15ac:absPath xmlns:x15ac="http://schemas.microsoft.com/office/'
            f'spreadsheetml/2010/11/ac" url="C:\\Users\\{EDITOR}\\Desktop\\"/></mc:Choice></mc:AlternateContent>'
        )
        text = xml.decode()
        at = text.index("<workbookPr") if "<workbookPr" in text else text.index("<bookViews")
        return (text[:at] + path + text[at:]).encode()

    return replace_part(package, "xl/workbook.xml", saved_from)


def pdf_with_metadata() -> bytes:
    """A PDF as Acrobat leaves it after review: an information dictionary, an XMP packet, a reviewer's
    note with its pop-up, a highlight, and a link that must stay."""
    writer = PdfWriter()
    page = writer.add_blank_page(595, 842)
    writer.add_metadata({"/Author": "Zhang Xiaomei", "/Creator": "WPS Office", "/Producer": "Acme PDF 9",
                         "/Title": "Internal draft", "/Company": "Housing Bureau Office"})
    xmp = DecodedStreamObject()
    xmp.set_data(
        b'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
        b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
        b'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>Zhang Xiaomei</dc:creator>'
        b"</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end=\"w\"?>"
    )
    xmp.update({NameObject("/Type"): NameObject("/Metadata"), NameObject("/Subtype"): NameObject("/XML")})
    writer._root_object[NameObject("/Metadata")] = writer._add_object(xmp)

    def annotation(subtype: str, **extra):
        fields = {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject(subtype),
            NameObject("/Rect"): ArrayObject([NumberObject(n) for n in (50, 700, 200, 720)]),
        }
        fields.update({NameObject("/" + k): v for k, v in extra.items()})
        return writer._add_object(DictionaryObject(fields))

    note = annotation("/Text", T=TextStringObject("Wang Reviewer"), Contents=TextStringObject("Check household 12"))
    highlight = annotation("/Highlight", T=TextStringObject("Wang Reviewer"))
    link = annotation("/Link", A=DictionaryObject({
        NameObject("/S"): NameObject("/URI"), NameObject("/URI"): TextStringObject("https://www.gov.cn/")}))
    page[NameObject("/Annots")] = ArrayObject([note, highlight, link])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# ------------------------------------------------------------------------------------------- DOCX


def test_a_word_file_loses_authors_company_comments_and_tracked_changes():
    """Core and extended properties emptied, the custom property, the comment and its author gone, the
    insertion kept without its mark, the deleted sentence gone; the file still opens in python-docx with
    its text, and nobody's name is anywhere in it."""
    original = word_document()
    before = all_text(original)
    assert AUTHOR in before and EDITOR in before and REVIEWER in before and COMPANY in before and DELETED in before

    stripped = strip_metadata("docx", original)
    after = all_text(stripped.data)
    for leaked in (AUTHOR, EDITOR, REVIEWER, COMPANY, DELETED, "zhangxm", "请核对户数", "w:rsid", "w:author"):
        assert leaked not in after, leaked
    with zipfile.ZipFile(io.BytesIO(stripped.data)) as archive:
        names = set(archive.namelist())
    assert "docProps/custom.xml" not in names and "word/comments.xml" not in names
    assert "custom.xml" not in after and "comments.xml" not in after  # no relationship or override left
    assert set(stripped.removed) >= {"批注", "修订记录（修订作者、时间和删除的文字）", "自定义属性",
                                     "文档属性（作者、最后修改者等）", "文档属性（单位、模板等）"}

    reopened = Document(io.BytesIO(stripped.data))
    assert reopened.core_properties.author == "" and reopened.core_properties.last_modified_by == ""
    text = "\n".join(p.text for p in reopened.paragraphs)
    assert "现将配租结果予以公布。" in text and "公示期为七个工作日。" in text
    assert "公示期间如有异议，请向县住建局反映。特此通知。" in text  # the insertion accepted


def test_a_workbook_loses_authors_notes_custom_properties_and_its_folder():
    """openpyxl reopens the stripped workbook with its cells and without notes; no name is left."""
    original = workbook()
    assert EDITOR in all_text(original) and REVIEWER in all_text(original)
    stripped = strip_metadata("xlsx", original)
    after = all_text(stripped.data)
    for leaked in (AUTHOR, EDITOR, REVIEWER, COMPANY, "此户已核实收入", "absPath", "Desktop"):
        assert leaked not in after, leaked
    with zipfile.ZipFile(io.BytesIO(stripped.data)) as archive:
        names = archive.namelist()
    assert not [n for n in names if "comments" in n or n.endswith(".vml") or n == "docProps/custom.xml"], names
    reopened = load_workbook(io.BytesIO(stripped.data))
    sheet = reopened["公示名单"]
    assert [c.value for c in sheet[2]] == [1, "王某某", "实物配租"]
    assert sheet["B2"].comment is None and sheet["C2"].comment is None
    assert reopened.properties.creator != AUTHOR and not reopened.properties.lastModifiedBy  # openpyxl's default
    assert "批注" in stripped.removed and "保存路径" in stripped.removed


def test_a_clean_word_file_keeps_its_text():
    """A file with nothing to remove still opens with the same paragraphs."""
    document = Document()
    document.add_paragraph("通知正文")
    out = io.BytesIO()
    document.save(out)
    stripped = strip_metadata("docx", out.getvalue())
    assert [p.text for p in Document(io.BytesIO(stripped.data)).paragraphs] == ["通知正文"]


def test_a_package_with_broken_xml_is_refused():
    """A part that is not well-formed XML cannot be cleaned: refused rather than stored with its metadata."""
    broken = replace_part(word_document(), "word/document.xml", lambda xml: xml[: len(xml) // 2])
    with pytest.raises(MetadataUnreadable):
        strip_metadata("docx", broken)


# -------------------------------------------------------------------------------------------- PDF


def test_a_pdf_loses_its_information_dictionary_xmp_and_notes_and_keeps_links():
    original = pdf_with_metadata()
    assert b"Zhang Xiaomei" in original and b"Wang Reviewer" in original
    stripped = strip_metadata("pdf", original)
    for leaked in (b"Zhang Xiaomei", b"Wang Reviewer", b"WPS Office", b"Acme PDF", b"Housing Bureau", b"xmpmeta",
                   b"Check household"):
        assert leaked not in stripped.data, leaked
    reader = PdfReader(io.BytesIO(stripped.data))
    assert reader.metadata is None and "/Info" not in reader.trailer
    assert "/Metadata" not in reader.trailer["/Root"]
    annotations = [a.get_object()["/Subtype"] for a in reader.pages[0]["/Annots"]]
    assert annotations == ["/Link"]
    assert set(stripped.removed) == {"文档属性（作者、创建程序等）", "XMP 元数据", "批注"}


def test_a_pdf_without_metadata_is_stored_byte_for_byte():
    assert strip_metadata("pdf", pdf_bytes()).data == pdf_bytes()


def test_a_signed_pdf_is_left_intact_with_a_note():
    """Rewriting a PDF with an electronic seal would break the seal: it is kept as it is, and said so."""
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.add_metadata({"/Author": "Zhang Xiaomei"})
    field = writer._add_object(DictionaryObject({
        NameObject("/FT"): NameObject("/Sig"), NameObject("/T"): TextStringObject("seal")}))
    writer._root_object[NameObject("/AcroForm")] = DictionaryObject({
        NameObject("/Fields"): ArrayObject([field]), NameObject("/SigFlags"): NumberObject(3)})
    out = io.BytesIO()
    writer.write(out)
    stripped = strip_metadata("pdf", out.getvalue())
    assert stripped.data == out.getvalue() and "电子签章" in stripped.note


# ----------------------------------------------------------------------------------------- images


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def test_photos_lose_exif_and_text_but_keep_the_picture():
    """JPEG: the APP1 Exif segment (with a GPS position) and a comment go; JFIF, the ICC profile and the
    image data stay byte for byte. PNG: tEXt/eXIf chunks go, the pixels stay."""
    jfif = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    exif_payload = b"Exif\x00\x00MM\x00*GPSLatitude 34.7466N GPSLongitude 113.6253E"
    exif = b"\xff\xe1" + struct.pack(">H", len(exif_payload) + 2) + exif_payload
    icc_payload = b"ICC_PROFILE\x00\x01\x01" + b"\x00" * 20
    icc = b"\xff\xe2" + struct.pack(">H", len(icc_payload) + 2) + icc_payload
    comment = b"\xff\xfe" + struct.pack(">H", 13) + b"zhangxm cam"
    scan = b"\xff\xda" + struct.pack(">H", 8) + b"\x01\x01\x00\x00\x3f\x00" + b"\x12\x34\x56" + b"\xff\xd9"
    photo = b"\xff\xd8" + jfif + exif + icc + comment + scan
    stripped = strip_metadata("jpg", photo)
    assert stripped.data == b"\xff\xd8" + jfif + icc + scan
    assert stripped.removed == ["图片拍摄信息（EXIF、位置等）", "图片注释"]

    header = png_chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
    pixels = png_chunk(b"IDAT", zlib.compress(b"\x00\xff\xff\xff"))
    image = (b"\x89PNG\r\n\x1a\n" + header + png_chunk(b"tEXt", b"Author\x00zhangxm")
             + png_chunk(b"eXIf", b"MM\x00*GPS") + pixels + png_chunk(b"IEND", b""))
    assert strip_metadata("png", image).data == b"\x89PNG\r\n\x1a\n" + header + pixels + png_chunk(b"IEND", b"")


# ------------------------------------------------------------------------------ stored and published


@pytest.fixture
def desk(standard_catalog, demo_orgs, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return Desk(demo_orgs[COUNTY])


def test_the_published_attachment_carries_no_metadata(desk, client):
    """Through the service: the stored file is the stripped one (size and digest of what is stored), and
    the public download of the published record serves those bytes."""
    record = desk.draft("020502", title="2026年第一批公共租赁住房配租结果公示", body="<p>现予公示。</p>")
    attachment = services.attachment_add(
        user=desk.editor, record=record, upload=SimpleUploadedFile("配租通知.docx", word_document())
    )
    with attachment.file.open("rb") as stored:
        data = stored.read()
    assert attachment.size == len(data)
    assert AUTHOR not in all_text(data) and DELETED not in all_text(data)
    record = desk.bring_to(record, "published")
    response = client.get(record.get_absolute_url())
    assert response.status_code == 200
    url = re.search(r'href="([^"]+/files/\d+/)"', response.content.decode()).group(1)
    download = client.get(url)
    assert download.status_code == 200
    served = b"".join(download.streaming_content) if download.streaming else download.content
    assert served == data
    for leaked in (AUTHOR, EDITOR, REVIEWER, COMPANY, DELETED):
        assert leaked not in all_text(served)


def test_an_unreadable_office_file_is_refused_in_chinese(desk):
    """A package whose document part is broken is refused with a Chinese message, and nothing is stored."""
    broken = replace_part(word_document(), "word/document.xml", lambda xml: xml[: len(xml) // 2])
    record = desk.draft("020502", title="通知", body="<p>正文</p>")
    with pytest.raises(ValidationError) as refusal:
        services.attachment_add(user=desk.editor, record=record, upload=SimpleUploadedFile("通知.docx", broken))
    assert "无法读取附件“通知.docx”的文档结构" in " ".join(refusal.value.messages)
    assert not record.attachments.exists()



def test_a_service_guides_blank_form_is_stored_without_metadata():
    """Blank forms (表格下载) of service guides go through the same removal; the stored facts describe
    the stripped bytes."""
    from disclosure.service_guides.services import material_form_content

    facts, content = material_form_content(SimpleUploadedFile("申请表.docx", word_document()))
    data = content.read()
    assert facts["form_file_size"] == len(data) and facts["form_file_name"] == "申请表.docx"
    assert AUTHOR not in all_text(data) and DELETED not in all_text(data)

"""Document metadata removed from attachments before they are stored, so the published bytes carry none.

Office and PDF files say more than their text: who wrote them and on whose computer (author, last editor,
company, manager, template path, the folder an .xlsx was saved from), the comments reviewers left, and
every tracked change with its author and time, deleted wording included. ``strip_metadata`` returns
the file without them, and the names of what it removed:

- DOCX / XLSX / PPTX (and the other OOXML packages): ``docProps/core.xml`` and ``docProps/app.xml``
  emptied, custom properties removed; comments (and their authors' list, threaded comments, the shapes
  that show Excel's notes) removed with every reference to them; tracked changes accepted (insertions
  kept without their mark, deletions dropped, formatting-change records dropped), so no author, date or
  deleted text remains; revision-save ids (``w:rsid*``), shared-workbook revision logs and user names, and
  Excel's saved-from path removed.
- PDF: the document information dictionary and every XMP metadata stream removed; markup annotations
  (notes, highlights and their pop-ups, each naming its author) removed, links and form fields kept;
  application-private data (``/PieceInfo``) removed. A PDF carrying a digital signature (电子签章) is left
  as it is: rewriting it would break the signature, and a signed original is what must be published.
- JPEG / PNG: EXIF (camera, time, GPS position), XMP, IPTC and comment segments or text chunks removed,
  without re-encoding the image.

Legacy OLE files (.doc, .xls, .wps, .et) and OFD are stored unchanged (OFD's signatures cover its
document description); the returned note says so. A file that cannot be read is refused
(``MetadataUnreadable``), never stored with its metadata.
"""

from __future__ import annotations

import io
import posixpath
import struct
import zipfile
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from lxml import etree

# --------------------------------------------------------------------------------------------- result


class MetadataUnreadable(Exception):
    """The file's structure could not be read, so its metadata could not be removed."""


@dataclass
class Stripped:
    data: bytes
    removed: list[str] = field(default_factory=list)
    note: str = ""


def strip_metadata(kind: str, data: bytes) -> Stripped:
    """``data`` without its metadata (see the module docstring); ``kind`` as check_upload names it."""
    try:
        if kind in ("docx", "xlsx", "pptx"):
            return _strip_ooxml(data)
        if kind == "pdf":
            return _strip_pdf(data)
        if kind in ("jpg", "jpeg"):
            return _strip_jpeg(data)
        if kind == "png":
            return _strip_png(data)
    except MetadataUnreadable:
        raise
    except Exception as error:  # any parser's error on a malformed file: refused, never stored as it is
        raise MetadataUnreadable(str(error)) from error
    return Stripped(data, note="未处理文档属性（该格式不支持自动清除）")


def cleaned_content(upload, facts: dict) -> tuple[ContentFile, list[str], str]:
    """The bytes to store for an upload that passed ``check_upload`` (``facts``): without metadata.

    Returns the content, what was removed and a note; raises a Chinese ValidationError for a file whose
    structure cannot be read."""
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    try:
        stripped = strip_metadata(facts["kind"], data)
    except MetadataUnreadable:
        raise ValidationError(
            _("无法读取附件“%(name)s”的文档结构，不能清除其中的作者、批注等信息。请用办公软件另存为新文件后重新上传。")
            % {"name": facts["name"]}
        ) from None
    return ContentFile(stripped.data, name=facts["name"]), stripped.removed, stripped.note


# ---------------------------------------------------------------------------------------------- OOXML

REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
S_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
X15AC_NS = "http://schemas.microsoft.com/office/spreadsheetml/2010/11/ac"
CORE_XML = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
    b'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
    b'xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"/>'
)
APP_XML = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
    b'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"/>'
)
# Relationship types (the last part of the type URI) whose target part is metadata or commentary.
DROPPED_RELATIONSHIPS = {
    "custom-properties": "自定义属性",
    "comments": "批注",
    "commentsExtended": "批注",
    "commentsIds": "批注",
    "commentsExtensible": "批注",
    "people": "批注作者",
    "threadedComment": "批注",
    "person": "批注作者",
    "commentAuthors": "批注作者",
    "revisionHeaders": "修订记录",
    "usernames": "修订记录",
}
# Word elements that only mark comments or tracked changes: removed with what they hold.
WORD_DROPPED = {
    f"{{{W_NS}}}{name}"
    for name in (
        "del", "moveFrom", "commentRangeStart", "commentRangeEnd", "commentReference",
        "rPrChange", "pPrChange", "sectPrChange", "tblPrChange", "tblGridChange", "trPrChange", "tcPrChange",
        "tblPrExChange", "numberingChange",
        "moveFromRangeStart", "moveFromRangeEnd", "moveToRangeStart", "moveToRangeEnd",
        "customXmlInsRangeStart", "customXmlInsRangeEnd", "customXmlDelRangeStart", "customXmlDelRangeEnd",
    )
}
# Word elements that mark an insertion: their content stays, the mark (author, date) goes.
WORD_UNWRAPPED = {f"{{{W_NS}}}ins", f"{{{W_NS}}}moveTo"}
# A deleted paragraph mark or table row (w:del inside w:rPr / w:trPr) removes the mark, not the paragraph.
WORD_PROPERTY_PARENTS = {f"{{{W_NS}}}rPr", f"{{{W_NS}}}trPr"}
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_blank_text=False)


def _xml(data: bytes):
    return etree.fromstring(data, PARSER)


def _serialise(root) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _rels_source(rels_name: str) -> str:
    """The part a .rels file belongs to: ``word/_rels/document.xml.rels`` → ``word/document.xml``."""
    folder, name = posixpath.split(rels_name)
    return posixpath.join(posixpath.dirname(folder), name[: -len(".rels")])


def _target(source: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target))


def _strip_ooxml(data: bytes) -> Stripped:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        parts = {info.filename: package.read(info) for info in package.infolist() if not info.is_dir()}
        order = [info.filename for info in package.infolist() if not info.is_dir()]
    removed: set[str] = set()

    # Parts reached through a dropped relationship, and the relationships themselves.
    dropped_parts: set[str] = set()
    dropped_ids: dict[str, set[str]] = {}
    rels = {name: _xml(parts[name]) for name in parts if name.endswith(".rels")}
    for name, root in rels.items():
        source = _rels_source(name)
        for rel in list(root):
            kind = rel.get("Type", "").rsplit("/", 1)[-1]
            if kind in DROPPED_RELATIONSHIPS and rel.get("TargetMode") != "External":
                dropped_parts.add(_target(source, rel.get("Target", "")))
                dropped_ids.setdefault(source, set()).add(rel.get("Id"))
                removed.add(DROPPED_RELATIONSHIPS[kind])
                root.remove(rel)
    # Excel's notes are drawn by a VML part of the sheet that holds them: dropped with the comments.
    for name, root in rels.items():
        source = _rels_source(name)
        if source.startswith("xl/worksheets/") and source in dropped_ids:
            for rel in list(root):
                if rel.get("Type", "").endswith("/vmlDrawing"):
                    dropped_parts.add(_target(source, rel.get("Target", "")))
                    dropped_ids[source].add(rel.get("Id"))
                    root.remove(rel)
    # Parts of these kinds with no relationship pointing at them go too.
    for name in parts:
        base = posixpath.basename(name).lower()
        if name.startswith(("xl/revisions/", "xl/threadedComments/", "xl/persons/", "ppt/comments/")) or base in (
            "people.xml", "commentauthors.xml", "custom.xml",
        ) or (name.startswith("word/") and base.startswith("comments")):
            dropped_parts.add(name)
    for name in list(dropped_parts):
        dropped_parts |= {posixpath.join(posixpath.dirname(name), "_rels", posixpath.basename(name) + ".rels")}
    for name, root in rels.items():
        parts[name] = _serialise(root)

    if "docProps/core.xml" in parts and parts["docProps/core.xml"] != CORE_XML:
        if len(_xml(parts["docProps/core.xml"])):
            removed.add("文档属性（作者、最后修改者等）")
        parts["docProps/core.xml"] = CORE_XML
    if "docProps/app.xml" in parts:
        app = _xml(parts["docProps/app.xml"])
        if any(etree.QName(child).localname in ("Company", "Manager", "Template", "HyperlinkBase") for child in app):
            removed.add("文档属性（单位、模板等）")
        parts["docProps/app.xml"] = APP_XML

    for name in list(parts):
        if name in dropped_parts or not name.endswith(".xml"):
            continue
        if name.startswith("word/"):
            parts[name] = _clean_word_part(parts[name], removed)
        elif name.startswith("xl/worksheets/") and name in dropped_ids:
            root = _xml(parts[name])
            for element in root.iter(f"{{{S_NS}}}legacyDrawing"):
                if element.get(f"{{{R_NS}}}id") in dropped_ids[name]:
                    element.getparent().remove(element)
            parts[name] = _serialise(root)
        elif name == "xl/workbook.xml":
            parts[name] = _clean_workbook(parts[name], removed)

    if "[Content_Types].xml" in parts:
        types = _xml(parts["[Content_Types].xml"])
        for override in list(types):
            if override.get("PartName", "").lstrip("/") in dropped_parts:
                types.remove(override)
        parts["[Content_Types].xml"] = _serialise(types)

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for name in order:
            if name not in dropped_parts:
                package.writestr(name, parts[name])
    return Stripped(out.getvalue(), sorted(removed))


def _clean_word_part(data: bytes, removed: set[str]) -> bytes:
    root = _xml(data)
    changed = False
    for element in list(root.iter(*WORD_DROPPED)):
        parent = element.getparent()
        if parent is None:
            continue
        removed.add("批注" if "comment" in element.tag else "修订记录（修订作者、时间和删除的文字）")
        _remove_keeping_tail(element)
        changed = True
    for element in list(root.iter(*WORD_UNWRAPPED)):
        parent = element.getparent()
        if parent is None:
            continue
        removed.add("修订记录（修订作者、时间和删除的文字）")
        if parent.tag in WORD_PROPERTY_PARENTS:
            _remove_keeping_tail(element)  # an inserted paragraph mark: the paragraph simply stays
        else:
            index = parent.index(element)
            for offset, child in enumerate(list(element)):
                parent.insert(index + offset, child)
            _remove_keeping_tail(element)
        changed = True
    # Revision-save ids tie the file to the editing sessions that made it: attributes and elements.
    for element in list(root.iter(f"{{{W_NS}}}rsids", f"{{{W_NS}}}rsid")):
        if element.getparent() is not None:
            _remove_keeping_tail(element)
            changed = True
    for element in root.iter():
        for key in [key for key in element.attrib if key.startswith(f"{{{W_NS}}}rsid")]:
            del element.attrib[key]
            changed = True
    return _serialise(root) if changed else data


def _remove_keeping_tail(element) -> None:
    parent = element.getparent()
    if element.tail and element.tail.strip():
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)


def _clean_workbook(data: bytes, removed: set[str]) -> bytes:
    root = _xml(data)
    for element in list(root.iter(f"{{{X15AC_NS}}}absPath")):
        holder = element
        while holder.getparent() is not None and holder.tag != f"{{{MC_NS}}}AlternateContent":
            holder = holder.getparent()
        target = holder if holder.tag == f"{{{MC_NS}}}AlternateContent" else element
        target.getparent().remove(target)
        removed.add("保存路径")
    for element in root.iter(f"{{{S_NS}}}fileSharing"):
        if element.get("userName") is not None:
            del element.attrib["userName"]
            removed.add("文档属性（作者、最后修改者等）")
    for element in root.iter(f"{{{S_NS}}}workbookPr"):
        for key in ("codeName",):
            element.attrib.pop(key, None)
    return _serialise(root)


# ------------------------------------------------------------------------------------------------ PDF

# Annotations that are someone's remark (each names its author in /T); links and form fields stay.
PDF_MARKUP_ANNOTATIONS = {
    "/Text", "/FreeText", "/Popup", "/Highlight", "/Underline", "/Squiggly", "/StrikeOut", "/Caret", "/Ink",
    "/Stamp", "/Square", "/Circle", "/Line", "/Polygon", "/PolyLine", "/FileAttachment", "/Sound", "/Redact",
}


# Names that show where metadata may be; /ObjStm because a compressed object stream hides the page
# dictionaries' keys (their /Annots) from a byte search.
PDF_METADATA_KEYS = (b"/Info", b"/Metadata", b"/Annots", b"/PieceInfo", b"/ObjStm")


def _pdf_is_signed(reader) -> bool:
    root = reader.trailer["/Root"]
    form = root.get("/AcroForm")
    if form is None:
        return False
    form = form.get_object()
    if int(form.get("/SigFlags", 0)) & 1:
        return True
    for reference in form.get("/Fields", []) or []:
        if reference.get_object().get("/FT") == "/Sig":
            return True
    return False


def _strip_pdf(data: bytes) -> Stripped:
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject

    if not any(key in data for key in PDF_METADATA_KEYS):
        # Nothing that could hold metadata (the trailer's /Info, an XMP stream's /Metadata, a page's
        # /Annots, /PieceInfo) and no compressed objects that could hide them: stored as it is.
        return Stripped(data)
    reader = PdfReader(io.BytesIO(data), strict=False)
    if reader.is_encrypted:
        raise MetadataUnreadable("encrypted PDF")
    if _pdf_is_signed(reader):
        return Stripped(data, note="PDF 带有电子签章，为保持签章有效未清除文档属性")
    removed: set[str] = set()
    info = reader.trailer.get("/Info")
    if info is not None and len(info.get_object()):
        removed.add("文档属性（作者、创建程序等）")
    writer = PdfWriter(clone_from=reader)
    writer.metadata = None  # no /Info in the trailer at all
    root = writer._root_object
    for key in ("/Metadata", "/PieceInfo"):
        if key in root:
            del root[NameObject(key)]
            removed.add("XMP 元数据" if key == "/Metadata" else "应用程序私有数据")
    for page in writer.pages:
        for key in ("/Metadata", "/PieceInfo"):
            if key in page:
                del page[NameObject(key)]
                removed.add("XMP 元数据" if key == "/Metadata" else "应用程序私有数据")
        annotations = page.get("/Annots")
        if annotations is None:
            continue
        annotations = annotations.get_object()
        kept = [a for a in annotations if a.get_object().get("/Subtype") not in PDF_MARKUP_ANNOTATIONS]
        if len(kept) != len(annotations):
            removed.add("批注")
            annotations.clear()
            annotations.extend(kept)
    for obj in list(writer._objects):  # XMP of images, fonts and other objects
        if obj is None or not hasattr(obj, "keys"):
            continue
        if "/Metadata" in obj:
            del obj[NameObject("/Metadata")]
            removed.add("XMP 元数据")
    # The detached streams (the XMP packets) would otherwise still be written out.
    writer.compress_identical_objects()  # merges duplicates and drops unreferenced objects
    out = io.BytesIO()
    writer.write(out)
    return Stripped(out.getvalue(), sorted(removed))


# ------------------------------------------------------------------------------------------- images

JPEG_DROPPED_MARKERS = {0xE1, 0xE2, 0xE3, 0xE4, 0xE5, 0xE6, 0xE7, 0xE8, 0xE9, 0xEA, 0xEB, 0xEC, 0xED, 0xEF, 0xFE}
PNG_DROPPED_CHUNKS = {b"tEXt", b"zTXt", b"iTXt", b"eXIf", b"tIME"}


def _strip_jpeg(data: bytes) -> Stripped:
    """Drop APPn segments but APP0 (JFIF), APP2 ICC profiles and APP14 (Adobe colour transform), and COM,
    before the scan."""
    if data[:2] != b"\xff\xd8":
        raise MetadataUnreadable("not a JPEG")
    out = bytearray(data[:2])
    position = 2
    removed = set()
    while position + 4 <= len(data):
        if data[position] != 0xFF:
            raise MetadataUnreadable("bad JPEG segment")
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
            continue
        if marker in (0xDA, 0xD9):  # start of scan (the image data follows, copied as it is) or the end
            out += data[position:]
            return Stripped(bytes(out), sorted(removed))
        (length,) = struct.unpack(">H", data[position + 2 : position + 4])
        segment = data[position : position + 2 + length]
        if marker in JPEG_DROPPED_MARKERS and not segment[4:16] == b"ICC_PROFILE\0":  # colours stay right
            removed.add("图片拍摄信息（EXIF、位置等）" if marker != 0xFE else "图片注释")
        else:
            out += segment
        position += 2 + length
    raise MetadataUnreadable("JPEG without image data")


def _strip_png(data: bytes) -> Stripped:
    signature = b"\x89PNG\r\n\x1a\n"
    if not data.startswith(signature):
        raise MetadataUnreadable("not a PNG")
    out = bytearray(signature)
    position = len(signature)
    removed = set()
    while position + 12 <= len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        chunk = data[position : position + 12 + length]
        if kind in PNG_DROPPED_CHUNKS:
            removed.add("图片文字信息（EXIF 等）")
        else:
            out += chunk
        position += 12 + length
        if kind == b"IEND":
            return Stripped(bytes(out), sorted(removed))
    raise MetadataUnreadable("PNG without IEND")

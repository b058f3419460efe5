"""Office files are ZIP archives: a bomb or a maze inside one is refused from its central directory alone.

The archives are real ZIP files, written byte by byte here (local headers, central directory, end record,
ZIP64 records where the counts overflow) so that a 500 MB bomb and a 190,000-entry workbook take a
fraction of a second to make; the first tests show Python's zipfile reads them as what they claim.
"""

from __future__ import annotations

import functools
import io
import os
import struct
import zipfile
import zlib

import pytest
from django.core.exceptions import ValidationError

from disclosure.core.files import check_upload
from tests.disclosure.core.test_files import CONTENT_TYPES_XML, docx_bytes, upload, xlsx_bytes, zip_bytes

MB = 1024 * 1024
DEFLATED, STORED = 8, 0


def member(name: str, data: bytes, *, method: int = DEFLATED) -> tuple:
    """(name, method, crc, stored bytes, expanded size) of an ordinary entry."""
    if method == DEFLATED:
        packer = zlib.compressobj(9, zlib.DEFLATED, -15)
        stored = packer.compress(data) + packer.flush()
    else:
        stored = data
    return name, method, zlib.crc32(data), stored, len(data)


@functools.cache
def zeros_member(name: str, megabytes: int) -> tuple:
    """An entry expanding to ``megabytes`` MB of zeros. Deflate after a full flush starts afresh, so the
    compressed form of one megabyte, repeated, is the compressed form of many: nothing is compressed
    ``megabytes`` times, and the bomb is about 1 KB per MB."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = packer.compress(b"\0" * MB) + packer.flush(zlib.Z_FULL_FLUSH)
    stored = block * megabytes + b"\x03\x00"  # an empty final block ends the stream
    crc = 0
    zero_mb = b"\0" * MB
    for _ in range(megabytes):
        crc = zlib.crc32(zero_mb, crc)
    return name, DEFLATED, crc, stored, megabytes * MB


def craft_zip(members, *, empty: int = 0, declared_count: int | None = None, zip64: bool = False) -> bytes:
    """A ZIP file of ``members`` (see member()) and ``empty`` empty entries xl/c/000000.xml, …; ZIP64
    end records when there are more than 65,535 entries (or ``zip64``). ``declared_count`` writes a
    false entry count into the end record."""
    local_header = struct.Struct("<4sHHHHHLLLHH").pack
    central_header = struct.Struct("<4sHHHHHHLLLHHHHHLL").pack
    body = bytearray()
    central = bytearray()
    for name, method, crc, stored, size in members:
        encoded = name.encode()
        offset = len(body)
        body += local_header(b"PK\x03\x04", 20, 0x800, method, 0, 0x21, crc, len(stored), size, len(encoded), 0)
        body += encoded
        body += stored
        central += central_header(
            b"PK\x01\x02", 20, 20, 0x800, method, 0, 0x21, crc, len(stored), size, len(encoded), 0, 0, 0, 0, 0, offset
        )
        central += encoded
    if empty:
        names = [b"xl/c/%06d.xml" % i for i in range(empty)]
        local = local_header(b"PK\x03\x04", 20, 0x800, STORED, 0, 0x21, 0, 0, 0, 15, 0)
        start = len(body)
        body += b"".join([local + name for name in names])
        entry = central_header(b"PK\x01\x02", 20, 20, 0x800, STORED, 0, 0x21, 0, 0, 0, 15, 0, 0, 0, 0, 0, 0)[:-4]
        offset = struct.Struct("<L").pack
        central += b"".join([entry + offset(start + 45 * i) + name for i, name in enumerate(names)])
    cd_offset = len(body)
    body += central
    count = len(members) + empty if declared_count is None else declared_count
    if count > 0xFFFF or zip64:
        zip64_end = len(body)
        body += struct.pack("<4sQHHLLQQQQ", b"PK\x06\x06", 44, 45, 45, 0, 0, count, count, len(central), cd_offset)
        body += struct.pack("<4sLQL", b"PK\x06\x07", 0, zip64_end, 1)
    short = 0xFFFF if zip64 else min(count, 0xFFFF)
    body += struct.pack("<4sHHHHLLH", b"PK\x05\x06", 0, 0, short, short, len(central), cd_offset, 0)
    return bytes(body)


def docx_with(*extra) -> bytes:
    return craft_zip(
        [
            member("[Content_Types].xml", CONTENT_TYPES_XML.encode()),
            member("_rels/.rels", b"<Relationships/>"),
            member("word/document.xml", b"<w:document><w:body><w:p/></w:body></w:document>"),
            *extra,
        ]
    )


def huge_workbook(entries: int, *, zip64: bool = False) -> bytes:
    """A workbook of ``entries`` parts, nearly all empty: what a 190,000-cell export could look like."""
    return craft_zip(
        [member("[Content_Types].xml", CONTENT_TYPES_XML.encode()), member("xl/workbook.xml", b"<workbook/>")],
        empty=entries - 2,
        zip64=zip64,
    )


def refusal(name: str, content: bytes) -> str:
    with pytest.raises(ValidationError) as error:
        check_upload(upload(name, content))
    return " ".join(error.value.messages)


# ---------------------------------------------------------------- the crafted files are real


def test_the_crafted_bomb_is_a_real_500_mb_document():
    """Python's zipfile opens the crafted bomb, lists a 500 MB word/document.xml and inflates zeros from it."""
    bomb = docx_with(zeros_member("word/media/image1.xml", 500))
    assert len(bomb) < 1 * MB
    with zipfile.ZipFile(io.BytesIO(bomb)) as archive:
        info = archive.getinfo("word/media/image1.xml")
        assert info.file_size == 500 * MB
        with archive.open(info) as stream:
            assert stream.read(4 * MB) == b"\0" * (4 * MB)
        assert archive.read("_rels/.rels") == b"<Relationships/>"


def test_the_crafted_workbook_has_as_many_entries_as_it_says():
    """Python's zipfile reads the crafted workbooks, ZIP64 end records (used past 65,535 entries) included."""
    for zip64 in (False, True):
        with zipfile.ZipFile(io.BytesIO(huge_workbook(500, zip64=zip64))) as archive:
            names = archive.namelist()
        assert len(names) == 500 and names[-1] == "xl/c/000497.xml"


# ---------------------------------------------------------------- what is refused


def test_a_zip_bomb_docx_is_refused_for_its_compression_ratio():
    """A .docx whose part expands 500 MB from under 1 MB is refused, naming the part and the ratio."""
    text = refusal("通知.docx", docx_with(zeros_member("word/media/image1.xml", 500)))
    assert "通知.docx" in text and "word/media/image1.xml" in text and "压缩比超过 100:1" in text


def test_a_190000_entry_workbook_is_refused_by_its_entry_count():
    """A workbook of 190,000 entries is refused for the count (the limit is 10,000 entries)."""
    text = refusal("名单.xlsx", huge_workbook(190_000))
    assert "名单.xlsx" in text and "超过 10000 个" in text


def test_a_false_entry_count_in_the_end_record_does_not_hide_the_entries():
    """The entries are counted in the central directory itself, not taken from the end record's claim."""
    content = craft_zip(
        [member("[Content_Types].xml", CONTENT_TYPES_XML.encode())],
        empty=10_000,
        declared_count=2,
    )
    assert "超过 10000 个" in refusal("名单.xlsx", content)


def test_the_entry_limit_is_a_setting(settings):
    """ARCHIVE_MAX_ENTRIES decides: at the limit passes, one more is refused."""
    settings.ARCHIVE_MAX_ENTRIES = 50
    for zip64 in (False, True):
        assert check_upload(upload("名单.xlsx", huge_workbook(50, zip64=zip64)))["kind"] == "xlsx"
        assert "超过 50 个" in refusal("名单.xlsx", huge_workbook(51, zip64=zip64))


def test_many_small_parts_that_expand_too_far_together_are_refused():
    """Parts each below the 1 MB grace size but 1000:1 together are refused for the overall ratio."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    zeros = b"\0" * (1000 * 1024)
    stored = packer.compress(zeros) + packer.flush()
    small = [("word/parts/p%d.xml" % i, DEFLATED, zlib.crc32(zeros), stored, len(zeros)) for i in range(100)]
    text = refusal("通知.docx", docx_with(*small))
    assert "整体压缩比超过 100:1" in text


def test_the_total_expanded_size_has_a_limit(settings):
    """An archive expanding beyond ARCHIVE_MAX_EXPANDED_BYTES is refused with both sizes, whatever its ratio."""
    settings.ARCHIVE_MAX_EXPANDED_BYTES = 1 * MB
    content = docx_with(member("word/media/photo.bin", os.urandom(2 * MB), method=STORED))
    text = refusal("通知.docx", content)
    assert "解压后达 2.0\xa0MB" in text and "超过上限 1.0\xa0MB" in text


@pytest.mark.parametrize(
    "entry",
    ["../../etc/cron.d/evil", "word/../../evil.xml", "/etc/passwd", "C:/Windows/evil.dll", "word\\..\\evil.xml"],
)
def test_entries_with_traversal_or_absolute_names_are_refused(entry):
    """An entry whose name climbs out of the archive or is absolute is refused, naming it."""
    text = refusal("通知.docx", docx_with(member(entry, b"x")))
    assert "非法路径" in text and entry in text


@pytest.mark.parametrize("entry", ["word/media/payload.zip", "payload.7z", "word/media/setup.rar", "word/chart.xlsx"])
def test_archives_nested_inside_are_refused(entry):
    """A ZIP, 7z or RAR inside an office file, or an office package outside an embeddings folder, is refused."""
    text = refusal("通知.docx", docx_with(member(entry, zip_bytes({"a.txt": "x"}))))
    assert "内嵌压缩包" in text and entry in text


def test_a_word_chart_with_its_embedded_workbook_is_accepted():
    """Word keeps the data of every chart as an .xlsx under word/embeddings/: such a document passes."""
    content = docx_with(member("word/embeddings/Microsoft_Excel_Worksheet.xlsx", xlsx_bytes()))
    assert check_upload(upload("统计.docx", content))["kind"] == "docx"


def test_a_bomb_inside_an_embedded_workbook_is_refused():
    """The embedded package is checked the same way: a bomb inside it is refused."""
    inner = craft_zip([member("[Content_Types].xml", CONTENT_TYPES_XML.encode()), zeros_member("xl/s.xml", 300)])
    text = refusal("统计.docx", docx_with(member("word/embeddings/Book1.xlsx", inner, method=STORED)))
    assert "xl/s.xml" in text and "压缩比超过" in text


def test_an_embedded_package_inside_an_embedded_package_is_refused():
    """Only one level of embedding is followed; a package inside the embedded one is refused."""
    inner = craft_zip(
        [member("[Content_Types].xml", CONTENT_TYPES_XML.encode()), member("xl/embeddings/deeper.docx", docx_bytes())]
    )
    text = refusal("统计.docx", docx_with(member("word/embeddings/Book1.xlsx", inner, method=STORED)))
    assert "内嵌压缩包" in text and "xl/embeddings/deeper.docx" in text


def test_a_truncated_archive_is_refused_as_damaged():
    """A .docx cut short (no central directory) is refused as a damaged archive, not a server error."""
    assert "压缩结构已损坏" in refusal("通知.docx", docx_bytes()[:200])


def test_ordinary_office_files_still_pass():
    """A normal .docx and .xlsx, written by zipfile, pass with their kind (PDF and the rest: test_files.py)."""
    assert check_upload(upload("申请表.docx", docx_bytes()))["kind"] == "docx"
    assert check_upload(upload("名单.xlsx", xlsx_bytes()))["kind"] == "xlsx"

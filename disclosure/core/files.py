"""Checking attachments by their content, not their name.

``check_upload`` is the one gate every upload passes (records, consultations, service guides), in this
order: the name's extension, the size, the archive structure of ZIP-based formats (DOCX, XLSX, OFD)
read from the central directory alone, the content against the extension, and, when a clamd is
configured, a virus scan. The size limit is also enforced earlier, while the body streams in
(``disclosure.core.uploads``).
"""

from __future__ import annotations

import hashlib
import io
import logging
import struct
import zipfile
from pathlib import PurePath, PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from disclosure.core import clamd

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .doc, .xls, .wps
ALLOWED_SUFFIXES = {
    ".pdf": "pdf",
    ".ofd": "ofd",
    ".doc": "ole",
    ".xls": "ole",
    ".wps": "ole",
    ".et": "ole",
    ".docx": "docx",
    ".xlsx": "xlsx",
    ".jpg": "jpeg",
    ".jpeg": "jpeg",
    ".png": "png",
}
CONTENT_TYPES = {
    ".pdf": "application/pdf",
    ".ofd": "application/ofd",
    ".doc": "application/msword",
    ".xls": "application/vnd.ms-excel",
    ".wps": "application/vnd.ms-works",
    ".et": "application/vnd.ms-excel",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
}


# ---------------------------------------------------------------- archives (ZIP-based formats)

logger = logging.getLogger(__name__)

ZIP_LOCAL = b"PK\x03\x04"
ZIP_CENTRAL = b"PK\x01\x02"
ZIP_END = b"PK\x05\x06"
ZIP64_LOCATOR = b"PK\x06\x07"
ZIP64_END = b"PK\x06\x06"
ZIP_END_SIZE = 22
ZIP_CENTRAL_SIZE = 46
# Entries this small may compress better than ARCHIVE_MAX_RATIO (a run of spaces in an XML part)
# without being a bomb; the ratio is judged above this size, per entry and for the whole archive.
RATIO_GRACE_BYTES = 1024 * 1024
# Archives inside an archive are refused; office files and WPS put embedded charts and objects
# (an .xlsx behind every Word chart) under an "embeddings" folder, and those are checked the same way.
NESTED_ARCHIVE_SUFFIXES = {
    ".zip", ".rar", ".7z", ".gz", ".tgz", ".bz2", ".xz", ".tar", ".cab", ".jar", ".apk", ".iso", ".zipx", ".z",
}
EMBEDDED_PACKAGE_SUFFIXES = {
    ".docx", ".docm", ".xlsx", ".xlsm", ".pptx", ".pptm", ".odt", ".ods", ".odp", ".ofd",
}
EMBEDDINGS_FOLDER = "embeddings"


class ArchiveRefused(Exception):
    """Why an archive is refused: a Chinese sentence missing only the attachment's name."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _entry_label(name: str) -> str:
    return name if len(name) <= 80 else name[:77] + "…"


def _central_directory(data) -> tuple[int, int]:
    """(offset, size) of the central directory, from the end record (ZIP64 where the 16-bit and
    32-bit fields overflow), reading only the file's tail."""
    data.seek(0, 2)
    length = data.tell()
    tail_length = min(length, ZIP_END_SIZE + 0xFFFF + 20)
    data.seek(length - tail_length)
    tail = data.read(tail_length)
    at = tail.rfind(ZIP_END)
    if at < 0 or len(tail) - at < ZIP_END_SIZE:
        raise ArchiveRefused(_("附件“%(name)s”的压缩结构已损坏，已拒绝上传。"))
    entries, cd_size, cd_offset = struct.unpack("<6xHLL", tail[at + 4 : at + 20])
    if (entries == 0xFFFF or cd_size == 0xFFFFFFFF or cd_offset == 0xFFFFFFFF) and (
        at >= 20 and tail[at - 20 : at - 16] == ZIP64_LOCATOR
    ):
        (zip64_end,) = struct.unpack("<Q", tail[at - 12 : at - 4])
        data.seek(zip64_end)
        record = data.read(56)
        if len(record) == 56 and record[:4] == ZIP64_END:
            cd_size, cd_offset = struct.unpack("<QQ", record[40:56])
    if cd_offset + cd_size > length:
        raise ArchiveRefused(_("附件“%(name)s”的压缩结构已损坏，已拒绝上传。"))
    return cd_offset, cd_size


def _count_entries(data, limit: int) -> None:
    """Walk the central directory's records (fixed header and three lengths each, nothing decompressed),
    stopping as soon as there are more than ``limit``: the count in the end record may lie, and
    zipfile would build an object for every record before anyone could look."""
    offset, size = _central_directory(data)
    data.seek(offset)
    directory = data.read(size)
    position = count = 0
    while position + ZIP_CENTRAL_SIZE <= len(directory):
        if directory[position : position + 4] != ZIP_CENTRAL:
            raise ArchiveRefused(_("附件“%(name)s”的压缩结构已损坏，已拒绝上传。"))
        name_length, extra_length, comment_length = struct.unpack(
            "<HHH", directory[position + 28 : position + 34]
        )
        position += ZIP_CENTRAL_SIZE + name_length + extra_length + comment_length
        count += 1
        if count > limit:
            raise ArchiveRefused(
                _("附件“%%(name)s”内含文件超过 %(limit)s 个，可能是压缩炸弹，已拒绝上传。") % {"limit": limit}
            )


def _unsafe_path(name: str) -> bool:
    if not name or "\x00" in name or "\\" in name or name.startswith("/"):
        return True
    if len(name) >= 2 and name[1] == ":":  # a drive letter, C:...
        return True
    return ".." in PurePosixPath(name).parts


def _check_archive(data, depth: int = 0) -> None:
    """Refuse a ZIP whose central directory promises a bomb; raises ArchiveRefused. Nothing is
    decompressed except an office file embedded under an "embeddings" folder (itself within the limits),
    which is checked the same way, one level deep."""
    _count_entries(data, settings.ARCHIVE_MAX_ENTRIES)
    data.seek(0)
    try:
        archive = zipfile.ZipFile(data)
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        raise ArchiveRefused(_("附件“%(name)s”的压缩结构已损坏，已拒绝上传。")) from None
    ratio = settings.ARCHIVE_MAX_RATIO
    expanded_limit = settings.ARCHIVE_MAX_EXPANDED_BYTES
    with archive:
        infos = archive.infolist()
        expanded = compressed = 0
        for info in infos:
            name = info.filename
            entry = _entry_label(name)
            if _unsafe_path(name):
                raise ArchiveRefused(
                    _("附件“%%(name)s”内含非法路径“%(entry)s”，已拒绝上传。") % {"entry": entry}
                )
            suffix = PurePosixPath(name).suffix.lower()
            embedded = suffix in EMBEDDED_PACKAGE_SUFFIXES and EMBEDDINGS_FOLDER in PurePosixPath(name.lower()).parts
            if suffix in NESTED_ARCHIVE_SUFFIXES or (suffix in EMBEDDED_PACKAGE_SUFFIXES and (not embedded or depth)):
                raise ArchiveRefused(
                    _("附件“%%(name)s”内嵌压缩包“%(entry)s”，已拒绝上传。") % {"entry": entry}
                )
            expanded += info.file_size
            compressed += info.compress_size
            if info.file_size > RATIO_GRACE_BYTES and info.file_size > ratio * max(info.compress_size, 1):
                raise ArchiveRefused(
                    _("附件“%%(name)s”中的“%(entry)s”压缩比超过 %(ratio)s:1，可能是压缩炸弹，已拒绝上传。")
                    % {"entry": entry, "ratio": ratio}
                )
        if expanded > expanded_limit:
            raise ArchiveRefused(
                _("附件“%%(name)s”解压后达 %(size)s，超过上限 %(limit)s，已拒绝上传。")
                % {"size": filesizeformat(expanded), "limit": filesizeformat(expanded_limit)}
            )
        if expanded > RATIO_GRACE_BYTES and expanded > ratio * max(compressed, 1):
            raise ArchiveRefused(
                _("附件“%%(name)s”整体压缩比超过 %(ratio)s:1，可能是压缩炸弹，已拒绝上传。") % {"ratio": ratio}
            )
        for info in infos:
            suffix = PurePosixPath(info.filename).suffix.lower()
            if suffix in EMBEDDED_PACKAGE_SUFFIXES:
                if info.file_size > settings.ATTACHMENT_MAX_BYTES:
                    raise ArchiveRefused(
                        _("附件“%%(name)s”内嵌文件“%(entry)s”过大，已拒绝上传。")
                        % {"entry": _entry_label(info.filename)}
                    )
                try:
                    inner = io.BytesIO(archive.read(info))
                except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError, RuntimeError):
                    raise ArchiveRefused(_("附件“%(name)s”的压缩结构已损坏，已拒绝上传。")) from None
                if inner.getvalue().startswith(ZIP_LOCAL):
                    _check_archive(inner, depth=depth + 1)


def _zip_members(upload) -> set[str]:
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            return set(archive.namelist())
    except zipfile.BadZipFile:
        return set()
    finally:
        upload.seek(0)


def sniff(upload) -> str | None:
    """The kind of file the bytes say it is, or None for anything we do not accept."""
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(OLE2):
        return "ole"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"PK\x03\x04"):
        members = _zip_members(upload)
        if any(name.lower() == "ofd.xml" for name in members):
            return "ofd"
        if "[Content_Types].xml" in members:
            if any(name.startswith("word/") for name in members):
                return "docx"
            if any(name.startswith("xl/") for name in members):
                return "xlsx"
    return None


def check_upload(upload) -> dict:
    """Validate an uploaded file; returns its kind, size and digest, or raises ValidationError."""
    name = PurePath(upload.name or "").name
    suffix = PurePath(name).suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        raise ValidationError(
            _("不支持的附件格式“%(suffix)s”。可上传：PDF、OFD、DOC/DOCX、XLS/XLSX、WPS、JPG、PNG。")
            % {"suffix": suffix or _("无扩展名")}
        )
    if upload.size > settings.ATTACHMENT_MAX_BYTES:
        raise ValidationError(
            _("附件“%(name)s”大小为 %(size)s，超过上限 %(limit)s。")
            % {
                "name": name,
                "size": filesizeformat(upload.size),
                "limit": filesizeformat(settings.ATTACHMENT_MAX_BYTES),
            }
        )
    upload.seek(0)
    if upload.read(4) == ZIP_LOCAL:
        # Before anything opens the archive: zipfile would build an object per entry, and every
        # later reader (a browser, Word, a search indexer) would expand what it promises.
        try:
            _check_archive(upload)
        except ArchiveRefused as refusal:
            raise ValidationError(refusal.message % {"name": name}) from None
        finally:
            upload.seek(0)
    upload.seek(0)
    kind = sniff(upload)
    if kind != ALLOWED_SUFFIXES[suffix]:
        raise ValidationError(
            _("附件“%(name)s”的内容与扩展名不符，或不是受支持的文件，已拒绝上传。") % {"name": name}
        )
    if clamd.configured():
        _scan(upload, name)
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks() if hasattr(upload, "chunks") else [upload.read()]:
        digest.update(chunk)
    upload.seek(0)
    return {"kind": suffix.lstrip("."), "size": upload.size, "sha256": digest.hexdigest(), "name": name}


def _chunks(upload):
    upload.seek(0)
    if hasattr(upload, "chunks"):
        yield from upload.chunks()
    else:
        yield upload.read()


def _scan(upload, name: str) -> None:
    """Refuse an infected file; one that cannot be scanned is refused too unless CLAMD_REQUIRED is off."""
    try:
        verdict = clamd.scan(_chunks(upload))
    except clamd.ScanUnavailable:
        if settings.CLAMD_REQUIRED:
            raise ValidationError(
                _("暂时无法对附件“%(name)s”进行病毒扫描，已拒绝上传，请稍后再试。") % {"name": name}
            ) from None
        logger.warning("Attachment %s accepted without a virus scan: clamd unavailable", name)
        return
    finally:
        upload.seek(0)
    if not verdict.clean:
        raise ValidationError(
            _("附件“%(name)s”检出病毒（%(signature)s），已拒绝上传。")
            % {"name": name, "signature": verdict.signature}
        )


def content_type_for(name: str) -> str:
    return CONTENT_TYPES.get(PurePath(name).suffix.lower(), "application/octet-stream")

"""Checking attachments by their content, not their name."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

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
    kind = sniff(upload)
    if kind != ALLOWED_SUFFIXES[suffix]:
        raise ValidationError(
            _("附件“%(name)s”的内容与扩展名不符，或不是受支持的文件，已拒绝上传。") % {"name": name}
        )
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks() if hasattr(upload, "chunks") else [upload.read()]:
        digest.update(chunk)
    upload.seek(0)
    return {"kind": suffix.lstrip("."), "size": upload.size, "sha256": digest.hexdigest(), "name": name}


def content_type_for(name: str) -> str:
    return CONTENT_TYPES.get(PurePath(name).suffix.lower(), "application/octet-stream")

"""Filling a rich body from a Word document (.docx), with mammoth.

The upload passes the attachment gate first (``disclosure.core.files.check_upload``: extension, size, the
archive's central directory against zip bombs, content against the extension, the virus scan), and only
then does mammoth open it. What comes out is sanitised like any body (``clean_body``). Headings move one
level down, since the page's title is its only first-level heading; pictures are left out, since a body
shows only images uploaded as attachments; the caller tells the user how many were.
"""

from __future__ import annotations

from dataclasses import dataclass

import mammoth
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from disclosure.core.files import check_upload
from disclosure.core.sanitize import clean_body

# Word's built-in heading styles (English names as stored in the file, and the Chinese ones WPS writes),
# one level down; deeper levels stop at h4, the deepest the editor offers.
STYLE_MAP = "\n".join(
    f"p[style-name='{name} {level}'] => h{min(level + 1, 4)}:fresh"
    for name in ("Heading", "heading", "标题")
    for level in range(1, 7)
) + "\np[style-name='Title'] => h2:fresh\np[style-name='标题'] => h2:fresh"


@dataclass(frozen=True)
class DocxBody:
    html: str
    images_left_out: int


def docx_body(upload) -> DocxBody:
    """The body of the .docx ``upload``; ValidationError (Chinese) for anything else or a broken file."""
    facts = check_upload(upload)
    if facts["kind"] != "docx":
        raise ValidationError(_("只能从 Word 文档（.docx）导入正文；旧版 .doc 请先在 Word 中另存为 .docx。"))
    images = []

    def leave_out(image):
        images.append(image)
        return []

    upload.seek(0)
    try:
        result = mammoth.convert_to_html(
            upload,
            style_map=STYLE_MAP,
            include_embedded_style_map=False,
            convert_image=leave_out,
        )
    except Exception:  # mammoth raises whatever its XML and zip readers raise on a damaged file
        raise ValidationError(_("无法读取 Word 文档“%(name)s”，文件可能已损坏。") % {"name": facts["name"]}) from None
    finally:
        upload.seek(0)
    html = clean_body(result.value)
    if not html:
        raise ValidationError(_("Word 文档“%(name)s”中没有可导入的正文。") % {"name": facts["name"]})
    return DocxBody(html=html, images_left_out=len(images))

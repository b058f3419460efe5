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
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

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


class DocxBodyFormMixin(forms.Form):
    """A content form's "从 Word 文档导入正文" field: a .docx uploaded there replaces the ``body`` field's value
    when the form is cleaned; the form's data is changed too, so that the imported body is what the editor
    shows if the form comes back with other errors. ``docx_images_left_out`` counts the pictures not taken.
    Call ``import_docx(cleaned_data)`` from ``clean()``."""

    body_docx = forms.FileField(
        label=gettext_lazy("从 Word 文档导入正文"),
        required=False,
        help_text=gettext_lazy(
            "选择 .docx 文件，保存时以文档内容替换下方正文（保留标题、段落、列表和表格；图片请作为附件上传）。"
        ),
    )
    docx_images_left_out = 0

    def import_docx(self, cleaned: dict) -> None:
        if not cleaned.get("body_docx"):
            return
        try:
            imported = docx_body(cleaned["body_docx"])
        except ValidationError as error:
            self.add_error("body_docx", error)
            return
        cleaned["body"] = imported.html
        self.data = self.data.copy()
        self.data[self.add_prefix("body")] = imported.html
        self.docx_images_left_out = imported.images_left_out


def images_left_out_message(count: int) -> str:
    return _("已从 Word 文档导入正文；文档中的 %(count)s 张图片未导入，请作为附件上传。") % {"count": count}

"""Images in a record body: only images uploaded as the record's attachments (JPG, PNG), each addressed by
its content's SHA-256 (``/images/<sha256>/``), so that the address a body holds outlives revisions, which copy
the attachments of the record they revise with the same bytes.

The public gets an image only when a public record has it as an attachment (``selectors.public_image``);
staff also get the images of the records they may read (for the editor and the preview), never cached.
"""

from __future__ import annotations

import json

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _

from disclosure.records import policy
from disclosure.records.models import Attachment, Record

IMAGE_KINDS = ("jpg", "jpeg", "png")
IMAGE_TYPES = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png"}


def image_url(digest: str) -> str:
    return reverse("disclosure:record_image", args=[digest])


def image_url_prefix() -> str:
    """What every body image's address starts with; the editor accepts no other image."""
    sample = "0" * 64
    return image_url(sample).removesuffix(f"{sample}/")


def editor_images(record: Record | None) -> str:
    """JSON of the record's image attachments for the editor's 插入图片 list: address and file name."""
    if record is None or record.pk is None:
        return "[]"
    images = record.attachments.filter(kind__in=IMAGE_KINDS).order_by("sort_order", "id")
    return json.dumps([{"src": image_url(image.sha256), "name": image.original_name} for image in images])


def staff_image(user, digest: str) -> Attachment | None:
    """An image attachment with this content on a record ``user`` may read in the admin, or None."""
    if not (user.is_authenticated and user.is_staff):
        return None
    return Attachment.objects.filter(
        sha256=digest, kind__in=IMAGE_KINDS, record__in=policy.visible_records(user)
    ).first()


def refuse_removing_shown_image(attachment: Attachment) -> None:
    """ValidationError when the record's body shows this image and no other attachment of the record has
    the same bytes: removing it would leave a broken image on the public page."""
    if attachment.kind not in IMAGE_KINDS:
        return
    body = Record.objects.filter(pk=attachment.record_id).values_list("body", flat=True).get()
    if image_url(attachment.sha256) not in body:
        return
    if Attachment.objects.filter(record_id=attachment.record_id, sha256=attachment.sha256).exclude(pk=attachment.pk).exists():
        return
    raise ValidationError(
        {"body": _("正文中插入了图片“%(name)s”，请先从正文中删除该图片，再删除这个附件。") % {"name": attachment.original_name}}
    )

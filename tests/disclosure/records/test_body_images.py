"""Images in record bodies: only image attachments, at /images/<sha256>/, shown to the public only when a
public record has them; staff see those of records they may read (editor, preview), never cached."""

from __future__ import annotations

import hashlib
import json
import struct
import zlib
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from catalog.models import CatalogNode
from disclosure.core.access import Role
from disclosure.records import services
from tests.admin_client import client_for
from tests.disclosure.publishing import COUNTY, TOWNSHIP, Desk, leak_world
from tests.factories import make_staff, record_fields

pytestmark = pytest.mark.django_db

NODE = "020503"


def png(seed: int) -> bytes:
    """A valid 1×1 PNG whose colour (and so SHA-256) depends on ``seed``."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixel = b"\x00" + bytes([seed % 256, 0x80, 0x40])
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(pixel)) + chunk(b"IEND", b"")


@pytest.fixture
def a(standard_catalog, demo_orgs, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    county = demo_orgs[COUNTY]
    desk = Desk(county)
    return SimpleNamespace(
        county=county,
        desk=desk,
        node=CatalogNode.objects.get(code=NODE),
        town=make_staff(demo_orgs[TOWNSHIP], Role.EDITOR, username="town"),
    )


def with_image(a, record, seed=1, name="位置图.png"):
    return services.attachment_add(
        user=a.desk.editor, record=record, upload=SimpleUploadedFile(name, png(seed), content_type="image/png")
    )


def image_url(attachment) -> str:
    return reverse("disclosure:record_image", args=[attachment.sha256])


def test_public_record_image_is_shown_inline(a):
    record = a.desk.draft(a.node)
    image = with_image(a, record)
    a.desk.bring_to(record, "published")
    response = Client().get(image_url(image))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response.get("Content-Disposition", "inline").startswith("inline")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == png(1)


def test_draft_image_is_for_staff_of_the_organisation_only(a):
    """Before publication: 404 to the public and to another organisation's staff; the editor sees it,
    never cached."""
    image = with_image(a, a.desk.draft(a.node))
    assert Client().get(image_url(image)).status_code == 404
    assert client_for(a.town).get(image_url(image)).status_code == 404
    response = client_for(a.desk.editor).get(image_url(image))
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]


def test_image_survives_revision(a):
    """A revision copies its original's attachments with the same bytes: the address in the body keeps
    working once the revision replaces the original."""
    record = a.desk.draft(a.node)
    image = with_image(a, record)
    original = a.desk.bring_to(record, "published")
    a.desk.revise(original, title="修订后的标题")
    assert Client().get(image_url(image)).status_code == 200


def test_no_image_of_the_leak_world_reaches_the_public(a, demo_orgs):
    """An image on every record of the leak world: only those of public records answer the public."""
    world = leak_world(demo_orgs)
    public_keys = {"published", "revision", "township"}
    for number, (key, record) in enumerate(sorted(world.items())):
        content = png(number + 10)
        # Attached directly, as if uploaded while each record was a draft (most are not editable now).
        image = record.attachments.create(
            file=SimpleUploadedFile(f"{key}.png", content),
            original_name=f"{key}.png",
            kind="png",
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
        )
        status = Client().get(image_url(image)).status_code
        assert status == (200 if key in public_keys else 404), key


def test_pdf_attachment_is_not_an_image(a):
    record = a.desk.draft(a.node)
    pdf = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
    attachment = services.attachment_add(user=a.desk.editor, record=record, upload=SimpleUploadedFile("a.pdf", pdf))
    a.desk.bring_to(record, "published")
    assert Client().get(image_url(attachment)).status_code == 404
    assert Client().get("/images/not-a-digest/").status_code == 404


def test_editor_form_lists_the_records_images(a):
    record = services.record_create(user=a.desk.editor, organisation=a.county, node=a.node, **record_fields())
    image = with_image(a, record)
    response = client_for(a.desk.editor).get(reverse("admin:disclosure_record_change", args=[record.pk]))
    widget = response.context["adminform"].form.fields["body"].widget
    assert json.loads(widget.attrs["data-body-images"]) == [{"src": image_url(image), "name": "位置图.png"}]
    assert widget.attrs["data-body-image-prefix"] == "/images/"


def test_public_image_costs_the_same_queries_whatever_the_data(a, django_assert_num_queries):
    """One query for an anonymous visitor (the public lookup), however many records and images there are."""
    record = a.desk.draft(a.node)
    image = with_image(a, record)
    a.desk.bring_to(record, "published")
    client = Client()
    client.get(image_url(image))  # settle whatever is cached per process (site settings, calendar)
    with django_assert_num_queries(1) as first:
        assert client.get(image_url(image)).status_code == 200
    for seed in range(2, 6):
        more = a.desk.draft(a.node, title=f"更多{seed}")
        with_image(a, more, seed=seed)
        a.desk.bring_to(more, "published")
    with django_assert_num_queries(len(first.captured_queries)):
        assert client.get(image_url(image)).status_code == 200


def test_an_image_shown_in_the_body_cannot_be_removed_first(a):
    """Deleting the attachment of an image the body shows is refused on the body field and nothing is
    removed; deleting it in the same save that takes the image out of the body succeeds."""
    from disclosure.records.models import Attachment
    from tests.disclosure.records.test_admin_records import form_data

    record = services.record_create(user=a.desk.editor, organisation=a.county, node=a.node, **record_fields())
    image = with_image(a, record)
    shown = f'<p>位置如图。</p><img src="{image_url(image)}" alt="位置图">'
    record = services.record_update(user=a.desk.editor, record=record, body=shown)
    rows = {
        "attachments-TOTAL_FORMS": "1",
        "attachments-INITIAL_FORMS": "1",
        "attachments-0-id": str(image.pk),
        "attachments-0-record": str(record.pk),
        "attachments-0-sort_order": "0",
        "attachments-0-DELETE": "on",
    }
    url = reverse("admin:disclosure_record_change", args=[record.pk])
    editor = client_for(a.desk.editor)
    response = editor.post(url, form_data(a.node, body=shown, **rows))
    assert response.status_code == 200
    assert "请先从正文中删除该图片" in response.content.decode()
    assert Attachment.objects.filter(pk=image.pk).exists()
    response = editor.post(url, form_data(a.node, body="<p>位置见附件。</p>", **rows))
    assert response.status_code == 302
    assert not Attachment.objects.filter(pk=image.pk).exists()

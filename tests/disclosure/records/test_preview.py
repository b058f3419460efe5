"""The staff preview of a record page, and the public page's official-document layout.

The preview renders the public template for a record that is not public yet: for the editor before
submitting, for the reviewer before publishing; marked 预览, noindex, never cached, staff only, and only
within the user's organisation. After publication the public page shows the same body.
"""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from catalog.models import CatalogNode
from disclosure.core.access import Role
from disclosure.records import services
from disclosure.records.models import Record
from tests.admin_client import client_for
from tests.disclosure.publishing import COUNTY, PROACTIVE_STATES, TOWNSHIP, leak_world
from tests.factories import make_staff, record_fields

pytestmark = pytest.mark.django_db

NODE = "020503"
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
BODY = (
    "<p>经审核，下列家庭符合公共租赁住房保障条件，现予公示。</p>"
    "<ul><li>张某某家庭</li></ul>"
    "<p>清河县住房和城乡建设局</p>"
    "<p>2026年11月20日</p>"
)


@pytest.fixture
def a(standard_catalog, demo_orgs, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    county = demo_orgs[COUNTY]
    return SimpleNamespace(
        county=county,
        node=CatalogNode.objects.get(code=NODE),
        editor=make_staff(county, Role.EDITOR, username="editor"),
        reviewer=make_staff(county, Role.REVIEWER, username="reviewer"),
        auditor=make_staff(county, Role.AUDITOR, username="auditor"),
        town_editor=make_staff(demo_orgs[TOWNSHIP], Role.EDITOR, Role.REVIEWER, username="town"),
    )


def preview_url(record: Record) -> str:
    return reverse("admin:disclosure_record_preview", args=[record.pk])


def body_of(html: str) -> str:
    return re.search(r'<div class="record-body[^"]*">(.*?)</div>\s*\n', html, re.DOTALL).group(1)


def draft(a, **fields) -> Record:
    return services.record_create(user=a.editor, organisation=a.county, node=a.node, **record_fields(**fields))


def test_editor_previews_a_draft_as_the_public_page_will_show_it(a):
    """Before submitting: the public template, marked 预览, with the 落款 set right; never cached, never indexed."""
    record = draft(a, body=BODY)
    response = client_for(a.editor).get(preview_url(record))
    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "disclosure/records/record.html"
    html = response.content.decode()
    assert 'class="preview-banner"' in html and "<strong>预览</strong>" in html
    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert "<h1>关于公布2026年度公租房配租结果的公告</h1>" in html
    assert body_of(html) == (
        "<p>经审核，下列家庭符合公共租赁住房保障条件，现予公示。</p><ul><li>张某某家庭</li></ul>"
        '<div class="record-signature"><p>清河县住房和城乡建设局</p><p>2026年11月20日</p></div>'
    )
    assert "发布时生成" in html


def test_reviewer_previews_before_publishing_and_the_public_page_matches(a):
    """The reviewer previews the approved record; once published, the public page's body is the same,
    and the public page carries no preview mark."""
    record = draft(a, body=BODY)
    record = services.record_submit(user=a.editor, record=record)
    record = services.record_approve(user=a.reviewer, record=record, confidentiality_checked=True, openness_checked=True)
    preview = client_for(a.reviewer).get(preview_url(record))
    assert preview.status_code == 200
    record = services.record_publish(user=a.reviewer, record=record)
    public = Client().get(record.get_absolute_url())
    assert public.status_code == 200
    assert body_of(public.content.decode()) == body_of(preview.content.decode())
    assert "预览" not in public.content.decode() and "noindex" not in public.content.decode()
    assert "X-Robots-Tag" not in public


def test_preview_is_never_public(a):
    """Nobody outside the admin reaches a preview: anonymous visitors go to the login page, and a member
    of staff of another organisation gets the same 404 as for a record that does not exist."""
    record = draft(a)
    anonymous = Client().get(preview_url(record))
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("admin:login"))
    assert client_for(a.town_editor).get(preview_url(record)).status_code == 404
    assert client_for(a.editor).get(reverse("admin:disclosure_record_preview", args=[999999])).status_code == 404


def test_auditor_may_preview_in_scope(a):
    """An auditor reads everything in scope and changes nothing: the preview is reading."""
    assert client_for(a.auditor).get(preview_url(draft(a))).status_code == 200


def test_preview_attachment_downloads_through_the_admin(a):
    """The preview's attachment links go through the admin (the record has no public address yet);
    another record's attachment id answers 404."""
    record = draft(a)
    attachment = services.attachment_add(
        user=a.editor, record=record, upload=SimpleUploadedFile("名单.pdf", PDF, content_type="application/pdf")
    )
    other = services.attachment_add(
        user=a.editor, record=draft(a, title="另一条"), upload=SimpleUploadedFile("其他.pdf", PDF)
    )
    editor = client_for(a.editor)
    html = editor.get(preview_url(record)).content.decode()
    link = reverse("admin:disclosure_record_preview_attachment", args=[record.pk, attachment.pk])
    assert f'href="{link}"' in html
    response = editor.get(link)
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content) == PDF
    wrong = reverse("admin:disclosure_record_preview_attachment", args=[record.pk, other.pk])
    assert editor.get(wrong).status_code == 404
    assert client_for(a.town_editor).get(link).status_code == 404
    assert Client().get(link).status_code == 302


def test_no_record_of_the_leak_world_is_previewable_by_the_public(a, demo_orgs):
    """Every state and openness: the preview URL is a login redirect for an anonymous visitor and a 404
    for staff of another organisation, whatever the record's state."""
    world = leak_world(demo_orgs)
    assert set(PROACTIVE_STATES) <= set(world)
    anonymous, outsider = Client(), client_for(a.town_editor)
    for key, record in world.items():
        if record.organisation_id != a.county.pk:
            continue
        response = anonymous.get(preview_url(record))
        assert response.status_code == 302, key
        assert outsider.get(preview_url(record)).status_code == 404, key


def test_change_form_links_to_the_preview(a):
    record = draft(a)
    html = client_for(a.editor).get(reverse("admin:disclosure_record_change", args=[record.pk])).content.decode()
    assert f'href="{preview_url(record)}"' in html

"""Revisions: the reviewer's word-level diff against the published version (disclosure/records/diff.py),
the public change note (更新说明) and the version history read by auditors.

The expected differences are written out by hand from the two texts, never taken from the code.
"""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from disclosure.core.access import Role
from disclosure.records import diff, services
from disclosure.records.models import Record, Status
from tests.admin_client import client_for
from tests.factories import CatalogNodeFactory, make_staff, record_fields

COUNTY = "419901"
TOWNSHIP = "419901001"
PDF_A = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
PDF_B = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Lang (zh) >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
OLD_BODY = (
    "<p>第一条　为加强本县公共租赁住房管理，制定本细则。</p>"
    "<p>第三条　公共租赁住房租金标准每三年评估调整一次。</p>"
)
NEW_BODY = (
    "<p>第一条　为加强本县公共租赁住房管理，制定本细则。</p>"
    "<p>第二条　新就业无房职工可以申请。</p>"
    "<p>第三条　公共租赁住房租金标准每两年评估调整一次。</p>"
)


# ------------------------------------------------------------------------------------------- the diff


def kinds(segments):
    return [(s.kind, s.text) for s in segments]


def test_chinese_text_differs_by_character():
    """三 → 两 in "每三年": only that character is deleted and inserted."""
    paragraphs = diff.text_diff(["租金标准每三年评估调整一次"], ["租金标准每两年评估调整一次"])
    assert [kinds(p) for p in paragraphs] == [
        [("same", "租金标准每"), ("del", "三"), ("ins", "两"), ("same", "年评估调整一次")]
    ]


def test_latin_letters_and_digits_change_as_one_token():
    """A year inside a document number changes as a whole ("2025" → "2026"), not digit by digit."""
    paragraphs = diff.text_diff(["清建〔2025〕15号"], ["清建〔2026〕15号"])
    assert [kinds(p) for p in paragraphs] == [
        [("same", "清建〔"), ("del", "2025"), ("ins", "2026"), ("same", "〕15号")]
    ]


def test_an_inserted_paragraph_shows_whole_and_unchanged_ones_stay_plain():
    paragraphs = diff.text_diff(diff.html_paragraphs(OLD_BODY), diff.html_paragraphs(NEW_BODY))
    assert [kinds(p) for p in paragraphs] == [
        [("same", "第一条 为加强本县公共租赁住房管理，制定本细则。")],
        [("ins", "第二条 新就业无房职工可以申请。")],
        [("same", "第三条 公共租赁住房租金标准每"), ("del", "三"), ("ins", "两"), ("same", "年评估调整一次。")],
    ]


def test_html_becomes_one_line_per_block_with_table_cells_separated():
    html = "<h2>标题</h2><p>一<br>二</p><table><tr><td>甲</td><td>乙</td></tr></table><ul><li>丙</li></ul>"
    assert diff.html_paragraphs(html) == ["标题", "一", "二", "甲 | 乙", "丙"]


def test_rendered_differences_are_escaped():
    html = diff.render_segments([diff.Segment("ins", "<script>"), diff.Segment("same", "&")])
    assert html == '<ins class="diff-ins">&lt;script&gt;</ins>&amp;'


# --------------------------------------------------------------------------------- records and pages


@pytest.fixture
def r(demo_orgs):
    county = demo_orgs[COUNTY]
    domain = CatalogNodeFactory(code="02", name="保障性住房", levels=["county"])
    item = CatalogNodeFactory(code="0201", name="法规政策", parent=domain, levels=["county"])
    return SimpleNamespace(
        county=county,
        node=CatalogNodeFactory(code="020102", name="政策文件", parent=item, levels=["county"]),
        editor=make_staff(county, Role.EDITOR, username="editor", first_name="张晓梅"),
        reviewer=make_staff(county, Role.REVIEWER, username="reviewer", first_name="李建国"),
        auditor=make_staff(county, Role.AUDITOR, username="auditor"),
        town_auditor=make_staff(demo_orgs[TOWNSHIP], Role.AUDITOR, username="town_auditor"),
    )


def approve_and_publish(r, record) -> Record:
    record = services.record_submit(user=r.editor, record=record)
    record = services.record_approve(
        user=r.reviewer, record=record, confidentiality_checked=True, openness_checked=True
    )
    return services.record_publish(user=r.reviewer, record=record)


def published_original(r) -> Record:
    record = services.record_create(
        user=r.editor, organisation=r.county, node=r.node,
        **record_fields(title="清河县公共租赁住房管理实施细则", document_number="清建〔2025〕15号", body=OLD_BODY),
    )
    for name, content in (("细则全文.pdf", PDF_A), ("申请表.pdf", PDF_A)):
        services.attachment_add(user=r.editor, record=record, upload=SimpleUploadedFile(name, content))
    return approve_and_publish(r, record)


def revised(r, original, **fields) -> Record:
    """A revision: new document number and body, 申请表 removed, 细则全文 replaced, 办事指南 added."""
    revision = services.record_revise(user=r.editor, record=original)
    revision = services.record_update(
        user=r.editor, record=revision, document_number="清建〔2026〕5号", body=NEW_BODY, **fields
    )
    for attachment in revision.attachments.all():
        services.attachment_remove(user=r.editor, attachment=attachment)
    services.attachment_add(user=r.editor, record=revision, upload=SimpleUploadedFile("细则全文.pdf", PDF_B))
    services.attachment_add(user=r.editor, record=revision, upload=SimpleUploadedFile("办事指南.pdf", PDF_A))
    return revision


@pytest.mark.django_db
def test_the_revision_is_compared_with_the_published_version_text_and_attachments(r):
    original = published_original(r)
    revision = revised(r, original)
    comparison = diff.compare_revision(revision)
    assert [label for label, _html in comparison.fields] == ["文号"]
    assert comparison.fields[0][1] == (
        '清建〔<del class="diff-del">2025</del><ins class="diff-ins">2026</ins>〕'
        '<del class="diff-del">15</del><ins class="diff-ins">5</ins>号'
    )
    assert comparison.body_changed
    assert sorted((c.name, c.kind) for c in comparison.attachments) == [
        ("办事指南.pdf", "added"), ("申请表.pdf", "removed"), ("细则全文.pdf", "changed"),
    ]
    assert diff.compare_revision(original) is None  # a first publication revises nothing


@pytest.mark.django_db
def test_the_reviewer_sees_what_changed_on_the_revision_page(r):
    """Submitted, the revision's page shows the reviewer the changed character of the body, the new
    paragraph, the document number and the attachments added, removed and replaced."""
    revision = revised(r, published_original(r), change_note="租金标准改为每两年评估调整一次。")
    services.record_submit(user=r.editor, record=revision)
    page = client_for(r.reviewer).get(f"/admin/disclosure/record/{revision.pk}/change/").content.decode()
    section = page[page.index('id="revision-diff"'):]
    assert '<del class="diff-del">三</del><ins class="diff-ins">两</ins>' in section
    assert '<ins class="diff-ins">第二条 新就业无房职工可以申请。</ins>' in section
    assert "新增：办事指南.pdf" in section and "删除：申请表.pdf" in section and "内容已更换：细则全文.pdf" in section
    assert "租金标准改为每两年评估调整一次。" in page  # the change note is shown to the reviewer too


@pytest.mark.django_db
def test_the_change_note_shows_on_the_public_page_with_its_date_once_published(r, client):
    """Until the revision is published, the public page shows the original without any note; once it
    is, the page shows 更新说明 with the revision's publication date. A new revision starts with an
    empty note, never the previous one's."""
    original = published_original(r)
    url = original.get_absolute_url()
    note = "扩大保障范围：新就业无房职工可以申请；租金标准改为每两年评估调整一次。"
    revision = revised(r, original, change_note=note)
    services.record_submit(user=r.editor, record=revision)
    page = client.get(url).content.decode()
    assert note not in page and "更新说明" not in page

    services.record_approve(user=r.reviewer, record=revision, confidentiality_checked=True, openness_checked=True)
    revision = services.record_publish(user=r.reviewer, record=revision)
    assert revision.get_absolute_url() == url
    page = client.get(url).content.decode()
    section = page[page.index('class="record-change-note"'):]
    assert "更新说明" in section and note in section
    published_on = revision.published_at.astimezone().date()
    assert f"{published_on.year}年{published_on.month}月{published_on.day}日" in section
    assert f'datetime="{published_on.isoformat()}"' in section

    again = services.record_revise(user=r.editor, record=revision)
    assert again.change_note == ""


@pytest.mark.django_db
def test_a_first_publication_shows_no_change_note(r, client):
    record = services.record_create(
        user=r.editor, organisation=r.county, node=r.node, **record_fields(change_note="不应显示")
    )
    record = approve_and_publish(r, record)
    assert "不应显示" not in client.get(record.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_auditors_read_the_version_history_with_what_each_version_changed(r):
    """The auditor of the organisation opens every version of a revision from the change page and sees
    what it changed against the one before; an auditor of another organisation gets 404."""
    revision = revised(r, published_original(r))
    client = client_for(r.auditor)
    page = client.get(f"/admin/disclosure/record/{revision.pk}/change/").content.decode()
    numbers = sorted(int(n) for n in re.findall(rf"/admin/disclosure/record/{revision.pk}/versions/(\d+)/", page))
    assert numbers == list(range(1, revision.versions.count() + 1))
    # Version 2 is the update: the document number and the body's 三 → 两.
    html = client.get(f"/admin/disclosure/record/{revision.pk}/versions/2/").content.decode()
    assert '<del class="diff-del">三</del><ins class="diff-ins">两</ins>' in html
    assert "文号" in html and "修改人：张晓梅" in html
    # The versions that remove and add attachments show them.
    last = revision.versions.count()
    html = client.get(f"/admin/disclosure/record/{revision.pk}/versions/{last}/").content.decode()
    assert "新增：办事指南.pdf" in html
    assert client.get(f"/admin/disclosure/record/{revision.pk}/versions/99/").status_code == 404
    outsider = client_for(r.town_auditor)
    assert outsider.get(f"/admin/disclosure/record/{revision.pk}/versions/2/").status_code == 404
    assert Record.objects.get(pk=revision.pk).status == Status.DRAFT


def test_a_paragraph_replaced_by_an_unrelated_one_is_deleted_and_inserted_whole():
    """No character-level noise between unrelated paragraphs: the old one is deleted, the new one inserted."""
    paragraphs = diff.text_diff(["第一条 总则。", "附：联系电话 0371-1234567"], ["第一条 总则。", "本细则自发布之日起施行。"])
    assert [kinds(p) for p in paragraphs] == [
        [("same", "第一条 总则。")],
        [("del", "附：联系电话 0371-1234567")],
        [("ins", "本细则自发布之日起施行。")],
    ]


@pytest.mark.django_db
def test_the_editor_writes_the_change_note_in_the_revision_form(r):
    """The 更新说明 field is on the admin form of a revision (not of a first draft); the editor's POST
    saves it through record_update, leaving a version by the editor."""
    from tests.disclosure.records.test_admin_records import form_data

    original = published_original(r)
    client = client_for(r.editor)
    draft = services.record_create(user=r.editor, organisation=r.county, node=r.node, **record_fields())
    assert 'name="change_note"' not in client.get(f"/admin/disclosure/record/{draft.pk}/change/").content.decode()

    revision = services.record_revise(user=r.editor, record=original)
    url = f"/admin/disclosure/record/{revision.pk}/change/"
    assert 'name="change_note"' in client.get(url).content.decode()
    data = form_data(
        r.node,
        title=original.title,
        document_number="清建〔2026〕5号",
        body=NEW_BODY,
        change_note="租金标准改为每两年评估调整一次。",
        **{"attachments-TOTAL_FORMS": "2", "attachments-INITIAL_FORMS": "2"},
    )
    for i, attachment in enumerate(revision.attachments.order_by("sort_order", "id")):
        data |= {f"attachments-{i}-id": str(attachment.pk), f"attachments-{i}-record": str(revision.pk),
                 f"attachments-{i}-sort_order": str(attachment.sort_order)}
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    revision.refresh_from_db()
    assert revision.change_note == "租金标准改为每两年评估调整一次。"
    assert revision.versions.order_by("-number").first().data["change_note"] == "租金标准改为每两年评估调整一次。"

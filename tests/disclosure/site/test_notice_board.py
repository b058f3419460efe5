"""Physical channels: the notice-board print of a record (公示栏) and the disclosure guide (公开指南)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.models import Organisation
from disclosure.core.access import Role
from disclosure.records import services
from disclosure.site.models import ReadingPoint
from disclosure.site.notice_board import qr_svg
from tests.disclosure.publishing import COUNTY, LEAK_WORDS, PUBLIC_KEYS, Desk, leak_world, marker
from tests.factories import make_staff

NODE = "020502"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Attachments are stored in a temporary directory; staff passwords hash fast."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\nx\n%%EOF\n", content_type="application/pdf")


def published_with_files(desk: Desk, names=("配租名单.pdf", "评分细则.pdf"), **fields):
    record = desk.draft(NODE, **fields)
    for name in names:
        services.attachment_add(user=desk.editor, record=record, upload=pdf(name))
    return services.record_publish(user=desk.reviewer, record=desk.approve(record))


def print_url(record) -> str:
    return reverse("disclosure:record_print", args=[record.organisation.code, record.index_serial])


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


# -- the notice-board print ----------------------------------------------------------------------


@pytest.mark.django_db
def test_print_version_carries_header_body_files_and_a_qr_code_to_the_record(client, standard_catalog, demo_orgs):
    """The A4 print: organisation, 索引号, 发布日期, title, body, attachment names, and an inline SVG QR
    code that is exactly the code of the record's absolute online address."""
    desk = Desk(demo_orgs[COUNTY])
    record = published_with_files(desk, title="关于幸福小区公租房配租结果的公示", body="<p>配租结果公示如下。</p>")
    response = client.get(print_url(record))
    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "清河县住房和城乡建设局", record.index_number, record.published_at.astimezone().strftime("%Y年%-m月%-d日"),
        "关于幸福小区公租房配租结果的公示", "配租结果公示如下。", "配租名单.pdf", "评分细则.pdf",
    ):
        assert text in html
    online = "http://testserver" + record.get_absolute_url()
    assert online in html
    expected_qr = str(qr_svg(online, label="二维码：扫码查看本信息网上原文"))
    assert expected_qr.startswith('<svg role="img"') and expected_qr in html
    assert "<img" not in html  # no raster image, nothing loaded from elsewhere
    assert 'lang="zh-CN"' in html and "css/notice-board.css" in html


def test_print_stylesheet_is_a4_with_large_type():
    """The print stylesheet sets an A4 page, hides the screen toolbar and uses large type."""
    css = (Path(django_settings.BASE_DIR) / "static" / "css" / "notice-board.css").read_text()
    assert "size: A4" in css and "@media print" in css
    assert ".screen-only { display: none" in css and "font-size: 15pt" in css


@pytest.mark.django_db
def test_print_version_exists_only_for_public_records(client, standard_catalog, demo_orgs):
    """Every record of the leak world that has an index number: the print page answers 200 for the
    public ones and 404 for the rest (withdrawn, scheduled, switched-off organisation or node), and
    a 404 never shows the record's words. Unknown numbers and organisations are 404 too."""
    records = leak_world(demo_orgs)
    checked = 0
    for key, record in records.items():
        if not record.index_number or key == "superseded":  # its number now belongs to the revision
            continue
        response = client.get(print_url(record))
        html = response.content.decode()
        if key in PUBLIC_KEYS:
            assert response.status_code == 200, key
            assert marker(key) in html
        else:
            assert response.status_code == 404, key
            assert marker(key) not in html and LEAK_WORDS not in html
        checked += 1
    assert checked >= 8
    assert client.get(reverse("disclosure:record_print", args=[COUNTY, "2099-99999"])).status_code == 404
    assert client.get(reverse("disclosure:record_print", args=["nowhere", "2026-00001"])).status_code == 404
    assert client.get(f"/org/{COUNTY}/doc/2026-%0001/print/").status_code == 400  # NUL: portal/middleware.py
    assert client.post(print_url(records["published"])).status_code == 405


@pytest.mark.django_db
def test_record_page_links_to_its_print_version(client, standard_catalog, demo_orgs):
    """The public record page offers the notice-board version."""
    record = Desk(demo_orgs[COUNTY]).publish(NODE)
    assert print_url(record) in client.get(record.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_print_page_query_count_does_not_grow(client, standard_catalog, demo_orgs):
    """Same number of queries with 1 attachment as with 12, and with 1 record as with 10."""
    desk = Desk(demo_orgs[COUNTY])
    record = published_with_files(desk, names=("甲.pdf",))
    small = count_queries(client, print_url(record))
    big = published_with_files(desk, names=[f"附件{n}.pdf" for n in range(12)])
    for _n in range(8):
        desk.publish(NODE)
    assert count_queries(client, print_url(big)) == small
    assert small <= 4


# -- the disclosure guide ------------------------------------------------------------------------


def reading_point(org, name, **fields):
    values = {"address": f"{name}地址", "opening_hours": "工作日 9:00-17:00"}
    values.update(fields)
    return ReadingPoint.objects.create(organisation=org, name=name, **values)


@pytest.mark.django_db
def test_guide_lists_contact_facts_active_reading_points_and_how_to_apply(client, standard_catalog, demo_orgs):
    """The guide shows the organisation's contact facts, its active reading points only, the link to
    the application form for this organisation, the catalog, the fee rule and the remedies."""
    county = demo_orgs[COUNTY]
    Organisation.objects.filter(pk=county.pk).update(
        address="清河县人民路1号", office_hours="工作日 8:30-12:00，14:30-17:30", phone="0371-12345678",
        email="gk@qinghe.example",
    )
    reading_point(county, "县政务服务中心查阅点", phone="0371-87654321", note="可复印")
    reading_point(county, "县档案馆查阅点", active=False)
    reading_point(Organisation.objects.get(code="419901001"), "柳林镇便民服务中心")
    html = client.get(reverse("disclosure:organisation_guide", args=[COUNTY])).content.decode()
    for text in (
        "政府信息公开指南", "清河县人民路1号", "工作日 8:30-12:00，14:30-17:30", "0371-12345678", "gk@qinghe.example",
        "县政务服务中心查阅点", "县政务服务中心查阅点地址", "0371-87654321", "可复印",
        reverse("disclosure:application_apply") + "?org=419901", "信息处理费", "行政复议", "行政诉讼",
        "保障性住房", "20个工作日",
    ):
        assert text in html, text
    assert "县档案馆查阅点" not in html and "柳林镇便民服务中心" not in html


@pytest.mark.django_db
def test_guide_without_reading_points_says_where_to_read(client, standard_catalog, demo_orgs):
    """No active reading point: the guide says to read at the organisation's office."""
    html = client.get(reverse("disclosure:organisation_guide", args=["419901001"])).content.decode()
    assert "尚未设置公开查阅点" in html


@pytest.mark.django_db
def test_guide_of_unknown_or_switched_off_organisation_is_404(client, standard_catalog, demo_orgs):
    """Unknown code, a switched-off organisation, or a structure-only province: 404."""
    Organisation.objects.filter(code="419901002").update(is_active=False)
    for code in ("nowhere", "419901002", "41", "x" * 500):
        assert client.get(f"/org/{code}/guide/").status_code == 404, code
    assert client.get("/org/4199%0001/guide/").status_code == 400  # NUL: portal/middleware.py


@pytest.mark.django_db
def test_organisation_home_links_to_its_guide(client, standard_catalog, demo_orgs):
    """The organisation home page links to the guide and to the application form."""
    html = client.get(reverse("disclosure:organisation", args=[COUNTY])).content.decode()
    assert reverse("disclosure:organisation_guide", args=[COUNTY]) in html
    assert reverse("disclosure:application_apply") + "?org=419901" in html


@pytest.mark.django_db
def test_guide_query_count_does_not_grow(client, standard_catalog, demo_orgs):
    """Same number of queries with 1 reading point as with 15."""
    county = demo_orgs[COUNTY]
    reading_point(county, "一号查阅点")
    url = reverse("disclosure:organisation_guide", args=[COUNTY])
    count_queries(client, url)  # the first request builds the public trees once (catalog/trees.py)
    small = count_queries(client, url)
    for n in range(14):
        reading_point(county, f"查阅点{n}", active=n % 2 == 0)
    assert count_queries(client, url) == small
    assert small <= 6


# -- reading points in the admin -----------------------------------------------------------------


@pytest.mark.django_db
def test_reading_points_admin_is_per_organisation(client, demo_orgs):
    """An organisation's editor lists and edits only its own reading points and cannot file one
    under another organisation; an auditor may look but not change."""
    county = demo_orgs[COUNTY]
    township = Organisation.objects.get(code="419901001")
    county_point = reading_point(county, "县政务服务中心查阅点")
    editor = make_staff(township, Role.EDITOR)
    client.force_login(editor)
    changelist = reverse("admin:disclosure_readingpoint_changelist")
    assert "县政务服务中心查阅点" not in client.get(changelist).content.decode()
    assert client.get(reverse("admin:disclosure_readingpoint_change", args=[county_point.pk])).status_code in (302, 404)

    add = reverse("admin:disclosure_readingpoint_add")
    data = {"name": "镇查阅点", "address": "镇政府一楼", "opening_hours": "工作日", "sort_order": "0", "active": "on"}
    response = client.post(add, {**data, "organisation": county.pk})
    assert response.status_code == 200 and not ReadingPoint.objects.filter(name="镇查阅点").exists()
    assert client.post(add, {**data, "organisation": township.pk}).status_code == 302
    assert ReadingPoint.objects.get(name="镇查阅点").organisation == township

    auditor = make_staff(county, Role.AUDITOR)
    client.force_login(auditor)
    assert "县政务服务中心查阅点" in client.get(changelist).content.decode()
    assert client.get(add).status_code == 403

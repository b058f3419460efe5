"""A phrase that appears only inside a PDF attachment finds its record, and the hit names the file.

The PDF is printed by the real Chromium from an HTML page in Noto Sans CJK, as a bureau's office
software would make it: real embedded fonts and text, read back by the indexer (pypdf)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from disclosure.records import services
from tests.disclosure.publishing import COUNTY, Desk

pytestmark = [pytest.mark.browser]

PHRASE = "城关镇幸福里小区第三批轮候家庭"


@pytest.fixture
def pdf_bytes(chromium):
    page = chromium.new_page()
    try:
        page.set_content(
            "<html><body style='font-family: \"Noto Sans CJK SC\"'><h1>公租房轮候名单</h1>"
            f"<p>{PHRASE}共十二户，公示期七日。</p></body></html>"
        )
        return page.pdf(format="A4")
    finally:
        page.close()


@pytest.mark.django_db
def test_a_phrase_only_in_a_pdf_attachment_is_found(client, standard_catalog, demo_orgs, pdf_bytes):
    desk = Desk(demo_orgs[COUNTY])
    record = desk.draft("020503", title="公租房轮候名单公示", body="<p>名单见附件。</p>")
    services.attachment_add(
        user=desk.editor, record=record, upload=SimpleUploadedFile("轮候名单.pdf", pdf_bytes, "application/pdf")
    )
    record = services.record_publish(user=desk.reviewer, record=desk.approve(record))
    html = client.get("/search/", {"q": "幸福里小区第三批"}).content.decode()
    results = html.split('class="search-results"', 1)[1]
    assert record.get_absolute_url() in results
    assert "附件《轮候名单.pdf》：" in results and "<mark>幸福里小区第三批</mark>" in results.replace("</mark><mark>", "")
    # Withdrawn, the file's words find nothing any more.
    desk.withdraw(record)
    html = client.get("/search/", {"q": "幸福里小区第三批"}).content.decode()
    assert record.get_absolute_url() not in html.split('id="results-heading"', 1)[1]

"""What citizens trying the site asked for (issue 14, "The fixes above"): navigation to 公开指南 and 意见征集
from every page, 依申请公开 columns that lead to the application form, 内容概述 set apart from the body, the
公示栏 print page naming who published and who issued, form errors listed at the top with links to their
fields, feeds advertised on the home page, and the demo's site identity in the footer."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import override_settings

from tests.disclosure.publishing import COUNTY, TOWNSHIP, Desk

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def desk(standard_catalog, demo_orgs):
    return Desk(demo_orgs[COUNTY])


def nav_of(html: str) -> str:
    return html.split('<nav class="site-nav"', 1)[1].split("</nav>", 1)[0]


@pytest.mark.django_db
def test_navigation_offers_the_guide_and_consultations_from_every_page(client, desk):
    """Outside an organisation the links lead to the platform's lists; inside one, to that organisation's
    own guide and consultations."""
    record = desk.publish("020503", title="公租房配租结果公示")
    outside = nav_of(client.get("/").content.decode())
    assert '<a href="/guide/"' in outside and ">公开指南</a>" in outside
    assert '<a href="/consultations/"' in outside and ">意见征集</a>" in outside
    for url in (f"/org/{COUNTY}/", f"/org/{COUNTY}/020503/", record.get_absolute_url(), f"/org/{COUNTY}/guide/"):
        nav = nav_of(client.get(url).content.decode())
        assert f'<a href="/org/{COUNTY}/guide/"' in nav, url
        assert f'<a href="/consultations/{COUNTY}/"' in nav, url
    guide = nav_of(client.get(f"/org/{COUNTY}/guide/").content.decode())
    assert f'<a href="/org/{COUNTY}/guide/" aria-current="page">公开指南</a>' in guide


@pytest.mark.django_db
def test_the_guide_index_lists_every_disclosing_organisation(client, desk):
    html = client.get("/guide/").content.decode()
    assert f'href="/org/{COUNTY}/guide/"' in html and f'href="/org/{TOWNSHIP}/guide/"' in html
    assert "清河县住房和城乡建设局政府信息公开指南" in html


@pytest.mark.django_db
def test_on_application_columns_link_to_the_form_with_the_column_preselected(client, desk):
    """010201 启动要件 is 依申请公开 in the catalog: its page says so and links to the form, which opens with
    the organisation chosen and the column named in 所需信息的内容描述."""
    html = client.get(f"/org/{COUNTY}/010201/").content.decode()
    assert "本栏目信息依申请公开" in html
    link = re.search(r'href="(/apply/\?org=419901&amp;column=010201)"', html)
    assert link, html
    form = client.get(link.group(1).replace("&amp;", "&")).content.decode()
    assert re.search(r'<option value="419901" selected>', form)
    assert "申请公开“启动要件”方面的以下政府信息：" in form
    # A proactive column does not offer it; a made-up column is ignored, not an error.
    assert "本栏目信息依申请公开" not in client.get(f"/org/{COUNTY}/020503/").content.decode()
    response = client.get("/apply/?org=419901&column=zz9")
    assert response.status_code == 200 and "方面的以下政府信息" not in response.content.decode()


@pytest.mark.django_db
def test_summary_is_a_labelled_box_apart_from_the_body(client, desk):
    record = desk.publish("020503", title="配租结果", summary="本次配租共12户。", body="<p>正文第一段。</p>")
    html = client.get(record.get_absolute_url()).content.decode()
    summary = html.split('<section class="record-summary"', 1)[1].split("</section>", 1)[0]
    assert '<h2 id="summary-heading">内容概述</h2>' in summary and "本次配租共12户。" in summary
    assert "正文第一段" not in summary
    css = (ROOT / "static/css/site.css").read_text()
    assert re.search(r"\.record-summary \{[^}]*border-left", css)


@pytest.mark.django_db
def test_print_page_names_the_publisher_and_is_headed_by_the_issuing_body(client, desk):
    notice = desk.publish("010201", title="房屋征收决定公告", issuing_body="清河县人民政府")
    own = desk.publish("020503", title="配租结果", issuing_body="")
    html = client.get(f"/org/{COUNTY}/doc/{notice.index_serial}/print/").content.decode()
    assert '<p class="sheet-org">清河县人民政府</p>' in html
    assert "<dt>发布机构</dt><dd>清河县住房和城乡建设局</dd>" in html
    assert "<dt>发文机关</dt><dd>清河县人民政府</dd>" in html
    html = client.get(f"/org/{COUNTY}/doc/{own.index_serial}/print/").content.decode()
    assert '<p class="sheet-org">清河县住房和城乡建设局</p>' in html and "<dt>发文机关</dt>" not in html


@pytest.mark.django_db
def test_application_errors_are_listed_at_the_top_with_links_to_their_fields(client, desk):
    """The form posts to #error-summary, so the browser shows the list first, each item a link to its field."""
    page = client.get("/apply/").content.decode()
    assert 'action="/apply/#error-summary"' in page
    response = client.post("/apply/", {"organisation": COUNTY, "applicant_type": "person", "homepage": ""})
    assert response.status_code == 400
    html = response.content.decode()
    summary = html.split('id="error-summary"', 1)[1].split("</div>", 1)[0]
    links = re.findall(r'<li><a href="#(id_\w+)">([^<]+)</a></li>', summary)
    targets = {target for target, _text in links}
    assert {"id_description", "id_phone"} <= targets, summary
    for target, _text in links:
        assert f'id="{target}"' in html, target  # every link lands on its field


@pytest.mark.django_db
def test_home_page_advertises_the_site_feed_which_holds_only_public_records(client, desk):
    from tests.disclosure.site.test_feeds import rss_items

    html = client.get("/").content.decode()
    head, body = html.split("</head>")
    assert 'href="/feed/rss/"' in head and 'href="/feed/atom/"' in head
    assert '<a href="/feed/rss/">RSS</a>' in body
    public = desk.publish("020503", title="公租房配租结果公示")
    draft = desk.draft("020503", title="尚未发布的草稿")
    titles = {item.findtext("title") for item in rss_items(client, "/feed/rss/")}
    assert public.title in titles and draft.title not in titles


def demo_identity() -> dict[str, str]:
    """The defaults `make run` gives each site-identity variable (the Makefile's DEMO_SITE)."""
    makefile = (ROOT / "Makefile").read_text()
    return dict(re.findall(r'(PORTAL_\w+)="\$\$\{\1-([^}]+)\}"', makefile))


@pytest.mark.django_db
def test_the_demo_shows_every_site_identity_fact_in_the_footer(client, desk):
    identity = demo_identity()
    assert set(identity) == {
        "PORTAL_SPONSOR", "PORTAL_SITE_CODE", "PORTAL_ICP_NUMBER", "PORTAL_PSB_NUMBER", "PORTAL_CONTACT",
    }
    with override_settings(**identity):
        footer = client.get("/").content.decode().split('<footer class="site-footer"', 1)[1]
    assert "主办单位：清河县住房和城乡建设局（演示）" in footer
    assert "网站标识码：4199000001" in footer
    assert "豫ICP备00000000号-1" in footer and "豫公网安备41990002000001号" in footer
    assert "联系方式：0399-0000000（演示电话）" in footer

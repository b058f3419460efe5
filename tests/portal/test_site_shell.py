"""The site shell: identity facts in the footer (政府网站发展指引) and the primary navigation."""

import re

import pytest


@pytest.mark.django_db
def test_footer_carries_the_site_identity_facts_from_settings(client, settings, standard_catalog, demo_orgs):
    settings.PORTAL_SPONSOR = "清河县住房和城乡建设局"
    settings.PORTAL_SITE_CODE = "4199010001"
    settings.PORTAL_ICP_NUMBER = "豫ICP备12345678号-1"
    settings.PORTAL_PSB_NUMBER = "豫公网安备 41990102000001号"
    settings.PORTAL_CONAC_URL = "https://bszs.conac.cn/sitename?method=show&id=0000"
    settings.PORTAL_CONTACT = "0399-1234567"
    html = client.get("/org/419901/").content.decode()
    footer = re.search(r'<footer class="site-footer".*?</footer>', html, re.S).group()
    assert "主办单位：清河县住房和城乡建设局" in footer
    assert "网站标识码：4199010001" in footer
    assert '<a href="https://beian.miit.gov.cn/" rel="noopener">豫ICP备12345678号-1</a>' in footer
    assert "code=41990102000001" in footer and "豫公网安备 41990102000001号" in footer
    assert 'class="conac" href="https://bszs.conac.cn/sitename?method=show&amp;id=0000"' in footer
    assert "联系方式：0399-1234567" in footer
    # Nothing in the shell loads from elsewhere: the 党政机关 mark is text, the filings are plain links.
    assert "<img" not in footer and "<script" not in footer


@pytest.mark.django_db
def test_footer_leaves_out_facts_that_are_not_set(client, settings, standard_catalog, demo_orgs):
    for name in (
        "PORTAL_SPONSOR",
        "PORTAL_SITE_CODE",
        "PORTAL_ICP_NUMBER",
        "PORTAL_PSB_NUMBER",
        "PORTAL_CONAC_URL",
        "PORTAL_CONTACT",
    ):
        setattr(settings, name, "")
    html = client.get("/org/419901/").content.decode()
    footer = re.search(r'<footer class="site-footer".*?</footer>', html, re.S).group()
    for absent in ("主办单位", "网站标识码", "beian", "conac", "联系方式"):
        assert absent not in footer


@pytest.mark.django_db
def test_primary_navigation_marks_the_current_page(client, standard_catalog, demo_orgs):
    html = client.get("/apply/status/").content.decode()
    nav = re.search(r'<nav class="site-nav" aria-label="主导航">.*?</nav>', html, re.S).group()
    assert 'href="/apply/"' in nav
    assert re.search(r'href="/apply/status/" aria-current="page">申请进度查询<', nav)
    assert nav.count("aria-current") == 1

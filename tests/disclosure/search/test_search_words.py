"""Search that understands housing words: synonyms and abbreviations (built in and added by staff),
sorting by date, counts per domain, item, year and type, popular words, nearest columns when nothing is
found."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl

import pytest
from django.core.cache import cache

from disclosure.core.access import Role
from disclosure.search import insights
from disclosure.search.models import SearchTermCount
from tests.admin_client import client_for
from tests.disclosure.publishing import COUNTY, Desk
from tests.factories import make_staff


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    from disclosure.search import synonyms

    synonyms._cache.clear()


@pytest.fixture
def desk(standard_catalog, demo_orgs):
    return Desk(demo_orgs[COUNTY])


def titles(client, **params) -> list[str]:
    html = client.get("/search/", params).content.decode()
    if 'class="search-results"' not in html:
        return []
    results = html.split('class="search-results"', 1)[1].split("</ol>", 1)[0]
    return [re.sub(r"</?mark>", "", t) for t in re.findall(r'<h3 class="result-title"><a [^>]+>(.*?)</a>', results)]


@pytest.mark.django_db
def test_colloquial_words_find_the_official_terms(client, desk):
    shantytown = desk.publish("0102", title="老城区棚户区改造项目房屋征收决定", document_number="")
    rural = desk.publish("0301", title="2025年农村危房改造补助对象公示", document_number="")
    rental = desk.publish("020503", title="公共租赁住房配租结果公告", document_number="")
    affordable = desk.publish("020503", title="保障性租赁住房项目认定书", document_number="")
    assert shantytown.title in titles(client, q="棚改")
    assert rural.title in titles(client, q="危改")
    assert rental.title in titles(client, q="公租房")
    found = titles(client, q="保障性住房")
    assert rental.title in found and affordable.title in found
    # One way only: 公租房 does not list every 保障性租赁住房 record.
    assert affordable.title not in titles(client, q="公租房")
    # Words around a synonym still narrow: 棚改 征收 needs both.
    assert titles(client, q="棚改征收") == [shantytown.title]
    assert rural.title not in titles(client, q="棚改征收")


@pytest.mark.django_db
def test_staff_extend_the_table_in_the_admin(client, desk, demo_orgs):
    record = desk.publish("020503", title="城镇住房保障家庭租赁补贴发放名单", document_number="")
    assert titles(client, q="租补") == []
    orgadmin = client_for(make_staff(demo_orgs[COUNTY], Role.ORG_ADMIN, username="syn-admin"))
    response = orgadmin.post(
        "/admin/disclosure/searchsynonym/add/",
        {"term": "租补", "expansions": "租赁补贴、住房租赁补贴", "both_ways": "", "note": "群众简称"},
    )
    assert response.status_code == 302
    assert titles(client, q="租补") == [record.title]
    editor = client_for(make_staff(demo_orgs[COUNTY], Role.EDITOR, username="syn-editor"))
    assert editor.get("/admin/disclosure/searchsynonym/add/").status_code == 403


@pytest.mark.django_db
def test_sort_by_date_and_counts_per_domain_item_year_and_type(client, desk):
    old = desk.publish("020503", title="公租房配租结果第一批", document_number="")
    new = desk.publish("020503", title="公租房配租结果第二批（补充）公租房", document_number="")
    other = desk.publish("0102", title="征收范围内公租房安置说明", document_number="")
    html = client.get("/search/", {"q": "公租房"}).content.decode()
    facets = html.split('class="search-facets"', 1)[1].split("</nav>", 1)[0]
    # By hand: two records under 保障性住房 (02) / 020503's item 0205, one under 国有土地上房屋征收 (01) / 0102.
    assert re.search(r">保障性住房</a> <span class=\"count\">2</span>", facets)
    assert re.search(r">国有土地上房屋征收</a> <span class=\"count\">1</span>", facets)
    link = re.search(r'href="(\?[^"]*domain=02[^"]*)"', facets).group(1).replace("&amp;", "&")
    narrowed = titles(client, **dict(parse_qsl(link[1:])))
    assert set(narrowed) == {old.title, new.title}
    by_date = titles(client, q="公租房", sort="date")
    assert by_date == [other.title, new.title, old.title]


@pytest.mark.django_db
def test_popular_words_are_anonymous_counts_of_searches_that_found_something(client, desk):
    desk.publish("020503", title="公租房配租结果", document_number="")
    for _ in range(3):
        client.get("/search/", {"q": "配租"})
    client.get("/search/", {"q": "不存在的词"})  # found nothing: not counted
    client.get("/search/", {"q": "110101199003071233"})  # personal data: never counted
    assert list(SearchTermCount.objects.values_list("text", "count")) == [("配租", 3)]
    cache.clear()
    html = client.get("/search/").content.decode()
    assert '热门搜索：</span><a href="?q=%E9%85%8D%E7%A7%9F">配租</a>' in html
    assert insights.countable("13912345678") == "" and insights.countable("a@b.cn") == ""


@pytest.mark.django_db
def test_no_result_suggests_the_nearest_columns(client, desk):
    html = client.get("/search/", {"q": "承租资格"}).content.decode()
    assert "没有找到相关信息" in html
    nearest = html.split('id="nearest-heading"', 1)[1].split("</section>", 1)[0]
    assert re.search(r'<a href="/catalog/\d+/">公租房承租资格审核</a>', nearest), nearest

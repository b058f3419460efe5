"""Public columns: the catalog as a citizen browses it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.models import CatalogNode, Organisation
from tests.factories import CatalogNodeFactory


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def grow_catalog():
    """A bureau adds thirty local refinements under a second-level item."""
    parent = CatalogNode.objects.get(name="公租房承租资格审核")
    for n in range(30):
        CatalogNodeFactory(code=f"QH-{n}", name=f"细化栏目{n}", parent=parent, levels=["county", "township"])


@pytest.mark.django_db
def test_home_lists_domains_and_first_level_items(client, standard_catalog, demo_orgs):
    """With several organisations, home shows the 4 domains, 20 items and an organisation chooser."""
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    for node in CatalogNode.objects.filter(level__lte=1):
        assert node.name in html
    assert "清河县住房和城乡建设局" in html
    assert "清河县柳林镇人民政府" in html
    # The province and city are structure, not disclosing bodies under this catalog.
    assert "河南省住房和城乡建设厅" not in html


@pytest.mark.django_db
def test_home_goes_straight_to_the_only_organisation(client, standard_catalog):
    Organisation.objects.create(code="410101", name="独立县住建局", level="county")
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/org/410101/"


@pytest.mark.django_db
def test_organisation_home_shows_applicable_items(client, standard_catalog, demo_orgs):
    county = client.get("/org/419901/").content.decode()
    assert "市政设施建设类审批" in county and "配给管理" in county
    township = client.get("/org/419901001/").content.decode()
    # Township-level items only: 市政服务 is a county-level domain.
    assert "市政设施建设类审批" not in township
    assert "对象认定" in township


@pytest.mark.django_db
def test_column_shows_the_disclosure_standard(client, standard_catalog, county):
    node = CatalogNode.objects.get(name="选房或摇号公告")
    response = client.get(f"/org/{county.code}/{node.code}/")
    html = response.content.decode()
    assert response.status_code == 200
    for text in (node.basis[:20], node.time_limit_text, node.subject, "政府网站", "两微一端（可选）", "全社会", "主动公开", "县级"):
        assert text in html
    assert "本栏目暂无公开信息" in html
    assert 'aria-current="page"' in html  # breadcrumb and navigation mark the current column
    assert "保障性住房" in html and "配给管理" in html


@pytest.mark.django_db
def test_column_navigation_opens_only_the_way_to_the_current_column(client, standard_catalog, county):
    """Every domain is listed; only the branches on the path to the column are opened."""
    import re

    current = CatalogNode.objects.get(name="选房或摇号公告")
    html = client.get(f"/org/{county.code}/{current.code}/").content.decode()
    nav = re.search(r'<nav class="column-nav".*?</nav>', html, re.S).group()
    linked = set(re.findall(rf'href="/org/{county.code}/(\w+)/"', nav))
    item = current.parent
    domain = item.parent
    expected = (
        set(CatalogNode.objects.filter(level=0).values_list("code", flat=True))
        | {n.code for n in domain.get_children()}
        | {n.code for n in item.get_children()}
    )
    assert linked == expected
    assert re.search(rf'href="/org/{county.code}/{current.code}/" aria-current="page"', nav)


@pytest.mark.django_db
def test_column_not_applying_to_the_level_says_so(client, standard_catalog, demo_orgs):
    """A county-only item is no column of a township: 404, on a page that says who discloses it."""
    node = CatalogNode.objects.get(name="燃气经营许可证核发")
    response = client.get(f"/org/419901001/{node.code}/")
    assert response.status_code == 404
    assert "由县级单位公开，不适用于乡级单位" in response.content.decode()


@pytest.mark.django_db
def test_catalog_item_lets_the_citizen_choose(client, standard_catalog, demo_orgs):
    node = CatalogNode.objects.get(name="政策文件")
    html = client.get(f"/catalog/{node.code}/").content.decode()
    assert "清河县住房和城乡建设局" in html and "清河县杨庄乡人民政府" in html
    county_only = CatalogNode.objects.get(name="燃气经营许可证核发")
    response = client.get(f"/catalog/{county_only.code}/")
    assert response.status_code == 302
    assert response["Location"] == f"/org/419901/{county_only.code}/"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    ["/org/000000/", "/org/000000/0201/", "/org/419901/999999/", "/catalog/999999/", "/no-such-page/", "/org/%3Cscript%3E/"],
)
def test_unknown_codes_answer_a_chinese_404(client, standard_catalog, demo_orgs, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


@pytest.mark.django_db
def test_inactive_organisation_and_node_are_hidden(client, standard_catalog, demo_orgs):
    Organisation.objects.filter(code="419901").update(is_active=False)
    assert client.get("/org/419901/").status_code == 404
    # A township under an inactive county is hidden with it.
    assert client.get("/org/419901001/").status_code == 404
    Organisation.objects.filter(code="419901").update(is_active=True)
    domain = CatalogNode.objects.get(name="保障性住房")
    CatalogNode.objects.filter(pk=domain.pk).update(is_active=False)
    item = CatalogNode.objects.get(name="配给管理")
    assert client.get(f"/org/419901/{item.code}/").status_code == 404
    assert "保障性住房" not in client.get("/org/419901/").content.decode()


@pytest.mark.django_db
def test_nonsense_query_parameters_are_ignored(client, standard_catalog, demo_orgs):
    for url in ("/?page=abc&x=1", "/org/419901/0205/?page=-1&order=;DROP", "/org/419901/?q=" + "长" * 3000):
        assert client.get(url).status_code == 200
    assert client.get("/?page=abc&x=%00").status_code == 400  # a NUL byte anywhere: portal/middleware.py


@pytest.mark.django_db
def test_page_query_counts_do_not_grow_with_the_catalog(client, standard_catalog, demo_orgs):
    """Each public page type runs a fixed number of queries, however large the catalog grows."""
    node = CatalogNode.objects.get(name="公租房承租资格审核")
    urls = ["/", "/org/419901/", f"/org/419901/{node.code}/", f"/catalog/{node.code}/", "/org/419901/02/"]
    client.get("/")  # the public trees are built once per catalog version (catalog/trees.py)
    before = {url: count_queries(client, url) for url in urls}
    grow_catalog()
    client.get("/")  # the catalog changed: rebuilt once
    after = {url: count_queries(client, url) for url in urls}
    assert before == after
    # One cache read for the tree version everywhere; +1 for the latest records on the homes, +1 for the
    # counts per item on the organisation home, +1 for the years present on a column (empty here).
    assert before == {
        "/": 2,
        "/org/419901/": 3,
        f"/org/419901/{node.code}/": 2,
        f"/catalog/{node.code}/": 1,
        "/org/419901/02/": 2,
    }

"""The public trees (catalog/trees.py): built once per process, never stale.

A change to the catalog, an organisation or a column setting shows on the very next request: in the
process that made it (before and after commit), in another process (through the shared tree version), and
a rolled-back change leaves nothing behind.
"""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from catalog import trees
from catalog.models import CatalogNode, ColumnSetting, Organisation

COUNTY = "419901"
ITEM = "020501"  # a second-level item of 保障性住房 for counties


def tree_queries(client, url) -> list[str]:
    """The catalog reads one GET of ``url`` makes (the trees' own four queries, when it rebuilds)."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code in (200, 404)
    return [q["sql"] for q in captured if 'FROM "catalog_' in q["sql"].split("WHERE")[0]]


@pytest.mark.django_db
def test_the_trees_are_built_once_and_reused(client, standard_catalog, demo_orgs):
    """The first request builds the trees; later requests of every page type read none of them."""
    assert tree_queries(client, "/")  # built
    for url in ("/", f"/org/{COUNTY}/", f"/org/{COUNTY}/{ITEM}/", f"/org/{COUNTY}/02/", "/sitemap.xml"):
        assert tree_queries(client, url) == [], url


@pytest.mark.django_db
def test_a_column_switched_off_is_gone_on_the_next_request(client, standard_catalog, demo_orgs):
    """A 本单位栏目设置 switching a column off: its page is a 404 and it leaves the navigation at once."""
    county = demo_orgs[COUNTY]
    node = CatalogNode.objects.get(code=ITEM)
    assert client.get(f"/org/{COUNTY}/{ITEM}/").status_code == 200
    assert node.name in client.get(f"/org/{COUNTY}/0205/").content.decode()
    ColumnSetting.objects.create(organisation=county, node=node, shown=False)
    response = client.get(f"/org/{COUNTY}/{ITEM}/")
    assert response.status_code == 404
    assert "未开设" in response.content.decode()
    assert f'href="/org/{COUNTY}/{ITEM}/"' not in client.get(f"/org/{COUNTY}/0205/").content.decode()
    # A note of its own, changed later, shows at once too.
    ColumnSetting.objects.filter(organisation=county, node=node).update(shown=True, note="由住房保障股承办")
    assert "由住房保障股承办" in client.get(f"/org/{COUNTY}/{ITEM}/").content.decode()


@pytest.mark.django_db
def test_a_renamed_node_and_a_deactivated_organisation_show_at_once(client, standard_catalog, demo_orgs):
    """A rename by queryset update (no model signal) and an organisation switched off: next request."""
    assert "配给管理" in client.get(f"/org/{COUNTY}/").content.decode()
    CatalogNode.objects.filter(code="0205").update(name="配租配售管理（新）")
    assert "配租配售管理（新）" in client.get(f"/org/{COUNTY}/").content.decode()
    Organisation.objects.filter(code=COUNTY).update(is_active=False)
    assert client.get(f"/org/{COUNTY}/").status_code == 404
    assert client.get(f"/org/{COUNTY}001/").status_code == 404  # a township under it, hidden with it
    assert "清河县住房和城乡建设局" not in client.get("/").content.decode()


@pytest.mark.django_db
def test_raw_sql_on_a_catalog_table_is_seen(client, standard_catalog, demo_orgs):
    """Whatever writes the catalog (raw SQL too) drops the trees."""
    client.get(f"/org/{COUNTY}/")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE catalog_catalognode SET name = %s WHERE code = %s", ["原始语句改名", "0205"])
    assert "原始语句改名" in client.get(f"/org/{COUNTY}/").content.decode()


def test_which_statements_count_as_catalog_writes():
    assert trees.writes_catalog('UPDATE "catalog_catalognode" SET "name" = %s')
    assert trees.writes_catalog('INSERT INTO "catalog_columnsetting" ("organisation_id") VALUES (%s)')
    assert trees.writes_catalog('DELETE FROM "catalog_organisation" WHERE id = 1')
    assert trees.writes_catalog("TRUNCATE catalog_nodechannel")
    assert not trees.writes_catalog('SELECT * FROM "catalog_catalognode"')
    assert not trees.writes_catalog('UPDATE "disclosure_record" SET "title" = %s')
    assert not trees.writes_catalog('INSERT INTO "portal_pages" VALUES (%s)')


@pytest.mark.django_db(transaction=True)
def test_a_committed_write_moves_the_shared_version(client, standard_catalog, demo_orgs):
    """On commit the tree version in the shared cache changes: every process rebuilds."""
    client.get("/")
    before = trees._cache().get(trees.VERSION_KEY)
    with transaction.atomic():
        CatalogNode.objects.filter(code="0205").update(name="改名一")
        assert trees._cache().get(trees.VERSION_KEY) == before  # not before the commit
    after = trees._cache().get(trees.VERSION_KEY)
    assert after is not None and after != before
    assert "改名一" in client.get(f"/org/{COUNTY}/").content.decode()


@pytest.mark.django_db(transaction=True)
def test_another_process_change_is_seen_through_the_shared_version(client, standard_catalog, demo_orgs):
    """A change committed by another process (its writes unseen here) shows once it bumps the version;
    until then this process keeps its trees (which proves they are reused, not re-read)."""
    client.get(f"/org/{COUNTY}/")
    watch = [w for w in connection.execute_wrappers if getattr(w, "catalog_trees", False)]
    for wrapper in watch:
        connection.execute_wrappers.remove(wrapper)
    try:
        Organisation.objects.filter(code=COUNTY).update(name="另一进程改名的住建局")
    finally:
        connection.execute_wrappers.extend(watch)
    assert "另一进程改名的住建局" not in client.get(f"/org/{COUNTY}/").content.decode()
    trees.bump_version()  # what the other process does on its commit
    assert "另一进程改名的住建局" in client.get(f"/org/{COUNTY}/").content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_leaves_nothing_behind(client, standard_catalog, demo_orgs):
    """Trees built inside a transaction that then rolls back are not kept."""
    client.get(f"/org/{COUNTY}/")

    class Undo(Exception):
        pass

    with pytest.raises(Undo), transaction.atomic():
        CatalogNode.objects.filter(code="0205").update(name="回滚的名称")
        assert "回滚的名称" in client.get(f"/org/{COUNTY}/").content.decode()
        raise Undo
    html = client.get(f"/org/{COUNTY}/").content.decode()
    assert "回滚的名称" not in html
    assert CatalogNode.objects.get(code="0205").name in html


@pytest.mark.django_db
def test_the_home_page_fragments_follow_every_catalog_write(client, standard_catalog, demo_orgs):
    """The home page's organisation list and catalog are rendered once per tree version
    (disclosure.site.views.home): a rename of either, a new organisation and one switched off all show
    on the next request, and a request with nothing changed renders the same HTML."""
    first = client.get("/").content.decode()
    assert first == client.get("/").content.decode()
    assert "清河县住房和城乡建设局" in first and "配给管理" in first
    Organisation.objects.filter(code=COUNTY).update(name="清河县住房城乡建设局（新）")
    CatalogNode.objects.filter(code="0205").update(name="配租配售管理（新）")
    page = client.get("/").content.decode()
    assert "清河县住房城乡建设局（新）" in page and f'href="/org/{COUNTY}/"' in page
    assert '<a href="/catalog/0205/">配租配售管理（新）</a>' in page
    Organisation.objects.filter(code=COUNTY).update(is_active=False)
    page = client.get("/").content.decode()
    assert "清河县住房城乡建设局（新）" not in page and f'href="/org/{COUNTY}/"' not in page


@pytest.mark.django_db
def test_the_disclosure_columns_fragment_follows_every_catalog_write(client, standard_catalog, demo_orgs):
    """The 法定主动公开内容 list of an organisation's 政府信息公开 column is rendered once per tree version
    and organisation (disclosure.site.disclosure_column.column): a rename shows on the next request, for
    this organisation and the next one alike."""
    url = f"/xxgk/{COUNTY}/"
    assert "配给管理" in client.get(url).content.decode()
    CatalogNode.objects.filter(code="0205").update(name="配租配售管理（新）")
    assert f'<a href="/org/{COUNTY}/0205/">配租配售管理（新）</a>' in client.get(url).content.decode()
    CatalogNode.objects.filter(code="0205").update(is_active=False)
    assert f'href="/org/{COUNTY}/0205/"' not in client.get(url).content.decode()


@pytest.mark.django_db
def test_the_column_standard_fragment_follows_every_catalog_write(client, standard_catalog, demo_orgs):
    """A column's feed links and 公开标准 are rendered once per tree version, organisation and column
    (disclosure.site.views.column): a new basis, a channel renamed and a local note all show on the next
    request."""
    from catalog.models import Channel, NodeChannel

    url = f"/org/{COUNTY}/{ITEM}/"
    page = client.get(url).content.decode()
    assert f'href="/org/{COUNTY}/{ITEM}/feed/rss/"' in page
    CatalogNode.objects.filter(code=ITEM).update(basis="《新的公开依据》第一条")
    assert "《新的公开依据》第一条" in client.get(url).content.decode()
    link = NodeChannel.objects.filter(node__code=ITEM).select_related("channel").first()
    assert link is not None  # the standard catalog gives every item its channels
    Channel.objects.filter(pk=link.channel_id).update(name="新改名的公开渠道")
    assert "新改名的公开渠道" in client.get(url).content.decode()
    ColumnSetting.objects.create(organisation=demo_orgs[COUNTY], node=CatalogNode.objects.get(code=ITEM), note="本单位新说明")
    assert "本单位新说明" in client.get(url).content.decode()

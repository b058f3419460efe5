"""One rule decides whether a catalog node applies to an organisation, and every public place follows it.

The rule: the organisation's level is ticked on the node and on every node above it. A column that
does not apply is a 404 by URL, absent from the organisation's navigation, feeds and sitemap, and
"not applicable" in the completeness report; a column that applies is present in all of them.
"""

import pytest

from catalog import selectors
from catalog.models import CatalogNode, OrgLevel
from disclosure.reports.completeness import ItemState, completeness_report
from tests.factories import CatalogNodeFactory

TOWNSHIP = "419901001"
COUNTY = "419901"
BOTH = [OrgLevel.COUNTY, OrgLevel.TOWNSHIP]


@pytest.fixture
def local_items(standard_catalog, demo_orgs):
    """Two local second-level items ticked for counties and townships alike: ``applies`` under
    法规政策 (county and township), ``blocked`` under 重大决策 (county only), so the township level
    ticked on ``blocked`` itself is cancelled by its parent."""
    applies = CatalogNodeFactory(
        code="local-applies", name="乡镇也公开的本地事项", parent=CatalogNode.objects.get(code="0201"), levels=BOTH
    )
    blocked = CatalogNodeFactory(
        code="local-blocked", name="上级只适用县级的本地事项", parent=CatalogNode.objects.get(code="0202"), levels=BOTH
    )
    return applies, blocked


@pytest.mark.django_db
def test_a_level_must_be_ticked_on_the_node_and_every_node_above(local_items, demo_orgs):
    """applies_to answers from the whole path, with and without a cached tree."""
    applies, blocked = local_items
    township, county = demo_orgs[TOWNSHIP], demo_orgs[COUNTY]
    assert selectors.applies_to(applies, township) and selectors.applies_to(applies, county)
    assert not selectors.applies_to(blocked, township) and selectors.applies_to(blocked, county)
    assert selectors.applicable_levels(blocked) == {OrgLevel.COUNTY}
    tree = selectors.catalog_tree()
    cached = selectors.find_in_tree(tree, "local-blocked")
    assert not selectors.applies_to(cached, township)
    # The model's method is the same rule, not a second one.
    assert not blocked.applies_to(township) and applies.applies_to(township)


@pytest.mark.django_db
def test_applies_to_a_cached_tree_node_costs_no_query(local_items, demo_orgs, django_assert_num_queries):
    """Nodes of catalog_tree() carry their parents: deciding needs no query."""
    tree = selectors.catalog_tree()
    node = selectors.find_in_tree(tree, "local-blocked")
    with django_assert_num_queries(0):
        assert not selectors.applies_to(node, demo_orgs[TOWNSHIP])
        assert selectors.prune_for_level(tree, OrgLevel.TOWNSHIP)


@pytest.mark.django_db
def test_inapplicable_column_is_404_and_absent_from_navigation_feeds_and_sitemap(client, local_items):
    """For a township, the blocked item is a 404 (its feeds too) and linked nowhere; the applicable one is
    a 200 linked from its own navigation and listed in the sitemap."""
    blocked_href = f'href="/org/{TOWNSHIP}/local-blocked/"'
    applies_href = f'href="/org/{TOWNSHIP}/local-applies/"'

    assert client.get(f"/org/{TOWNSHIP}/local-blocked/").status_code == 404
    assert client.get(f"/org/{TOWNSHIP}/local-blocked/feed/rss/").status_code == 404
    response = client.get(f"/org/{TOWNSHIP}/local-applies/")
    assert response.status_code == 200
    assert applies_href in response.content.decode()
    assert client.get(f"/org/{TOWNSHIP}/local-applies/feed/rss/").status_code == 200

    pages = [
        client.get(f"/org/{TOWNSHIP}/local-applies/").content.decode(),
        client.get(f"/org/{TOWNSHIP}/local-blocked/").content.decode(),
        client.get(f"/org/{TOWNSHIP}/").content.decode(),
        client.get(f"/org/{TOWNSHIP}/guide/").content.decode(),
    ]
    assert not any(blocked_href in page for page in pages)

    sitemap = client.get("/sitemap-columns.xml").content.decode()
    assert f"/org/{TOWNSHIP}/local-applies/</loc>" in sitemap
    assert f"/org/{TOWNSHIP}/local-blocked/</loc>" not in sitemap
    # The county, for which both apply, has both.
    assert client.get(f"/org/{COUNTY}/local-blocked/").status_code == 200
    assert f"/org/{COUNTY}/local-blocked/</loc>" in sitemap


@pytest.mark.django_db
def test_completeness_report_follows_the_same_rule(local_items, demo_orgs):
    """The township's completeness cell of the blocked item is 'not applicable'; of the applicable one, due."""
    township, county = demo_orgs[TOWNSHIP], demo_orgs[COUNTY]
    report = completeness_report([county, township])
    state = {(cell.organisation.code, cell.item.code): cell.state for cell in report.cells}
    assert state[(TOWNSHIP, "local-blocked")] == ItemState.NOT_APPLICABLE
    assert state[(TOWNSHIP, "local-applies")] == ItemState.MISSING
    assert state[(COUNTY, "local-blocked")] == ItemState.MISSING


@pytest.mark.django_db
def test_levels_of_disclosing_organisations_are_those_some_node_applies_to(standard_catalog, demo_orgs):
    """Province and city offices have no columns: no root of the catalog is ticked for them."""
    assert selectors.catalog_levels() == {OrgLevel.COUNTY, OrgLevel.TOWNSHIP, OrgLevel.VILLAGE}
    codes = set(selectors.disclosing_organisations().values_list("code", flat=True))
    assert codes == {COUNTY, TOWNSHIP, "419901002", "419901003"}

"""The search form's selects, rendered once per version of the public trees (RenderedOnceSelect)."""

from __future__ import annotations

from django.http import QueryDict

from catalog import selectors as catalog_selectors
from catalog.models import Organisation
from disclosure.search.forms import SearchForm


def _html(query: str, rendered: dict | None) -> str:
    trees = catalog_selectors.public_trees()
    form = SearchForm(QueryDict(query), organisations=trees.organisations, tree=trees.roots, rendered=rendered)
    form.criteria()
    return "".join(str(field) for field in form)


def test_stored_selects_are_the_same_html_as_a_render(standard_catalog, demo_orgs):
    store: dict = {}
    for query in ["", "q=征收", "org=419901001&year=2025&item=0103&type=notice", "org=nonsense&year=abc&q=x"]:
        first, again = _html(query, store), _html(query, store)
        assert first == again == _html(query, None), query
    # Only values among the choices were stored: the made-up organisation and year were rendered afresh.
    stored_values = {key[1] for year in store.values() for key in year}
    assert "nonsense" not in stored_values and "abc" not in stored_values
    assert {"", "419901001", "2025", "0103"} <= stored_values


def test_a_renamed_organisation_shows_at_once_on_the_search_page(client, standard_catalog, demo_orgs):
    assert "柳林镇人民政府" in client.get("/search/").content.decode()
    Organisation.objects.filter(code="419901002").update(name="柳林镇改名后的人民政府")
    html = client.get("/search/", {"org": "419901002"}).content.decode()
    assert "柳林镇改名后的人民政府" in html
    assert "柳林镇人民政府<" not in html

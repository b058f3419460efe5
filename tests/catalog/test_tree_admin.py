"""The catalog and organisation admins: "view on site" leads to the public page, and every tree write
(add, change, move, list edit, delete) goes through catalog/services.py, whose rules show as form errors."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError

from catalog import services
from catalog.models import CatalogNode, Organisation, OrgLevel, Origin, Provenance
from tests.factories import CatalogNodeFactory, OrganisationFactory, UserFactory

CYCLE_MESSAGE = "移到它自己或它的下级之下"


@pytest.fixture
def root_client(client, db):
    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    return client


@pytest.fixture
def spy(monkeypatch):
    """Records the calls of the named catalog services while still running them."""
    calls = []

    def watch(name):
        original = getattr(services, name)

        def wrapper(**kwargs):
            calls.append(name)
            return original(**kwargs)

        monkeypatch.setattr(services, name, wrapper)

    for name in ("catalog_node_save", "catalog_node_delete", "organisation_save", "organisation_delete"):
        watch(name)
    return calls


def node_data(node: CatalogNode, **changes) -> dict:
    """The change form's POST for ``node`` as it stands, with ``changes``."""
    data = {
        "code": node.code,
        "name": node.name,
        "parent": node.parent_id or "",
        "sort_order": node.sort_order,
        "is_active": "on" if node.is_active else "",
        "provenance": node.provenance,
        "origin": node.origin,
        "owner": node.owner_id or "",
        "content": node.content,
        "basis": node.basis,
        "time_limit_text": node.time_limit_text,
        "time_limit_days": node.time_limit_days or "",
        "time_limit_trigger": node.time_limit_trigger,
        "freshness_days": node.freshness_days or "",
        "subject": node.subject,
        "channels_text": node.channels_text,
        "audience": node.audience,
        "audience_scope": node.audience_scope,
        "method": node.method,
        "levels": list(node.levels),
        "node_channels-TOTAL_FORMS": "0",
        "node_channels-INITIAL_FORMS": "0",
        "node_channels-MIN_NUM_FORMS": "0",
        "node_channels-MAX_NUM_FORMS": "1000",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


@pytest.mark.django_db
def test_view_on_site_of_an_organisation_opens_its_public_page(root_client, demo_orgs):
    """The organisation admin's 在站点上查看 redirects to /org/<code>/ (it was a 500)."""
    county = demo_orgs["419901"]
    content_type = ContentType.objects.get_for_model(Organisation)
    change_page = root_client.get(f"/admin/catalog/organisation/{county.pk}/change/")
    assert "在站点上查看" in change_page.content.decode()
    response = root_client.get(f"/admin/r/{content_type.pk}/{county.pk}/")
    assert response.status_code == 302
    assert response["Location"].endswith("/org/419901/")


@pytest.mark.django_db
def test_view_on_site_of_a_catalog_node_opens_the_item_page(root_client, standard_catalog, demo_orgs):
    """A catalog node's 在站点上查看 opens the item across organisations, which answers."""
    node = CatalogNode.objects.get(code="020102")
    content_type = ContentType.objects.get_for_model(CatalogNode)
    response = root_client.get(f"/admin/r/{content_type.pk}/{node.pk}/")
    assert response.status_code == 302
    assert response["Location"].endswith("/catalog/020102/")
    assert root_client.get(response["Location"]).status_code == 200


@pytest.mark.django_db
def test_admin_add_of_a_node_goes_through_the_service(root_client, spy):
    """Adding a node in the admin calls catalog_node_save, which files it under its parent."""
    parent = CatalogNodeFactory(code="local-parent")
    data = node_data(
        CatalogNode(code="local-child", name="新增本地事项", parent=parent, provenance=Provenance.LOCAL,
                    origin=Origin.SUPPLEMENT, levels=[OrgLevel.COUNTY]),
        parent=parent.pk,
    )
    response = root_client.post("/admin/catalog/catalognode/add/", data)
    assert response.status_code == 302, response.content.decode()
    assert spy == ["catalog_node_save"]
    child = CatalogNode.objects.get(code="local-child")
    assert child.parent == parent and child.is_child_node()


@pytest.mark.django_db
def test_admin_move_of_a_node_goes_through_the_service(root_client, spy):
    """Changing a node's parent in the admin moves it through catalog_node_save; the tree stays whole."""
    first, second = CatalogNodeFactory(code="local-a"), CatalogNodeFactory(code="local-b")
    child = CatalogNodeFactory(code="local-a1", parent=first)
    response = root_client.post(f"/admin/catalog/catalognode/{child.pk}/change/", node_data(child, parent=second.pk))
    assert response.status_code == 302, response.content.decode()
    assert spy == ["catalog_node_save"]
    for node in (child, first, second):
        node.refresh_from_db()
    assert child.parent == second
    assert [n.code for n in second.get_descendants()] == ["local-a1"]
    assert not first.get_descendants().exists()


@pytest.mark.django_db
def test_admin_move_under_its_own_descendant_shows_the_service_message(root_client, spy):
    """Moving a node beneath its own child is refused with the service's Chinese message, nothing moved."""
    top = CatalogNodeFactory(code="local-top")
    below = CatalogNodeFactory(code="local-below", parent=top)
    response = root_client.post(f"/admin/catalog/catalognode/{top.pk}/change/", node_data(top, parent=below.pk))
    assert response.status_code == 200
    assert CYCLE_MESSAGE in response.content.decode()
    assert spy == []
    top.refresh_from_db()
    assert top.parent is None


@pytest.mark.django_db
def test_admin_list_edit_of_the_sort_order_goes_through_the_service(root_client, spy):
    """The changelist's inline sort-order edit re-files the node through catalog_node_save."""
    parent = CatalogNodeFactory(code="local-p")
    late = CatalogNodeFactory(code="local-x", parent=parent, sort_order=2)
    early = CatalogNodeFactory(code="local-y", parent=parent, sort_order=1)
    response = root_client.post(
        "/admin/catalog/catalognode/",
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-MIN_NUM_FORMS": "0",
            "form-MAX_NUM_FORMS": "1000",
            "form-0-id": early.pk,
            "form-0-sort_order": "5",
            "form-0-is_active": "on",
            "_save": "保存",
        },
    )
    assert response.status_code == 302, response.content.decode()
    assert spy == ["catalog_node_save"]
    parent.refresh_from_db()
    assert [n.code for n in parent.get_children()] == [late.code, early.code]


@pytest.mark.django_db
def test_admin_delete_of_a_node_goes_through_the_service(root_client, spy):
    """Deleting a local node, alone or as a bulk action, calls catalog_node_delete."""
    county = OrganisationFactory(code="419901")
    one = CatalogNodeFactory(code="local-d1", origin=Origin.LOCAL, owner=county)
    two = CatalogNodeFactory(code="local-d2", origin=Origin.LOCAL, owner=county)
    response = root_client.post(f"/admin/catalog/catalognode/{one.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    response = root_client.post(
        "/admin/catalog/catalognode/",
        {"action": "delete_selected", "_selected_action": [two.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert spy == ["catalog_node_delete", "catalog_node_delete"]
    assert not CatalogNode.objects.filter(code__in=["local-d1", "local-d2"]).exists()


@pytest.mark.django_db
def test_organisation_moved_under_its_own_township_is_refused(root_client, demo_orgs, spy):
    """The organisation admin checks the parent by the same service rule; a valid move goes through it."""
    county, township = demo_orgs["419901"], demo_orgs["419901001"]
    data = {
        "code": county.code, "name": county.name, "short_name": county.short_name, "level": county.level,
        "parent": township.pk, "sort_order": county.sort_order, "is_active": "on",
        "address": "", "postcode": "", "office_hours": "", "phone": "", "fax": "", "email": "", "website": "",
    }
    response = root_client.post(f"/admin/catalog/organisation/{county.pk}/change/", data)
    assert response.status_code == 200
    assert CYCLE_MESSAGE in response.content.decode()
    assert spy == []
    response = root_client.post(
        f"/admin/catalog/organisation/{county.pk}/change/", {**data, "parent": demo_orgs["419900"].pk, "phone": "1"}
    )
    assert response.status_code == 302
    assert spy == ["organisation_save"]


@pytest.mark.django_db
def test_move_service_refuses_a_cycle_and_writes_nothing():
    """catalog_node_move under the node's own descendant raises ValidationError on 'parent'."""
    top = CatalogNodeFactory(code="local-t")
    below = CatalogNodeFactory(code="local-t1", parent=top)
    with pytest.raises(ValidationError) as refused:
        services.catalog_node_move(node=top, parent=below, sort_order=0)
    assert CYCLE_MESSAGE in str(refused.value.message_dict["parent"])
    top.refresh_from_db()
    assert top.parent is None and not below.get_descendants().exists()


@pytest.mark.django_db
def test_organisation_save_places_a_new_township_under_its_county():
    """organisation_save inserts a node into the organisation tree."""
    county = OrganisationFactory(code="490001")
    township = services.organisation_save(
        organisation=Organisation(code="490001001", name="测试镇", level=OrgLevel.TOWNSHIP, parent=county)
    )
    assert list(county.get_children()) == [township]

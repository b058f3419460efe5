"""The standard catalog no county can bend (issue 13): a county 单位管理员 cannot rename or switch off a
standard node (0101, 01) for anyone, adds local refinements (本单位细化) that belong to their organisation
alone, and switches a column off for their own organisation only. A reload restores the standard."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.urls import reverse

from catalog.models import CatalogNode, ColumnSetting, OrgLevel, Origin, Provenance
from catalog.services import catalog_load_standard
from disclosure.core.access import Role
from tests.admin_client import client_for
from tests.factories import OrganisationFactory, UserFactory, make_staff

NODES_URL = reverse("admin:catalog_catalognode_changelist")
SETTINGS_ADD_URL = reverse("admin:catalog_columnsetting_add")
WORKING_NOTES = ("其余要素被截断", "东莞镇级版本", "江岸作", "截断", "东莞", "江岸")


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def s(standard_catalog, demo_orgs):
    county = demo_orgs["419901"]
    other = OrganisationFactory(code="419902", name="邻县住房和城乡建设局", level=OrgLevel.COUNTY,
                                parent=demo_orgs["419900"])
    return SimpleNamespace(
        county=county,
        other=other,
        admin=make_staff(county, Role.ORG_ADMIN, username="county_admin"),
        other_admin=make_staff(other, Role.ORG_ADMIN, username="other_admin"),
        root=UserFactory(username="root", is_superuser=True),
    )


def change_data(node: CatalogNode, **overrides) -> dict:
    """The change form's POST for ``node`` as it stands, with ``overrides``."""
    data = {
        "code": node.code,
        "name": node.name,
        "parent": str(node.parent_id or ""),
        "sort_order": str(node.sort_order),
        "is_active": "on" if node.is_active else "",
        "origin": node.origin,
        "provenance": node.provenance,
        "owner": str(node.owner_id or ""),
        "content": node.content,
        "basis": node.basis,
        "time_limit_text": node.time_limit_text,
        "time_limit_days": str(node.time_limit_days or ""),
        "time_limit_trigger": node.time_limit_trigger,
        "freshness_days": "",
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
        "_save": "保存",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def local_item_data(parent: CatalogNode, **overrides) -> dict:
    data = change_data(
        CatalogNode(code="QH-0101-01", name="本县房屋征收补偿办法", parent=parent, levels=["county"],
                    time_limit_trigger="none", origin=Origin.STANDARD, provenance=Provenance.SOURCED),
        content="本县房屋征收与补偿实施办法及其修订情况",
    )
    data.update(overrides)
    return data


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["0101", "01"])
def test_county_admin_cannot_rename_or_switch_off_a_standard_node(s, client, code):
    """Posting the change form (renamed, switched off) is refused with 403 and changes nothing; the list's
    inline editing of 启用 is not offered and a forged list POST changes nothing either."""
    node = CatalogNode.objects.get(code=code)
    name = node.name
    admin = client_for(s.admin)
    url = reverse("admin:catalog_catalognode_change", args=[node.pk])
    assert 'name="name"' not in admin.get(url).content.decode()
    assert admin.post(url, change_data(node, name="改名")).status_code == 403
    assert admin.post(url, change_data(node, is_active="")).status_code == 403
    admin.post(NODES_URL, {
        "form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "1", "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000", "form-0-id": str(node.pk), "form-0-sort_order": "1", "_save": "保存",
    })
    assert admin.post(
        reverse("admin:catalog_catalognode_delete", args=[node.pk]), {"post": "yes"}
    ).status_code == 403
    node.refresh_from_db()
    assert node.name == name and node.is_active and node.origin == Origin.STANDARD
    assert client.get(f"/org/{s.other.code}/{code}/").status_code == 200


@pytest.mark.django_db
def test_county_admin_adds_a_local_sub_item_under_0101(s, client):
    """The new item is 本单位细化 of the county whatever origin or owner is posted; it is a column of
    the county only, says so, and is read-only to another county's administrator."""
    parent = CatalogNode.objects.get(code="0101")
    admin = client_for(s.admin)
    response = admin.post(
        reverse("admin:catalog_catalognode_add"),
        local_item_data(parent, origin=Origin.STANDARD, owner=str(s.other.pk)),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    item = CatalogNode.objects.get(code="QH-0101-01")
    assert (item.parent, item.origin, item.provenance, item.owner) == (parent, Origin.LOCAL, Provenance.LOCAL, s.county)

    page = client.get(f"/org/{s.county.code}/{item.code}/")
    assert page.status_code == 200
    assert "目录来源：本单位细化" in page.content.decode()
    assert item.name in client.get(f"/org/{s.county.code}/0101/").content.decode()
    assert client.get(f"/org/{s.other.code}/{item.code}/").status_code == 404
    assert item.name not in client.get(f"/org/{s.other.code}/0101/").content.decode()

    url = reverse("admin:catalog_catalognode_change", args=[item.pk])
    assert client_for(s.other_admin).post(url, change_data(item, name="改名")).status_code == 403
    assert admin.post(url, change_data(item, name="本县房屋征收补偿实施办法")).status_code == 302
    item.refresh_from_db()
    assert item.name == "本县房屋征收补偿实施办法" and item.owner == s.county

    # The open-data catalog says whose item it is; the standard items are the platform's.
    import json

    tree = json.loads(client.get("/api/v1/catalog").content)["results"]
    levy = next(item for item in tree[0]["children"] if item["code"] == "0101")
    local = next(child for child in levy["children"] if child["code"] == item.code)
    assert (local["origin"], local["owner"]) == ("local", s.county.code)
    assert (levy["origin"], levy["owner"], tree[0]["origin"]) == ("standard", None, "standard")

    # A reload of the standard leaves the local item alone.
    catalog_load_standard()
    assert CatalogNode.objects.get(pk=item.pk).owner == s.county


@pytest.mark.django_db
def test_county_admin_switches_a_column_off_for_their_own_organisation_only(s, client):
    """A ColumnSetting posted by the county's administrator hides 0101 on the county's pages only; the
    node stays active, other counties keep it, and the administrator cannot set another county's view."""
    node = CatalogNode.objects.get(code="0101")
    admin = client_for(s.admin)
    forged = admin.post(SETTINGS_ADD_URL, {"organisation": str(s.other.pk), "node": str(node.pk),
                                            "note": "", "_save": "保存"})
    assert forged.status_code == 200 and not ColumnSetting.objects.exists()
    response = admin.post(SETTINGS_ADD_URL, {"organisation": str(s.county.pk), "node": str(node.pk),
                                              "note": "本县暂无征收项目", "_save": "保存"})
    assert response.status_code == 302, response.content.decode()[:2000]
    setting = ColumnSetting.objects.get()
    assert (setting.organisation, setting.node, setting.shown) == (s.county, node, False)

    node.refresh_from_db()
    assert node.is_active
    assert client.get(f"/org/{s.county.code}/0101/").status_code == 404
    assert client.get(f"/org/{s.county.code}/010101/").status_code == 404
    assert f'/org/{s.county.code}/0101/"' not in client.get(f"/org/{s.county.code}/").content.decode()
    assert client.get(f"/org/{s.other.code}/0101/").status_code == 200
    sitemap = client.get("/sitemap-columns.xml").content.decode()
    assert f"/org/{s.county.code}/0101/<" not in sitemap and f"/org/{s.other.code}/0101/<" in sitemap
    assert f"/org/{s.county.code}/0102/<" in sitemap
    guide = client.get(reverse("disclosure:organisation_guide", args=[s.county.code])).content.decode()
    assert f'/org/{s.county.code}/0101/"' not in guide and f'/org/{s.county.code}/0102/"' in guide

    # Shown again, with the county's own note under the standard.
    ColumnSetting.objects.filter(pk=setting.pk).update(shown=True)
    page = client.get(f"/org/{s.county.code}/0101/").content.decode()
    assert "本单位说明" in page and "本县暂无征收项目" in page
    assert "本县暂无征收项目" not in client.get(f"/org/{s.other.code}/0101/").content.decode()


@pytest.mark.django_db
def test_a_province_administrator_is_the_platform(s, demo_orgs):
    """The 单位管理员 of the province-level department may rename 0101 (the platform); the same role in a
    city may not."""
    node = CatalogNode.objects.get(code="0101")
    url = reverse("admin:catalog_catalognode_change", args=[node.pk])
    city_admin = make_staff(demo_orgs["419900"], Role.ORG_ADMIN, username="city_admin")
    assert client_for(city_admin).post(url, change_data(node, name="改名")).status_code == 403
    province_admin = make_staff(demo_orgs["410000"], Role.ORG_ADMIN, username="province_admin")
    response = client_for(province_admin).post(url, change_data(node, name="法规政策（省厅改）"))
    assert response.status_code == 302
    node.refresh_from_db()
    assert node.name == "法规政策（省厅改）"


@pytest.mark.django_db
def test_the_platform_changes_standard_nodes_and_a_reload_restores_them(s):
    """A superuser renames 0101; the next load_catalog puts the standard name back."""
    node = CatalogNode.objects.get(code="0101")
    url = reverse("admin:catalog_catalognode_change", args=[node.pk])
    assert client_for(s.root).post(url, change_data(node, name="法规政策（平台改）")).status_code == 302
    node.refresh_from_db()
    assert node.name == "法规政策（平台改）"
    report = catalog_load_standard()
    node.refresh_from_db()
    assert node.name == "法规政策" and report.restored == ["0101"]


@pytest.mark.django_db
def test_public_columns_tell_the_provenance_and_show_no_working_note(s, client):
    """Every column page of the county says where its item comes from; partial and reconstructed
    items say so; no working note of the team reaches any column page or the catalog data."""
    catalog_load_standard(include_extras=True)
    from catalog import selectors

    tree = selectors.catalog_tree()
    branches = selectors.applicable_tree(tree, s.county)
    stack = list(branches)
    seen = 0
    while stack:
        branch = stack.pop()
        stack.extend(branch.children)
        node = branch.node
        html = client.get(f"/org/{s.county.code}/{node.code}/").content.decode()
        seen += 1
        for note in WORKING_NOTES:
            assert note not in html, (node.code, note)
        expected = {"standard": "目录来源：标准目录", "supplement": "目录来源：参考各地目录补充"}[node.origin]
        assert expected in html, node.code
        if node.provenance == Provenance.RECONSTRUCTED:
            assert "并非已公布目录的原文" in html, node.code
        elif node.provenance == Provenance.PARTIAL:
            assert "部分公开要素系依据相关法规补全" in html, node.code
        else:
            assert "尚待主管部门确认" not in html, node.code
    assert seen > 60
    assert CatalogNode.objects.filter(provenance=Provenance.RECONSTRUCTED).exists()
    for node in CatalogNode.objects.all():
        text = " ".join([node.name, node.content, node.basis, node.subject, node.channels_text, node.audience])
        for note in WORKING_NOTES:
            assert note not in text, (node.code, note)


@pytest.mark.django_db
def test_a_local_item_without_an_owner_is_a_form_error_not_a_500(s):
    """The platform adding a 本单位细化 item must name its organisation; a platform item names none."""
    parent = CatalogNode.objects.get(code="0101")
    root = client_for(s.root)
    url = reverse("admin:catalog_catalognode_add")
    response = root.post(url, local_item_data(parent, origin=Origin.LOCAL, provenance=Provenance.LOCAL, owner=""))
    assert response.status_code == 200 and "必须指定细化单位" in response.content.decode()
    response = root.post(url, local_item_data(parent, origin=Origin.SUPPLEMENT, owner=str(s.county.pk)))
    assert response.status_code == 200 and "请清空细化单位" in response.content.decode()
    assert not CatalogNode.objects.filter(code="QH-0101-01").exists()

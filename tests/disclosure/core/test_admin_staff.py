"""Accounts, organisations and catalog extensions in the admin, as a 单位管理员 sees them.

An organisation administrator manages only their own organisation's accounts, gives only the four
roles, never makes a superuser and never moves an account elsewhere; edits only local catalog items
and only their own organisation's contact details. Superusers manage everything.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from catalog.models import CatalogNode, Provenance
from disclosure.core.access import Role
from disclosure.core.staff import StaffProfile
from tests.admin_client import client_for
from tests.factories import UserFactory, make_staff

User = get_user_model()
COUNTY = "419901"
TOWNSHIP = "419901001"
USERS_URL = reverse("admin:auth_user_changelist")
NODES_URL = reverse("admin:catalog_catalognode_changelist")



def user_url(user) -> str:
    return reverse("admin:auth_user_change", args=[user.pk])


def role(name: str) -> Group:
    return Group.objects.get(name=name)


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    # Accounts are made per test; the production hasher would spend seconds on each of them.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def s(standard_catalog, demo_orgs):
    county, township = demo_orgs[COUNTY], demo_orgs[TOWNSHIP]
    root = UserFactory(username="root", is_superuser=True)
    StaffProfile.objects.create(user=root, organisation=county)
    return SimpleNamespace(
        county=county,
        township=township,
        orgadmin=make_staff(county, Role.ORG_ADMIN, username="orgadmin"),
        editor=make_staff(county, Role.EDITOR, username="editor"),
        town_editor=make_staff(township, Role.EDITOR, username="town_editor"),
        town_admin=make_staff(township, Role.ORG_ADMIN, username="town_admin"),
        root=root,
    )


def user_change_data(user, **overrides) -> dict:
    profile = user.staff_profile
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "is_staff": "on",
        "groups": [str(pk) for pk in user.groups.values_list("pk", flat=True)],
        "staff_profile-TOTAL_FORMS": "1",
        "staff_profile-INITIAL_FORMS": "1",
        "staff_profile-MIN_NUM_FORMS": "0",
        "staff_profile-MAX_NUM_FORMS": "1",
        "staff_profile-0-id": str(profile.pk),
        "staff_profile-0-user": str(user.pk),
        "staff_profile-0-phone": profile.phone,
        "_save": "保存",
    }
    data.update(overrides)
    return data


# Accounts ----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_org_admin_lists_only_own_organisation_accounts(s):
    """The user list of a county administrator holds county staff only: no township staff, no superuser."""
    html = client_for(s.orgadmin).get(USERS_URL).content.decode()
    assert "editor" in html and "orgadmin" in html
    assert "town_editor" not in html and "town_admin" not in html
    assert ">root<" not in html


@pytest.mark.django_db
def test_org_admin_cannot_open_accounts_of_another_organisation(s):
    """Another organisation's account (and a superuser) answer 404, its password page too."""
    client = client_for(s.orgadmin)
    assert client.get(user_url(s.town_editor)).status_code == 404
    assert client.post(user_url(s.town_editor), user_change_data(s.town_editor, is_active="")).status_code == 404
    assert client.get(reverse("admin:auth_user_password_change", args=[s.town_editor.pk])).status_code == 404
    assert client.get(user_url(s.root)).status_code == 404
    s.town_editor.refresh_from_db()
    assert s.town_editor.is_active


@pytest.mark.django_db
def test_org_admin_adds_an_account_to_own_organisation(s):
    """A new account lands in the administrator's organisation, as staff, never as superuser."""
    data = {
        "username": "new_editor",
        "usable_password": "true",
        "password1": "Qinghe-2026-strong-pw",
        "password2": "Qinghe-2026-strong-pw",
        "is_superuser": "on",
        "staff_profile-TOTAL_FORMS": "1",
        "staff_profile-INITIAL_FORMS": "0",
        "staff_profile-MIN_NUM_FORMS": "0",
        "staff_profile-MAX_NUM_FORMS": "1",
        "staff_profile-0-organisation": str(s.township.pk),
        "staff_profile-0-phone": "0370-1234567",
        "_save": "保存",
    }
    response = client_for(s.orgadmin).post(reverse("admin:auth_user_add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    user = User.objects.get(username="new_editor")
    assert user.staff_profile.organisation == s.county
    assert user.staff_profile.phone == "0370-1234567"
    assert user.is_staff and not user.is_superuser


@pytest.mark.django_db
def test_org_admin_gives_roles_but_not_superuser_nor_another_organisation(s):
    """Changing an account: a role is given, while is_superuser and another organisation are ignored."""
    data = user_change_data(
        s.editor,
        groups=[str(role(Role.EDITOR).pk), str(role(Role.REVIEWER).pk)],
        is_superuser="on",
        **{"staff_profile-0-organisation": str(s.township.pk)},
    )
    response = client_for(s.orgadmin).post(user_url(s.editor), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    s.editor.refresh_from_db()
    assert set(s.editor.groups.values_list("name", flat=True)) == {Role.EDITOR, Role.REVIEWER}
    assert not s.editor.is_superuser
    assert s.editor.staff_profile.organisation == s.county


@pytest.mark.django_db
def test_org_admin_offers_only_the_four_roles(s):
    """Only the role groups are offered; posting another group is a form error and changes nothing."""
    powerful = Group.objects.create(name="系统维护")
    powerful.permissions.add(Permission.objects.get(codename="delete_user"))
    client = client_for(s.orgadmin)
    html = client.get(user_url(s.editor)).content.decode()
    assert "系统维护" not in html and "审计员" in html
    assert 'name="is_superuser"' not in html and 'name="user_permissions"' not in html
    response = client.post(user_url(s.editor), user_change_data(s.editor, groups=[str(powerful.pk)]))
    assert response.status_code == 200
    s.editor.refresh_from_db()
    assert list(s.editor.groups.values_list("name", flat=True)) == [Role.EDITOR]


@pytest.mark.django_db
def test_groups_outside_the_roles_survive_an_org_admin_edit(s):
    """A group a superuser gave stays when an administrator, who cannot see it, edits the account."""
    extra = Group.objects.create(name="报表查看")
    s.editor.groups.add(extra)
    data = user_change_data(s.editor, groups=[str(role(Role.EDITOR).pk)], first_name="晓梅")
    assert client_for(s.orgadmin).post(user_url(s.editor), data).status_code == 302
    assert set(s.editor.groups.values_list("name", flat=True)) == {Role.EDITOR, "报表查看"}


@pytest.mark.django_db
def test_superuser_manages_every_account(s):
    """A superuser sees every organisation's accounts and may move one to another organisation."""
    client = client_for(s.root)
    html = client.get(USERS_URL).content.decode()
    assert "town_editor" in html and "editor" in html
    data = user_change_data(
        s.editor,
        is_superuser="",
        user_permissions=[],
        date_joined_0="2026-01-05",
        date_joined_1="08:30:00",
        **{"staff_profile-0-organisation": str(s.township.pk)},
    )
    response = client.post(user_url(s.editor), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    s.editor.refresh_from_db()
    assert s.editor.staff_profile.organisation == s.township


@pytest.mark.django_db
def test_editor_has_no_account_admin(s):
    """Staff without the administrator role cannot reach the user admin."""
    assert client_for(s.editor).get(USERS_URL).status_code == 403


# Organisations -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_org_admin_edits_own_organisation_contact_details_only(s):
    """Own organisation: contact details editable, code/name/tree read-only. Others: read-only."""
    client = client_for(s.orgadmin)
    own_url = reverse("admin:catalog_organisation_change", args=[s.county.pk])
    html = client.get(own_url).content.decode()
    assert 'name="phone"' in html and 'name="name"' not in html and 'name="parent"' not in html
    data = {
        "address": s.county.address,
        "postcode": s.county.postcode,
        "office_hours": s.county.office_hours,
        "phone": "0370-7654321",
        "fax": "",
        "email": s.county.email,
        "website": "",
        "name": "篡改的名称",
        "_save": "保存",
    }
    assert client.post(own_url, data).status_code == 302
    s.county.refresh_from_db()
    assert s.county.phone == "0370-7654321" and s.county.name == "清河县住房和城乡建设局"

    other_url = reverse("admin:catalog_organisation_change", args=[s.township.pk])
    assert 'name="phone"' not in client.get(other_url).content.decode()
    assert client.post(other_url, {**data, "phone": "110"}).status_code == 403
    s.township.refresh_from_db()
    assert s.township.phone != "110"
    assert 'name="form-0-sort_order"' not in client.get(reverse("admin:catalog_organisation_changelist")).content.decode()


# Catalog extensions ------------------------------------------------------------------------------------


def node_add_data(parent, **overrides) -> dict:
    data = {
        "code": "QH-0205-01",
        "name": "人才公寓配租结果",
        "parent": str(parent.pk),
        "sort_order": "90",
        "is_active": "on",
        "content": "配租对象、房源、租金",
        "basis": "",
        "time_limit_text": "信息形成或变更之日起20个工作日内",
        "time_limit_days": "20",
        "time_limit_trigger": "formed",
        "freshness_days": "",
        "subject": "县住房城乡建设局",
        "channels_text": "",
        "audience": "全社会",
        "audience_scope": "public",
        "method": "proactive",
        "levels": ["county"],
        "node_channels-TOTAL_FORMS": "0",
        "node_channels-INITIAL_FORMS": "0",
        "node_channels-MIN_NUM_FORMS": "0",
        "node_channels-MAX_NUM_FORMS": "1000",
        "_save": "保存",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_org_admin_cannot_edit_a_standard_catalog_item(s):
    """A standard item is read-only to an administrator: no inputs, a POST is 403, and the list has no
    inline editing of order or activity."""
    node = CatalogNode.objects.get(code="020503")
    url = reverse("admin:catalog_catalognode_change", args=[node.pk])
    client = client_for(s.orgadmin)
    page = client.get(url)
    assert page.status_code == 200 and 'name="name"' not in page.content.decode()
    response = client.post(url, node_add_data(node.parent, code=node.code, name="改名"))
    assert response.status_code == 403
    node.refresh_from_db()
    assert node.name == "配租（分配）结果"

    listing = client.get(NODES_URL).content.decode()
    assert 'name="form-0-sort_order"' not in listing
    client.post(
        NODES_URL,
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-0-id": str(node.pk),
            "form-0-sort_order": "999",
            "_save": "保存",
        },
    )
    node.refresh_from_db()
    assert node.sort_order != 999 and node.is_active


@pytest.mark.django_db
def test_org_admin_adds_and_edits_a_local_catalog_item(s):
    """An administrator adds a local refinement; it is local whatever provenance is posted, and stays
    editable to them."""
    parent = CatalogNode.objects.get(code="0205")
    client = client_for(s.orgadmin)
    response = client.post(
        reverse("admin:catalog_catalognode_add"), node_add_data(parent, provenance=Provenance.SOURCED)
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    node = CatalogNode.objects.get(code="QH-0205-01")
    assert node.provenance == Provenance.LOCAL and node.parent == parent
    html = client.get(reverse("admin:catalog_catalognode_change", args=[node.pk])).content.decode()
    assert 'name="name"' in html and 'name="provenance"' not in html


@pytest.mark.django_db
def test_standard_items_are_editable_with_the_standard_permission(s):
    """Holders of catalog.change_standard_node (and superusers) edit standard items."""
    node = CatalogNode.objects.get(code="020503")
    url = reverse("admin:catalog_catalognode_change", args=[node.pk])
    s.orgadmin.user_permissions.add(Permission.objects.get(codename="change_standard_node"))
    assert 'name="name"' in client_for(User.objects.get(pk=s.orgadmin.pk)).get(url).content.decode()
    assert 'name="name"' in client_for(s.root).get(url).content.decode()

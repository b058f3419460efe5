"""Django's own account screens in Chinese (disclosure/core/admin.py, portal/admin_text.py): permissions are
named from the models' Chinese names, only the portal's own applications' permissions are offered, the
password row says whether a password is set, and boolean icons read 是/否 to screen readers."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from disclosure.core.access import Role
from tests.admin_client import client_for
from tests.factories import UserFactory, make_staff

pytestmark = pytest.mark.django_db


def test_the_group_screen_names_permissions_in_chinese_and_offers_only_the_portals(county):
    group = Group.objects.get(name=Role.EDITOR)
    client = client_for(UserFactory(username="root", is_superuser=True))
    page = client.get(reverse("admin:auth_group_change", args=[group.pk])).content.decode()
    assert "政务公开 | 公开信息 | 增加公开信息" in page
    assert "Can add" not in page and "Can view" not in page
    assert "axes" not in page.lower() and "会话 | 会话" not in page


def test_posting_the_group_form_keeps_its_permissions(county):
    """The superuser saves a role group through the Chinese form: the chosen permissions are stored."""
    group = Group.objects.create(name="测试组")
    wanted = Permission.objects.get(codename="view_record", content_type__app_label="disclosure")
    client = client_for(UserFactory(username="root", is_superuser=True))
    response = client.post(
        reverse("admin:auth_group_change", args=[group.pk]), {"name": "测试组", "permissions": [wanted.pk]}
    )
    assert response.status_code == 302
    assert list(group.permissions.all()) == [wanted]


def test_the_account_screen_says_a_password_is_set_without_hash_details(county):
    staff = make_staff(county, Role.EDITOR, username="zhang")
    client = client_for(UserFactory(username="root", is_superuser=True))
    page = client.get(reverse("admin:auth_user_change", args=[staff.pk])).content.decode()
    assert "已设置密码（加密保存，不可查看）。" in page
    assert "md5" not in page.lower() and "pbkdf2" not in page


def test_boolean_icons_read_in_chinese(county):
    make_staff(county, Role.EDITOR, username="zhang")
    page = client_for(UserFactory(username="root", is_superuser=True)).get(reverse("admin:auth_user_changelist"))
    text = page.content.decode()
    assert 'alt="是"' in text and 'alt="True"' not in text and 'alt="False"' not in text

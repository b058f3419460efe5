"""One language: zh-hans. Our strings are written in Chinese; Django's own come from its zh_Hans catalog."""

from pathlib import Path

import pytest
from django.conf import settings

from tests.factories import UserFactory


def test_chinese_is_the_only_language_and_no_locale_folder_is_pretended():
    """LANGUAGE_CODE is zh-hans, the only language; any LOCALE_PATHS entry is a folder that exists."""
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert [code for code, _name in settings.LANGUAGES] == ["zh-hans"]
    assert all(Path(folder).is_dir() for folder in getattr(settings, "LOCALE_PATHS", []))


@pytest.mark.django_db
def test_admin_login_page_is_in_chinese_whatever_the_browser_asks(client):
    """Django's own login strings are translated, even for a browser that prefers English."""
    page = client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="zh-hans"' in page
    assert 'value="登录"' in page and "用户名" in page and "密码" in page
    assert "Log in" not in page and "Username" not in page


@pytest.mark.django_db
def test_admin_changelist_is_in_chinese(client, standard_catalog):
    """A changelist shows Django's own admin strings in Chinese ("增加 …", "搜索") and our verbose names."""
    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    page = client.get("/admin/catalog/catalognode/").content.decode()
    assert "增加 目录事项" in page
    assert 'value="搜索"' in page
    assert "标准目录" in page
    assert 'value="Search"' not in page and "Add 目录事项" not in page

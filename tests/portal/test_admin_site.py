"""The admin's JavaScript translation catalogue (portal/admin_site.py): the same text as Django's own view,
built once per process, and revalidated by its ETag."""

import json
from unittest import mock

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from django.views.i18n import JavaScriptCatalog

from portal import admin_site


@pytest.fixture
def fresh_catalogue():
    admin_site._catalogues.clear()
    yield
    admin_site._catalogues.clear()


def test_admin_site_is_the_portals():
    assert isinstance(admin.site, admin_site.PortalAdminSite)
    assert reverse("admin:jsi18n") == "/admin/jsi18n/"


def test_the_catalogue_is_djangos_built_once_and_revalidated(admin_client, fresh_catalogue):
    client = admin_client
    with translation.override("zh-hans"):
        expected = JavaScriptCatalog.as_view(packages=["django.contrib.admin"])(RequestFactory().get("/")).content
    assert json.dumps("今天").encode() in expected  # the date widget's "Today", in Chinese (\\u escapes)

    with mock.patch.object(JavaScriptCatalog, "get", autospec=True, side_effect=JavaScriptCatalog.get) as built:
        first = client.get("/admin/jsi18n/")
        second = client.get("/admin/jsi18n/")
        not_modified = client.get("/admin/jsi18n/", headers={"If-None-Match": first["ETag"]})
        other = client.get("/admin/jsi18n/", headers={"If-None-Match": '"something-else"'})
    assert built.call_count == 1
    assert first.status_code == second.status_code == other.status_code == 200
    assert first.content == second.content == other.content == expected
    assert first["Content-Type"].startswith("text/javascript")
    assert "max-age=3600" in first["Cache-Control"]
    assert not_modified.status_code == 304 and not_modified.content == b""

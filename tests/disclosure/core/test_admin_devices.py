"""The staff's TOTP devices in the admin (disclosure/core/devices.py): a superuser lists them in Chinese and
deletes a lost phone's device so its owner enrols again; nobody else reaches the screen; nobody adds or edits
a device there."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from disclosure.core.access import Role
from tests.admin_client import client_for
from tests.factories import UserFactory, make_staff

pytestmark = pytest.mark.django_db
LIST_URL = reverse("admin:disclosure_stafftotpdevice_changelist")


def test_a_superuser_lists_devices_in_chinese_and_deletes_a_lost_one(county):
    staff = make_staff(county, Role.EDITOR, username="zhang", first_name="张晓梅")
    device = TOTPDevice.objects.create(user=staff, name="手机", confirmed=True)
    client = client_for(UserFactory(username="root", is_superuser=True))
    page = client.get(LIST_URL).content.decode()
    assert "动态验证码设备" in page and "张晓梅（zhang）" in page and 'alt="是"' in page
    assert client.get(reverse("admin:disclosure_stafftotpdevice_add")).status_code == 403
    response = client.post(reverse("admin:disclosure_stafftotpdevice_delete", args=[device.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()


def test_an_organisation_administrator_cannot_reach_the_devices(county):
    device = TOTPDevice.objects.create(user=make_staff(county, Role.EDITOR), name="手机", confirmed=True)
    client = client_for(make_staff(county, Role.ORG_ADMIN, username="orgadmin"))
    assert client.get(LIST_URL).status_code == 403
    client.post(reverse("admin:disclosure_stafftotpdevice_delete", args=[device.pk]), {"post": "yes"})
    assert TOTPDevice.objects.filter(pk=device.pk).exists()

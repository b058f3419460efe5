"""The concerns list's bulk action (disclosure/concerns/admin_bulk.py): add responsible staff to several
concerns at once, posted as the organisation's staff; each concern goes through concerns.services.
concern_update, which checks the right and the organisation and logs the change."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from disclosure.concerns import services
from disclosure.concerns.models import ConcernSource, Severity
from disclosure.core.log import ActivityEntry
from tests.admin_client import client_for, messages_of
from tests.disclosure.concerns import test_admin as concerns_admin

LIST_URL = reverse("admin:disclosure_concern_changelist")
c = concerns_admin.c  # the concerns admin tests' accounts

pytestmark = pytest.mark.django_db


def register(c, title, staff):
    return services.concern_create(
        user=c.editor,
        organisation=c.county,
        title=title,
        severity=Severity.MAJOR,
        arose_at=timezone.now() - timedelta(hours=1),
        source=ConcernSource.HOTLINE,
        responsible_staff=staff,
    )


def bulk(client, concerns, **extra):
    data = {"action": "assign_staff", "_selected_action": [x.pk for x in concerns], "index": "0", **extra}
    return client.post(LIST_URL, data, follow=True)


def test_an_org_admin_adds_a_handler_to_several_concerns(c):
    """The first post asks whom to add (the organisation's staff only); the second adds them to each concern,
    keeping those already responsible, with an "update" entry in each concern's log."""
    first = register(c, "供暖不热投诉集中", [c.editor])
    second = register(c, "小区电梯停运投诉", [c.reviewer])
    client = client_for(c.orgadmin)
    page = bulk(client, [first, second]).content.decode()
    assert "增加的责任人" in page and "供暖不热投诉集中" in page
    assert "town_editor" not in page  # another organisation's staff are not offered
    response = bulk(client, [first, second], apply="1", staff=[c.orgadmin.pk])
    assert "已为 2 项事项增加责任人。" in messages_of(response)
    assert set(first.responsible_staff.all()) == {c.editor, c.orgadmin}
    assert set(second.responsible_staff.all()) == {c.reviewer, c.orgadmin}
    for concern in (first, second):
        assert ActivityEntry.objects.filter(subject_type="concern", subject_id=concern.pk, action="update").count() == 1


def test_an_auditor_cannot_assign_handlers(c):
    """Auditors read only: the action is not offered and a forged post changes nothing."""
    concern = register(c, "供暖不热投诉集中", [c.editor])
    client = client_for(c.auditor)
    assert "assign_staff" not in client.get(LIST_URL).content.decode()
    bulk(client, [concern], apply="1", staff=[c.auditor.pk])
    assert set(concern.responsible_staff.all()) == {c.editor}
    assert not ActivityEntry.objects.filter(subject_type="concern", subject_id=concern.pk, action="update").exists()


def test_assigning_nobody_asks_again_and_writes_nothing(c):
    concern = register(c, "供暖不热投诉集中", [c.editor])
    response = bulk(client_for(c.reviewer), [concern], apply="1")
    assert "请至少选择一名责任人。" in response.content.decode()
    assert set(concern.responsible_staff.all()) == {c.editor}

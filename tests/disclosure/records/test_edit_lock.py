"""Two editors and one draft: opening it takes the edit lock, shown to the other; a save while someone else
holds the lock, or from a form opened before someone else's save, is refused and the user's input comes back
in the form; nothing is written by a refused save; the lock goes on save or after the timeout."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from catalog.models import CatalogNode
from disclosure.core.access import Role
from disclosure.records import services
from disclosure.records.edit_lock import RecordEditLock, StaleEdit, current_version
from disclosure.records.models import AuditEntry, Record, RecordVersion
from tests.admin_client import client_for
from tests.disclosure.records.test_admin_records import COUNTY, NODE, form_data
from tests.factories import make_staff, record_fields

pytestmark = pytest.mark.django_db


@pytest.fixture
def a(standard_catalog, demo_orgs):
    county = demo_orgs[COUNTY]
    node = CatalogNode.objects.get(code=NODE)
    zhang = make_staff(county, Role.EDITOR, username="zhang", first_name="张晓梅")
    return SimpleNamespace(
        node=node,
        zhang=zhang,
        wang=make_staff(county, Role.EDITOR, username="wang", first_name="王芳"),
        reviewer=make_staff(county, Role.REVIEWER, username="reviewer"),
        record=services.record_create(user=zhang, organisation=county, node=node, **record_fields()),
    )


def change_url(record) -> str:
    return reverse("admin:disclosure_record_change", args=[record.pk])


def open_form(client, record):
    """GET the change form; the version it was opened on, and the page."""
    response = client.get(change_url(record))
    assert response.status_code == 200
    return response.context["adminform"].form.initial["edit_version"], response.content.decode()


def save(client, a, version, **fields):
    return client.post(change_url(a.record), form_data(a.node, edit_version=str(version), **fields))


def written(record) -> tuple[int, int]:
    return RecordVersion.objects.filter(record=record).count(), AuditEntry.objects.filter(record=record).count()


def test_second_editor_sees_the_lock(a):
    """张晓梅 opens the draft first; 王芳 opening it next reads who is editing and since when."""
    zhang, wang = client_for(a.zhang), client_for(a.wang)
    _version, page = open_form(zhang, a.record)
    assert 'id="record-edit-lock"' not in page
    lock = RecordEditLock.objects.get(record=a.record)
    assert lock.holder == a.zhang
    _version, page = open_form(wang, a.record)
    since = timezone.localtime(lock.taken_at).strftime("%H:%M")
    assert f"张晓梅 正在编辑，{since} 起" in page
    # Still 张晓梅's lock.
    assert RecordEditLock.objects.get(record=a.record).holder == a.zhang


def test_save_while_someone_else_holds_the_lock_is_refused_and_nothing_lost(a):
    """王芳's save while 张晓梅 edits: refused with the reason; her title and body are in the form again;
    nothing is written."""
    zhang, wang = client_for(a.zhang), client_for(a.wang)
    open_form(zhang, a.record)
    version, _page = open_form(wang, a.record)
    before = written(a.record)
    response = save(wang, a, version, title="王芳改的标题", body="<p>王芳写的正文</p>")
    assert response.status_code == 200
    page = response.content.decode()
    assert "张晓梅 正在编辑" in page and "暂不能保存" in page
    assert 'value="王芳改的标题"' in page and "王芳写的正文" in page
    assert written(a.record) == before
    assert Record.objects.get(pk=a.record.pk).title == record_fields()["title"]


def test_stale_save_is_refused_and_nothing_lost_then_saved_knowingly(a, settings):
    """王芳 opened the draft (her lock lapsed meanwhile); 张晓梅 opened it after the lapse and saved. 王芳's
    save from her older form is refused, naming 张晓梅 and the version; her input is shown again with the
    newer version in the form, so that saving once more, knowingly, succeeds."""
    zhang, wang = client_for(a.zhang), client_for(a.wang)
    opened, _page = open_form(wang, a.record)
    RecordEditLock.objects.update(taken_at=timezone.now() - timedelta(minutes=settings.RECORD_EDIT_LOCK_MINUTES + 1))
    zhang_version, _page = open_form(zhang, a.record)
    assert zhang_version == opened
    assert save(zhang, a, zhang_version, title="张晓梅改的标题").status_code == 302
    assert not RecordEditLock.objects.filter(record=a.record).exists(), "saving releases the lock"
    saved = current_version(a.record)
    assert saved > opened

    before = written(a.record)
    response = save(wang, a, opened, title="王芳改的标题", body="<p>王芳写的正文</p>")
    assert response.status_code == 200
    page = response.content.decode()
    assert "保存未成功" in page and "张晓梅" in page and f"第 {saved} 版" in page
    assert 'value="王芳改的标题"' in page and "王芳写的正文" in page
    assert response.context["adminform"].form["edit_version"].value() == saved
    assert written(a.record) == before
    assert Record.objects.get(pk=a.record.pk).title == "张晓梅改的标题"

    again = save(wang, a, saved, title="王芳改的标题", body="<p>王芳写的正文</p>")
    assert again.status_code == 302
    record = Record.objects.get(pk=a.record.pk)
    assert (record.title, record.body) == ("王芳改的标题", "<p>王芳写的正文</p>")


def test_lock_lapses_after_the_timeout(a, settings):
    """A lock older than RECORD_EDIT_LOCK_MINUTES is no lock: the next editor takes it, sees no notice,
    and may save."""
    settings.RECORD_EDIT_LOCK_MINUTES = 10
    open_form(client_for(a.zhang), a.record)
    RecordEditLock.objects.update(taken_at=timezone.now() - timedelta(minutes=11))
    wang = client_for(a.wang)
    version, page = open_form(wang, a.record)
    assert "正在编辑" not in page
    assert RecordEditLock.objects.get(record=a.record).holder == a.wang
    assert save(wang, a, version, title="王芳改的标题").status_code == 302


def test_own_lock_does_not_block_and_reviewer_takes_none(a):
    """The holder saves through their own lock; a reviewer reading a submitted record takes no lock."""
    zhang = client_for(a.zhang)
    version, _page = open_form(zhang, a.record)
    open_form(zhang, a.record)  # a second tab renews the same lock
    assert save(zhang, a, version, title="新标题").status_code == 302
    record = services.record_submit(user=a.zhang, record=Record.objects.get(pk=a.record.pk))
    response = client_for(a.reviewer).get(change_url(record))
    assert response.status_code == 200
    assert not RecordEditLock.objects.filter(record=record).exists()


def test_service_checks_only_interactive_saves(a):
    """record_update refuses a stale version under the row lock; scripts that pass none are unaffected."""
    opened = current_version(a.record)
    services.record_update(user=a.zhang, record=a.record, title="脚本修改")
    with pytest.raises(StaleEdit):
        services.record_update(user=a.wang, record=a.record, opened_version=opened, title="过期的修改")
    assert Record.objects.get(pk=a.record.pk).title == "脚本修改"
    services.record_update(user=a.wang, record=a.record, opened_version=current_version(a.record), title="王芳")
    assert Record.objects.get(pk=a.record.pk).title == "王芳"

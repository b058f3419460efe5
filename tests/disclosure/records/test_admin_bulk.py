"""Bulk actions of the records list (disclosure/records/admin_bulk.py), posted through the admin as the role
that owns each move: every record goes through its service, so refusals (wrong state, no right) are named in
Chinese and leave the record and the log untouched, while the others go through and are logged."""

from __future__ import annotations

import pytest
from django.urls import reverse

from disclosure.records.models import AuditEntry, Status
from tests.admin_client import client_for, messages_of
from tests.disclosure.records import test_admin_records as records_admin

# The records admin tests' world: its accounts fixture, its autouse settings, its record makers.
a = records_admin.a
fast_admin_settings = records_admin.fast_admin_settings
draft, approved, published = records_admin.draft, records_admin.approved, records_admin.published

LIST_URL = reverse("admin:disclosure_record_changelist")

pytestmark = pytest.mark.django_db


def bulk(client, action, records, **extra):
    return client.post(
        LIST_URL, {"action": action, "_selected_action": [r.pk for r in records], "index": "0", **extra}, follow=True
    )


def test_an_editor_submits_several_drafts_and_hears_which_were_refused(a):
    """Two drafts are submitted (a submit log entry each); an approved record in the selection is refused
    by name with the state, and stays as it was with no new log entry."""
    first, second = draft(a, title="关于第一批配租结果的公告"), draft(a, title="关于第二批配租结果的公告")
    ready = approved(a, title="关于第三批配租结果的公告")
    entries_before = AuditEntry.objects.filter(record=ready).count()
    response = bulk(client_for(a.editor), "submit_selected", [first, second, ready])
    assert response.status_code == 200
    for record in (first, second):
        record.refresh_from_db()
        assert record.status == Status.SUBMITTED
        assert AuditEntry.objects.filter(record=record, action="submit", actor=a.editor).count() == 1
    ready.refresh_from_db()
    assert ready.status == Status.APPROVED
    assert AuditEntry.objects.filter(record=ready).count() == entries_before
    texts = messages_of(response)
    assert "已提交审核 2 条信息。" in texts
    assert any(text.startswith("“关于第三批配租结果的公告”未提交审核：") and "审核通过" in text for text in texts), texts


def test_a_reviewer_cannot_submit_an_editors_drafts_in_bulk(a):
    """The reviewer holds no right to submit: every draft is refused with the service's reason, none moves."""
    record = draft(a)
    response = bulk(client_for(a.reviewer), "submit_selected", [record])
    record.refresh_from_db()
    assert record.status == Status.DRAFT
    assert not AuditEntry.objects.filter(record=record, action="submit").exists()
    assert any("未提交审核" in text for text in messages_of(response))


def test_a_reviewer_withdraws_several_records_with_one_reason(a):
    """The first post asks for the reason; the second withdraws each published record with that reason in
    its log entry and the chosen public notice; a draft in the selection is refused and left alone."""
    one, two = published(a, title="关于第一批配租结果的公告"), published(a, title="关于第二批配租结果的公告")
    other = draft(a, title="关于第三批配租结果的公告")
    client = client_for(a.reviewer)
    question = bulk(client, "withdraw_selected", [one, two, other])
    page = question.content.decode()
    assert "撤回理由" in page and "关于第二批配租结果的公告" in page
    assert Status.WITHDRAWN not in {r.status for r in (one, two)}
    response = bulk(
        client, "withdraw_selected", [one, two, other], apply="1", reason="配租名单有误，更正后重新发布", public_view="notice"
    )
    for record in (one, two):
        record.refresh_from_db()
        assert record.status == Status.WITHDRAWN and record.withdrawal_notice is True
        entry = AuditEntry.objects.get(record=record, action="withdraw")
        assert entry.comment == "配租名单有误，更正后重新发布" and entry.actor == a.reviewer
    other.refresh_from_db()
    assert other.status == Status.DRAFT
    assert "已撤回 2 条信息。" in messages_of(response)


def test_a_bulk_withdrawal_without_a_reason_asks_again_and_writes_nothing(a):
    record = published(a)
    response = bulk(client_for(a.reviewer), "withdraw_selected", [record], apply="1", reason="  ", public_view="notice")
    assert "请填写撤回理由。" in response.content.decode()
    record.refresh_from_db()
    assert record.status == Status.PUBLISHED
    assert not AuditEntry.objects.filter(record=record, action="withdraw").exists()


def test_an_auditor_is_offered_no_bulk_action(a):
    """Auditors read; the list offers them no action and a forged post changes nothing."""
    record = published(a)
    client = client_for(a.auditor)
    page = client.get(LIST_URL).content.decode()
    assert "withdraw_selected" not in page and "submit_selected" not in page
    bulk(client, "withdraw_selected", [record], apply="1", reason="越权撤回", public_view="notice")
    record.refresh_from_db()
    assert record.status == Status.PUBLISHED


def test_an_editor_filters_the_list_to_what_they_wrote(a):
    """我起草的: the editor's own records only; the filter is not offered to a reviewer who writes nothing."""
    mine = draft(a, title="关于编辑甲的配租公告")
    other = draft(a, author=a.author_reviewer, title="关于编辑乙的配租公告")
    page = client_for(a.editor).get(LIST_URL, {"mine": "yes"}).content.decode()
    assert mine.title in page and other.title not in page
    assert "?mine=yes" not in client_for(a.reviewer).get(LIST_URL).content.decode()

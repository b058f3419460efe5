"""A clerk's work on rows no citizen sees leaves the page cache alone; a change to a row the public may
see ends every page that reads the records' tables, and only those (portal/pagecache.py ``Guard``,
triggers of migration disclosure 0012).

As in test_pagecache.py, ``commit()`` runs the commit callbacks of the test's transaction, as a commit
would; the transactional test at the end commits for real, on PostgreSQL through the statement-level
triggers and the sequence.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.utils import timezone

from disclosure.records import services
from disclosure.records.models import Attachment, Record
from portal import pagecache
from tests.disclosure.publishing import COUNTY
from tests.portal.test_pagecache import (
    NODE,
    assert_kept,
    commit,
    fetch_cached,
    pending_bumps,
    rendered,
    served_afresh,
    surfaces,
    text,
)

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def generation():
    return pagecache.page_cache().get(pagecache.GENERATION_KEY)


def records_token():
    return pagecache.page_cache().get(pagecache.RECORDS_KEY)


def tokens():
    """What a change may end: every page (the generation), the pages that read records (their token)."""
    return generation(), records_token()


def guards() -> int:
    return sum(1 for _sids, func, _robust in connection.run_on_commit if isinstance(func, pagecache.Guard))


@pytest.fixture
def shown(client, desk, settings, tmp_path):
    """A published record, and every surface showing it, each fetched until it is cached."""
    settings.MEDIA_ROOT = tmp_path
    record = desk.publish(NODE, title="关于草稿不影响缓存的公告 mkguard", body="<p>mkguard</p>")
    commit()
    urls = [url for url, _shown in surfaces(record, "mkguard", sitemap=False)] + [f"/xxgk/{COUNTY}/"]
    return record, {url: fetch_cached(client, url) for url in urls}


def test_a_clerks_work_on_drafts_leaves_every_cached_page(client, desk, shown):
    """Draft, edit, attach, submit, send back, resubmit, approve, then delete a second draft: each step
    commits writes to the records' tables (and tracked tables), and no page is rendered again."""
    _record, bodies = shown
    before = tokens()
    steps = {
        "新建草稿": lambda: desk.draft(NODE, title="新草稿 mkdraft"),
        "修改草稿": lambda: services.record_update(user=desk.editor, record=draft(), title="改过的草稿 mkdraft"),
        "添加附件": lambda: services.attachment_add(
            user=desk.editor, record=draft(), upload=SimpleUploadedFile("依据.pdf", PDF)
        ),
        "删除附件": lambda: services.attachment_remove(user=desk.editor, attachment=draft().attachments.get()),
        "提交审核": lambda: services.record_submit(user=desk.editor, record=draft()),
        "退回修改": lambda: services.record_request_changes(user=desk.reviewer, record=draft(), comment="请补充依据"),
        "再次提交": lambda: services.record_submit(user=desk.editor, record=draft()),
        "审核通过": lambda: services.record_approve(
            user=desk.reviewer, record=draft(), confidentiality_checked=True, openness_checked=True
        ),
        "删除另一草稿": lambda: services.record_delete(user=desk.editor, record=desk.draft(NODE, title="废弃草稿")),
    }

    def draft():
        return Record.objects.get(title__endswith="mkdraft")

    for name, step in steps.items():
        step()
        assert guards() >= 1, name  # the marker was read before the step's first write
        assert pending_bumps() == 0, name
        commit()
        assert tokens() == before, f"{name} ended the pages"
    assert Record.objects.get(title__endswith="mkdraft").status == "approved"
    assert_kept(client, bodies, "a clerk's work on drafts")


def test_each_change_the_public_can_see_ends_the_pages(client, desk, shown):
    """Publish, schedule, withdraw, revise, and writes past the services (a queryset update, an attachment
    row added to a published record): each moves the marker, and the next request renders afresh."""
    record, _bodies = shown
    column = f"/org/{COUNTY}/{NODE}/"

    def published_title_changed():
        Record.objects.filter(pk=record.pk).update(title="关于草稿不影响缓存的公告 mkupdated")

    def attachment_on_published():  # past attachment_add, which refuses a published record
        attachment = Attachment(record=record, sort_order=9)
        attachment.store_upload(SimpleUploadedFile("补充.pdf", PDF))
        attachment.save()

    changes = {
        "发布": lambda: desk.publish(NODE, title="新发布的公告 mkpub"),
        "定时发布": lambda: services.record_publish(
            user=desk.reviewer, record=desk.approve(desk.draft(NODE, title="定时的公告")),
            publish_at=timezone.now() + timedelta(days=1),
        ),
        "直接改标题": published_title_changed,
        "已发布信息加附件": attachment_on_published,
        "撤回": lambda: desk.withdraw(Record.objects.get(title="新发布的公告 mkpub")),
        "修订": lambda: desk.revise(Record.objects.get(pk=record.pk), title="修订后的公告 mkrevised"),
    }
    for name, change in changes.items():
        fetch_cached(client, column)
        before = records_token()
        change()
        commit()
        assert records_token() != before, f"{name} left the cached pages"
        assert rendered(client.get(column)), name
    page = text(client.get(column))
    assert "mkrevised" in page and "mkupdated" not in page and "mkpub" not in page


def test_a_transaction_touching_drafts_and_one_public_row_ends_the_pages(desk, shown):
    """The marker is read before the transaction's first guarded write, so a public row written later in
    the same transaction, or after a rolled-back savepoint that had registered the read, still counts."""
    record, _bodies = shown
    before = records_token()
    with transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():
            desk.draft(NODE, title="回滚的草稿")
            raise RuntimeError
        desk.draft(NODE, title="保留的草稿")
        Record.objects.filter(pk=record.pk).update(title="同一事务中改动的公告")
    assert guards() >= 1
    commit()
    assert records_token() != before


def test_without_the_marker_every_guarded_write_ends_the_pages(desk, shown, monkeypatch):
    """A database the migration has not reached (no marker to read): the draft's write ends every page."""
    monkeypatch.setattr(pagecache, "MARKER_SEQUENCE", "no_such_sequence")
    monkeypatch.setattr(pagecache, "CHANGES_TABLE", "no_such_table")
    before = generation()
    desk.draft(NODE, title="无标记的草稿")
    commit()
    assert generation() != before


@pytest.mark.django_db(transaction=True)
def test_committed_draft_work_keeps_the_page_and_a_committed_publication_ends_it(client, committed):
    """Real commits, on this test's database (PostgreSQL in CI's second run: the sequence and the
    statement-level triggers)."""
    committed.publish(NODE, title="关于真实提交的公告 mkreal", body="<p>mkreal</p>")
    url = f"/org/{COUNTY}/{NODE}/"
    assert "mkreal" in client.get(url).content.decode()
    assert not rendered(client.get(url))

    draft = committed.draft(NODE, title="真实提交的草稿")
    services.record_update(user=committed.editor, record=draft, title="真实提交的草稿（改）")
    committed.approve(Record.objects.get(pk=draft.pk))
    assert not rendered(client.get(url)), "committed draft work ended the cached page"

    services.record_publish(user=committed.reviewer, record=Record.objects.get(pk=draft.pk))
    response = client.get(url)
    assert rendered(response) and "真实提交的草稿（改）" in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_guarded_write_outside_a_transaction_ends_the_pages(client, committed):
    """Autocommit (no atomic block): no marker read can come before the statement, so even a draft's row
    ends every page, as any other write does."""
    committed.publish(NODE, title="关于自动提交的公告 mkauto", body="<p>mkauto</p>")
    draft = committed.draft(NODE, title="自动提交的草稿")
    url = f"/org/{COUNTY}/{NODE}/"
    client.get(url)
    assert not rendered(client.get(url))
    Record.objects.filter(pk=draft.pk).update(keywords="自动提交")
    pagecache.flush_pending_bumps(connection)
    assert rendered(client.get(url))


def test_the_statuses_the_triggers_pass_over_are_never_public():
    """The migration writes its hidden statuses out; each must be one the public rule never shows
    (records.models.UNPUBLISHED_STATUSES) and not the status a time boundary reads (published)."""
    from importlib import import_module

    from disclosure.records.models import UNPUBLISHED_STATUSES, Status

    for migration in ("0012_public_row_marker", "0013_public_row_changes"):
        hidden = set(import_module(f"disclosure.migrations.{migration}").HIDDEN_STATUSES)
        assert hidden <= {status.value for status in UNPUBLISHED_STATUSES}, migration
        assert Status.PUBLISHED.value not in hidden and Status.SCHEDULED.value not in hidden, migration


def test_a_publication_ends_the_pages_that_read_records_and_keeps_the_others(client, desk, shown):
    """Publishing moves the records' token, not the generation: every surface of the records is rendered
    afresh and shows the new record, while the pages no record reaches (the guide, the catalog, the
    consultations, the index of organisations) stay cached, byte for byte."""
    _record, bodies = shown
    others = ["/guide/", f"/catalog/{NODE[:2]}/", "/consultations/", f"/org/{COUNTY}/guide/", "/xxgk/"]
    kept = {url: fetch_cached(client, url) for url in others}
    before = generation()

    desk.publish(NODE, title="关于只结束读取信息页面的公告 mkonly", body="<p>mkonly</p>")
    commit()

    assert generation() == before
    for url in bodies:
        assert served_afresh(client, url), f"{url} was served from the cache after a publication"
    assert "mkonly" in text(client.get(f"/org/{COUNTY}/{NODE}/"))
    assert_kept(client, kept, "a publication")

"""The log cannot be rewritten, not even past Django (migration disclosure/0004_log_triggers).

On the database in use (run on SQLite and on PostgreSQL), triggers refuse every UPDATE and DELETE of the
records' audit log, the activity log, the version history and decided review rounds — raw SQL and
queryset ``update()``/``delete()`` alike — with an IntegrityError naming the table, and change nothing.
What the database still accepts is what Django itself does when something the log points at goes away:
setting the ``on_delete=SET_NULL`` foreign keys to NULL (a deleted user, draft or organisation), deleting
a never-published draft together with its versions and review rounds, and closing an open review.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from disclosure.core.access import Role
from disclosure.core.log import ActivityEntry
from disclosure.records import services
from disclosure.records.models import AuditEntry, Record, RecordVersion, Review, Status
from tests.disclosure.publishing import COUNTY, Desk
from tests.factories import CatalogNodeFactory, OrganisationFactory, make_staff, record_fields

REFUSED = "日志只能追加，不能修改或删除"


@pytest.fixture
def desk(demo_orgs):
    """An editor and a reviewer of the demo county, and one county column to publish in."""
    domain = CatalogNodeFactory(code="02", name="保障性住房", levels=["county"])
    item = CatalogNodeFactory(code="0205", name="配给管理", parent=domain, levels=["county"])
    desk = Desk(demo_orgs[COUNTY])
    desk.node = CatalogNodeFactory(code="020503", name="配租（分配）结果", parent=item, levels=["county"])
    return desk


def published(desk) -> Record:
    return desk.publish(desk.node, title="关于公布公租房配租结果的公告")


def activity(organisation, user, title="某关切") -> ActivityEntry:
    return ActivityEntry.write_for(
        SimpleNamespace(pk=7), subject_type="concern", title=title, organisation_id=organisation.pk,
        user=user, action="create", comment="原始说明",
    )


def refused(sql: str, params=()):
    """Run ``sql`` and return the database error it raised (it must raise one)."""
    with pytest.raises(IntegrityError) as caught, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
    return caught.value


def rows(table: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} ORDER BY id")
        return cursor.fetchall()


@pytest.mark.django_db
def test_raw_sql_cannot_delete_or_change_audit_entries(desk):
    """A raw DELETE or UPDATE of the audit log fails with a clear message and leaves every row as it was."""
    published(desk)
    before = rows("disclosure_auditentry")
    assert len(before) >= 4  # create, submit, approve, publish (and whatever else a move logs)

    error = refused("DELETE FROM disclosure_auditentry")
    assert REFUSED in str(error) and "disclosure_auditentry" in str(error)
    refused("UPDATE disclosure_auditentry SET comment = %s", ["篡改"])
    refused("UPDATE disclosure_auditentry SET actor_name = %s WHERE actor_id IS NULL OR actor_id > 0", ["别人"])
    assert rows("disclosure_auditentry") == before


@pytest.mark.django_db
def test_raw_sql_cannot_delete_or_change_activity_entries(desk):
    """The activity log of the other duties is held the same way."""
    activity(desk.organisation, desk.editor)
    before = rows("disclosure_activityentry")

    assert "disclosure_activityentry" in str(refused("DELETE FROM disclosure_activityentry"))
    refused("UPDATE disclosure_activityentry SET comment = %s", ["篡改"])
    refused("UPDATE disclosure_activityentry SET subject_title = %s", ["另一个对象"])
    assert rows("disclosure_activityentry") == before


@pytest.mark.django_db
def test_raw_sql_cannot_delete_or_change_versions_and_decided_reviews(desk):
    """A published record's versions and its decided review round are history: neither can be changed
    or deleted, and a decided review cannot be reopened."""
    record = published(desk)
    versions, reviews = rows("disclosure_recordversion"), rows("disclosure_review")
    assert len(versions) == 1 and len(reviews) == 1

    assert "disclosure_recordversion" in str(refused("DELETE FROM disclosure_recordversion"))
    refused("UPDATE disclosure_recordversion SET author_name = %s", ["别人"])
    refused("UPDATE disclosure_recordversion SET data = %s", ['{"title": "改过的标题"}'])
    assert "disclosure_review" in str(refused("DELETE FROM disclosure_review"))
    refused("UPDATE disclosure_review SET comment = %s", ["事后补写的意见"])
    refused("UPDATE disclosure_review SET decision = ''")  # reopen
    refused("UPDATE disclosure_review SET decision = 'changes_requested'")  # decide again
    assert rows("disclosure_recordversion") == versions and rows("disclosure_review") == reviews
    assert Review.objects.get(record=record).decision == Review.Decision.APPROVED


@pytest.mark.django_db
def test_queryset_update_and_delete_are_refused(desk):
    """Bulk ``update()`` and ``delete()`` from code are refused by the database too."""
    published(desk)
    activity(desk.organisation, desk.editor)
    for queryset, change in (
        (AuditEntry.objects.all(), {"comment": "篡改"}),
        (ActivityEntry.objects.all(), {"comment": "篡改"}),
        (RecordVersion.objects.all(), {"author_name": "篡改"}),
        (Review.objects.all(), {"comment": "篡改"}),
    ):
        count = queryset.count()
        with pytest.raises(IntegrityError), transaction.atomic():
            queryset.delete()
        with pytest.raises(IntegrityError), transaction.atomic():
            queryset.update(**change)
        assert queryset.count() == count and not queryset.filter(**change).exists()


@pytest.mark.django_db
def test_a_foreign_key_may_only_be_set_to_null_and_nothing_else_with_it(desk):
    """Setting an account link to NULL alone is what a deleted account causes and is accepted; pointing
    an entry at another account, or nulling the link while changing another column, is refused."""
    entry = activity(desk.organisation, desk.editor)
    name = entry.actor_name
    refused("UPDATE disclosure_activityentry SET actor_id = %s", [desk.reviewer.pk])
    refused("UPDATE disclosure_activityentry SET actor_id = NULL, comment = %s", ["篡改"])
    refused("UPDATE disclosure_activityentry SET organisation_id = NULL, subject_id = 8")

    ActivityEntry.objects.filter(pk=entry.pk).update(actor=None, organisation=None)
    entry = ActivityEntry.objects.get(pk=entry.pk)
    assert (entry.actor_id, entry.organisation_id) == (None, None)
    assert (entry.actor_name, entry.comment, entry.subject_title) == (name, "原始说明", "某关切")
    assert name


@pytest.mark.django_db
def test_deleting_a_never_published_draft_still_works_and_keeps_its_audit_entries(desk):
    """records' service deletes a draft sent back for changes, with its versions and review round; its
    audit entries stay, unlinked, with the title it had."""
    draft = desk.draft(desk.node, title="一份被退回后删除的草稿")
    draft = services.record_submit(user=desk.editor, record=draft)
    draft = services.record_request_changes(user=desk.reviewer, record=draft, comment="请补充依据")
    assert draft.status == Status.CHANGES_REQUESTED
    kept = published(desk)
    entries = list(AuditEntry.objects.filter(record=draft).values_list("pk", flat=True))
    assert len(entries) >= 3  # create, submit, request_changes (and whatever else a move logs)

    services.record_delete(user=desk.editor, record=draft)

    assert not Record.objects.filter(pk=draft.pk).exists()
    assert not RecordVersion.objects.filter(record_id=draft.pk).exists()
    assert not Review.objects.filter(record_id=draft.pk).exists()
    orphaned = AuditEntry.objects.filter(pk__in=entries)
    assert orphaned.count() == len(entries) and set(orphaned.values_list("record_id", flat=True)) == {None}
    assert set(orphaned.values_list("record_title", flat=True)) == {"一份被退回后删除的草稿"}
    deletion = AuditEntry.objects.get(action="delete")
    assert (deletion.record_id, deletion.record_title) == (None, "一份被退回后删除的草稿")
    # The published record's history is untouched.
    assert RecordVersion.objects.filter(record=kept).count() == 1
    assert Review.objects.filter(record=kept).count() == 1


@pytest.mark.django_db
def test_a_submitted_record_cannot_lose_its_history_by_raw_delete(desk):
    """Only a never-published draft's versions go with it: those of a record under review stay."""
    record = services.record_submit(user=desk.editor, record=desk.draft(desk.node))
    refused("DELETE FROM disclosure_recordversion WHERE record_id = %s", [record.pk])
    refused("DELETE FROM disclosure_review WHERE record_id = %s", [record.pk])
    assert RecordVersion.objects.filter(record=record).count() == 1
    assert Review.objects.filter(record=record).count() == 1


@pytest.mark.django_db
def test_deleting_a_user_keeps_their_entries_under_their_name(desk):
    """A deleted account leaves its audit entries, activity entries, versions and reviews with the link
    NULL and the name kept."""
    editor = make_staff(desk.organisation, Role.EDITOR, username="leaver", first_name="离职的信息员")
    reviewer = make_staff(desk.organisation, Role.REVIEWER, username="leaver2", first_name="离职的审核员")
    record = services.record_create(
        user=editor, organisation=desk.organisation, node=desk.node,
        **record_fields(),
    )
    record = services.record_submit(user=editor, record=record)
    services.record_approve(user=reviewer, record=record, confidentiality_checked=True, openness_checked=True)
    activity(desk.organisation, editor)

    get_user_model().objects.filter(pk__in=[editor.pk, reviewer.pk]).delete()

    audit = AuditEntry.objects.filter(record=record)
    assert audit.count() >= 3 and set(audit.values_list("actor_id", flat=True)) == {None}
    assert set(audit.values_list("actor_name", flat=True)) == {"离职的信息员", "离职的审核员"}
    entry = ActivityEntry.objects.get()
    assert (entry.actor_id, entry.actor_name) == (None, "离职的信息员")
    version = RecordVersion.objects.get(record=record)
    assert (version.author_id, version.author_name) == (None, "离职的信息员")
    review = Review.objects.get(record=record)
    assert (review.submitted_by_id, review.reviewer_id, review.reviewer_name) == (None, None, "离职的审核员")
    assert review.decision == Review.Decision.APPROVED


@pytest.mark.django_db
def test_deleting_an_organisation_keeps_its_activity_entries(demo_orgs):
    """An organisation that is deleted leaves the activity entries about it, unlinked."""
    organisation = OrganisationFactory()
    entry = activity(organisation, None, title="撤并单位的关切")
    organisation.delete()
    entry = ActivityEntry.objects.get(pk=entry.pk)
    assert (entry.organisation_id, entry.subject_title, entry.actor_name) == (None, "撤并单位的关切", "系统")


@pytest.mark.django_db(transaction=True)
def test_a_flush_empties_the_database_and_the_log_stays_protected(demo_orgs):
    """Django's flush (between transactional and live_server tests) still empties the log tables, and
    the triggers are in place afterwards."""
    activity(demo_orgs[COUNTY], None)
    call_command("flush", interactive=False, verbosity=0)
    assert not ActivityEntry.objects.exists()
    organisation = OrganisationFactory()
    activity(organisation, None)
    refused("DELETE FROM disclosure_activityentry")
    assert ActivityEntry.objects.count() == 1

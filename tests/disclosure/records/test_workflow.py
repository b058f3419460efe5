"""The review workflow: every transition of disclosure/workflow.py, through the services that carry it out.

For each move: the allowed case (state, timestamps, audit entry), every wrong state (InvalidTransition),
every wrong user (PermissionDenied) and proof that a refused move writes nothing. Then the rules around
the moves: openness attribute, index numbers, revisions, reviews, the audit log, versions, and scheduled
publication including concurrent `publish_scheduled` runs.
"""

from __future__ import annotations

import re
import threading
import time
from datetime import UTC, datetime, timedelta
from io import StringIO
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from disclosure.core.access import Role
from disclosure.records import policy, services
from disclosure.records.models import (
    AuditEntry,
    IndexSequence,
    Openness,
    Record,
    RecordVersion,
    Review,
    Status,
    WithholdingGround,
)
from disclosure.records.review_models import ReviewCheck, ReviewPlan, ReviewStepEntry
from disclosure.records.selectors import public_record, public_records
from disclosure.records.workflow import REVISE, TRANSITIONS, InvalidTransition, Right
from tests.factories import CatalogNodeFactory, make_staff, record_fields

COUNTY = "419901"
TOWNSHIP = "419901001"
NODE = "020503"  # 配租（分配）结果, a county-level column
TOWN_NODE = "020501"  # 公租房承租资格审核, county and township


def this_year() -> int:
    return timezone.localdate().year



@pytest.fixture
def w(demo_orgs):
    """The demo county with one account per kind of actor a move can meet, and two columns of the
    standard catalog (made directly: loading the whole catalog per test only costs time)."""
    county, township = demo_orgs[COUNTY], demo_orgs[TOWNSHIP]
    domain = CatalogNodeFactory(code="02", name="保障性住房", levels=["county", "township"])
    item = CatalogNodeFactory(code="0205", name="配给管理", parent=domain, levels=["county", "township"])
    return SimpleNamespace(
        county=county,
        township=township,
        node=CatalogNodeFactory(code=NODE, name="配租（分配）结果", parent=item, levels=["county"]),
        town_node=CatalogNodeFactory(
            code=TOWN_NODE, name="公租房承租资格审核", parent=item, levels=["county", "township"]
        ),
        editor=make_staff(county, Role.EDITOR, username="editor", first_name="张晓梅"),
        editor2=make_staff(county, Role.EDITOR, username="editor2", first_name="王磊"),
        reviewer=make_staff(county, Role.REVIEWER, username="reviewer", first_name="李建国"),
        # Holds both roles: may write and review, but never review what they wrote.
        author_reviewer=make_staff(county, Role.EDITOR, Role.REVIEWER, username="both", first_name="赵敏"),
        town_editor=make_staff(township, Role.EDITOR, username="town_editor"),
        town_reviewer=make_staff(township, Role.REVIEWER, username="town_reviewer"),
        auditor=make_staff(county, Role.AUDITOR, username="auditor"),
        orgadmin=make_staff(county, Role.ORG_ADMIN, username="orgadmin"),
        no_role=make_staff(county, username="no_role"),
        anonymous=AnonymousUser(),
        nobody=None,
    )


def create(w, author=None, **overrides) -> Record:
    return services.record_create(
        user=author or w.editor, organisation=w.county, node=w.node, **record_fields(**overrides)
    )


def bring_to(w, status: str, *, author=None, reviewer=None, **overrides) -> Record:
    """A record brought to ``status`` through the services, as staff would."""
    author, reviewer = author or w.editor, reviewer or w.reviewer
    record = create(w, author, **overrides)
    if status == Status.DRAFT:
        return record
    record = services.record_submit(user=author, record=record)
    if status == Status.SUBMITTED:
        return record
    if status == Status.CHANGES_REQUESTED:
        return services.record_request_changes(user=reviewer, record=record, comment="请补充附件")
    record = services.record_approve(
        user=reviewer, record=record, confidentiality_checked=True, openness_checked=True
    )
    if status == Status.APPROVED:
        return record
    if status == Status.SCHEDULED:
        return services.record_publish(
            user=reviewer, record=record, publish_at=timezone.now() + timedelta(days=7)
        )
    record = services.record_publish(user=reviewer, record=record)
    if status == Status.PUBLISHED:
        return record
    if status == Status.WITHDRAWN:
        return services.record_withdraw(user=reviewer, record=record, reason="内容有误")
    assert status == Status.SUPERSEDED
    revision = services.record_revise(user=author, record=record)
    publish_new(revision, author, reviewer)
    record.refresh_from_db()
    return record


def publish_new(record, author, reviewer) -> Record:
    services.record_submit(user=author, record=record)
    services.record_approve(user=reviewer, record=record, confidentiality_checked=True, openness_checked=True)
    return services.record_publish(user=reviewer, record=record)


def db_state(record: Record) -> dict:
    """Everything a refused move could have touched."""
    return {
        "record": Record.objects.filter(pk=record.pk).values().get(),
        "records": Record.objects.count(),
        "audit": list(AuditEntry.objects.order_by("pk").values_list("pk", flat=True)),
        "reviews": list(Review.objects.order_by("pk").values()),
        "sequences": list(IndexSequence.objects.order_by("pk").values()),
        "versions": RecordVersion.objects.count(),
        "steps": list(ReviewStepEntry.objects.order_by("pk").values()),
        "plans": list(ReviewPlan.objects.order_by("pk").values()),
    }


def last_audit(record: Record) -> AuditEntry:
    return AuditEntry.objects.filter(record=record).order_by("-id").first()


def assert_audit(entry, *, actor, action, from_status, to_status, comment="", record=None, since=None):
    assert entry is not None
    assert entry.actor == actor
    expected_name = "系统" if actor is None else (actor.get_full_name() or actor.get_username())
    assert entry.actor_name == expected_name
    assert (entry.action, entry.from_status, entry.to_status) == (action, from_status, to_status)
    assert entry.comment == comment
    if record is not None:
        assert entry.record_title == record.title
        assert entry.organisation_id == record.organisation_id
    if since is not None:
        assert since <= entry.created_at <= timezone.now()


# The moves as staff make them; the system move publish_due is called as publish_scheduled calls it.
FAR_FUTURE = timedelta(days=3650)
MOVES = {
    "submit": lambda user, record: services.record_submit(user=user, record=record),
    "request_changes": lambda user, record: services.record_request_changes(
        user=user, record=record, comment="请补充附件"
    ),
    "approve": lambda user, record: services.record_approve(
        user=user, record=record, confidentiality_checked=True, openness_checked=True
    ),
    "publish": lambda user, record: services.record_publish(user=user, record=record),
    "schedule": lambda user, record: services.record_publish(
        user=user, record=record, publish_at=timezone.now() + timedelta(days=1)
    ),
    "unschedule": lambda user, record: services.record_unschedule(user=user, record=record),
    "publish_due": lambda user, record: services.record_publish_due(
        record=record, now=timezone.now() + FAR_FUTURE
    ),
    "withdraw": lambda user, record: services.record_withdraw(user=user, record=record, reason="内容有误"),
    "revise": lambda user, record: services.record_revise(user=user, record=record),
    # The review chain's own moves; their allowed cases, on a three-step chain, are in test_review_chain.py.
    "pass_step": lambda user, record: services.record_pass_step(user=user, record=record, checks=ReviewCheck.values),
    "approve_urgent": lambda user, record: services.record_approve_urgent(
        user=user, record=record, checks=ReviewCheck.values, reason="汛期安全提示须立即发布"
    ),
    "follow_up": lambda user, record: services.record_follow_up(user=user, record=record, checks=ReviewCheck.values),
}
SOURCES = {name: TRANSITIONS[name].sources for name in MOVES if name in TRANSITIONS}
SOURCES["revise"] = REVISE.sources
RIGHTS = {name: TRANSITIONS[name].right for name in MOVES if name in TRANSITIONS}
RIGHTS["revise"] = REVISE.right


def actor_for(w, name):
    right = RIGHTS[name]
    return {Right.EDIT: w.editor, Right.REVIEW: w.reviewer, Right.PUBLISH: w.reviewer, Right.SYSTEM: None}[right]


def test_every_transition_of_the_table_is_exercised_here():
    """The table and these tests agree: a new transition must get its tests (supersede is below)."""
    # The 公示 job's system moves are exercised in test_publicity.py (they need a 公示 that has ended).
    assert set(TRANSITIONS) | {"revise"} == set(MOVES) | {"supersede", "notice_withdraw", "publish_deidentified"}


# ---------------------------------------------------------------- wrong state, for every move

WRONG_STATES = [
    pytest.param(name, status, id=f"{name}-from-{status}")
    for name in MOVES
    for status in Status.values
    if status not in SOURCES[name]
]


@pytest.mark.django_db
@pytest.mark.parametrize("name,status", WRONG_STATES)
def test_move_from_a_wrong_state_is_invalid_and_writes_nothing(w, name, status):
    """Every move from a state outside its sources raises InvalidTransition (not PermissionDenied),
    by the very user who would be allowed from the right state, and leaves the database as it was."""
    record = bring_to(w, status)
    before = db_state(record)
    with pytest.raises(InvalidTransition):
        MOVES[name](actor_for(w, name), record)
    assert db_state(record) == before


# ---------------------------------------------------------------- wrong user, for every move

STAFF_MOVE_OUTSIDERS = ["reviewer", "auditor", "orgadmin", "no_role", "town_editor", "anonymous", "nobody"]
REVIEW_MOVE_OUTSIDERS = [
    "author_reviewer",  # the author, although a reviewer: never reviews or publishes their own record
    "editor",
    "editor2",
    "town_reviewer",  # reviewer of another organisation
    "auditor",
    "orgadmin",
    "no_role",
    "anonymous",
    "nobody",
]
WRONG_USERS = [
    pytest.param(name, who, id=f"{name}-by-{who}")
    for name in MOVES
    if name != "publish_due"
    for who in (STAFF_MOVE_OUTSIDERS if RIGHTS[name] == Right.EDIT else REVIEW_MOVE_OUTSIDERS)
]
START = {
    "submit": Status.DRAFT,
    "request_changes": Status.SUBMITTED,
    "approve": Status.SUBMITTED,
    "publish": Status.APPROVED,
    "schedule": Status.APPROVED,
    "unschedule": Status.SCHEDULED,
    "withdraw": Status.PUBLISHED,
    "revise": Status.PUBLISHED,
    "pass_step": Status.SUBMITTED,
    "approve_urgent": Status.SUBMITTED,
    "follow_up": Status.APPROVED,
}


@pytest.mark.django_db
@pytest.mark.parametrize("name,who", WRONG_USERS)
def test_move_by_a_wrong_user_is_denied_and_writes_nothing(w, name, who):
    """From the right state, a user without the right gets PermissionDenied and nothing is written.
    The record's author holds the reviewer role too, so "author reviews own record" is among them."""
    record = bring_to(w, START[name], author=w.author_reviewer, reviewer=w.reviewer)
    before = db_state(record)
    with pytest.raises(PermissionDenied):
        MOVES[name](getattr(w, who), record)
    assert db_state(record) == before


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["publish_due", "supersede"])
@pytest.mark.parametrize("who", ["editor", "reviewer", "author_reviewer", "auditor", "orgadmin", "anonymous"])
def test_system_moves_are_refused_to_every_person(w, name, who):
    """publish_due and supersede are made by the system only (user None); the policy refuses people."""
    record = bring_to(w, Status.PUBLISHED if name == "supersede" else Status.SCHEDULED)
    transition = TRANSITIONS[name]
    with pytest.raises(PermissionDenied):
        policy.check(getattr(w, who), transition, record)
    assert policy.can(None, transition, record)


# ---------------------------------------------------------------- allowed cases, one by one


@pytest.mark.django_db
def test_create_writes_a_draft_its_first_version_and_an_audit_entry(w):
    """Creating a record makes a draft by its author, version 1 and a "create" audit entry."""
    since = timezone.now()
    record = create(w, body='<p onclick="x()">配租结果如下。<script>alert(1)</script></p>')
    assert record.status == Status.DRAFT
    assert record.created_by == w.editor
    assert record.body == "<p>配租结果如下。</p>"  # sanitised on save
    assert_audit(last_audit(record), actor=w.editor, action="create", from_status="", to_status=Status.DRAFT,
                 record=record, since=since)
    version = record.versions.get()
    assert (version.number, version.author, version.author_name) == (1, w.editor, "张晓梅")


@pytest.mark.django_db
def test_create_by_a_non_editor_is_denied_and_writes_nothing(w):
    """Only an editor of the organisation may create; reviewers, auditors and other units may not."""
    for user in (w.reviewer, w.auditor, w.town_editor, w.no_role, w.anonymous):
        with pytest.raises(PermissionDenied):
            create(w, author=user)
    assert Record.objects.count() == 0 and AuditEntry.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("editor", ["editor", "editor2"])
def test_submit_opens_a_review(w, editor):
    """An editor of the organisation (the author or a colleague) submits; a Review opens."""
    record = create(w)
    since = timezone.now()
    user = getattr(w, editor)
    record = services.record_submit(user=user, record=record)
    record.refresh_from_db()
    assert record.status == Status.SUBMITTED
    assert record.updated_at >= since
    review = record.reviews.get()
    assert review.decision == Review.Decision.OPEN
    assert review.submitted_by == user and since <= review.submitted_at <= timezone.now()
    assert_audit(last_audit(record), actor=user, action="submit", from_status=Status.DRAFT,
                 to_status=Status.SUBMITTED, record=record, since=since)


@pytest.mark.django_db
def test_resubmit_after_changes_requested_opens_a_second_review(w):
    """changes requested → submit again: a new open review, the closed one kept."""
    record = bring_to(w, Status.CHANGES_REQUESTED)
    record = services.record_submit(user=w.editor, record=record)
    assert record.status == Status.SUBMITTED
    decisions = sorted(record.reviews.values_list("decision", flat=True))
    assert decisions == ["", Review.Decision.CHANGES_REQUESTED]
    assert_audit(last_audit(record), actor=w.editor, action="submit", from_status=Status.CHANGES_REQUESTED,
                 to_status=Status.SUBMITTED, record=record)


@pytest.mark.django_db
def test_request_changes_closes_the_review_with_the_reason(w):
    """The reviewer sends the record back with a reason; the review records who, when and why."""
    record = bring_to(w, Status.SUBMITTED)
    since = timezone.now()
    record = services.record_request_changes(user=w.reviewer, record=record, comment="请补充公示期限")
    record.refresh_from_db()
    assert record.status == Status.CHANGES_REQUESTED and record.is_editable
    review = record.reviews.get()
    assert review.decision == Review.Decision.CHANGES_REQUESTED
    assert (review.reviewer, review.reviewer_name, review.comment) == (w.reviewer, "李建国", "请补充公示期限")
    assert since <= review.decided_at <= timezone.now()
    assert not review.confidentiality_checked and not review.openness_checked
    assert_audit(last_audit(record), actor=w.reviewer, action="request_changes", from_status=Status.SUBMITTED,
                 to_status=Status.CHANGES_REQUESTED, comment="请补充公示期限", record=record, since=since)


@pytest.mark.django_db
@pytest.mark.parametrize("reason", ["", "   \n"])
def test_request_changes_without_a_reason_is_refused_and_writes_nothing(w, reason):
    """Sending back needs a reason: ValidationError, review still open, nothing written."""
    record = bring_to(w, Status.SUBMITTED)
    before = db_state(record)
    with pytest.raises(ValidationError):
        services.record_request_changes(user=w.reviewer, record=record, comment=reason)
    assert db_state(record) == before


@pytest.mark.django_db
def test_approve_records_both_checks_and_the_reviewer(w):
    """Approval closes the review with the confidentiality and attribute checks, who and when."""
    record = bring_to(w, Status.SUBMITTED)
    since = timezone.now()
    record = services.record_approve(
        user=w.reviewer, record=record, confidentiality_checked=True, openness_checked=True, comment="同意公开"
    )
    record.refresh_from_db()
    assert record.status == Status.APPROVED
    assert not record.index_number and record.published_at is None  # approval is not publication
    review = record.reviews.get()
    assert review.decision == Review.Decision.APPROVED
    assert review.confidentiality_checked and review.openness_checked
    assert (review.reviewer, review.reviewer_name, review.comment) == (w.reviewer, "李建国", "同意公开")
    assert since <= review.decided_at <= timezone.now()
    assert_audit(last_audit(record), actor=w.reviewer, action="approve", from_status=Status.SUBMITTED,
                 to_status=Status.APPROVED, comment="同意公开", record=record, since=since)


@pytest.mark.django_db
@pytest.mark.parametrize("confidentiality,openness", [(False, True), (True, False), (False, False)])
def test_approve_without_both_checks_fails_and_writes_nothing(w, confidentiality, openness):
    """No approval without 保密审查 and the attribute check: ValidationError, nothing written."""
    record = bring_to(w, Status.SUBMITTED)
    before = db_state(record)
    with pytest.raises(ValidationError):
        services.record_approve(
            user=w.reviewer, record=record, confidentiality_checked=confidentiality, openness_checked=openness
        )
    assert db_state(record) == before


@pytest.mark.django_db
def test_approve_without_checks_still_reports_state_and_right_first(w):
    """Missing checks do not hide a wrong state or a wrong user behind a form error."""
    draft = bring_to(w, Status.DRAFT)
    with pytest.raises(InvalidTransition):
        services.record_approve(user=w.reviewer, record=draft, confidentiality_checked=False, openness_checked=False)
    submitted = bring_to(w, Status.SUBMITTED)
    with pytest.raises(PermissionDenied):
        services.record_approve(user=w.auditor, record=submitted, confidentiality_checked=False, openness_checked=False)


@pytest.mark.django_db
def test_publish_assigns_time_and_index_number(w):
    """Publishing now sets the publication time, the first index number and makes the record public."""
    record = bring_to(w, Status.APPROVED)
    since = timezone.now()
    record = services.record_publish(user=w.reviewer, record=record)
    record.refresh_from_db()
    assert record.status == Status.PUBLISHED
    assert since <= record.published_at <= timezone.now()
    assert record.index_number == f"{COUNTY}/{this_year()}-00001"
    assert record.publish_at is None
    assert_audit(last_audit(record), actor=w.reviewer, action="publish", from_status=Status.APPROVED,
                 to_status=Status.PUBLISHED, record=record, since=since)
    assert list(public_records()) == [record]
    assert public_record(org_code=COUNTY, serial=record.index_serial) == record


@pytest.mark.django_db
def test_schedule_sets_the_time_and_keeps_the_record_off_the_public_site(w):
    """Scheduling stores the time, gives no index number yet, and the record is not public."""
    record = bring_to(w, Status.APPROVED)
    when = timezone.now() + timedelta(days=2)
    since = timezone.now()
    record = services.record_publish(user=w.reviewer, record=record, publish_at=when)
    record.refresh_from_db()
    assert record.status == Status.SCHEDULED
    assert record.publish_at == when and record.published_at is None and not record.index_number
    local = timezone.localtime(when)
    comment = f"定时发布时间：{local.year}年{local.month}月{local.day}日 {local:%H:%M}"
    assert_audit(last_audit(record), actor=w.reviewer, action="schedule", from_status=Status.APPROVED,
                 to_status=Status.SCHEDULED, comment=comment, record=record, since=since)
    assert not public_records().exists()
    assert not public_records(now=when + timedelta(days=1)).exists()  # still needs the system's move
    assert not IndexSequence.objects.exists()


@pytest.mark.django_db
def test_a_publication_time_not_in_the_future_publishes_now(w):
    """A scheduled time that has already passed means: publish now."""
    record = bring_to(w, Status.APPROVED)
    record = services.record_publish(user=w.reviewer, record=record, publish_at=timezone.now() - timedelta(hours=1))
    assert record.status == Status.PUBLISHED
    assert last_audit(record).action == "publish"


@pytest.mark.django_db
def test_unschedule_returns_the_record_to_approved(w):
    """Cancelling a scheduled publication clears the time and goes back to approved."""
    record = bring_to(w, Status.SCHEDULED)
    since = timezone.now()
    record = services.record_unschedule(user=w.reviewer, record=record)
    record.refresh_from_db()
    assert record.status == Status.APPROVED and record.publish_at is None
    assert_audit(last_audit(record), actor=w.reviewer, action="unschedule", from_status=Status.SCHEDULED,
                 to_status=Status.APPROVED, record=record, since=since)


@pytest.mark.django_db
def test_publish_due_publishes_at_the_scheduled_time_as_the_system(w):
    """The system move publishes a due record with published_at = the scheduled time."""
    record = bring_to(w, Status.APPROVED)
    when = timezone.now() + timedelta(hours=3)
    services.record_publish(user=w.reviewer, record=record, publish_at=when)
    record = services.record_publish_due(record=record, now=when + timedelta(minutes=1))
    record.refresh_from_db()
    assert record.status == Status.PUBLISHED
    assert record.published_at == when
    assert record.index_number == f"{COUNTY}/{timezone.localtime(when).year}-00001"
    assert_audit(last_audit(record), actor=None, action="publish_due", from_status=Status.SCHEDULED,
                 to_status=Status.PUBLISHED, record=record)


@pytest.mark.django_db
def test_publish_due_before_the_time_is_invalid_and_writes_nothing(w):
    """A scheduled record is not published before its time."""
    record = bring_to(w, Status.SCHEDULED)
    before = db_state(record)
    with pytest.raises(InvalidTransition):
        services.record_publish_due(record=record, now=record.publish_at - timedelta(seconds=1))
    assert db_state(record) == before


@pytest.mark.django_db
@pytest.mark.parametrize("notice", [True, False])
def test_withdraw_takes_the_record_off_with_reason_and_notice_choice(w, notice):
    """Withdrawal needs a reason, records the time and the reviewer's notice choice, hides the record."""
    record = bring_to(w, Status.PUBLISHED)
    number = record.index_number
    since = timezone.now()
    record = services.record_withdraw(user=w.reviewer, record=record, reason="政策已调整", public_notice=notice)
    record.refresh_from_db()
    assert record.status == Status.WITHDRAWN
    assert since <= record.withdrawn_at <= timezone.now()
    assert record.withdrawal_notice is notice
    assert record.index_number == number  # kept: the number stays with this information
    assert_audit(last_audit(record), actor=w.reviewer, action="withdraw", from_status=Status.PUBLISHED,
                 to_status=Status.WITHDRAWN, comment="政策已调整", record=record, since=since)
    assert not public_records().exists()


@pytest.mark.django_db
@pytest.mark.parametrize("reason", ["", "  "])
def test_withdraw_without_a_reason_is_refused_and_writes_nothing(w, reason):
    """Withdrawal without a reason: ValidationError, still published, nothing written."""
    record = bring_to(w, Status.PUBLISHED)
    before = db_state(record)
    with pytest.raises(ValidationError):
        services.record_withdraw(user=w.reviewer, record=record, reason=reason)
    assert db_state(record) == before
    assert public_records().get() == record


@pytest.mark.django_db
def test_revise_makes_a_draft_copy_and_leaves_the_original_published(w):
    """Revising a published record creates a draft revision (content, attachments, related copied);
    the original stays published and public; both get an audit entry by the editor."""
    record = create(w)
    attachment = services.attachment_add(user=w.editor, record=record, upload=pdf_upload("配租名单.pdf"))
    related = bring_to(w, Status.PUBLISHED, title="公租房配租工作实施方案")
    record.related.add(related)
    published = publish_new(record, w.editor, w.reviewer)
    since = timezone.now()
    revision = services.record_revise(user=w.editor2, record=published)
    copied = revision.attachments.get()
    assert (copied.original_name, copied.file.name, copied.sha256) == (
        attachment.original_name, attachment.file.name, attachment.sha256
    )
    assert list(revision.related.all()) == [related]
    assert revision.status == Status.DRAFT and revision.revises == published
    assert revision.created_by == w.editor2
    assert (revision.title, revision.body, revision.formed_on) == (published.title, published.body, published.formed_on)
    assert not revision.index_number and revision.published_at is None
    published.refresh_from_db()
    assert published.status == Status.PUBLISHED
    assert_audit(last_audit(published), actor=w.editor2, action="revise", from_status=Status.PUBLISHED,
                 to_status=Status.PUBLISHED, comment=f"新建修订稿（编号 {revision.pk}）", record=published, since=since)
    assert_audit(last_audit(revision), actor=w.editor2, action="create", from_status="", to_status=Status.DRAFT,
                 comment=f"修订自 {published.index_number}", record=revision, since=since)
    assert revision.versions.get().author == w.editor2
    assert set(public_records()) == {published, related}


@pytest.mark.django_db
def test_only_one_revision_at_a_time(w):
    """A second revision while one is under way is refused and writes nothing."""
    record = bring_to(w, Status.PUBLISHED)
    services.record_revise(user=w.editor, record=record)
    before = db_state(record)
    with pytest.raises(InvalidTransition):
        services.record_revise(user=w.editor, record=record)
    assert db_state(record) == before


@pytest.mark.django_db
def test_publishing_a_revision_supersedes_the_original_and_keeps_its_number(w):
    """The revision takes over the original's index number; the original becomes superseded by the
    system, with an audit entry naming who published; the public sees only the revision."""
    original = bring_to(w, Status.PUBLISHED)
    number = original.index_number
    revision = services.record_revise(user=w.editor, record=original)
    services.record_update(user=w.editor, record=revision, title="关于公布2026年度公租房配租结果的公告（更正）")
    since = timezone.now()
    revision = publish_new(revision, w.editor, w.reviewer)
    original.refresh_from_db()
    revision.refresh_from_db()
    assert original.status == Status.SUPERSEDED and original.index_number == number
    assert revision.status == Status.PUBLISHED and revision.index_number == number
    assert IndexSequence.objects.get().last_serial == 1  # no new serial consumed
    assert_audit(last_audit(original), actor=None, action="supersede", from_status=Status.PUBLISHED,
                 to_status=Status.SUPERSEDED, comment=f"由修订稿（编号 {revision.pk}）替代，操作人：李建国",
                 record=original, since=since)
    assert_audit(last_audit(revision), actor=w.reviewer, action="publish", from_status=Status.APPROVED,
                 to_status=Status.PUBLISHED, record=revision, since=since)
    assert list(public_records()) == [revision]
    assert public_record(org_code=COUNTY, serial=revision.index_serial) == revision


@pytest.mark.django_db
def test_a_revision_cannot_supersede_an_original_no_longer_published(w):
    """supersede from a wrong state: the original was withdrawn meanwhile, so publishing the revision
    is invalid and nothing is written (no serial, no state change on either record)."""
    original = bring_to(w, Status.PUBLISHED)
    revision = services.record_revise(user=w.editor, record=original)
    services.record_submit(user=w.editor, record=revision)
    services.record_approve(user=w.reviewer, record=revision, confidentiality_checked=True, openness_checked=True)
    services.record_withdraw(user=w.reviewer, record=original, reason="已停止执行")
    before, before_original = db_state(revision), db_state(original)
    with pytest.raises(InvalidTransition):
        services.record_publish(user=w.reviewer, record=revision)
    assert db_state(revision) == before and db_state(original) == before_original


@pytest.mark.django_db
@pytest.mark.parametrize("stage", [Status.DRAFT, Status.SUBMITTED, Status.APPROVED, Status.SCHEDULED])
def test_the_published_version_stays_public_while_its_revision_is_under_way(w, stage):
    """Whatever stage the revision is at, the public sees the published original and not the revision."""
    original = bring_to(w, Status.PUBLISHED)
    revision = services.record_revise(user=w.editor, record=original)
    if stage != Status.DRAFT:
        services.record_submit(user=w.editor, record=revision)
    if stage in (Status.APPROVED, Status.SCHEDULED):
        services.record_approve(user=w.reviewer, record=revision, confidentiality_checked=True, openness_checked=True)
    if stage == Status.SCHEDULED:
        services.record_publish(user=w.reviewer, record=revision, publish_at=timezone.now() + timedelta(days=1))
    revision.refresh_from_db()
    assert revision.status == stage
    assert list(public_records()) == [original]
    assert public_record(org_code=COUNTY, serial=original.index_serial) == original


@pytest.mark.django_db
def test_a_scheduled_revision_supersedes_its_original_when_due(w):
    """publish_due of a revision supersedes the original (system) and keeps its number."""
    original = bring_to(w, Status.PUBLISHED)
    revision = services.record_revise(user=w.editor, record=original)
    services.record_submit(user=w.editor, record=revision)
    services.record_approve(user=w.reviewer, record=revision, confidentiality_checked=True, openness_checked=True)
    when = timezone.now() + timedelta(hours=1)
    services.record_publish(user=w.reviewer, record=revision, publish_at=when)
    services.record_publish_due(record=revision, now=when)
    original.refresh_from_db()
    revision.refresh_from_db()
    assert (original.status, revision.status) == (Status.SUPERSEDED, Status.PUBLISHED)
    assert revision.index_number == original.index_number and revision.published_at == when
    assert_audit(last_audit(original), actor=None, action="supersede", from_status=Status.PUBLISHED,
                 to_status=Status.SUPERSEDED, comment=f"由修订稿（编号 {revision.pk}）替代，操作人：系统")


# ---------------------------------------------------------------- the openness attribute


@pytest.mark.django_db
@pytest.mark.parametrize("openness", [Openness.ON_APPLICATION, Openness.WITHHELD])
def test_a_withheld_record_without_legal_ground_is_invalid_at_create(w, openness):
    """依申请公开 / 不予公开 need a ground from articles 14–16: ValidationError, nothing created."""
    with pytest.raises(ValidationError) as error:
        create(w, openness=openness)
    assert "withholding_ground" in error.value.message_dict
    assert Record.objects.count() == 0 and AuditEntry.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("openness", [Openness.ON_APPLICATION, Openness.WITHHELD])
@pytest.mark.parametrize("name", ["publish", "schedule"])
def test_only_proactive_records_can_be_published(w, openness, name):
    """A reviewed 依申请公开 or 不予公开 record can be approved but never published or scheduled;
    the refusal consumes no index number and writes nothing."""
    record = bring_to(w, Status.APPROVED, openness=openness, withholding_ground=WithholdingGround.PROCESS)
    before = db_state(record)
    with pytest.raises(InvalidTransition):
        MOVES[name](w.reviewer, record)
    assert db_state(record) == before
    assert not IndexSequence.objects.exists()
    assert not public_records().exists()


# ---------------------------------------------------------------- index numbers


@pytest.mark.django_db
def test_index_numbers_count_up_per_organisation_and_year_and_are_never_reused(w):
    """ORG/YEAR-00001, -00002 …; a withdrawn record keeps its number and the next gets a new one;
    a revision keeps its original's number without consuming a serial; another unit counts on its own."""
    year = this_year()
    first = bring_to(w, Status.PUBLISHED)
    second = bring_to(w, Status.PUBLISHED)
    assert (first.index_number, second.index_number) == (f"{COUNTY}/{year}-00001", f"{COUNTY}/{year}-00002")
    services.record_withdraw(user=w.reviewer, record=second, reason="重复发布")
    third = bring_to(w, Status.PUBLISHED)
    assert third.index_number == f"{COUNTY}/{year}-00003"
    revision = services.record_revise(user=w.editor, record=first)
    revision = publish_new(revision, w.editor, w.reviewer)
    assert revision.index_number == first.index_number
    fourth = bring_to(w, Status.PUBLISHED)
    assert fourth.index_number == f"{COUNTY}/{year}-00004"
    town = services.record_create(
        user=w.town_editor, organisation=w.township, node=w.town_node, **record_fields()
    )
    town = publish_new(town, w.town_editor, w.town_reviewer)
    assert town.index_number == f"{TOWNSHIP}/{year}-00001"
    numbers = Record.objects.exclude(index_number="").exclude(status=Status.SUPERSEDED).values_list(
        "index_number", flat=True
    )
    assert len(numbers) == len(set(numbers))


@pytest.mark.django_db
def test_a_new_year_restarts_the_serial_by_local_time(w):
    """The serial restarts at 00001 in a new year, counted in local (Beijing) time: a record due at
    00:30 on 1 January local time (still 31 December in UTC) belongs to the new year."""
    year = this_year()
    bring_to(w, Status.PUBLISHED)
    new_year = timezone.make_aware(datetime(year + 1, 1, 1, 0, 30))
    assert new_year.astimezone(UTC).year == year
    record = bring_to(w, Status.APPROVED)
    services.record_publish(user=w.reviewer, record=record, publish_at=new_year)
    record = services.record_publish_due(record=record, now=new_year + timedelta(minutes=1))
    assert record.index_number == f"{COUNTY}/{year + 1}-00001"
    assert bring_to(w, Status.PUBLISHED).index_number == f"{COUNTY}/{year}-00002"


# ---------------------------------------------------------------- database-backed invariants


@pytest.mark.django_db
def test_one_open_review_per_record_is_a_database_constraint(w):
    """A second open review for the same record is refused by the database itself."""
    record = bring_to(w, Status.SUBMITTED)
    with pytest.raises(IntegrityError), transaction.atomic():
        Review.objects.create(record=record, submitted_by=w.editor, submitted_at=timezone.now())
    assert record.reviews.count() == 1


@pytest.mark.django_db
def test_audit_entries_cannot_be_changed_or_deleted(w):
    """An audit row refuses save() after creation and delete(); the row stays as written."""
    record = bring_to(w, Status.SUBMITTED)
    entry = last_audit(record)
    entry.comment = "篡改"
    with pytest.raises(ValueError):
        entry.save()
    with pytest.raises(ValueError):
        entry.delete()
    entry.refresh_from_db()
    assert entry.comment == "" and AuditEntry.objects.filter(pk=entry.pk).exists()


@pytest.mark.django_db
def test_a_version_is_kept_for_every_content_change(w):
    """create, update, adding and removing attachments each write a numbered version with who and when."""
    since = timezone.now()
    record = create(w)
    services.record_update(user=w.editor2, record=record, title="关于公布公租房配租结果的公告（第二批）")
    attachment = services.attachment_add(user=w.editor, record=record, upload=pdf_upload("配租名单.pdf"))
    services.attachment_remove(user=w.editor2, attachment=attachment)
    versions = list(record.versions.order_by("number"))
    assert [v.number for v in versions] == [1, 2, 3, 4]
    assert [v.author for v in versions] == [w.editor, w.editor2, w.editor, w.editor2]
    assert [v.author_name for v in versions] == ["张晓梅", "王磊", "张晓梅", "王磊"]
    assert all(since <= v.created_at <= timezone.now() for v in versions)
    assert versions[0].data["title"] == "关于公布2026年度公租房配租结果的公告"
    assert versions[1].data["title"] == "关于公布公租房配租结果的公告（第二批）"
    assert [v.data["attachments"] for v in versions] == [[], [], ["配租名单.pdf"], []]
    assert versions[1].data["node"] == NODE


@pytest.mark.django_db
@pytest.mark.parametrize("status", [Status.SUBMITTED, Status.APPROVED, Status.PUBLISHED])
def test_content_of_a_record_under_review_or_published_cannot_be_changed(w, status):
    """Only drafts change content; otherwise InvalidTransition and no version is written."""
    record = bring_to(w, status)
    before = db_state(record)
    with pytest.raises(InvalidTransition):
        services.record_update(user=w.editor, record=record, title="改过的标题")
    assert db_state(record) == before


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["reviewer", "auditor", "town_editor", "anonymous"])
def test_content_changes_by_non_editors_are_denied(w, who):
    """Only editors of the organisation edit drafts: PermissionDenied and no version written."""
    record = create(w)
    before = db_state(record)
    with pytest.raises(PermissionDenied):
        services.record_update(user=getattr(w, who), record=record, title="改过的标题")
    with pytest.raises(PermissionDenied):
        services.attachment_add(user=getattr(w, who), record=record, upload=pdf_upload())
    assert db_state(record) == before


def pdf_upload(name="附件.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "application/pdf")


# ---------------------------------------------------------------- scheduled publication


def schedule_soon(w, count=1, seconds=1.0) -> tuple[list[Record], datetime]:
    """``count`` approved records scheduled a moment from now (a real future time, then we wait)."""
    approved = [
        bring_to(w, Status.APPROVED, title=f"关于第{n + 1}批公租房配租结果的公示") for n in range(count)
    ]
    when = timezone.now() + timedelta(seconds=seconds)
    records = [services.record_publish(user=w.reviewer, record=r, publish_at=when) for r in approved]
    # A very slow machine could reach the time while scheduling (then they were published at once).
    assert all(r.status == Status.SCHEDULED for r in records), "scheduling took longer than the lead time"
    return records, when


def wait_until(when: datetime) -> None:
    delay = (when - timezone.now()).total_seconds()
    if delay > 0:
        time.sleep(delay + 0.05)


@pytest.mark.django_db
def test_publish_scheduled_publishes_what_is_due_at_its_scheduled_time(w):
    """Before its time a scheduled record is not public and the command leaves it; after its time the
    command publishes it with published_at = the scheduled time and an audit entry by the system."""
    (record,), when = schedule_soon(w, seconds=1.5)
    later = bring_to(w, Status.SCHEDULED)  # due in a week: stays scheduled
    assert not public_records().exists()
    out = StringIO()
    call_command("publish_scheduled", stdout=out)
    assert "本次发布了 0 条" in out.getvalue()
    assert Record.objects.get(pk=record.pk).status == Status.SCHEDULED
    wait_until(when)
    out = StringIO()
    call_command("publish_scheduled", stdout=out)
    assert "本次发布了 1 条" in out.getvalue()
    record.refresh_from_db()
    later.refresh_from_db()
    assert record.status == Status.PUBLISHED and record.published_at == when
    assert record.index_number == f"{COUNTY}/{timezone.localtime(when).year}-00001"
    assert later.status == Status.SCHEDULED
    assert_audit(last_audit(record), actor=None, action="publish_due", from_status=Status.SCHEDULED,
                 to_status=Status.PUBLISHED, record=record)
    assert list(public_records()) == [record]
    out = StringIO()
    call_command("publish_scheduled", stdout=out)  # a second run finds nothing more to do
    assert "本次发布了 0 条" in out.getvalue()
    assert AuditEntry.objects.filter(action="publish_due").count() == 1


@pytest.mark.django_db
def test_publish_scheduled_lists_what_it_published_when_verbose(w):
    """With -v 2 the command names each record it published."""
    (record,), when = schedule_soon(w)
    wait_until(when)
    out = StringIO()
    call_command("publish_scheduled", verbosity=2, stdout=out)
    record.refresh_from_db()
    assert record.index_number in out.getvalue() and record.title in out.getvalue()


@pytest.mark.django_db
def test_a_due_record_that_cannot_be_published_is_left_and_reported(w, caplog):
    """A scheduled revision whose original was withdrawn stays scheduled; the run warns and goes on."""
    original = bring_to(w, Status.PUBLISHED)
    revision = services.record_revise(user=w.editor, record=original)
    services.record_submit(user=w.editor, record=revision)
    services.record_approve(user=w.reviewer, record=revision, confidentiality_checked=True, openness_checked=True)
    when = timezone.now() + timedelta(seconds=1.0)
    services.record_publish(user=w.reviewer, record=revision, publish_at=when)
    (other,), other_when = schedule_soon(w)
    services.record_withdraw(user=w.reviewer, record=original, reason="已停止执行")
    wait_until(max(when, other_when))
    out = StringIO()
    call_command("publish_scheduled", stdout=out)
    assert "本次发布了 1 条" in out.getvalue()
    revision.refresh_from_db()
    other.refresh_from_db()
    assert (revision.status, other.status) == (Status.SCHEDULED, Status.PUBLISHED)
    assert "定时发布失败" in caplog.text


THREADS = 4
DUE_RECORDS = 8
# Threads need committed data, hence transactional tests. Their flush removes the role groups too, and
# re-emits post_migrate, whose receiver (core.access.sync_role_groups) makes them again. No
# serialized_rollback: its flush skips post_migrate, which left every later test on the same process
# without role groups.


def run_publish_scheduled_in_threads(count: int) -> list[str]:
    """Start ``count`` `publish_scheduled` runs at the same instant (a barrier), each in its own
    thread with its own database connection, closed at the end; returns what each printed."""
    barrier = threading.Barrier(count)
    outputs, errors = [], []

    def run():
        try:
            barrier.wait(timeout=30)
            out = StringIO()
            call_command("publish_scheduled", stdout=out)
            outputs.append(out.getvalue())
        except Exception as error:  # collected and reported below: a thread cannot fail the test
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a run hung"
    assert not errors, errors
    assert len(outputs) == count
    return outputs


def assert_each_published_once(w, records, when, outputs):
    counts = [int(re.search(r"本次发布了 (\d+) 条", text).group(1)) for text in outputs]
    assert sum(counts) == len(records)
    for record in records:
        record.refresh_from_db()
        assert record.status == Status.PUBLISHED and record.published_at == when
        assert AuditEntry.objects.filter(record=record, action="publish_due").count() == 1
        assert AuditEntry.objects.filter(record=record).exclude(action="publish_due").filter(
            to_status=Status.PUBLISHED
        ).count() == 0
    numbers = [r.index_number for r in records]
    assert len(set(numbers)) == len(records)
    year = timezone.localtime(when).year
    assert all(n.startswith(f"{COUNTY}/{year}-") for n in numbers)
    assert sorted(int(n.rsplit("-", 1)[1]) for n in numbers) == list(range(1, len(records) + 1))
    assert IndexSequence.objects.get(organisation=w.county, year=year).last_serial == len(records)


@pytest.mark.django_db(transaction=True)
def test_concurrent_publish_scheduled_runs_publish_each_record_once(w):
    """Several `publish_scheduled` runs released together by a barrier publish each due record exactly
    once: one publish_due audit entry each, distinct and contiguous index numbers, counts adding up."""
    records, when = schedule_soon(w, count=DUE_RECORDS, seconds=2.0)
    wait_until(when)
    outputs = run_publish_scheduled_in_threads(THREADS)
    assert_each_published_once(w, records, when, outputs)


@pytest.mark.django_db(transaction=True)
def test_runs_that_all_found_the_same_due_records_still_publish_each_once(w, monkeypatch):
    """The worst case, made certain rather than left to timing: every run has listed all due records
    before any of them publishes one (a second barrier inside a pass-through wrapper of the real
    service), so every run tries every record; each is still published exactly once."""
    records, when = schedule_soon(w, count=DUE_RECORDS, seconds=2.0)
    wait_until(when)
    real_publish_due = services.record_publish_due
    all_listed = threading.Barrier(THREADS)
    state = threading.local()
    attempts, refused, lock = [], [], threading.Lock()

    def publish_due_after_everyone_listed(*, record, now=None):
        if not getattr(state, "waited", False):
            state.waited = True
            all_listed.wait(timeout=30)  # no run holds a transaction here
        with lock:
            attempts.append(record.pk)
        try:
            return real_publish_due(record=record, now=now)
        except InvalidTransition:
            with lock:
                refused.append(record.pk)
            raise

    monkeypatch.setattr(services, "record_publish_due", publish_due_after_everyone_listed)
    outputs = run_publish_scheduled_in_threads(THREADS)
    assert len(attempts) == THREADS * DUE_RECORDS  # every run tried every record …
    assert len(refused) == (THREADS - 1) * DUE_RECORDS  # … and all but one attempt each were refused
    assert_each_published_once(w, records, when, outputs)

"""The states of a consultation: every move of disclosure/consultations/workflow.py, through the services
that carry it out.

For each move × each state: allowed from its sources (status, timestamps, log entry), InvalidTransition
from every other state, PermissionDenied for every wrong user (other organisation, wrong role, auditor,
anonymous), and nothing written (status, log rows) on any failure. Then the four-eyes rule (whoever wrote
any part of a consultation never opens it), the log of every edit, a lost race, and the policy's
querysets.
"""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from disclosure.consultations import policy, services
from disclosure.consultations.models import Consultation, ConsultationComment, ConsultationStatus, Moderation
from disclosure.consultations.workflow import TRANSITIONS, InvalidTransition
from disclosure.core import transitions
from disclosure.core.log import ActivityEntry
from tests.disclosure.consultations.desk import Desk, activity, db_state, pdf

S = ConsultationStatus
FOUR_EYES = "起草或修改过该意见征集的人员不能审核发布，请由其他审核员办理。"

MOVES = {
    "open": lambda user, c: services.consultation_open(user=user, consultation=c, comment="同意发布"),
    "close": lambda user, c: services.consultation_close(user=user, consultation=c),
    "publish_feedback": lambda user, c: services.consultation_publish_feedback(
        user=user, consultation=c, feedback="共收到意见5条，采纳3条。"
    ),
}
# Written down here, not read from the table: the table must say exactly this.
SOURCES = {
    "open": {S.DRAFT},
    "close": {S.OPEN},
    "publish_feedback": {S.OPEN, S.CLOSED},
}
TARGETS = {"open": S.OPEN, "close": S.CLOSED, "publish_feedback": S.FEEDBACK_PUBLISHED}
# How each status is reached for the matrix: a draft whose window is still ahead (it may be opened), and
# the later states with their window over (closing and the feedback are then due).
STATE_FOR = {
    S.DRAFT: "draft",
    S.OPEN: "open_ended",
    S.CLOSED: "closed",
    S.FEEDBACK_PUBLISHED: "feedback_published",
}


def test_the_table_is_the_one_written_down_here():
    """Every move of the table is exercised here, from exactly the sources and to the targets above."""
    assert set(TRANSITIONS) == set(MOVES)
    for name, transition in TRANSITIONS.items():
        assert set(transition.sources) == SOURCES[name], name
        assert transition.target == TARGETS[name], name


# ---------------------------------------------------------------- wrong state, for every move

WRONG_STATES = [
    pytest.param(name, status, id=f"{name}-from-{status}")
    for name in MOVES
    for status in S.values
    if status not in SOURCES[name]
]


@pytest.mark.django_db
@pytest.mark.parametrize("actor", ["reviewer", "nobody"])
@pytest.mark.parametrize("name,status", WRONG_STATES)
def test_move_from_a_wrong_state_is_invalid_and_writes_nothing(people, name, status, actor):
    """Every move from a state outside its sources raises InvalidTransition (not PermissionDenied, not
    ValidationError), by the reviewer who may make it from the right state and by the system, and leaves
    the database as it was."""
    consultation = people.desk.bring_to(STATE_FOR[status])
    before = db_state(consultation)
    with pytest.raises(InvalidTransition):
        MOVES[name](getattr(people, actor), consultation)
    assert db_state(consultation) == before


# ---------------------------------------------------------------- wrong user, for every move

OUTSIDERS = ["editor", "editor2", "town_reviewer", "town_editor", "auditor", "orgadmin", "no_role", "anonymous"]
WRONG_USERS = [
    pytest.param(name, source, who, id=f"{name}-from-{source}-by-{who}")
    for name in MOVES
    for source in sorted(SOURCES[name])
    # The system (no user) closes consultations; it opens nothing and publishes no feedback.
    for who in OUTSIDERS + ([] if name == "close" else ["nobody"])
]


@pytest.mark.django_db
@pytest.mark.parametrize("name,source,who", WRONG_USERS)
def test_move_by_a_wrong_user_is_denied_and_writes_nothing(people, name, source, who):
    """From a right state, a user who is not a reviewer of the consultation's organisation (an editor,
    another organisation's reviewer, an auditor, a unit administrator, an account without a role,
    nobody signed in) gets PermissionDenied, and nothing is written."""
    consultation = people.desk.bring_to(STATE_FOR[source])
    before = db_state(consultation)
    with pytest.raises(PermissionDenied):
        MOVES[name](getattr(people, who), consultation)
    assert db_state(consultation) == before
    assert not policy.can(getattr(people, who), TRANSITIONS[name], consultation)


# ---------------------------------------------------------------- allowed, from every source

ALLOWED = [
    pytest.param(name, source, who, id=f"{name}-from-{source}-by-{who}")
    for name in MOVES
    for source in sorted(SOURCES[name])
    for who in ["reviewer", "reviewer2", "superuser"] + (["nobody"] if name == "close" else [])
]


@pytest.mark.django_db
@pytest.mark.parametrize("name,source,who", ALLOWED)
def test_move_from_each_source_is_allowed_and_logged(people, name, source, who):
    """A reviewer of the organisation (any of them, or a superuser; the system too for closing) makes the
    move from each of its sources: the status changes, updated_at moves, and the log gains the move's
    entry with its actor; publishing the feedback of a consultation still marked open logs the close
    first."""
    consultation = people.desk.bring_to(STATE_FOR[source])
    user = getattr(people, who)
    log_before = activity(consultation)
    since = timezone.now()
    assert policy.can(user, TRANSITIONS[name], consultation)
    MOVES[name](user, consultation)
    consultation.refresh_from_db()
    assert consultation.status == TARGETS[name]
    assert consultation.updated_at >= since
    actor = user.pk if user is not None else None
    new_entries = activity(consultation)[len(log_before):]
    if name == "publish_feedback" and source == S.OPEN:
        assert new_entries == [("close", S.OPEN, S.CLOSED, actor), ("publish_feedback", S.CLOSED, S.FEEDBACK_PUBLISHED, actor)]
    else:
        assert new_entries == [(name, source, TARGETS[name], actor)]
    entry = ActivityEntry.objects.filter(subject_id=consultation.pk, subject_type="consultation").latest("id")
    assert entry.organisation_id == people.county.pk and entry.subject_title == consultation.title
    assert since <= entry.created_at <= timezone.now()


@pytest.mark.django_db
def test_open_logs_the_window_and_the_reviewers_comment(people):
    """The open entry records the window as the public was promised it, and the reviewer's comment."""
    consultation = people.desk.draft()
    consultation = services.consultation_open(user=people.reviewer, consultation=consultation, comment="同意发布")
    entry = ActivityEntry.objects.get(subject_id=consultation.pk, action="open")
    opens, closes = timezone.localtime(consultation.opens_at), timezone.localtime(consultation.closes_at)
    start = f"{opens.year}年{opens.month}月{opens.day}日 {opens:%H:%M}"
    end = f"{closes.year}年{closes.month}月{closes.day}日 {closes:%H:%M}"
    assert entry.comment == f"征求意见期限：{start} 至 {end}；同意发布"
    assert (entry.actor, entry.actor_name) == (people.reviewer, "李建国")


@pytest.mark.django_db
def test_feedback_is_stored_with_its_time(people):
    """Publishing the feedback stores the text and the moment it was published."""
    consultation = people.desk.bring_to("closed")
    since = timezone.now()
    services.consultation_publish_feedback(user=people.reviewer, consultation=consultation, feedback="  全部采纳。 ")
    consultation.refresh_from_db()
    assert consultation.feedback == "全部采纳。"
    assert since <= consultation.feedback_published_at <= timezone.now()


# ---------------------------------------------------------------- the moves' own refusals


@pytest.mark.django_db
@pytest.mark.parametrize(
    "state,move,message",
    [
        ("open", "close", "尚未届满"),
        ("open", "publish_feedback", "尚未届满"),
    ],
)
def test_the_window_is_never_cut_short(people, state, move, message):
    """Closing or publishing the feedback before the window has ended is a ValidationError with a
    Chinese reason; nothing is written."""
    consultation = people.desk.bring_to(state)
    before = db_state(consultation)
    with pytest.raises(ValidationError) as error:
        MOVES[move](people.reviewer, consultation)
    assert message in " ".join(error.value.messages)
    assert db_state(consultation) == before


@pytest.mark.django_db
@pytest.mark.parametrize("source", ["open_ended", "closed"])
@pytest.mark.parametrize("feedback", ["", "  \n "])
def test_feedback_needs_a_text_and_writes_nothing_without(people, source, feedback):
    """Empty feedback is a field error; a consultation still marked open is not closed either."""
    consultation = people.desk.bring_to(source)
    before = db_state(consultation)
    with pytest.raises(ValidationError) as error:
        services.consultation_publish_feedback(user=people.reviewer, consultation=consultation, feedback=feedback)
    assert "feedback" in error.value.message_dict
    assert db_state(consultation) == before


@pytest.mark.django_db
def test_a_draft_whose_window_is_over_cannot_be_opened(people):
    """Opening a draft whose closing time has passed is refused with a message; nothing is written."""
    start = timezone.now() - timedelta(days=40)
    consultation = people.desk.draft(opens_at=start, closes_at=start + timedelta(days=31))
    before = db_state(consultation)
    with pytest.raises(ValidationError) as error:
        services.consultation_open(user=people.reviewer, consultation=consultation)
    assert "截止时间已过" in str(error.value)
    assert db_state(consultation) == before


@pytest.mark.django_db
def test_state_and_right_are_reported_before_the_window(people):
    """A wrong state or a wrong user is not hidden behind a window or feedback error."""
    running = people.desk.bring_to("open")
    with pytest.raises(PermissionDenied):
        services.consultation_publish_feedback(user=people.auditor, consultation=running, feedback="")
    with pytest.raises(InvalidTransition):
        services.consultation_open(user=people.reviewer, consultation=running)


@pytest.mark.django_db
@pytest.mark.parametrize("name,source", [("open", "draft"), ("close", "open_ended"), ("publish_feedback", "closed")])
def test_a_lost_race_is_stale_and_writes_nothing(people, name, source):
    """If another move changes the status between the lock and the compare-and-set (a database without
    row locks), the loser hears transitions.STALE and nothing of its move is kept."""
    consultation = people.desk.bring_to(source)
    before = db_state(consultation)
    real_denial = policy.denial_reason

    def denial_while_another_wins(user, transition, locked):
        Consultation.objects.filter(pk=locked.pk).update(status=S.FEEDBACK_PUBLISHED, feedback="他人已公布", feedback_published_at=timezone.now())
        return real_denial(user, transition, locked)

    with mock.patch.object(policy, "denial_reason", denial_while_another_wins):
        with pytest.raises(InvalidTransition) as error:
            MOVES[name](people.reviewer, consultation)
    assert str(error.value) == str(transitions.STALE)
    assert db_state(consultation) == before  # the other writer's change was rolled back with it


@pytest.mark.django_db
def test_the_closing_job_closes_only_ended_windows_and_skips_ones_gone_meanwhile(people):
    """close_due_consultations closes every open consultation whose window has ended, as the system, and
    skips (without failing) one whose feedback was published in the meantime."""
    running = people.desk.bring_to("open")
    ended = people.desk.bring_to("open_ended", title="已截止的草案")
    closed = services.close_due_consultations()
    assert [c.pk for c in closed] == [ended.pk]
    assert activity(ended)[-1] == ("close", S.OPEN, S.CLOSED, None)
    assert Consultation.objects.get(pk=running.pk).status == S.OPEN
    assert services.close_due_consultations() == []


# ---------------------------------------------------------------- four eyes


@pytest.mark.django_db
def test_an_account_holding_both_roles_that_edited_a_draft_cannot_open_it(people):
    """Another editor created the draft; the account holding 信息员 and 审核员 edited it: it may not open
    it (a clear Chinese reason, nothing written); a reviewer who wrote nothing of it may."""
    consultation = people.desk.draft()
    services.consultation_update(user=people.both, consultation=consultation, title="修改后的草案名称")
    before = db_state(consultation)
    with pytest.raises(PermissionDenied) as error:
        services.consultation_open(user=people.both, consultation=consultation)
    assert str(error.value) == FOUR_EYES
    assert policy.denial_reason(people.both, TRANSITIONS["open"], consultation) == FOUR_EYES
    assert db_state(consultation) == before
    services.consultation_open(user=people.reviewer, consultation=consultation)
    assert Consultation.objects.get(pk=consultation.pk).status == S.OPEN


@pytest.mark.django_db
def test_the_creator_holding_both_roles_cannot_open_it(people):
    """The creator never opens their own draft, whatever roles they hold; another reviewer can."""
    consultation = people.desk.draft(author=people.both)
    with pytest.raises(PermissionDenied) as error:
        services.consultation_open(user=people.both, consultation=consultation)
    assert str(error.value) == FOUR_EYES
    services.consultation_open(user=people.reviewer2, consultation=consultation)
    assert activity(consultation)[-1] == ("open", S.DRAFT, S.OPEN, people.reviewer2.pk)


@pytest.mark.django_db
@pytest.mark.parametrize("change", ["add", "remove"])
def test_adding_or_removing_a_file_makes_a_contributor(people, change):
    """Whoever added a file to the draft, or removed one, may not open it."""
    consultation = people.desk.draft()
    attachment = services.consultation_attachment_add(user=people.editor, consultation=consultation, upload=pdf())
    if change == "add":
        services.consultation_attachment_add(user=people.both, consultation=consultation, upload=pdf("说明.pdf"))
    else:
        services.consultation_attachment_remove(user=people.both, attachment=attachment)
    with pytest.raises(PermissionDenied) as error:
        services.consultation_open(user=people.both, consultation=consultation)
    assert str(error.value) == FOUR_EYES
    assert policy.can(people.reviewer, "open", consultation)


@pytest.mark.django_db
def test_a_superuser_who_wrote_part_of_it_cannot_open_it_either(people):
    """The rule holds for every account: a superuser who edited the draft may not open it."""
    consultation = people.desk.draft()
    services.consultation_update(user=people.superuser, consultation=consultation, summary="补充起草说明")
    with pytest.raises(PermissionDenied):
        services.consultation_open(user=people.superuser, consultation=consultation)


@pytest.mark.django_db
def test_saving_without_a_change_writes_nothing_and_makes_no_contributor(people):
    """An edit that changes nothing (the same values saved again) is not writing part of it: no log
    entry, and the account may still open it."""
    consultation = people.desk.draft()
    log = activity(consultation)
    services.consultation_update(
        user=people.both, consultation=consultation, title=consultation.title, body=consultation.body
    )
    assert activity(consultation) == log
    assert policy.can(people.both, "open", consultation)


@pytest.mark.django_db
def test_the_drafts_to_open_queryset_leaves_out_what_the_user_wrote(people):
    """consultations_to_open: the organisation's drafts, none the user wrote any part of; nothing for
    non-reviewers or other organisations."""
    created = people.desk.draft(author=people.both, title="赵敏起草")
    edited = people.desk.draft(title="赵敏修改")
    services.consultation_update(user=people.both, consultation=edited, summary="补充")
    untouched = people.desk.draft(title="他人起草")
    people.desk.bring_to("open", title="已开始")
    assert set(policy.consultations_to_open(people.both)) == {untouched}
    assert set(policy.consultations_to_open(people.reviewer)) == {created, edited, untouched}
    for who in ("editor", "auditor", "town_reviewer", "anonymous"):
        assert not policy.consultations_to_open(getattr(people, who)).exists(), who
    for consultation in (created, edited, untouched):
        for who in ("both", "reviewer"):
            user = getattr(people, who)
            in_queryset = policy.consultations_to_open(user).filter(pk=consultation.pk).exists()
            assert in_queryset == policy.can(user, "open", consultation), (who, consultation.title)


# ---------------------------------------------------------------- edits are logged with their actor


@pytest.mark.django_db
def test_every_edit_and_file_change_is_logged_with_its_actor(people):
    """Creating, changing content, adding and removing a file each leave an entry naming the actor, so
    that the contributors are known from the log."""
    consultation = people.desk.draft()
    services.consultation_update(user=people.editor2, consultation=consultation, title="新名称", summary="新说明")
    attachment = services.consultation_attachment_add(user=people.both, consultation=consultation, upload=pdf())
    services.consultation_attachment_remove(user=people.editor, attachment=attachment)
    assert activity(consultation) == [
        ("create", "", S.DRAFT, people.editor.pk),
        ("update", S.DRAFT, S.DRAFT, people.editor2.pk),
        ("update", S.DRAFT, S.DRAFT, people.both.pk),
        ("update", S.DRAFT, S.DRAFT, people.editor.pk),
    ]
    comments = list(
        ActivityEntry.objects.filter(subject_id=consultation.pk, action="update").order_by("id").values_list("comment", flat=True)
    )
    assert comments == ["修改：草案名称、起草说明", "添加附件：征求意见稿.pdf", "删除附件：征求意见稿.pdf"]
    assert policy.contributor_ids(consultation) == {people.editor.pk, people.editor2.pk, people.both.pk}


@pytest.mark.django_db
@pytest.mark.parametrize("state", ["open", "closed", "feedback_published"])
def test_content_files_and_existence_are_fixed_once_opened(people, state):
    """After opening, editing, adding or removing a file and deleting are wrong-state refusals
    (InvalidTransition), even for the organisation's editor; nothing is written."""
    consultation = people.desk.draft()
    attachment = services.consultation_attachment_add(user=people.editor, consultation=consultation, upload=pdf())
    services.consultation_open(user=people.reviewer, consultation=consultation, now=consultation.opens_at)
    if state != "open":
        consultation = people.desk.bring_to(state, title="另一份")
        attachment = None
    before = db_state(consultation)
    refusals = [
        lambda: services.consultation_update(user=people.editor, consultation=consultation, title="改个标题"),
        lambda: services.consultation_attachment_add(user=people.editor, consultation=consultation, upload=pdf()),
        lambda: services.consultation_delete(user=people.editor, consultation=consultation),
    ]
    if attachment is not None:
        refusals.append(lambda: services.consultation_attachment_remove(user=people.editor, attachment=attachment))
    for refuse in refusals:
        with pytest.raises(InvalidTransition):
            refuse()
        assert db_state(consultation) == before


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["reviewer", "auditor", "orgadmin", "town_editor", "no_role", "anonymous", "nobody"])
def test_only_the_organisations_editors_write_drafts(people, who):
    """Creating, editing, adding or removing a file and deleting are the organisation's editors' work:
    everyone else gets PermissionDenied and nothing is written."""
    user = getattr(people, who)
    consultation = people.desk.draft()
    attachment = services.consultation_attachment_add(user=people.editor, consultation=consultation, upload=pdf())
    before = db_state(consultation)
    refusals = [
        lambda: people.desk.draft(author=user),
        lambda: services.consultation_update(user=user, consultation=consultation, title="改个标题"),
        lambda: services.consultation_attachment_add(user=user, consultation=consultation, upload=pdf()),
        lambda: services.consultation_attachment_remove(user=user, attachment=attachment),
        lambda: services.consultation_delete(user=user, consultation=consultation),
    ]
    for refuse in refusals:
        with pytest.raises(PermissionDenied):
            refuse()
        assert db_state(consultation) == before


# ---------------------------------------------------------------- comments and the policy's querysets


@pytest.mark.django_db
def test_moderation_is_for_the_organisations_staff_and_logged(people):
    """Editors, reviewers and unit administrators of the organisation moderate (each with a log entry);
    auditors and other organisations may not; handled_comments agrees."""
    consultation = people.desk.bring_to("open")
    comment = services.comment_submit(consultation=consultation, name="", contact="13800000000", text="赞成")
    for who, moderation in (("editor", Moderation.SHOWN), ("reviewer", Moderation.PENDING), ("orgadmin", Moderation.SHOWN)):
        services.comment_moderate(user=getattr(people, who), comment=comment, moderation=moderation)
        assert ConsultationComment.objects.get(pk=comment.pk).moderation == moderation
        assert policy.handled_comments(getattr(people, who)).filter(pk=comment.pk).exists()
    entries = ActivityEntry.objects.filter(subject_type="consultation_comment", subject_id=comment.pk)
    assert entries.count() == 3
    before = db_state(consultation)
    for who in ("auditor", "town_editor", "town_reviewer", "no_role", "anonymous"):
        with pytest.raises(PermissionDenied):
            services.comment_moderate(user=getattr(people, who), comment=comment, moderation=Moderation.PENDING)
        assert not policy.handled_comments(getattr(people, who)).exists(), who
    assert db_state(consultation) == before


@pytest.mark.django_db
def test_staff_querysets_follow_the_scope(people):
    """visible_consultations: the own organisation's (auditors: their subtree; superuser: all);
    editable_consultations: the editor's own drafts only."""
    county_draft = people.desk.draft(title="县草稿")
    county_open = people.desk.bring_to("open", title="县征求中")
    town = Desk(people.township, editor=people.town_editor, reviewer=people.town_reviewer)
    town_draft = town.draft(title="乡镇草稿")
    assert set(policy.visible_consultations(people.editor)) == {county_draft, county_open}
    assert set(policy.visible_consultations(people.auditor)) == {county_draft, county_open, town_draft}
    assert set(policy.visible_consultations(people.town_reviewer)) == {town_draft}
    assert set(policy.visible_consultations(people.superuser)) == {county_draft, county_open, town_draft}
    assert not policy.visible_consultations(people.anonymous).exists()
    assert set(policy.editable_consultations(people.editor)) == {county_draft}
    assert set(policy.editable_consultations(people.town_editor)) == {town_draft}
    for who in ("reviewer", "auditor", "orgadmin", "anonymous"):
        assert not policy.editable_consultations(getattr(people, who)).exists(), who

"""The moves of an application (disclosure/applications/workflow.py), through the services that make them.

For each move: the allowed case from every source state (new state, the move's own fields, the log
entry), every other state (InvalidTransition), every wrong user (PermissionDenied), a lost race
(transitions.STALE), and proof that a refused move writes nothing. Then the users who do hold each right.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from disclosure.applications import policy, services
from disclosure.applications.models import Application, ApplicationPause, ApplicationStatus, ReplyType
from disclosure.applications.workflow import TRANSITIONS
from disclosure.core import transitions
from disclosure.core.log import ActivityEntry
from disclosure.core.transitions import InvalidTransition
from tests.disclosure.applications.test_clock_pauses import SYSTEM_MOVES
from tests.disclosure.applications.world import TODAY, in_state

S = ApplicationStatus

# move → {source state: state after the move}, written out from 条例 articles 30–36 as the office applies
# them; every other state refuses the move.
EXPECTED = {
    "request_correction": {S.RECEIVED: S.CORRECTION},
    "receive_correction": {S.CORRECTION: S.RECEIVED},
    "start_consultation": {S.RECEIVED: S.CONSULTATION},
    "end_consultation": {S.CONSULTATION: S.RECEIVED},
    # Approving the extension and recording the notice keep the state.
    "extend": {S.RECEIVED: S.RECEIVED, S.CONSULTATION: S.CONSULTATION},
    "notify_extension": {S.RECEIVED: S.RECEIVED, S.CONSULTATION: S.CONSULTATION, S.REPLIED: S.REPLIED, S.CLOSED: S.CLOSED},
    # From 待补正 only as 逾期不补正 (the reply type used below).
    "reply": {S.RECEIVED: S.REPLIED, S.CORRECTION: S.REPLIED},
    "close": {S.REPLIED: S.CLOSED},
}
APPROVER_MOVES = {"extend"}  # the reviewer's (the office head's consent of article 33)

# The moves as staff make them, with valid data for every source state (in_state's dates: received
# 2025-09-26, corrections, consultations and extensions on 29 September, a reply on 9 October).
MOVES = {
    "request_correction": lambda user, a: services.application_request_correction(
        user=user, application=a, note="请写明小区名称", on=date(2025, 9, 30), today=TODAY
    ),
    "receive_correction": lambda user, a: services.application_receive_correction(
        user=user, application=a, on=date(2025, 10, 9), note="已补正", today=TODAY
    ),
    "start_consultation": lambda user, a: services.application_start_consultation(
        user=user, application=a, kind="third_party", party="幸福小区业主委员会", on=date(2025, 10, 9), today=TODAY
    ),
    "end_consultation": lambda user, a: services.application_end_consultation(
        user=user, application=a, on=date(2025, 10, 10), note="已回复", today=TODAY
    ),
    "extend": lambda user, a: services.application_extend(
        user=user, application=a, days=10, reason="需调阅档案", on=date(2025, 10, 9), today=TODAY
    ),
    "notify_extension": lambda user, a: services.application_record_extension_notice(
        user=user, application=a, on=date(2025, 10, 10), today=TODAY
    ),
    "reply": lambda user, a: services.application_reply(
        user=user, application=a, reply_type=ReplyType.OTHER_NO_CORRECTION, on=date(2025, 10, 10), today=TODAY
    ),
    "close": lambda user, a: services.application_close(user=user, application=a, note="已归档"),
}
# The comment each move leaves in the log, by hand.
COMMENTS = {
    "request_correction": "请写明小区名称",
    "receive_correction": "已补正",
    "start_consultation": "征求第三方意见（条例第三十二条）：幸福小区业主委员会，2025年10月9日",
    "end_consultation": "征求其他机关意见（条例第三十四条）：县自然资源局，2025年10月10日",  # in_state's
    "extend": "延长10个工作日：需调阅档案",
    "notify_extension": "2025年10月10日",
    "reply": "其他处理：申请人逾期不补正，2025年10月10日",
    "close": "已归档",
}


def bring_to(desk, status: str, name: str) -> Application:
    """An application in ``status`` ready for ``name`` in all but the state: recording the extension
    notice needs an approved extension, every other move needs none."""
    return in_state(desk, status, extended=name == "notify_extension")


def actor_for(desk, name: str):
    return desk.reviewer if name in APPROVER_MOVES else desk.handler


def db_state(application: Application) -> dict:
    """Everything a refused move could have touched."""
    return {
        "application": Application.objects.filter(pk=application.pk).values().get(),
        "applications": Application.objects.count(),
        "log": list(ActivityEntry.objects.order_by("pk").values_list("pk", flat=True)),
        "pauses": list(ApplicationPause.objects.order_by("pk").values()),
    }


def test_the_table_and_these_tests_agree():
    """Every move staff make is exercised here, from exactly the states written out above; the system's
    own move (the clock resuming by itself) has its own tests in test_clock_pauses.py."""
    staff_moves = {name for name, transition in TRANSITIONS.items() if not transition.is_system}
    assert staff_moves == set(MOVES) == set(EXPECTED) == set(COMMENTS)
    assert set(TRANSITIONS) - staff_moves == SYSTEM_MOVES
    for name in staff_moves:
        assert set(TRANSITIONS[name].sources) == set(EXPECTED[name]), name


# ---------------------------------------------------------------- allowed, from every source state

ALLOWED = [
    pytest.param(name, status, id=f"{name}-from-{status}") for name in EXPECTED for status in EXPECTED[name]
]


@pytest.mark.django_db
@pytest.mark.parametrize("name,status", ALLOWED)
def test_move_from_each_source_state_changes_the_state_and_writes_one_log_entry(desk, name, status):
    """The move succeeds, leaves the application in the expected state in the database, and appends
    exactly one log entry: who, which move, from and to, the comment, the tracking code as its title."""
    application = bring_to(desk, status, name)
    log_before = list(ActivityEntry.objects.values_list("pk", flat=True))
    since = timezone.now()
    user = actor_for(desk, name)
    result = MOVES[name](user, application)
    target = EXPECTED[name][status]
    assert result.status == target
    stored = Application.objects.get(pk=application.pk)
    assert stored.status == target and stored.updated_at >= since
    entry = ActivityEntry.objects.exclude(pk__in=log_before).get()
    assert (entry.subject_type, entry.subject_id) == ("application", application.pk)
    assert (entry.action, entry.from_status, entry.to_status) == (name, status, target)
    assert entry.actor == user and entry.actor_name == user.get_full_name()
    assert entry.organisation_id == desk.organisation.pk
    assert entry.subject_title == f"依申请公开 {application.tracking_code}"
    assert entry.comment == COMMENTS[name]
    assert since <= entry.created_at <= timezone.now()


@pytest.mark.django_db
def test_each_move_records_its_facts(desk):
    """The fields each move sets, read back from the database."""
    application = in_state(desk, S.RECEIVED)
    MOVES["request_correction"](desk.handler, application)
    stored = Application.objects.get(pk=application.pk)
    assert (stored.correction_requested_on, stored.correction_note) == (date(2025, 9, 30), "请写明小区名称")
    MOVES["receive_correction"](desk.handler, stored)
    stored = Application.objects.get(pk=application.pk)
    assert stored.correction_received_on == stored.clock_start == date(2025, 10, 9)
    assert stored.received_on == date(2025, 9, 26)
    MOVES["start_consultation"](desk.handler, stored)
    pause = ApplicationPause.objects.get(application=application)
    assert (pause.kind, pause.party, pause.started_on, pause.ended_on) == (
        "third_party", "幸福小区业主委员会", date(2025, 10, 9), None
    )
    MOVES["end_consultation"](desk.handler, stored)
    pause.refresh_from_db()
    assert pause.ended_on == date(2025, 10, 10) and pause.note == "已回复"
    MOVES["extend"](desk.reviewer, stored)
    stored = Application.objects.get(pk=application.pk)
    assert (stored.extension_days, stored.extension_reason, stored.extension_approved_by, stored.extension_approved_on) == (
        10, "需调阅档案", desk.reviewer, date(2025, 10, 9)
    )
    MOVES["notify_extension"](desk.handler, stored)
    assert Application.objects.get(pk=application.pk).extension_notified_on == date(2025, 10, 10)
    services.application_reply(
        user=desk.handler, application=stored, reply_type=ReplyType.PARTIAL, note="部分涉及个人信息", on=date(2025, 10, 20), today=TODAY
    )
    stored = Application.objects.get(pk=application.pk)
    assert (stored.reply_type, stored.replied_on, stored.reply_note) == (ReplyType.PARTIAL, date(2025, 10, 20), "部分涉及个人信息")
    since = timezone.now()
    MOVES["close"](desk.handler, stored)
    stored = Application.objects.get(pk=application.pk)
    assert since <= stored.closed_at <= timezone.now()


# ---------------------------------------------------------------- wrong state, for every move

WRONG_STATES = [
    pytest.param(name, status, id=f"{name}-from-{status}")
    for name in EXPECTED
    for status in S.values
    if status not in EXPECTED[name]
]


@pytest.mark.django_db
@pytest.mark.parametrize("name,status", WRONG_STATES)
def test_move_from_a_wrong_state_is_invalid_and_writes_nothing(desk, name, status):
    """From a state outside its sources a move raises InvalidTransition (not PermissionDenied), for the
    very user who would be allowed from the right state, and leaves the database as it was."""
    application = bring_to(desk, status, name)
    before = db_state(application)
    with pytest.raises(InvalidTransition):
        MOVES[name](actor_for(desk, name), application)
    assert db_state(application) == before


# ---------------------------------------------------------------- wrong user, for every move

HANDLE_OUTSIDERS = ["stranger", "auditor", "city_auditor", "no_role", "anonymous", "nobody"]
# Approving an extension: besides those, the organisation's own 信息员 and 单位管理员 are not reviewers.
APPROVE_OUTSIDERS = HANDLE_OUTSIDERS + ["handler", "orgadmin"]
WRONG_USERS = [
    pytest.param(name, status, who, id=f"{name}-from-{status}-by-{who}")
    for name in EXPECTED
    for status in EXPECTED[name]
    for who in (APPROVE_OUTSIDERS if name in APPROVER_MOVES else HANDLE_OUTSIDERS)
]


@pytest.mark.django_db
@pytest.mark.parametrize("name,status,who", WRONG_USERS)
def test_move_by_a_wrong_user_is_denied_and_writes_nothing(desk, name, status, who):
    """From a right state, a user without the right (another organisation's staff, an auditor of the
    organisation or of its superior, an account without a role, nobody; for the extension anyone but a
    reviewer) gets PermissionDenied and nothing is written."""
    application = bring_to(desk, status, name)
    before = db_state(application)
    with pytest.raises(PermissionDenied):
        MOVES[name](getattr(desk, who), application)
    assert db_state(application) == before


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(EXPECTED))
def test_the_wrong_state_is_reported_before_the_wrong_user(desk, name):
    """A wrong user from a wrong state hears InvalidTransition: the state is checked first."""
    status = next(s for s in S.values if s not in EXPECTED[name])
    application = bring_to(desk, status, name)
    before = db_state(application)
    with pytest.raises(InvalidTransition):
        MOVES[name](desk.stranger, application)
    assert db_state(application) == before


# ---------------------------------------------------------------- who does hold each right

HOLDERS = [
    pytest.param(name, who, id=f"{name}-by-{who}")
    for name in EXPECTED
    for who in (["reviewer", "superuser"] if name in APPROVER_MOVES else ["handler", "reviewer", "orgadmin", "superuser"])
]


@pytest.mark.django_db
@pytest.mark.parametrize("name,who", HOLDERS)
def test_each_move_is_allowed_to_the_holders_of_its_right(desk, name, who):
    """Handling moves: the organisation's 信息员, 审核员 and 单位管理员 and a system administrator;
    the extension: its 审核员 and a system administrator. The buttons offer the move to them."""
    status = next(iter(EXPECTED[name]))
    application = bring_to(desk, status, name)
    user = getattr(desk, who)
    assert name in [t.name for t in policy.moves_for(user, application)]
    MOVES[name](user, application)
    assert ActivityEntry.objects.filter(subject_id=application.pk, action=name).get().actor == user


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["stranger", "auditor", "city_auditor", "no_role", "anonymous"])
def test_no_button_for_users_without_a_right(desk, who):
    """Someone without a right is offered no move at all, in any state, extended or not."""
    for status in S.values:
        for extended in (False, True):
            application = in_state(desk, status, extended=extended)
            assert policy.moves_for(getattr(desk, who), application) == []


# ---------------------------------------------------------------- a lost race


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["request_correction", "start_consultation", "extend", "reply"])
def test_a_move_that_loses_a_race_hears_stale_and_writes_nothing(desk, name, monkeypatch):
    """Another move commits between reading the row and changing it (simulated at the moment the right
    is checked): the compare-and-set refuses with transitions.STALE and nothing of this move is written."""
    application = in_state(desk, S.RECEIVED)
    before = db_state(application)
    real_denial = policy.denial_reason

    def denial_while_someone_else_replies(user, transition, locked):
        Application.objects.filter(pk=locked.pk).update(
            status=S.REPLIED, reply_type=ReplyType.DISCLOSED, replied_on=date(2025, 10, 9)
        )
        return real_denial(user, transition, locked)

    monkeypatch.setattr(policy, "denial_reason", denial_while_someone_else_replies)
    with pytest.raises(InvalidTransition) as error:
        MOVES[name](actor_for(desk, name), application)
    assert str(error.value) == str(transitions.STALE)
    assert db_state(application) == before  # the service's transaction took the other change back too

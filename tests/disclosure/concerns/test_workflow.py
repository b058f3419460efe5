"""The concerns' workflow (disclosure/concerns/workflow.py) through the services that carry it out.

For every move × every state: the allowed case (new state, the activity-log entry), every wrong state
(InvalidTransition), every wrong user (PermissionDenied: an auditor, staff of another organisation, an
account without a role, nobody) and proof that a refused move writes nothing; a lost race hears the
kernel's one message. Then registering, which is not a move, and the policy's lists.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from disclosure.concerns import policy
from disclosure.concerns import services as concerns
from disclosure.concerns.models import Concern, ConcernResponse, ConcernSource, ConcernStatus, ResponseKind, Severity
from disclosure.concerns.workflow import TRANSITIONS
from disclosure.core import transitions
from disclosure.core.access import Role
from disclosure.core.log import ActivityEntry
from disclosure.core.transitions import InvalidTransition
from tests.factories import UserFactory, make_staff

TZ = ZoneInfo("Asia/Shanghai")
COUNTY = "419901"
TOWNSHIP = "419901001"
ARISES = datetime(2026, 2, 16, 22, 30, tzinfo=TZ)
TITLE = "某小区燃气泄漏事故引发网民关注"
STATES = [ConcernStatus.OPEN, ConcernStatus.RESPONDED, ConcernStatus.CLOSED]


@pytest.fixture
def w(demo_orgs):
    """The demo county's staff in every role, a township's staff, an account without a role, a superuser."""
    county, township = demo_orgs[COUNTY], demo_orgs[TOWNSHIP]
    return SimpleNamespace(
        county=county,
        township=township,
        editor=make_staff(county, Role.EDITOR, username="editor", first_name="张晓梅"),
        reviewer=make_staff(county, Role.REVIEWER, username="reviewer", first_name="李建国"),
        orgadmin=make_staff(county, Role.ORG_ADMIN, username="orgadmin", first_name="王志强"),
        auditor=make_staff(county, Role.AUDITOR, username="auditor"),
        no_role=make_staff(county, username="no_role"),
        town_editor=make_staff(township, Role.EDITOR, username="town_editor"),
        town_orgadmin=make_staff(township, Role.ORG_ADMIN, username="town_orgadmin"),
        superuser=UserFactory(username="root", is_superuser=True, is_staff=True),
        anonymous=AnonymousUser(),
        nobody=None,
    )


def register(w, user="editor") -> Concern:
    return concerns.concern_create(
        user=getattr(w, user) if isinstance(user, str) else user,
        organisation=w.county,
        title=TITLE,
        severity=Severity.MAJOR,
        arose_at=ARISES,
        source=ConcernSource.ONLINE,
        responsible_staff=[w.editor, w.reviewer],
    )


def bring_to(w, status: str) -> Concern:
    """A concern brought to ``status`` through the services, as staff would."""
    concern = register(w)
    if status == ConcernStatus.OPEN:
        return concern
    if status == ConcernStatus.RESPONDED:
        concerns.concern_respond(
            user=w.editor, concern=concern, kind=ResponseKind.RESPONSE, published_at=ARISES + timedelta(hours=2),
            text="已关注，正在核实",
        )
    else:
        concerns.concern_close(user=w.editor, concern=concern, comment="误报")
    return Concern.objects.get(pk=concern.pk)


def db_state(concern: Concern) -> dict:
    """Everything a refused move could have touched."""
    return {
        "concern": Concern.objects.filter(pk=concern.pk).values().get(),
        "staff": sorted(concern.responsible_staff.values_list("pk", flat=True)),
        "responses": list(ConcernResponse.objects.order_by("pk").values()),
        "log": list(ActivityEntry.objects.order_by("pk").values_list("pk", flat=True)),
    }


MOVES = {
    "update": lambda user, concern: concerns.concern_update(user=user, concern=concern, title="燃气泄漏事故后续"),
    "respond": lambda user, concern: concerns.concern_respond(
        user=user, concern=concern, kind=ResponseKind.AUTHORITATIVE, published_at=ARISES + timedelta(hours=1),
        text="县住建局发布情况通报",
    ),
    "close": lambda user, concern: concerns.concern_close(user=user, concern=concern, comment="经研判舆情已平息"),
}
# What each move makes of each state it is allowed from: (new state, log comment). Written out by
# hand from the rules, not read from the table.
ALLOWED = {
    ("update", ConcernStatus.OPEN): (ConcernStatus.OPEN, "修改：关切事项"),
    ("update", ConcernStatus.RESPONDED): (ConcernStatus.RESPONDED, "修改：关切事项"),
    ("respond", ConcernStatus.OPEN): (ConcernStatus.RESPONDED, "权威信息发布，发布时间 2026年2月16日 23:30"),
    ("respond", ConcernStatus.RESPONDED): (ConcernStatus.RESPONDED, "权威信息发布，发布时间 2026年2月16日 23:30"),
    ("close", ConcernStatus.OPEN): (ConcernStatus.CLOSED, "经研判舆情已平息"),
    ("close", ConcernStatus.RESPONDED): (ConcernStatus.CLOSED, "经研判舆情已平息"),
}
HANDLERS = ["editor", "reviewer", "orgadmin", "superuser"]
OUTSIDERS = ["auditor", "no_role", "town_editor", "town_orgadmin", "anonymous", "nobody"]


def test_every_move_of_the_table_is_exercised_here():
    """The table and these tests agree: a new move must get its cases."""
    assert set(TRANSITIONS) == set(MOVES)
    assert {name for name, _state in ALLOWED} == set(MOVES)


# ---------------------------------------------------------------- allowed, for every move and state


@pytest.mark.django_db
@pytest.mark.parametrize("who", HANDLERS)
@pytest.mark.parametrize("name,status", list(ALLOWED), ids=[f"{n}-from-{s}" for n, s in ALLOWED])
def test_allowed_move_changes_the_state_and_writes_the_log(w, name, status, who):
    """Staff of the concern's organisation in any handling role (and a superuser) make every move from
    every state it allows; the concern reaches its new state and one ActivityEntry names the actor,
    the move, both states and the comment."""
    concern = bring_to(w, status)
    since = timezone.now()
    MOVES[name](getattr(w, who), concern)
    target, comment = ALLOWED[(name, status)]
    concern.refresh_from_db()
    assert concern.status == target
    assert (concern.closed_at is not None) == (target == ConcernStatus.CLOSED)
    entry = ActivityEntry.objects.filter(subject_type="concern", subject_id=concern.pk).latest("id")
    assert entry.actor == getattr(w, who)
    assert (entry.action, entry.from_status, entry.to_status, entry.comment) == (name, status, target, comment)
    assert entry.organisation_id == w.county.pk and since <= entry.created_at


# ---------------------------------------------------------------- wrong state, for every move

WRONG_STATES = [
    pytest.param(name, status, id=f"{name}-from-{status}")
    for name in MOVES
    for status in STATES
    if (name, status) not in ALLOWED
]


def test_only_a_closed_concern_refuses_every_move():
    """The wrong-state cases below are exactly "closed" for each move."""
    assert [p.values for p in WRONG_STATES] == [(name, ConcernStatus.CLOSED) for name in MOVES]


@pytest.mark.django_db
@pytest.mark.parametrize("name,status", WRONG_STATES)
def test_move_from_a_wrong_state_is_invalid_and_writes_nothing(w, name, status):
    """A move from a state it does not allow raises InvalidTransition (not PermissionDenied), for the very
    user who could make it otherwise, and leaves the database as it was."""
    concern = bring_to(w, status)
    before = db_state(concern)
    with pytest.raises(InvalidTransition) as refused:
        MOVES[name](w.editor, concern)
    assert "已办结" in str(refused.value)
    assert db_state(concern) == before


# ---------------------------------------------------------------- wrong user, for every move

WRONG_USERS = [
    pytest.param(name, status, who, id=f"{name}-from-{status}-by-{who}")
    for name, status in ALLOWED
    for who in OUTSIDERS
]


@pytest.mark.django_db
@pytest.mark.parametrize("name,status,who", WRONG_USERS)
def test_move_by_a_wrong_user_is_denied_and_writes_nothing(w, name, status, who):
    """From a state the move allows, an auditor, staff of another organisation (an organisation
    administrator included), an account without a role and nobody get PermissionDenied; nothing is written."""
    concern = bring_to(w, status)
    before = db_state(concern)
    with pytest.raises(PermissionDenied) as refused:
        MOVES[name](getattr(w, who), concern)
    assert str(refused.value) == "只有本单位的工作人员可以登记和办理回应关切事项。"
    assert db_state(concern) == before


# ---------------------------------------------------------------- lost race, refused validation


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(MOVES))
def test_a_move_that_loses_a_race_hears_the_one_stale_message_and_writes_nothing(w, name, monkeypatch):
    """When another user changes the state between this move's read and its write (simulated inside the
    policy check, which runs in between), the compare-and-set fails: InvalidTransition with the
    kernel's STALE message, and nothing of this move is written."""
    concern = bring_to(w, ConcernStatus.OPEN)
    before = db_state(concern)
    checked = policy.denial_reason

    def concurrent_close(user, transition, locked):
        Concern.objects.filter(pk=locked.pk).update(status=ConcernStatus.CLOSED, closed_at=timezone.now())
        return checked(user, transition, locked)

    monkeypatch.setattr(policy, "denial_reason", concurrent_close)
    with pytest.raises(InvalidTransition) as refused:
        MOVES[name](w.editor, concern)
    assert str(refused.value) == str(transitions.STALE) == "该事项已被他人更改，请刷新后重试。"
    assert db_state(concern) == before


@pytest.mark.django_db
def test_closing_with_an_unmet_deadline_and_no_reason_writes_nothing(w):
    """The reason a close needs while a deadline is unmet is checked before anything is written."""
    concern = bring_to(w, ConcernStatus.RESPONDED)
    before = db_state(concern)
    with pytest.raises(ValidationError) as refused:
        concerns.concern_close(user=w.editor, concern=concern, comment="  ")
    assert "必须说明理由" in refused.value.message_dict["comment"][0]
    assert db_state(concern) == before


@pytest.mark.django_db
def test_an_update_that_changes_nothing_writes_no_log_entry(w):
    """Saving a concern unchanged leaves no "update" entry; changing the staff is named in the log."""
    concern = bring_to(w, ConcernStatus.OPEN)
    concerns.concern_update(user=w.editor, concern=concern, title=TITLE, responsible_staff=[w.reviewer, w.editor])
    assert not ActivityEntry.objects.filter(subject_id=concern.pk, action="update").exists()
    concerns.concern_update(user=w.editor, concern=concern, responsible_staff=[w.reviewer])
    entry = ActivityEntry.objects.get(subject_id=concern.pk, action="update")
    assert entry.comment == "修改：责任人"
    assert list(concern.responsible_staff.all()) == [w.reviewer]


# ---------------------------------------------------------------- registering


@pytest.mark.django_db
@pytest.mark.parametrize("who", HANDLERS)
def test_staff_of_the_organisation_register_a_concern(w, who):
    """Registering makes an open concern by its registrar and a "create" entry."""
    concern = register(w, who)
    assert concern.status == ConcernStatus.OPEN and concern.created_by == getattr(w, who)
    entry = ActivityEntry.objects.get(subject_type="concern", subject_id=concern.pk)
    assert (entry.action, entry.from_status, entry.to_status, entry.actor) == ("create", "", "open", getattr(w, who))


@pytest.mark.django_db
@pytest.mark.parametrize("who", OUTSIDERS)
def test_registering_by_a_wrong_user_is_denied_and_writes_nothing(w, who):
    """Auditors, other organisations' staff, accounts without a role and nobody cannot register."""
    with pytest.raises(PermissionDenied):
        register(w, who)
    assert not Concern.objects.exists() and not ActivityEntry.objects.exists()


@pytest.mark.django_db
def test_the_policy_lists_what_each_user_may_read_and_act_on(w):
    """Staff read and act on their organisation's concerns; an auditor reads them and acts on none;
    another organisation neither; a superuser both, everywhere."""
    concern = register(w)
    for who in ("editor", "reviewer", "orgadmin", "superuser"):
        user = getattr(w, who)
        assert list(policy.visible_concerns(user)) == [concern], who
        assert list(policy.concerns_to_handle(user)) == [concern], who
        assert policy.may_register_anywhere(user), who
    assert list(policy.visible_concerns(w.auditor)) == [concern]
    assert not policy.concerns_to_handle(w.auditor).exists() and not policy.may_register_anywhere(w.auditor)
    for who in ("town_editor", "no_role", "anonymous"):
        assert not policy.visible_concerns(getattr(w, who)).exists(), who
        assert not policy.concerns_to_handle(getattr(w, who)).exists(), who
    assert list(policy.registering_organisations(w.town_editor)) == [w.township]


@pytest.mark.django_db
def test_the_policy_says_which_moves_a_user_may_make_now(w):
    """``policy.can`` (what the admin offers) needs both a state the move allows and the right."""
    open_concern = bring_to(w, ConcernStatus.OPEN)
    closed = bring_to(w, ConcernStatus.CLOSED)
    for name in ("update", "respond", "close"):
        assert policy.can(w.reviewer, name, open_concern), name
        assert not policy.can(w.reviewer, name, closed), name
        assert not policy.can(w.auditor, name, open_concern), name
        assert not policy.can(w.town_editor, name, open_concern), name

"""Response to public concerns (回应关切): the clock, the services, the reminders, the admin.

Times are fixed moments of 2026 in Asia/Shanghai, so that the deadlines fall on known holidays.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from io import StringIO
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from catalog.models import CatalogNode
from disclosure.concerns import clock, policy, selectors
from disclosure.concerns import services as concerns
from disclosure.concerns.clock import ClockState
from disclosure.concerns.models import Concern, ConcernResponse, ConcernSource, ConcernStatus, ResponseKind, Severity
from disclosure.core.access import Role
from disclosure.core.log import ActivityEntry
from disclosure.core.models import DeadlineNotice
from disclosure.core.transitions import InvalidTransition
from disclosure.core.workdays import is_working_day
from disclosure.records import services
from disclosure.reminders import send_deadline_reminders
from tests.factories import make_staff, record_fields

TZ = ZoneInfo("Asia/Shanghai")
COUNTY = "419901"
TOWNSHIP = "419901001"
# A 重大 concern arising late on a Spring Festival holiday (Mon 16 Feb 2026, itself a day off).
HOLIDAY_NIGHT = datetime(2026, 2, 16, 22, 30, tzinfo=TZ)
# A 一般 concern arising on the last working day before the National Day holiday.
BEFORE_NATIONAL_DAY = datetime(2026, 9, 30, 20, 0, tzinfo=TZ)


@pytest.fixture
def c(standard_catalog, demo_orgs):
    """The demo county with two responsible officers, a colleague who is not responsible, an auditor."""
    county, township = demo_orgs[COUNTY], demo_orgs[TOWNSHIP]
    return SimpleNamespace(
        county=county,
        township=township,
        officer=make_staff(county, Role.EDITOR, username="officer", email="officer@example.gov.cn"),
        deputy=make_staff(county, Role.REVIEWER, username="deputy", email="deputy@example.gov.cn"),
        colleague=make_staff(county, Role.ORG_ADMIN, username="colleague", email="colleague@example.gov.cn"),
        auditor=make_staff(county, Role.AUDITOR, username="auditor", email="auditor@example.gov.cn"),
        outsider=make_staff(township, Role.EDITOR, username="outsider", email="outsider@example.gov.cn"),
    )


def register(c, *, severity=Severity.MAJOR, arose_at=HOLIDAY_NIGHT, title="某小区燃气泄漏事故引发网民关注", staff=None):
    return concerns.concern_create(
        user=c.officer,
        organisation=c.county,
        title=title,
        severity=severity,
        arose_at=arose_at,
        source=ConcernSource.ONLINE,
        responsible_staff=staff if staff is not None else [c.officer, c.deputy],
    )


def respond(c, concern, kind, at, text="已发布情况通报"):
    return concerns.concern_respond(user=c.officer, concern=concern, kind=kind, published_at=at, text=text)


def by_kind(deadlines_):
    return {d.rule.kind: d for d in deadlines_}


# --- the clock -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_major_concern_is_due_information_in_5_and_a_press_conference_in_24_clock_hours(c):
    """A 重大 concern at 22:30 on a holiday is due authoritative information at 03:30 the next day and a
    press conference at 22:30 the next day: clock hours across midnight, holidays not skipped."""
    concern = register(c)
    found = by_kind(clock.concern_deadlines(concern, now=HOLIDAY_NIGHT))
    assert set(found) == {"authoritative", "press_conference"}
    assert found["authoritative"].due_at == datetime(2026, 2, 17, 3, 30, tzinfo=TZ)
    assert found["press_conference"].due_at == datetime(2026, 2, 17, 22, 30, tzinfo=TZ)
    # Both limits fall on Spring Festival days off: working days would have pushed them past the holiday.
    assert not is_working_day(found["authoritative"].due_at.date())
    assert all(d.state == ClockState.PENDING for d in found.values())


@pytest.mark.django_db
def test_extraordinary_concern_has_the_same_clock_as_a_major_one(c):
    """特别重大 shares the 5 h / 24 h limits of 重大."""
    concern = register(c, severity=Severity.EXTRAORDINARY)
    found = by_kind(clock.concern_deadlines(concern, now=HOLIDAY_NIGHT))
    assert found["authoritative"].due_at - HOLIDAY_NIGHT == timedelta(hours=5)
    assert found["press_conference"].due_at - HOLIDAY_NIGHT == timedelta(hours=24)


@pytest.mark.django_db
def test_general_concern_is_due_a_response_48_clock_hours_later_even_over_a_holiday(c):
    """A 一般 concern at 20:00 on 30 September is due a response at 20:00 on 2 October, a day off."""
    concern = register(c, severity=Severity.GENERAL, arose_at=BEFORE_NATIONAL_DAY)
    (deadline,) = clock.concern_deadlines(concern, now=BEFORE_NATIONAL_DAY)
    assert deadline.rule.kind == "response"
    assert deadline.due_at == datetime(2026, 10, 2, 20, 0, tzinfo=TZ)
    assert not is_working_day(deadline.due_at.date())


@pytest.mark.django_db
def test_deadlines_met_on_time_late_pending_and_overdue(c):
    """Information 4 h after arising meets the 5 h limit; with no press conference yet, 6 h after
    arising the press conference is pending with 18 h left; a press conference 30 h after arising
    meets that limit 6 h late; a concern with no response is overdue by 1 h at 6 h."""
    concern = register(c)
    respond(c, concern, ResponseKind.AUTHORITATIVE, HOLIDAY_NIGHT + timedelta(hours=4))
    six_hours = HOLIDAY_NIGHT + timedelta(hours=6)
    found = by_kind(clock.concern_deadlines(Concern.objects.get(pk=concern.pk), now=six_hours))
    assert found["authoritative"].state == ClockState.MET
    assert found["authoritative"].met_at == HOLIDAY_NIGHT + timedelta(hours=4)
    assert found["press_conference"].state == ClockState.PENDING
    assert found["press_conference"].remaining == timedelta(hours=18)
    assert found["press_conference"].describe() == "剩余 18小时"

    respond(c, concern, ResponseKind.PRESS_CONFERENCE, HOLIDAY_NIGHT + timedelta(hours=30))
    found = by_kind(clock.concern_deadlines(Concern.objects.get(pk=concern.pk), now=HOLIDAY_NIGHT + timedelta(days=2)))
    assert found["press_conference"].state == ClockState.MET_LATE
    assert found["press_conference"].overdue_by == timedelta(hours=6)
    assert found["press_conference"].describe() == "超时 6小时 后完成"

    silent = register(c, title="另一事项")
    found = by_kind(clock.concern_deadlines(silent, now=six_hours))
    assert found["authoritative"].state == ClockState.OVERDUE
    assert found["authoritative"].overdue_by == timedelta(hours=1)
    assert found["authoritative"].describe() == "已逾期 1小时"
    assert clock.next_deadline(silent, now=six_hours).rule.kind == "authoritative"


@pytest.mark.django_db
def test_a_press_conference_also_counts_as_authoritative_information(c):
    """A press conference held within 5 hours meets both limits."""
    concern = register(c)
    respond(c, concern, ResponseKind.PRESS_CONFERENCE, HOLIDAY_NIGHT + timedelta(hours=3))
    found = by_kind(clock.concern_deadlines(Concern.objects.get(pk=concern.pk), now=HOLIDAY_NIGHT + timedelta(hours=30)))
    assert found["authoritative"].state == found["press_conference"].state == ClockState.MET


@pytest.mark.django_db
def test_overdue_filter_in_sql_agrees_with_the_clock(c):
    """The SQL condition behind the admin's 已逾期 filter selects exactly the concerns whose clock says overdue."""
    answered = register(c, title="已按时回应")
    respond(c, answered, ResponseKind.PRESS_CONFERENCE, HOLIDAY_NIGHT + timedelta(hours=2))
    information_only = register(c, title="只发布了权威信息")
    respond(c, information_only, ResponseKind.AUTHORITATIVE, HOLIDAY_NIGHT + timedelta(hours=2))
    silent = register(c, title="尚未回应")
    general = register(c, title="一般事项", severity=Severity.GENERAL)
    for now in (HOLIDAY_NIGHT + timedelta(hours=h) for h in (1, 6, 25, 49)):
        by_clock = {
            x.pk
            for x in Concern.objects.prefetch_related("responses")
            if any(d.state == ClockState.OVERDUE for d in clock.concern_deadlines(x, now=now))
        }
        by_sql = set(selectors.overdue_concerns(now=now).values_list("pk", flat=True))
        assert by_sql == by_clock, now
    at_25 = set(selectors.overdue_concerns(now=HOLIDAY_NIGHT + timedelta(hours=25)).values_list("pk", flat=True))
    assert at_25 == {information_only.pk, silent.pk}
    assert answered.pk not in at_25 and general.pk not in at_25


# --- services ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_responding_moves_open_to_responded_and_writes_the_log(c):
    """The first response moves 待回应 → 已回应; registration and each response leave an ActivityEntry."""
    concern = register(c)
    assert concern.status == ConcernStatus.OPEN
    respond(c, concern, ResponseKind.AUTHORITATIVE, HOLIDAY_NIGHT + timedelta(hours=1))
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.RESPONDED
    entries = list(
        ActivityEntry.objects.filter(subject_type="concern", subject_id=concern.pk).order_by("id")
    )
    assert [(e.action, e.from_status, e.to_status) for e in entries] == [
        ("create", "", "open"),
        ("respond", "open", "responded"),
    ]
    assert entries[1].actor == c.officer and "权威信息发布" in entries[1].comment
    with pytest.raises(ValueError):
        entries[0].delete()


@pytest.mark.django_db
def test_closing_with_an_unmet_deadline_needs_a_reason_and_stops_the_clock(c):
    """Closing while the press conference is still due needs a reason; once closed the unmet deadline
    stops ticking (not overdue any more) and nothing more can be recorded or changed."""
    concern = register(c)
    respond(c, concern, ResponseKind.AUTHORITATIVE, HOLIDAY_NIGHT + timedelta(hours=1))
    with pytest.raises(ValidationError) as refused:
        concerns.concern_close(user=c.officer, concern=concern)
    assert "必须说明理由" in str(refused.value)
    assert Concern.objects.get(pk=concern.pk).status == ConcernStatus.RESPONDED
    concerns.concern_close(user=c.officer, concern=concern, comment="经研判，舆情已平息，无需召开新闻发布会")
    concern = Concern.objects.get(pk=concern.pk)
    assert concern.status == ConcernStatus.CLOSED and concern.closed_at is not None
    found = by_kind(clock.concern_deadlines(concern, now=HOLIDAY_NIGHT + timedelta(days=3)))
    assert found["press_conference"].state == ClockState.CLOSED_UNMET
    assert not selectors.overdue_concerns(now=HOLIDAY_NIGHT + timedelta(days=3)).exists()
    with pytest.raises(InvalidTransition):
        respond(c, concern, ResponseKind.PRESS_CONFERENCE, HOLIDAY_NIGHT + timedelta(hours=30))
    with pytest.raises(InvalidTransition):
        concerns.concern_update(user=c.officer, concern=concern, title="改标题")
    assert ActivityEntry.objects.filter(subject_id=concern.pk, action="close").get().comment.startswith("经研判")


@pytest.mark.django_db
def test_regrading_a_concern_changes_its_clock_and_is_logged(c):
    """Re-grading 一般 → 重大 replaces the 48 h limit with the 5 h and 24 h ones; the log names the change."""
    concern = register(c, severity=Severity.GENERAL)
    concerns.concern_update(user=c.officer, concern=concern, severity=Severity.MAJOR)
    kinds = {d.rule.kind for d in clock.concern_deadlines(Concern.objects.get(pk=concern.pk))}
    assert kinds == {"authoritative", "press_conference"}
    entry = ActivityEntry.objects.get(subject_id=concern.pk, action="update")
    assert "等级" in entry.comment


@pytest.mark.django_db
@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"published_at": HOLIDAY_NIGHT - timedelta(minutes=1)}, "published_at", "不能早于舆情发生时间"),
        ({"published_at": "future"}, "published_at", "不能晚于当前时间"),
        ({"text": "   "}, "text", "请填写回应内容摘要"),
        ({"kind": "tweet"}, "kind", "请选择回应方式"),
    ],
)
def test_bad_responses_are_refused_with_chinese_messages(c, overrides, field, message):
    """A response before the concern arose, in the future, without content or of no known kind is refused
    with a Chinese message on the field, and nothing is written."""
    concern = register(c)
    arguments = {"kind": ResponseKind.AUTHORITATIVE, "published_at": HOLIDAY_NIGHT + timedelta(hours=1), "text": "通报"}
    arguments.update(overrides)
    if arguments["published_at"] == "future":
        arguments["published_at"] = timezone.now() + timedelta(hours=1)
    with pytest.raises(ValidationError) as refused:
        concerns.concern_respond(user=c.officer, concern=concern, **arguments)
    assert message in " ".join(refused.value.message_dict[field])
    assert not ConcernResponse.objects.exists()
    assert Concern.objects.get(pk=concern.pk).status == ConcernStatus.OPEN


@pytest.mark.django_db
def test_a_linked_record_must_be_our_own_in_the_concern_column(c):
    """A response record must belong to the concern's organisation and sit in 回应关切."""
    column = CatalogNode.objects.get(code="020901")
    elsewhere = CatalogNode.objects.get(code="020503")
    own_in_column = services.record_create(user=c.officer, organisation=c.county, node=column, **record_fields(title="关于燃气泄漏事故的情况通报"))
    own_elsewhere = services.record_create(user=c.officer, organisation=c.county, node=elsewhere, **record_fields())
    concern = register(c)
    with pytest.raises(ValidationError) as refused:
        concerns.concern_respond(
            user=c.officer, concern=concern, kind=ResponseKind.RESPONSE, published_at=HOLIDAY_NIGHT + timedelta(hours=1), record=own_elsewhere
        )
    assert "回应关切" in refused.value.message_dict["record"][0]
    response = concerns.concern_respond(
        user=c.officer, concern=concern, kind=ResponseKind.RESPONSE, published_at=HOLIDAY_NIGHT + timedelta(hours=1), record=own_in_column
    )
    assert response.record == own_in_column


@pytest.mark.django_db
def test_responsible_staff_must_belong_to_the_organisation(c):
    """Staff of another organisation cannot be made responsible; at least one person is required."""
    with pytest.raises(ValidationError) as refused:
        register(c, staff=[c.officer, c.outsider])
    assert "责任人必须是本单位在职的工作人员" in refused.value.message_dict["responsible_staff"][0]
    with pytest.raises(ValidationError) as refused:
        register(c, staff=[])
    assert "请至少指定一名责任人" in refused.value.message_dict["responsible_staff"][0]
    assert not Concern.objects.exists()


@pytest.mark.django_db
def test_auditors_and_other_organisations_cannot_handle_concerns(c):
    """Auditors only read; staff of another organisation can neither register nor respond."""
    with pytest.raises(PermissionDenied):
        concerns.concern_create(
            user=c.auditor, organisation=c.county, title="x", severity=Severity.GENERAL,
            arose_at=HOLIDAY_NIGHT, source=ConcernSource.MEDIA, responsible_staff=[c.officer],
        )
    concern = register(c)
    with pytest.raises(PermissionDenied):
        respond(SimpleNamespace(officer=c.outsider), concern, ResponseKind.RESPONSE, HOLIDAY_NIGHT + timedelta(hours=1))
    assert policy.visible_concerns(c.auditor).filter(pk=concern.pk).exists()
    assert not policy.visible_concerns(c.outsider).exists()


@pytest.mark.django_db
def test_a_concern_arising_in_the_future_is_refused(c):
    """舆情发生时间 later than now is refused with a Chinese message."""
    with pytest.raises(ValidationError) as refused:
        register(c, arose_at=timezone.now() + timedelta(hours=2))
    assert "不能晚于当前时间" in refused.value.message_dict["arose_at"][0]


# --- reminders (check_deadlines) ---------------------------------------------------------------------


def run_checks(now, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return send_deadline_reminders(now=now)


@pytest.mark.django_db
def test_reminders_go_before_and_after_each_deadline_once_to_the_responsible_staff_only(c, django_capture_on_commit_callbacks):
    """1 h before the 5 h limit a reminder goes out, after it an overdue notice; 4 h before the 24 h limit
    another; running again sends nothing twice; only the two responsible officers receive them."""
    concern = register(c)
    mail.outbox.clear()
    schedule = [
        (HOLIDAY_NIGHT + timedelta(hours=3, minutes=59), 0),  # too early for any reminder
        (HOLIDAY_NIGHT + timedelta(hours=4, minutes=1), 1),  # 1 h before 03:30: "before"
        (HOLIDAY_NIGHT + timedelta(hours=4, minutes=30), 0),  # already sent
        (HOLIDAY_NIGHT + timedelta(hours=5), 1),  # due: "after"
        (HOLIDAY_NIGHT + timedelta(hours=6), 0),
        (HOLIDAY_NIGHT + timedelta(hours=20), 1),  # 4 h before the press conference limit
        (HOLIDAY_NIGHT + timedelta(hours=24, minutes=5), 1),  # press conference overdue
        (HOLIDAY_NIGHT + timedelta(hours=40), 0),
    ]
    for now, expected in schedule:
        outcome = run_checks(now, django_capture_on_commit_callbacks)
        assert len(outcome.sent) == expected, now
    assert len(mail.outbox) == 4
    for message in mail.outbox:
        assert sorted(message.to) == ["deputy@example.gov.cn", "officer@example.gov.cn"]
        assert concern.title in message.subject
    subjects = [m.subject for m in mail.outbox]
    assert "发布权威信息时限将于 2026年2月17日 03:30 到期" in subjects[0]
    assert "发布权威信息已逾期" in subjects[1]
    assert "举行新闻发布会时限将于 2026年2月17日 22:30 到期" in subjects[2]
    assert "举行新闻发布会已逾期" in subjects[3]
    assert "已逾期 5分钟" in mail.outbox[3].body
    assert f"/admin/disclosure/concern/{concern.pk}/change/" in mail.outbox[0].body
    assert set(DeadlineNotice.objects.values_list("deadline_kind", "notice_kind")) == {
        ("authoritative", "before"), ("authoritative", "after"),
        ("press_conference", "before"), ("press_conference", "after"),
    }
    assert DeadlineNotice.objects.filter(sent_at__isnull=True).count() == 0


@pytest.mark.django_db
def test_a_missed_before_reminder_is_not_sent_late(c, django_capture_on_commit_callbacks):
    """If cron first runs after the limit passed, only the overdue notice goes out."""
    register(c, severity=Severity.GENERAL, arose_at=BEFORE_NATIONAL_DAY)
    mail.outbox.clear()
    run_checks(BEFORE_NATIONAL_DAY + timedelta(hours=50), django_capture_on_commit_callbacks)
    run_checks(BEFORE_NATIONAL_DAY + timedelta(hours=51), django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1 and "回应已逾期" in mail.outbox[0].subject
    assert list(DeadlineNotice.objects.values_list("notice_kind", flat=True)) == ["after"]


@pytest.mark.django_db
def test_met_or_closed_deadlines_send_nothing(c, django_capture_on_commit_callbacks):
    """A deadline met in time, or a closed concern, never triggers a reminder."""
    answered = register(c, title="已回应")
    respond(c, answered, ResponseKind.PRESS_CONFERENCE, HOLIDAY_NIGHT + timedelta(hours=2))
    closed = register(c, title="已办结")
    concerns.concern_close(user=c.officer, concern=closed, comment="误报，不属于本单位职责")
    mail.outbox.clear()
    outcome = run_checks(HOLIDAY_NIGHT + timedelta(days=3), django_capture_on_commit_callbacks)
    assert outcome.sent == [] and mail.outbox == []


@pytest.mark.django_db
def test_inactive_or_addressless_staff_get_nothing_and_the_run_says_so(c, django_capture_on_commit_callbacks):
    """With no responsible person able to receive mail nothing is claimed, so that the reminder still
    goes out once someone is assigned."""
    concern = register(c, staff=[c.officer])
    c.officer.email = ""
    c.officer.save()
    now = HOLIDAY_NIGHT + timedelta(hours=6)
    outcome = run_checks(now, django_capture_on_commit_callbacks)
    assert [d.kind for d in outcome.without_recipients] == ["authoritative"]
    assert not DeadlineNotice.objects.exists()
    concerns.concern_update(user=c.deputy, concern=concern, responsible_staff=[c.deputy])
    mail.outbox.clear()
    outcome = run_checks(now, django_capture_on_commit_callbacks)
    assert len(outcome.sent) == 1 and mail.outbox[0].to == ["deputy@example.gov.cn"]


@pytest.mark.django_db
def test_a_failed_send_is_recorded_and_retried_later(c, django_capture_on_commit_callbacks, settings):
    """When the mail server refuses, the notice stays unsent with the error; a run 10 minutes later retries."""
    register(c)
    settings.EMAIL_BACKEND = "tests.disclosure.concerns.test_concerns.FailingBackend"
    now = HOLIDAY_NIGHT + timedelta(hours=6)
    outcome = run_checks(now, django_capture_on_commit_callbacks)
    assert outcome.sent == [] and len(outcome.failed) == 1
    notice = DeadlineNotice.objects.get()
    assert notice.sent_at is None and "refused" in notice.last_error
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    assert run_checks(now + timedelta(minutes=5), django_capture_on_commit_callbacks).sent == []
    outcome = run_checks(now + timedelta(minutes=11), django_capture_on_commit_callbacks)
    assert len(outcome.sent) == 1 and len(mail.outbox) == 1
    notice.refresh_from_db()
    assert notice.sent_at is not None and notice.attempts == 2 and notice.last_error == ""


class FailingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server refused")


@pytest.mark.django_db(transaction=True)
def test_check_deadlines_command_reports_what_it_sent(standard_catalog, demo_orgs):
    """`manage.py check_deadlines` (run from cron, at the real time, outside any transaction as cron
    runs it) sends the overdue notices after commit and lists them; a second run sends nothing."""
    county = demo_orgs[COUNTY]
    c = SimpleNamespace(
        county=county,
        officer=make_staff(county, Role.EDITOR, username="officer", email="officer@example.gov.cn"),
        deputy=make_staff(county, Role.REVIEWER, username="deputy", email="deputy@example.gov.cn"),
    )
    concern = register(c)
    mail.outbox = []
    out = StringIO()
    call_command("check_deadlines", verbosity=2, stdout=out, stderr=StringIO())
    assert "本次发送了 2 条时限提醒" in out.getvalue()
    assert concern.title in out.getvalue()
    assert len(mail.outbox) == 2
    out = StringIO()
    call_command("check_deadlines", stdout=out)
    assert "本次发送了 0 条时限提醒" in out.getvalue() and len(mail.outbox) == 2


@pytest.mark.django_db(transaction=True)
def test_concurrent_check_deadlines_runs_send_each_reminder_once(standard_catalog, demo_orgs):
    """Four cron runs started at the same instant (threads with their own connections, released by a
    barrier) send each due reminder exactly once between them."""
    c = SimpleNamespace(
        county=demo_orgs[COUNTY],
        officer=make_staff(demo_orgs[COUNTY], Role.EDITOR, username="officer", email="officer@example.gov.cn"),
        deputy=make_staff(demo_orgs[COUNTY], Role.REVIEWER, username="deputy", email="deputy@example.gov.cn"),
    )
    for n in range(5):
        register(c, title=f"事项{n}")
    mail.outbox = []
    now = HOLIDAY_NIGHT + timedelta(hours=30)  # both deadlines of each concern overdue
    barrier = threading.Barrier(4)
    outcomes, errors = [], []

    def run():
        try:
            barrier.wait(timeout=30)
            outcomes.append(send_deadline_reminders(now=now))
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert sum(len(o.sent) for o in outcomes) == 10
    assert len(mail.outbox) == 10
    assert DeadlineNotice.objects.count() == 10
    assert len({(m.subject) for m in mail.outbox}) == 10


# --- admin -------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_admin_overdue_filter_lists_only_overdue_concerns_with_their_clock_in_words(c, client):
    """The 已逾期 filter lists overdue concerns only; the clock column states the time in text."""
    late = register(c, title="逾期未回应的事项", arose_at=timezone.now() - timedelta(hours=7))
    register(c, title="计时中的事项", severity=Severity.GENERAL, arose_at=timezone.now() - timedelta(hours=1))
    client.force_login(c.officer)
    html = client.get("/admin/disclosure/concern/?clock=overdue").content.decode()
    assert late.title in html and "计时中的事项" not in html
    assert "已逾期 2小时" in html and "clock-overdue" in html
    html = client.get("/admin/disclosure/concern/").content.decode()
    assert "计时中的事项" in html and "剩余 1天22小时" in html


@pytest.mark.django_db
def test_admin_registers_a_concern_through_the_service(c, client):
    """Registering in the admin creates the concern with its staff and writes the log."""
    client.force_login(c.officer)
    arose = timezone.localtime(timezone.now() - timedelta(hours=1))
    response = client.post(
        "/admin/disclosure/concern/add/",
        {
            "organisation": c.county.pk,
            "title": "供暖不热投诉集中",
            "severity": Severity.GENERAL,
            "arose_at_0": arose.strftime("%Y-%m-%d"),
            "arose_at_1": arose.strftime("%H:%M:%S"),
            "source": ConcernSource.HOTLINE,
            "responsible_staff": [c.officer.pk, c.deputy.pk],
            "responses-TOTAL_FORMS": "0",
            "responses-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    concern = Concern.objects.get()
    assert set(concern.responsible_staff.all()) == {c.officer, c.deputy}
    assert ActivityEntry.objects.filter(subject_id=concern.pk, action="create", actor=c.officer).exists()


@pytest.mark.django_db
def test_admin_bad_input_gets_chinese_form_errors(c, client):
    """A future time and a responsible person from another organisation are refused on the form."""
    client.force_login(c.officer)
    future = timezone.localtime(timezone.now() + timedelta(days=1))
    response = client.post(
        "/admin/disclosure/concern/add/",
        {
            "organisation": c.county.pk,
            "title": "x",
            "severity": Severity.MAJOR,
            "arose_at_0": future.strftime("%Y-%m-%d"),
            "arose_at_1": "10:00:00",
            "source": ConcernSource.MEDIA,
            "responsible_staff": [c.outsider.pk],
            "responses-TOTAL_FORMS": "0",
            "responses-INITIAL_FORMS": "0",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "舆情发生时间不能晚于当前时间" in html
    assert "选择一个有效的选项" in html  # the outsider is not even offered
    assert not Concern.objects.exists()


@pytest.mark.django_db
def test_admin_records_a_response_and_closes(c, client):
    """On the change form a response is appended through the service; closing with an unmet deadline
    and no reason is refused with a Chinese error, with a reason it closes."""
    concern = register(c, arose_at=timezone.now() - timedelta(hours=2))
    client.force_login(c.deputy)
    arose = timezone.localtime(concern.arose_at)
    published = timezone.localtime(timezone.now() - timedelta(hours=1))
    base = {
        "title": concern.title,
        "severity": concern.severity,
        "arose_at_0": arose.strftime("%Y-%m-%d"),
        "arose_at_1": arose.strftime("%H:%M:%S"),
        "source": concern.source,
        "responsible_staff": [c.officer.pk, c.deputy.pk],
        "responses-INITIAL_FORMS": "0",
        "responses-TOTAL_FORMS": "1",
        "responses-0-kind": ResponseKind.AUTHORITATIVE,
        "responses-0-published_at_0": published.strftime("%Y-%m-%d"),
        "responses-0-published_at_1": published.strftime("%H:%M:%S"),
        "responses-0-text": "县住建局发布情况通报",
        "close": "on",
    }
    url = f"/admin/disclosure/concern/{concern.pk}/change/"
    response = client.post(url, base)
    assert response.status_code == 200
    assert "办结时必须说明理由" in response.content.decode()
    assert not ConcernResponse.objects.exists()

    response = client.post(url, {**base, "close": ""})
    assert response.status_code == 302
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.RESPONDED
    assert concern.responses.get().created_by == c.deputy

    response = client.post(
        url,
        {**base, "responses-TOTAL_FORMS": "0", "close": "on", "close_comment": "舆情平息，经研判无需召开发布会"},
    )
    assert response.status_code == 302
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.CLOSED
    # Closed: read-only for everyone.
    assert client.post(url, base).status_code == 403


@pytest.mark.django_db
def test_auditors_see_concerns_read_only(c, client):
    """An auditor sees the list but cannot add or change."""
    concern = register(c)
    client.force_login(c.auditor)
    assert concern.title in client.get("/admin/disclosure/concern/").content.decode()
    assert client.get("/admin/disclosure/concern/add/").status_code == 403
    assert client.post(f"/admin/disclosure/concern/{concern.pk}/change/", {"title": "x"}).status_code == 403


# --- demo --------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_demo_shows_an_overdue_press_conference_and_an_answered_concern(standard_catalog, demo_orgs):
    """The demo (after accounts and records) has a 重大 concern with information in time and an overdue
    press conference, a 一般 concern answered in time through a public 回应关切 record, and a running
    one; running it again makes nothing new. (The demo guides are tested with the service guides.)"""
    from disclosure.concerns.demo import ensure_demo_concerns
    from disclosure.core.demo import ensure_demo_accounts
    from disclosure.records.demo import ensure_demo_records
    from disclosure.records.selectors import public_records

    ensure_demo_accounts()
    ensure_demo_records()
    assert ensure_demo_concerns() == 3
    gas = Concern.objects.get(severity=Severity.MAJOR)
    found = by_kind(clock.concern_deadlines(gas))
    assert found["authoritative"].state == ClockState.MET
    assert found["press_conference"].state == ClockState.OVERDUE
    heating = Concern.objects.get(title__contains="室温偏低")
    (deadline,) = clock.concern_deadlines(heating)
    assert deadline.state == ClockState.MET and heating.status == ConcernStatus.RESPONDED
    assert public_records().filter(pk=heating.responses.get().record_id).exists()
    assert clock.next_deadline(Concern.objects.get(title__contains="轮候")).state == ClockState.PENDING
    assert ensure_demo_concerns() == 0


@pytest.mark.django_db
def test_sent_reminders_are_listed_read_only_within_scope(c, client, django_capture_on_commit_callbacks):
    """The reminders admin lists what was sent for the user's organisation, and nobody can change it."""
    register(c)
    run_checks(HOLIDAY_NIGHT + timedelta(hours=6), django_capture_on_commit_callbacks)
    notice = DeadlineNotice.objects.get()
    client.force_login(c.officer)
    assert "officer@example.gov.cn" in client.get("/admin/disclosure/deadlinenotice/").content.decode()
    assert client.post(f"/admin/disclosure/deadlinenotice/{notice.pk}/change/", {}).status_code == 403
    client.force_login(c.outsider)
    assert "officer@example.gov.cn" not in client.get("/admin/disclosure/deadlinenotice/").content.decode()

"""Statutory pauses of the reply clock and their limits, as the job, the timelines and the pages show them.

条例 第三十二条 (and 第三十四条 for another agency): the third party answers within 15 working days of
the request; that time is not counted, and the pause ends when the 15 days do, answer or not. The
system move ``resume_consultation`` records that end by itself (``manage.py check_deadlines`` runs it
first); no person makes it.

Fixture (hand-counted on the 2025 calendar, see also test_clock_third_party.py): received Monday
2025-03-03; third party asked Monday 2025-03-10; the 15th working day after it is Monday 2025-03-31
(11–14 Mar = 1–4, 17–21 = 5–9, 24–28 = 10–14, 31 Mar = 15). With the pause capped at 15 days the reply is
due 35 working days after 3 March: Tuesday 2025-04-22 (2025's 清明 is 4–6 April, Friday to Sunday, with no
make-up day, so Friday 4 April is off: 1–3 Apr = 21–23, 7–11 = 24–28, 14–18 = 29–33, 21–22 = 34–35).
Overdue from 23 April: on
Wednesday 2025-04-23 by 1 working day; on Wednesday 2025-04-30 by 7 (23, 24, 25, Sunday 27 April — the
劳动节 make-up working day —, 28, 29, 30).
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from disclosure.applications import services
from disclosure.applications.clock import application_clock
from disclosure.applications.models import Application, ApplicationPause, ApplicationStatus
from disclosure.applications.policy import moves_for
from disclosure.applications.timeline import application_timeline
from disclosure.core.log import ActivityEntry
from disclosure.core.transitions import InvalidTransition
from disclosure.reminders import send_deadline_reminders
from tests.disclosure.applications.world import TODAY, register

SHANGHAI = ZoneInfo("Asia/Shanghai")
SYSTEM_MOVES = {"resume_consultation"}
RECEIVED = date(2025, 3, 3)
ASKED = date(2025, 3, 10)
LIMIT = date(2025, 3, 31)
DUE = date(2025, 4, 22)
PARTY = "某房地产开发公司"


def consulting(desk) -> Application:
    application = register(desk, RECEIVED)
    return services.application_start_consultation(
        user=desk.handler, application=application, kind="third_party", party=PARTY, on=ASKED, today=TODAY
    )


def db_state(application: Application) -> dict:
    return {
        "application": Application.objects.filter(pk=application.pk).values().get(),
        "log": list(ActivityEntry.objects.order_by("pk").values_list("pk", flat=True)),
        "pauses": list(ApplicationPause.objects.order_by("pk").values()),
    }


# -- the system move: allowed / wrong state / wrong user / log written / nothing on failure ------------


@pytest.mark.django_db
def test_the_clock_resumes_by_itself_after_15_working_days(desk):
    """On 1 April, the day after the limit, the move closes the pause on its last day (31 March), puts the
    application back to 办理中, and writes one log entry by the system citing article 32."""
    application = consulting(desk)
    before = set(ActivityEntry.objects.values_list("pk", flat=True))
    resumed = services.application_resume_consultation(application=application, today=date(2025, 4, 1))
    assert resumed.status == ApplicationStatus.RECEIVED
    assert Application.objects.get(pk=application.pk).status == ApplicationStatus.RECEIVED
    assert ApplicationPause.objects.get(application=application).ended_on == LIMIT
    (entry,) = ActivityEntry.objects.exclude(pk__in=before)
    assert (entry.action, entry.from_status, entry.to_status) == ("resume_consultation", "consultation", "received")
    assert entry.actor is None and entry.actor_name == "系统（期满自动恢复）"
    assert "满15个工作日（2025年3月31日）" in entry.comment and "条例第三十二条" in entry.comment
    clock = application_clock(resumed, today=date(2025, 4, 1))
    assert clock.due_on == DUE and clock.paused_days == 15 and not clock.overdue


@pytest.mark.django_db
@pytest.mark.parametrize("today", [date(2025, 3, 14), LIMIT])
def test_the_clock_does_not_resume_within_the_limit_and_nothing_is_written(desk, today):
    application = consulting(desk)
    state = db_state(application)
    with pytest.raises(InvalidTransition, match="2025年3月31日"):
        services.application_resume_consultation(application=application, today=today)
    assert db_state(application) == state


@pytest.mark.django_db
@pytest.mark.parametrize("status", [ApplicationStatus.RECEIVED, ApplicationStatus.CORRECTION])
def test_resuming_from_a_wrong_state_is_invalid_and_writes_nothing(desk, status):
    application = register(desk, RECEIVED)
    if status == ApplicationStatus.CORRECTION:
        application = services.application_request_correction(
            user=desk.handler, application=application, note="请写明小区名称", on=date(2025, 3, 4), today=TODAY
        )
    state = db_state(application)
    with pytest.raises(InvalidTransition):
        services.application_resume_consultation(application=application, today=date(2025, 4, 1))
    assert db_state(application) == state


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["handler", "reviewer", "orgadmin", "superuser", "stranger"])
def test_no_person_may_make_the_system_move_and_nothing_is_written(desk, who):
    """The move is the system's: any user, even a superuser or the application's own handler, is refused
    (PermissionDenied, not InvalidTransition), and no person is offered it as a button."""
    from disclosure.applications.workflow import TRANSITIONS
    from disclosure.core import transitions

    application = consulting(desk)
    state = db_state(application)
    user = getattr(desk, who)
    with pytest.raises(PermissionDenied, match="只能由系统执行"):
        transitions.move(
            application, table=TRANSITIONS, name="resume_consultation", user=user,
            denial=services.policy.denial_reason, log=None,
        )
    assert db_state(application) == state
    assert "resume_consultation" not in [move.name for move in moves_for(user, application)]


@pytest.mark.django_db
def test_the_job_resumes_only_expired_consultations(desk):
    expired = consulting(desk)
    fresh = services.application_start_consultation(
        user=desk.handler, application=register(desk, RECEIVED), kind="agency", party="县自然资源局",
        on=date(2025, 3, 25), today=TODAY,
    )
    resumed = services.applications_resume_expired_consultations(today=date(2025, 4, 1))
    assert [a.pk for a in resumed] == [expired.pk]
    assert Application.objects.get(pk=fresh.pk).status == ApplicationStatus.CONSULTATION


# -- the 37-working-day case: due at most 2025-04-22, overdue and reminded after it ---------------------


@pytest.mark.django_db
def test_an_unanswered_consultation_is_overdue_after_22_april_and_the_job_says_so(
    client, desk, django_capture_on_commit_callbacks
):
    """Nobody closes the consultation. The reminder job on 23 April resumes the clock (dated 31 March),
    and sends the overdue notice of the 22 April deadline; the status page, the admin list and the
    dashboard flag it overdue by 1 working day, and by 7 on 30 April."""
    application = consulting(desk)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        outcome = send_deadline_reminders(now=datetime(2025, 4, 23, 9, 0, tzinfo=SHANGHAI))
    (notice,) = [n for n in outcome.sent if n.source == "application"]
    assert (notice.deadline_kind, notice.notice_kind) == ("reply:2025-04-22", "after")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.RECEIVED
    assert application_clock(application, today=date(2025, 4, 23)).overdue_days == 1
    clock = application_clock(application, today=date(2025, 4, 30))
    assert clock.overdue and clock.overdue_days == 7 and clock.overdue_text == "已逾期7个工作日"
    assert clock.due_on == DUE


@pytest.mark.django_db
def test_overdue_is_flagged_on_the_status_page_and_the_admin_list(client, desk):
    """Received 2025-09-26, due 2025-10-30 (test_applications.py); nothing happens. Today is after that:
    the status page says 已逾期N个工作日 (N ≥ 1) next to 办理中, and so does the admin list."""
    application = register(desk, date(2025, 9, 26))
    clock = application_clock(application)
    assert clock.overdue and clock.overdue_days >= 1
    html = client.post(
        reverse("disclosure:application_status"), {"code": application.tracking_code, "homepage": ""}
    ).content.decode()
    assert "办理中" in html and clock.overdue_text in html and "2025年10月30日" in html
    assert "2025-10-30" not in html
    client.force_login(desk.handler)
    listing = client.get(reverse("admin:disclosure_application_changelist")).content.decode()
    assert clock.overdue_text in listing and "0个工作日" not in listing


# -- the timeline: every pause, resume and extension; without personal data for the applicant ---------


@pytest.mark.django_db
def test_timelines_show_pause_resume_and_extension_with_personal_data_for_staff_only(client, desk):
    application = consulting(desk)
    services.application_resume_consultation(application=application, today=date(2025, 4, 1))
    application = services.application_extend(
        user=desk.reviewer, application=Application.objects.get(pk=application.pk), days=10,
        reason="需调阅档案", on=date(2025, 4, 2), today=TODAY,
    )
    application = Application.objects.prefetch_related("pauses").get(pk=application.pk)
    public = application_timeline(application, for_public=True, today=TODAY)
    assert [(e.day, e.label) for e in public] == [
        (RECEIVED, "收到申请"), (ASKED, "暂停计算"), (LIMIT, "恢复计算"), (date(2025, 4, 2), "延长答复期限"),
    ]
    public_text = " ".join(e.detail for e in public)
    assert "最迟至2025年3月31日" in public_text and "延长10个工作日" in public_text
    for private in (PARTY, "李审核", "需调阅档案"):
        assert private not in public_text
    staff_text = " ".join(e.detail for e in application_timeline(application, for_public=False, today=TODAY))
    assert PARTY in staff_text and "李审核" in staff_text and "需调阅档案" in staff_text

    html = client.post(
        reverse("disclosure:application_status"), {"code": application.tracking_code, "homepage": ""}
    ).content.decode()
    assert "办理过程" in html and "暂停计算" in html and "恢复计算" in html and "延长答复期限" in html
    assert PARTY not in html and "李审核" not in html and "需调阅档案" not in html
    client.force_login(desk.handler)
    page = client.get(reverse("admin:disclosure_application_change", args=[application.pk])).content.decode()
    assert "办理时间线" in page and PARTY in page and "李审核" in page


@pytest.mark.django_db
def test_the_extension_form_posted_by_the_reviewer_records_the_approver_on_the_timeline(client, desk):
    """The extension (条例 第三十三条: once, at most 20 working days, with the head's consent, here the
    reviewer's) posted through its admin form: the approver is recorded and shown to staff."""
    application = register(desk, date(2025, 9, 26))
    client.force_login(desk.reviewer)
    url = reverse("admin:disclosure_application_move", args=[application.pk, "extend"])
    refused = client.post(url, {"days": 21, "reason": "需调阅档案", "on": "2025-10-09"})
    assert refused.status_code == 200 and Application.objects.get(pk=application.pk).extension_days == 0
    response = client.post(url, {"days": 20, "reason": "需调阅档案", "on": "2025-10-09"})
    assert response.status_code == 302
    stored = Application.objects.get(pk=application.pk)
    assert stored.extension_days == 20 and stored.extension_approved_by == desk.reviewer
    page = client.get(reverse("admin:disclosure_application_change", args=[application.pk])).content.decode()
    assert "批准人：李审核" in page and "延长20个工作日" in page


@pytest.mark.django_db
def test_a_resume_that_loses_a_race_hears_stale_and_writes_nothing(desk, monkeypatch):
    """A handler records the answer (end_consultation) between the job's read and its change: the
    compare-and-set refuses with transitions.STALE; the pause is not closed by the job, nothing is logged."""
    from disclosure.applications import policy
    from disclosure.core import transitions

    application = consulting(desk)
    before = db_state(application)
    real_denial = policy.denial_reason

    def denial_while_the_answer_is_recorded(user, transition, locked):
        Application.objects.filter(pk=locked.pk).update(status=ApplicationStatus.RECEIVED)
        return real_denial(user, transition, locked)

    monkeypatch.setattr(policy, "denial_reason", denial_while_the_answer_is_recorded)
    with pytest.raises(InvalidTransition) as error:
        services.application_resume_consultation(application=application, today=date(2025, 4, 1))
    assert str(error.value) == str(transitions.STALE)
    assert db_state(application) == before

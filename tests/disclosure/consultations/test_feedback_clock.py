"""The feedback (意见采纳情况) a consultation owes once its window has closed: due FEEDBACK_DAYS (20) working
days after the window's last day (条例 第二十六条; the catalog item 决策前预公开: 信息形成（变更）20个工作日内),
flagged overdue in the admin list, on the public page and on the dashboard with how many working days.

Fixture, hand-counted on the 2025 calendar (National Day and Mid-Autumn 1–8 October off, Saturday
11 October a make-up working day): the window closes Tuesday 2025-09-30 at 18:00. Day 1 is Thursday
9 October, 10 Oct = 2, Sat 11 Oct = 3, 13–17 Oct = 4–8, 20–24 = 9–13, 27–31 = 14–18, Mon 3 Nov = 19,
Tue 4 Nov = 20: due 2025-11-04. On Wednesday 5 November it is 1 working day overdue; on Monday
10 November 4 (5, 6, 7, 10 Nov).
"""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.urls import reverse

from disclosure.consultations import services
from disclosure.consultations.clock import feedback_clock
from disclosure.consultations.models import Consultation
from disclosure.dashboard.todo import todo_panel
from disclosure.reminders import send_deadline_reminders

SHANGHAI = ZoneInfo("Asia/Shanghai")
OPENS = datetime(2025, 8, 20, 9, 0, tzinfo=SHANGHAI)
CLOSES = datetime(2025, 9, 30, 18, 0, tzinfo=SHANGHAI)


@pytest.fixture
def ended(people) -> Consultation:
    consultation = people.desk.draft(opens_at=OPENS, closes_at=CLOSES)
    consultation = services.consultation_open(user=people.reviewer, consultation=consultation, now=OPENS)
    return services.consultation_close(consultation=consultation, now=CLOSES)


def at(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


@pytest.mark.django_db
def test_the_feedback_is_due_20_working_days_after_the_window_and_overdue_after(ended):
    assert feedback_clock(ended, now=at(2025, 9, 30, 12, 0)) is None  # the window has not ended
    clock = feedback_clock(ended, now=at(2025, 11, 4, 17, 0))
    assert str(clock.due_on) == "2025-11-04" and not clock.overdue and not clock.provisional
    assert clock.describe() == "应于2025年11月4日前公布"
    assert feedback_clock(ended, now=at(2025, 11, 5, 9, 0)).overdue_days == 1
    late = feedback_clock(ended, now=at(2025, 11, 10, 9, 0))
    assert late.overdue and late.overdue_days == 4 and late.describe() == "应于2025年11月4日前公布，已逾期4个工作日"


@pytest.mark.django_db
def test_published_late_says_how_late(people, ended):
    published = services.consultation_publish_feedback(
        user=people.reviewer, consultation=ended, feedback="共收到意见5条，采纳3条。", now=at(2025, 11, 10, 9, 0)
    )
    clock = feedback_clock(published, now=at(2025, 11, 20, 9, 0))
    assert not clock.overdue and clock.late_days == 4 and clock.describe() == "已公布，逾期4个工作日"


@pytest.mark.django_db
def test_overdue_feedback_is_flagged_in_the_admin_list_the_public_page_and_the_dashboard(client, people, ended):
    """Today (the machine's date) is long after 2025-11-04: the list's column and its 逾期未公布 filter, the
    public page and the reviewer's dashboard all say how many working days overdue; never 0."""
    days = feedback_clock(ended).overdue_days
    assert days >= 1
    client.force_login(people.reviewer)
    listing = client.get(reverse("admin:disclosure_consultation_changelist") + "?feedback=overdue").content.decode()
    assert ended.title in listing and f"已逾期{days}个工作日" in listing
    rows = {
        row.label: row
        for section in todo_panel(people.reviewer, [{"models": [{"model": Consultation, "admin_url": "/c/"}]}]).sections
        for row in section.rows
    }
    row = rows["采纳情况逾期未公布的意见征集"]
    assert row.count == 1 and row.urgent and row.url == "/c/?feedback=overdue"
    assert row.note == f"最长已逾期{days}个工作日"
    client.logout()
    page = client.get(ended.get_absolute_url()).content.decode()
    assert "应于2025年11月4日前公布" in page and f"已逾期{days}个工作日" in page


@pytest.mark.django_db
def test_the_reviewers_are_reminded_of_the_feedback(people, ended, django_capture_on_commit_callbacks):
    """3 working days before 4 November (30, 31 Oct, 3 Nov counted back: from Thursday 30 October) the
    organisation's reviewers are reminded; after it, told it is overdue."""
    people.reviewer.email = "reviewer@qinghe.example"
    people.reviewer.save()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        early = send_deadline_reminders(now=at(2025, 10, 29, 9, 0))
    assert not [n for n in early.sent if n.source == "consultation"]
    with django_capture_on_commit_callbacks(execute=True):
        before = send_deadline_reminders(now=at(2025, 10, 30, 9, 0))
    (notice,) = [n for n in before.sent if n.source == "consultation"]
    assert (notice.deadline_kind, notice.notice_kind) == ("feedback:2025-11-04", "before")
    assert "reviewer@qinghe.example" in notice.recipients
    with django_capture_on_commit_callbacks(execute=True):
        after = send_deadline_reminders(now=at(2025, 11, 5, 9, 0))
    (notice,) = [n for n in after.sent if n.source == "consultation"]
    assert notice.notice_kind == "after"

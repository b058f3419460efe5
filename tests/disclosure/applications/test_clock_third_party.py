"""A third-party consultation pauses the reply clock for at most 15 working days (条例 第三十二条:
the third party answers within 15 working days of the request; that time is not counted, and the
pause ends when the 15 days do, answer or not)."""

from datetime import date

import pytest

from disclosure.applications import services
from disclosure.applications.clock import application_clock
from tests.disclosure.applications.world import TODAY, register


@pytest.mark.django_db
def test_a_37_working_day_consultation_counts_only_15(desk):
    """Received Monday 2025-03-03; a third party asked on Monday 2025-03-10 and answered only on
    2025-04-30, 37 working days later. Only 15 of them are left out of the count, so the reply is due
    35 working days after 3 March. Hand count on the 2025 calendar (清明 4–6 April off, no make-up day
    before 27 April): 4–7 Mar = 1–4, 10–14 = 5–9, 17–21 = 10–14, 24–28 = 15–19, 31 Mar = 20,
    1–3 Apr = 21–23, 7–11 Apr = 24–28, 14–18 Apr = 29–33, 21 Apr = 34, 22 Apr = 35 → 2025-04-22.
    Without the cap it was 2025-05-26. The application is overdue from 23 April."""
    application = register(desk, date(2025, 3, 3))
    application = services.application_start_consultation(
        user=desk.handler, application=application, kind="third_party", party="某房地产开发公司",
        on=date(2025, 3, 10), today=TODAY,
    )
    application = services.application_end_consultation(
        user=desk.handler, application=application, on=date(2025, 4, 30), today=TODAY
    )
    clock = application_clock(application, today=date(2025, 4, 22))
    assert clock.due_on == date(2025, 4, 22) and clock.paused_days == 15
    assert not clock.overdue
    assert application_clock(application, today=date(2025, 4, 23)).overdue


@pytest.mark.django_db
def test_an_unanswered_consultation_stops_pausing_after_15_working_days(desk):
    """Same application, the third party never answers and the pause is still open. On 2025-03-31,
    the 15th working day after 10 March (11–14 Mar = 1–4, 17–21 = 5–9, 24–28 = 10–14, 31 Mar = 15),
    the clock is still paused; from 1 April it runs again by itself, with the same due date of
    2025-04-22, and the application turns overdue on 23 April although nobody closed the pause."""
    application = register(desk, date(2025, 3, 3))
    application = services.application_start_consultation(
        user=desk.handler, application=application, kind="third_party", party="某房地产开发公司",
        on=date(2025, 3, 10), today=TODAY,
    )
    assert application_clock(application, today=date(2025, 3, 31)).paused
    resumed = application_clock(application, today=date(2025, 4, 1))
    assert not resumed.paused and resumed.due_on == date(2025, 4, 22)
    assert not application_clock(application, today=date(2025, 4, 22)).overdue
    assert application_clock(application, today=date(2025, 4, 23)).overdue

"""workdays.Reckoner: strict like the module's functions, or estimating a year whose holidays are not
entered (weekends only) and saying so; and the one date format (core/dates.py, the cn_dates filters).
Every expected date is counted by hand in the docstring of its test."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template

from disclosure.core.dates import cn_date, cn_datetime
from disclosure.core.workdays import CalendarUnknown, Reckoner, add_working_days, library_covers


@pytest.mark.django_db
def test_strict_reckoner_refuses_an_unknown_year():
    assert not library_covers(2099)
    with pytest.raises(CalendarUnknown):
        Reckoner().add(date(2099, 3, 2), 5)


@pytest.mark.django_db
def test_estimate_counts_an_unknown_year_on_weekends_only_and_says_so():
    """Monday 2099-03-02 + 5 working days on weekends only: 3, 4, 5, 6 March (Tue–Fri) and Monday 9 March."""
    reckoner = Reckoner(estimate=True)
    assert reckoner.add(date(2099, 3, 2), 5) == date(2099, 3, 9)
    assert reckoner.provisional and reckoner.unknown_years == {2099}
    assert reckoner.between(date(2099, 3, 2), date(2099, 3, 9)) == 5


@pytest.mark.django_db
def test_estimate_uses_the_official_calendar_of_a_known_year_and_is_then_final():
    """Friday 2024-09-27 + 20 working days is Wednesday 2024-10-30 on the official 2024 calendar (the
    example of workdays.add_working_days); the estimating reckoner agrees and is not provisional."""
    reckoner = Reckoner(estimate=True)
    assert reckoner.add(date(2024, 9, 27), 20) == date(2024, 10, 30) == add_working_days(date(2024, 9, 27), 20)
    assert not reckoner.provisional


@pytest.mark.django_db
def test_late_is_never_zero_once_past_and_back_inverts_add():
    """Due Thursday 2025-10-30: on the due day 0; on Friday 31 October 1 working day late; on Saturday
    1 November 2, because the earliest it can still be done is Monday 3 November, the 2nd working day
    after the due date (31 Oct, 3 Nov), as workdays.working_days_late counts it.
    Three working days back from 2025-10-30 is Monday 27 October (29, 28, 27)."""
    reckoner = Reckoner(estimate=True)
    assert reckoner.late(date(2025, 10, 30), date(2025, 10, 30)) == 0
    assert reckoner.late(date(2025, 10, 30), date(2025, 10, 31)) == 1
    assert reckoner.late(date(2025, 10, 30), date(2025, 11, 1)) == 2
    assert reckoner.back(date(2025, 10, 30), 3) == date(2025, 10, 27)


def test_one_date_format_in_python_and_templates():
    moment = datetime(2026, 12, 20, 6, 5, tzinfo=ZoneInfo("UTC"))  # 14:05 in Asia/Shanghai
    assert cn_date(date(2026, 1, 2)) == "2026年1月2日" and cn_date(None) == ""
    assert cn_datetime(moment) == "2026年12月20日 14:05" and cn_date(moment) == "2026年12月20日"
    html = Template("{% load cn_dates %}{{ d|cn_date }}|{{ m|cn_datetime }}|{{ x|cn_date }}").render(
        Context({"d": date(2027, 1, 18), "m": moment, "x": "not a date"})
    )
    assert html == "2027年1月18日|2026年12月20日 14:05|"

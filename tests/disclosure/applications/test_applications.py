"""Applications for disclosure (依申请公开): the clock, the moves, table 3, the public pages, the admin.

Applications are made and moved through disclosure.applications.services by real staff accounts, so every
state here is one the services can reach. Dates of the clock tests were counted by hand on the
official 2025 calendar (National Day and Mid-Autumn: 1–8 October off, Sunday 28 September and
Saturday 11 October make-up working days).
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache, caches
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from catalog.models import Organisation
from disclosure.applications import figures as application_figures
from disclosure.applications import policy, selectors, services
from disclosure.applications.clock import application_clock, correction_notice_deadline, correction_was_late
from disclosure.applications.forms import credit_code_is_valid, resident_id_is_valid
from disclosure.applications.models import (
    CODE_ALPHABET,
    ApplicantType,
    Application,
    ApplicationPause,
    ApplicationStatus,
    ReplyType,
)
from disclosure.applications.workflow import TRANSITIONS
from disclosure.core.access import Role
from disclosure.core.deadlines import due_soon_horizon
from disclosure.core.log import ActivityEntry
from disclosure.core.transitions import InvalidTransition
from disclosure.core.workdays import clear_cache, library_covers
from tests.disclosure.applications.world import COMPANY, PERSON, TODAY, entries, in_state, register
from tests.factories import make_staff

SHANGHAI = ZoneInfo("Asia/Shanghai")


# -- the clock -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_due_date_across_national_day_2025(desk):
    """Received Friday 2025-09-26: Sun 28 Sept (make-up) is day 1, 29–30 Sept days 2–3, 1–8 Oct off,
    9–10 Oct days 4–5, Sat 11 Oct (make-up) day 6, 13–17 Oct 7–11, 20–24 Oct 12–16, 27–30 Oct
    17–20: due Thursday 2025-10-30."""
    application = register(desk, date(2025, 9, 26))
    clock = application_clock(application, today=date(2025, 10, 1))
    assert clock.due_on == date(2025, 10, 30)
    assert clock.due_text == "2025年10月30日"
    assert not clock.overdue
    assert application_clock(application, today=date(2025, 10, 30)).overdue is False
    assert application_clock(application, today=date(2025, 10, 31)).overdue is True


@pytest.mark.django_db
def test_received_on_a_holiday_counts_from_the_next_working_day(desk):
    """Received on National Day (2025-10-01): treated as received Thursday 9 Oct; 10 Oct is day 1,
    Sat 11 Oct day 2, 13–17 Oct 3–7, 20–24 Oct 8–12, 27–31 Oct 13–17, 3–5 Nov 18–20: due 2025-11-05.
    The receipt date itself stays 1 October (the annual report counts by it)."""
    application = register(desk, date(2025, 10, 1))
    assert application.received_on == date(2025, 10, 1)
    assert application_clock(application, today=date(2025, 10, 2)).due_on == date(2025, 11, 5)


@pytest.mark.django_db
def test_online_submission_on_a_holiday_is_received_that_day_and_counted_from_the_next_working_day(
    standard_catalog, county
):
    """An online application at 10:00 on 2025-10-01 (Beijing time): received_on is that date; due 2025-11-05."""
    application = services.application_submit(
        organisation=county, submitted_at=datetime(2025, 10, 1, 10, 0, tzinfo=SHANGHAI), **PERSON
    )
    assert application.received_on == date(2025, 10, 1)
    assert application.clock_start == date(2025, 10, 1)
    assert application_clock(application).due_on == date(2025, 11, 5)


@pytest.mark.django_db
def test_correction_stops_the_clock_and_restarts_it_from_the_correction(desk):
    """Received 2025-09-26, correction asked 29 Sept: no due date while awaited. The correction
    arrives Friday 10 Oct: Sat 11 Oct is day 1, 13–17 Oct 2–6, 20–24 Oct 7–11, 27–31 Oct 12–16,
    3–6 Nov 17–20: due 2025-11-06."""
    application = register(desk, date(2025, 9, 26))
    application = services.application_request_correction(
        user=desk.handler, application=application, note="请写明小区名称", on=date(2025, 9, 29), today=TODAY
    )
    clock = application_clock(application, today=date(2025, 10, 9))
    assert clock.due_on is None and not clock.running and not clock.overdue
    assert "待申请人补正" in clock.due_text
    application = services.application_receive_correction(
        user=desk.handler, application=application, on=date(2025, 10, 10), today=TODAY
    )
    assert application.clock_start == date(2025, 10, 10)
    assert application.received_on == date(2025, 9, 26)
    assert application_clock(application, today=date(2025, 10, 10)).due_on == date(2025, 11, 6)


@pytest.mark.django_db
def test_consultation_days_are_not_counted(desk):
    """Received 2025-09-26 (due 30 Oct), consultation from 9 to 15 Oct: the working days in
    (9 Oct, 15 Oct] are 10, 11 (make-up), 13, 14, 15 Oct = 5, so day 25 is due: 31 Oct, 3, 4, 5,
    6 Nov are days 21–25: due 2025-11-06. While open, the pause counts up to today."""
    application = register(desk, date(2025, 9, 26))
    application = services.application_start_consultation(
        user=desk.handler, application=application, kind="third_party", party="幸福小区业主委员会",
        on=date(2025, 10, 9), today=TODAY,
    )
    open_clock = application_clock(application, today=date(2025, 10, 13))
    # (9 Oct, 13 Oct]: 10, 11, 13 Oct = 3 paused days so far; day 23 after 26 Sept is 4 Nov.
    assert open_clock.paused and open_clock.paused_days == 3 and open_clock.due_on == date(2025, 11, 4)
    # Left open, the pause stops the clock for 15 working days only (条例 第三十二条): to 29 Oct (10, 11
    # (make-up), 13–17, 20–24, 27–29 Oct). Then 35 working days after 26 Sept fall due on 20 Nov
    # (28 Sept make-up = 1, 29–30 Sept = 2–3, 9–10 Oct = 4–5, 11 Oct = 6, 13 Oct–14 Nov = 7–31,
    # 17–20 Nov = 32–35), and on 1 December the application is overdue.
    late = application_clock(application, today=date(2025, 12, 1))
    assert not late.paused and late.due_on == date(2025, 11, 20) and late.overdue
    application = services.application_end_consultation(
        user=desk.handler, application=application, on=date(2025, 10, 15), today=TODAY
    )
    clock = application_clock(application, today=date(2025, 10, 20))
    assert clock.paused_days == 5
    assert clock.due_on == date(2025, 11, 6)
    pause = ApplicationPause.objects.get(application=application)
    assert (pause.started_on, pause.ended_on) == (date(2025, 10, 9), date(2025, 10, 15))


@pytest.mark.django_db
def test_one_extension_of_at_most_20_working_days_approved_by_the_reviewer(desk):
    """The reviewer extends by 20 on 20 Oct: day 40 after 26 Sept is Thursday 2025-11-27 (31 Oct day 21,
    3–7 Nov 22–26, 10–14 Nov 27–31, 17–21 Nov 32–36, 24–27 Nov 37–40). A second extension is refused,
    and so are 21 days, a handler's approval, and an extension after the time ran out."""
    application = register(desk, date(2025, 9, 26))
    with pytest.raises(PermissionDenied):
        services.application_extend(user=desk.handler, application=application, days=20, reason="需调档", on=date(2025, 10, 20), today=TODAY)
    with pytest.raises(ValidationError):
        services.application_extend(user=desk.reviewer, application=application, days=21, reason="需调档", on=date(2025, 10, 20), today=TODAY)
    with pytest.raises(ValidationError):
        services.application_extend(user=desk.reviewer, application=application, days=20, reason=" ", on=date(2025, 10, 20), today=TODAY)
    assert entries(application) == [("register", "", "received")]

    application = services.application_extend(
        user=desk.reviewer, application=application, days=20, reason="需调阅档案", on=date(2025, 10, 20), today=TODAY
    )
    assert application.extension_approved_by == desk.reviewer
    assert application_clock(application, today=date(2025, 11, 1)).due_on == date(2025, 11, 27)
    with pytest.raises(InvalidTransition):
        services.application_extend(user=desk.reviewer, application=application, days=5, reason="再延", today=TODAY)

    application = services.application_record_extension_notice(
        user=desk.handler, application=application, on=date(2025, 10, 21), today=TODAY
    )
    assert application.extension_notified_on == date(2025, 10, 21)
    with pytest.raises(InvalidTransition):
        services.application_record_extension_notice(user=desk.handler, application=application, on=date(2025, 10, 22), today=TODAY)
    assert [e[0] for e in entries(application)] == ["register", "extend", "notify_extension"]

    late = register(desk, date(2025, 9, 26))
    with pytest.raises(ValidationError, match="2025年10月30日"):
        services.application_extend(user=desk.reviewer, application=late, days=10, reason="需调档", on=date(2025, 10, 31), today=TODAY)


@pytest.mark.django_db
def test_unknown_holiday_schedule_gives_a_provisional_date_never_unknown(desk):
    """A count reaching a year neither built in nor entered gives a provisional date (预计), counted on
    weekends only, with the note naming the year; never "无法计算". Received Monday 2099-12-21
    (2099 is not known either: weekends only): 22–25 Dec = 1–4, 28–31 Dec = 5–8, 1 Jan 2100 (Fri) = 9,
    4–8 Jan = 10–14, 11–15 Jan = 15–19, 18 Jan = 20 → 2100-01-18."""
    year = 2099
    assert not library_covers(year)
    application = services.application_register(
        user=desk.handler, organisation=desk.organisation, channel="letter",
        received_on=date(year, 12, 21), today=date(year, 12, 31), **PERSON,
    )
    clock = application_clock(application, today=date(year, 12, 31))
    assert clock.provisional and clock.unknown_years == (2099, 2100)
    assert clock.due_on == date(2100, 1, 18) and not clock.overdue
    assert clock.due_text == "2100年1月18日（预计）"
    assert "2099、2100年法定节假日安排尚未公布" in clock.note and "无法计算" not in clock.due_text


@pytest.mark.django_db
def test_late_correction_notice_is_recorded(desk):
    """A correction asked on the 8th working day after receipt is accepted but flagged as late."""
    application = register(desk, date(2025, 9, 26))
    # 7 working days after 26 Sept: 28, 29, 30 Sept, 9, 10, 11, 13 Oct → the limit is 13 Oct.
    assert correction_notice_deadline(application) == date(2025, 10, 13)
    application = services.application_request_correction(
        user=desk.handler, application=application, note="请写明小区名称", on=date(2025, 10, 14), today=TODAY
    )
    assert correction_was_late(application)
    entry = ActivityEntry.objects.filter(subject_type="application", subject_id=application.pk).latest("id")
    assert "7个工作日" in entry.comment


# -- rules of the moves (the transition matrix: test_workflow.py) --------------------------------


@pytest.mark.django_db
def test_correction_is_asked_once_only(desk):
    """After a correction came back, asking again is refused (一次性告知)."""
    application = in_state(desk, ApplicationStatus.CORRECTION)
    application = services.application_receive_correction(user=desk.handler, application=application, on=date(2025, 10, 9), today=TODAY)
    with pytest.raises(InvalidTransition):
        services.application_request_correction(user=desk.handler, application=application, note="再次补正", today=TODAY)
    assert "request_correction" not in [m.name for m in policy.moves_for(desk.handler, application)]


@pytest.mark.django_db
def test_reply_rules(desk):
    """Awaiting correction only "逾期不补正" may close it; "补正后仍不明确" needs a correction; a reply
    type is required; no date in the future or before the clock started."""
    awaiting = in_state(desk, ApplicationStatus.CORRECTION)
    with pytest.raises(InvalidTransition):
        services.application_reply(user=desk.handler, application=awaiting, reply_type=ReplyType.DISCLOSED, on=date(2025, 10, 9), today=TODAY)
    abandoned = services.application_reply(
        user=desk.handler, application=awaiting, reply_type=ReplyType.OTHER_NO_CORRECTION, on=date(2025, 12, 1), today=TODAY
    )
    clock = application_clock(abandoned, today=TODAY)
    assert not clock.replied_late and clock.due_text == "—"  # no reply was due without the correction
    fresh = register(desk, date(2025, 9, 26))
    with pytest.raises(ValidationError):
        services.application_reply(user=desk.handler, application=fresh, reply_type=ReplyType.UNABLE_UNCLEAR, on=date(2025, 10, 9), today=TODAY)
    with pytest.raises(ValidationError):
        services.application_reply(user=desk.handler, application=fresh, reply_type="made_up", on=date(2025, 10, 9), today=TODAY)
    with pytest.raises(ValidationError):
        services.application_reply(user=desk.handler, application=fresh, reply_type=ReplyType.DISCLOSED, on=date(2025, 9, 25), today=TODAY)
    with pytest.raises(ValidationError):
        services.application_reply(user=desk.handler, application=fresh, reply_type=ReplyType.DISCLOSED, on=TODAY + timedelta(days=1), today=TODAY)
    assert entries(fresh) == [("register", "", "received")]
    replied = services.application_reply(user=desk.handler, application=fresh, reply_type=ReplyType.PARTIAL, on=date(2025, 11, 3), today=TODAY)
    assert application_clock(replied).replied_late  # due 30 Oct, replied 3 Nov


@pytest.mark.django_db
def test_registration_requires_the_applicants_particulars(desk):
    """A natural person needs name and ID; an organisation its name, credit code, representative and contact."""
    with pytest.raises(ValidationError) as error:
        register(desk, date(2025, 9, 26), name="", id_number="")
    assert {"name", "id_number"} <= set(error.value.message_dict)
    with pytest.raises(ValidationError) as error:
        register(desk, date(2025, 9, 26), fields=COMPANY, credit_code="", contact_person="")
    assert {"credit_code", "contact_person"} <= set(error.value.message_dict)
    assert not Application.objects.exists()


# -- table 3 of the annual report ----------------------------------------------------------------


def row(figures, key):
    return next(r for r in figures["rows"] if r["key"] == key)["counts"]


@pytest.mark.django_db
def test_reply_types_fill_table_3(desk, county):
    """Six applications, counted by hand for 2025:
    A person, received 2024-12-20, 予以公开 2025-01-10 → 二 and (一), person column;
    B company, 2025-03-03, 不予公开/保护第三方 2025-03-20 → 一 and (三)4, 商业企业;
    C research institute, 2025-12-22, open → 一 and 四, 科研机构;
    D person, 2025-05-06, correction asked, 逾期不补正 2025-05-30 → 一 and (六)1;
    E law firm, 2025-06-02, replied 2026-01-05 → 一 and 四, 法律服务机构;
    F person, 2023 → nothing in 2025; G another organisation's → nothing for this one."""
    a = register(desk, date(2024, 12, 20))
    services.application_reply(user=desk.handler, application=a, reply_type=ReplyType.DISCLOSED, on=date(2025, 1, 10), today=TODAY)
    b = register(desk, date(2025, 3, 3), fields=COMPANY)
    services.application_reply(user=desk.handler, application=b, reply_type=ReplyType.WITHHELD_THIRD_PARTY, on=date(2025, 3, 20), today=TODAY)
    register(desk, date(2025, 12, 22), fields=COMPANY, applicant_type=ApplicantType.RESEARCH)
    d = register(desk, date(2025, 5, 6))
    d = services.application_request_correction(user=desk.handler, application=d, note="补正", on=date(2025, 5, 8), today=TODAY)
    services.application_reply(user=desk.handler, application=d, reply_type=ReplyType.OTHER_NO_CORRECTION, on=date(2025, 5, 30), today=TODAY)
    e = register(desk, date(2025, 6, 2), fields=COMPANY, applicant_type=ApplicantType.LEGAL_SERVICE)
    services.application_reply(user=desk.handler, application=e, reply_type=ReplyType.DISCLOSED, on=date(2026, 1, 5), today=TODAY)
    f = register(desk, date(2023, 5, 4))
    services.application_reply(user=desk.handler, application=f, reply_type=ReplyType.DISCLOSED, on=date(2023, 5, 20), today=TODAY)
    township = Organisation.objects.get(code="419901001")
    services.application_register(user=desk.stranger, organisation=township, channel="letter", received_on=date(2025, 4, 1), today=TODAY, **PERSON)

    figures = application_figures.annual_application_figures([county.pk], 2025)
    assert [key for key, _label in figures["columns"]] == [
        "natural_person", "commercial", "research", "public_interest", "legal_service", "other", "total"
    ]
    zero = dict.fromkeys(["natural_person", "commercial", "research", "public_interest", "legal_service", "other"], 0)
    assert row(figures, "new") == {**zero, "natural_person": 1, "commercial": 1, "research": 1, "legal_service": 1, "total": 4}
    assert row(figures, "carried_in") == {**zero, "natural_person": 1, "total": 1}
    assert row(figures, "disclosed") == {**zero, "natural_person": 1, "total": 1}
    assert row(figures, "withheld_third_party") == {**zero, "commercial": 1, "total": 1}
    assert row(figures, "withheld") == {**zero, "commercial": 1, "total": 1}
    assert row(figures, "other_no_correction") == {**zero, "natural_person": 1, "total": 1}
    assert row(figures, "results_total") == {**zero, "natural_person": 2, "commercial": 1, "total": 3}
    assert row(figures, "carried_out") == {**zero, "research": 1, "legal_service": 1, "total": 2}

    # The table's own checks, in every column: 一 + 二 = （七） + 四, and （七） = （一）+ … +（六）.
    for column, _label in figures["columns"]:
        assert row(figures, "new")[column] + row(figures, "carried_in")[column] == (
            row(figures, "results_total")[column] + row(figures, "carried_out")[column]
        )
        groups = ("disclosed", "partial", "withheld", "unable", "not_processed", "other")
        assert sum(row(figures, g)[column] for g in groups) == row(figures, "results_total")[column]


@pytest.mark.django_db
def test_annual_report_table_3_reads_these_figures_and_balances(desk, county):
    """disclosure.reports.annual.application_table fills table 3 from the applications: a person's
    application replied 部分公开 and a company's still open at the year's end; its checks pass."""
    from disclosure.reports.annual import application_table

    a = register(desk, date(2025, 4, 1))
    services.application_reply(user=desk.handler, application=a, reply_type=ReplyType.PARTIAL, on=date(2025, 4, 20), today=TODAY)
    register(desk, date(2025, 12, 30), fields=COMPANY)
    table = application_table([county.pk], 2025)
    assert table["passed"]
    rows = {r["key"]: r["values"] for r in [*table["rows"], table["result_total"], table["carried_out"]]}
    assert rows["new"]["natural_person"] == 1 and rows["new"]["commercial"] == 1 and rows["new"]["total"] == 2
    partial = next(r for g in table["result_groups"] for r in g["rows"] if r["key"] == "partial")
    assert partial["values"]["natural_person"] == 1 and partial["values"]["total"] == 1
    assert rows["results_total"]["total"] == 1
    assert rows["carried_out"]["commercial"] == 1 and rows["carried_out"]["total"] == 1


def test_every_reply_type_has_exactly_one_row_of_table_3():
    """Each reply type of article 36 is counted in one and only one row of section 三."""
    counted = [t for _key, _label, members in application_figures.TABLE3_RESULT_ROWS for t, _k, _l in members]
    assert sorted(counted) == sorted(ReplyType.values)
    groups = [label for _key, label, _members in application_figures.TABLE3_RESULT_ROWS]
    assert [g[:5] for g in groups] == ["（一）予以", "（二）部分", "（三）不予", "（四）无法", "（五）不予", "（六）其他"]


@pytest.mark.django_db
def test_table_3_query_count_does_not_grow(desk, county, django_assert_max_num_queries):
    """Three queries whatever the number of applications."""
    for n in range(12):
        register(desk, date(2025, 2, 3) + timedelta(days=n))
    with django_assert_max_num_queries(4):
        application_figures.annual_application_figures([county.pk], 2025)


# -- tracking codes ------------------------------------------------------------------------------


def test_tracking_codes_are_random_typable_and_normalised():
    """12 characters of Crockford base32 (no I, L, O, U); input tolerates case, dashes and look-alikes."""
    codes = {services.new_tracking_code() for _i in range(500)}
    assert len(codes) == 500
    for code in codes:
        assert len(code) == 12 and not set(code) & set("ILOU") and set(code) <= set(CODE_ALPHABET)
    assert selectors.normalise_tracking_code("abcd-efgh-jk0o") == "ABCDEFGHJK00"
    assert selectors.normalise_tracking_code("1il1 2222 3333") == "111122223333"
    for bad in ("", "ABC", "ABCDEFGHJKMNP", "ABCDEFGHJKM!", "ＡＢＣＤＥＦＧＨＪＫＭＮ", "x" * 5000):
        assert selectors.normalise_tracking_code(bad) == ""


def test_id_checks():
    """Resident ID and credit code check characters (GB 11643, GB 32100)."""
    assert resident_id_is_valid("11010519491231002X")
    assert not resident_id_is_valid("110105194912310021")
    assert credit_code_is_valid("91350100M000100Y43")
    assert credit_code_is_valid("91110000802100433B")
    assert not credit_code_is_valid("91350100M000100Y44")


# -- public pages --------------------------------------------------------------------------------


def form_data(**overrides):
    data = {"organisation": "419901", **{k: v for k, v in PERSON.items()}, "homepage": ""}
    data.update(overrides)
    return data


PERSONAL_VALUES = (
    PERSON["name"], PERSON["id_number"], PERSON["phone"], PERSON["email"], PERSON["address"],
    PERSON["description"], "幸福小区",
)


def submit(client, **overrides):
    return client.post(reverse("disclosure:application_apply"), form_data(**overrides))


@pytest.mark.django_db
def test_online_application_is_saved_then_acknowledged_with_its_code(client, standard_catalog, demo_orgs):
    """A valid application redirects to a receipt showing the code of the saved row, the organisation,
    the received date and the due date; the submission is logged without personal data."""
    response = submit(client)
    assert response.status_code == 302
    assert response["Location"] == reverse("disclosure:application_receipt")
    application = Application.objects.get()
    assert application.name == PERSON["name"] and application.channel == "online"
    assert application.organisation.code == "419901"
    receipt = client.get(response["Location"]).content.decode()
    assert application.tracking_code_display in receipt
    assert "清河县住房和城乡建设局" in receipt
    assert application_clock(application).due_text in receipt
    entry = ActivityEntry.objects.get(subject_type="application", subject_id=application.pk)
    assert entry.action == "submit" and PERSON["name"] not in entry.subject_title + entry.comment


@pytest.mark.django_db
def test_status_page_shows_statuses_and_dates_only(client, standard_catalog, demo_orgs, desk):
    """Code lookup shows status, received date, due date, and after the reply its type and date;
    never the applicant's particulars or the request text, on any public page."""
    submit(client)
    application = Application.objects.get()
    url = reverse("disclosure:application_status")
    html = client.post(url, {"code": application.tracking_code_display.lower(), "homepage": ""}).content.decode()
    assert "办理中" in html and application.received_on.strftime("%Y年%-m月%-d日") in html
    assert application_clock(application).due_text in html

    services.application_reply(user=desk.handler, application=application, reply_type=ReplyType.PARTIAL)
    html = client.post(url, {"code": application.tracking_code, "homepage": ""}).content.decode()
    assert "已答复" in html and "部分公开" in html

    pages = [
        html,
        client.get(reverse("disclosure:application_receipt")).content.decode(),
        client.get(reverse("disclosure:application_apply")).content.decode(),
        client.get("/org/419901/").content.decode(),
        client.get("/org/419901/guide/").content.decode(),
        client.get("/").content.decode(),
    ]
    for page in pages:
        for value in PERSONAL_VALUES:
            assert value not in page


@pytest.mark.django_db
def test_wrong_or_malformed_codes_get_the_same_answer(client, standard_catalog, demo_orgs):
    """Unknown, malformed, overlong or honeypot-free garbage codes all get "未找到…", with no hint."""
    submit(client)
    real = Application.objects.get().tracking_code
    wrong = ("2" if real[0] != "2" else "3") + real[1:]
    url = reverse("disclosure:application_status")
    answers = []
    for code in (wrong, "ABC", "!!!!", "x" * 41, "x" * 5000, real[:-1], real[:6] + "\x00" + real[7:]):
        response = client.post(url, {"code": code, "homepage": ""})
        assert response.status_code == 200
        html = response.content.decode()
        assert "未找到该查询码对应的申请" in html and "查询结果" not in html
        answers.append(re.sub(r'value="[^"]*"', "", html))
    assert len(set(answers)) == 1


@pytest.mark.django_db
def test_status_lookups_are_rate_limited(client, standard_catalog, demo_orgs):
    """More than 30 lookups in 10 minutes from one address: 429 and no lookup."""
    submit(client)
    real = Application.objects.get().tracking_code
    url = reverse("disclosure:application_status")
    for _i in range(30):
        assert client.post(url, {"code": "ZZZZZZZZZZZZ", "homepage": ""}).status_code == 200
    response = client.post(url, {"code": real, "homepage": ""})
    assert response.status_code == 429
    html = response.content.decode()
    assert "查询过于频繁" in html and "查询结果" not in html


@pytest.mark.django_db
def test_submissions_are_rate_limited_and_honeypot_refused(client, standard_catalog, demo_orgs):
    """A filled honeypot is refused; past 10 POSTs an hour from one address nothing more is saved."""
    response = submit(client, homepage="http://spam.example")
    assert response.status_code == 400 and not Application.objects.exists()
    for _i in range(9):
        assert submit(client).status_code == 302
    response = submit(client)
    assert response.status_code == 429
    assert "提交过于频繁" in response.content.decode()
    assert Application.objects.count() == 9


BAD_INPUTS = [
    ({"organisation": ""}, "请选择受理机关"),
    ({"organisation": "999999"}, "请从列表中选择受理机关"),
    ({"organisation": "x" * 5000}, "请从列表中选择受理机关"),
    ({"organisation": "4199\x0001"}, "请从列表中选择受理机关"),
    ({"description": "请公开\x00这份文件的内容"}, "控制字符"),
    ({"applicant_type": "robot"}, "请选择申请人类型"),
    ({"name": ""}, "请填写姓名"),
    ({"id_number": "110105194912310021"}, "校验位"),
    ({"id_number": "<script>"}, "证件号码"),
    ({"phone": "abc"}, "有效的联系电话"),
    ({"email": "not-an-email"}, "有效的电子邮箱"),
    ({"obtain_method": "email", "email": ""}, "请填写电子邮箱"),
    ({"obtain_method": "post", "address": ""}, "请填写通信地址"),
    ({"postcode": "12"}, "邮政编码"),
    ({"description": ""}, "请描述所需的政府信息"),
    ({"description": "短"}, "至少填写5个字"),
    ({"description": "很长" * 2000}, "最多2000字"),
    ({"name": "名" * 51}, "最多50个字"),
    ({"delivery_form": ""}, "请选择提供载体形式"),
    ({"applicant_type": "commercial", "credit_code": "123"}, "统一社会信用代码"),
    ({"applicant_type": "commercial", "organisation_name": ""}, "请填写法人或者其他组织名称"),
]


@pytest.mark.django_db
@pytest.mark.parametrize("overrides,message", BAD_INPUTS)
def test_bad_input_gets_a_chinese_message_never_a_500(client, standard_catalog, demo_orgs, overrides, message):
    """Each bad value: 400, the form again with a Chinese message, nothing saved."""
    response = submit(client, **overrides)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Application.objects.exists()


@pytest.mark.django_db
def test_odd_requests_never_500(client, standard_catalog, demo_orgs):
    """Unknown organisation in the query string, an empty POST, a receipt without a submission, PUT."""
    assert client.get(reverse("disclosure:application_apply") + "?org=" + "x" * 50).status_code == 200
    assert client.get(reverse("disclosure:application_apply") + "?org=" + "%00" * 50).status_code == 400
    assert client.post(reverse("disclosure:application_apply"), {}).status_code == 400
    assert client.post(reverse("disclosure:application_status"), {}).status_code == 200
    assert client.get(reverse("disclosure:application_receipt")).status_code == 302
    assert client.put(reverse("disclosure:application_apply")).status_code == 405


@pytest.mark.django_db
def test_csrf_is_enforced(standard_catalog, demo_orgs):
    """A POST without the CSRF token is refused (403) and saves nothing."""
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(reverse("disclosure:application_apply"), form_data())
    assert response.status_code == 403
    assert not Application.objects.exists()


def count_queries(client, method, url, data=None):
    with CaptureQueriesContext(connection) as queries:
        response = getattr(client, method)(url, data or {})
    assert response.status_code in (200, 302), url
    return len(queries)


@pytest.mark.django_db
def test_public_application_pages_query_counts_do_not_grow(client, standard_catalog, demo_orgs, desk):
    """Form, receipt and status lookup cost the same number of queries with 1 or 40 applications."""
    submit(client)
    code = Application.objects.get().tracking_code
    services.application_start_consultation(
        user=desk.handler, application=Application.objects.get(), kind="agency", party="县自然资源局"
    )

    def measure():
        cache.clear()
        caches["ratelimit"].clear()  # the lookup starts a fresh rate-limit count in both runs alike
        clear_cache()  # the working-day calendar loads in both runs alike
        return (
            count_queries(client, "get", reverse("disclosure:application_apply")),
            count_queries(client, "get", reverse("disclosure:application_receipt")),
            count_queries(client, "post", reverse("disclosure:application_status"), {"code": code, "homepage": ""}),
        )

    small = measure()
    for n in range(39):
        register(desk, date(2025, 9, 1) + timedelta(days=n % 20))
    application = Application.objects.get(tracking_code=code)
    services.application_end_consultation(user=desk.handler, application=application)
    services.application_start_consultation(user=desk.handler, application=application, kind="agency", party="县财政局")
    assert measure() == small
    form_page, receipt_page, status_page = small
    # The status lookup's 8 plus the 7 of starting its shared rate-limit count (portal.cache).
    assert form_page <= 3 and receipt_page <= 8 and status_page <= 15


# -- staff side ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_admin_shows_applications_to_their_organisations_staff_only(client, desk, county):
    """Own handlers see the applicant's particulars; another organisation's staff and a superior's
    auditor get neither the list entry nor the page."""
    application = register(desk, date(2025, 9, 26))
    change = reverse("admin:disclosure_application_change", args=[application.pk])
    changelist = reverse("admin:disclosure_application_changelist")

    client.force_login(desk.handler)
    assert PERSON["id_number"] in client.get(change).content.decode()
    assert application.tracking_code in client.get(changelist).content.decode()

    city_auditor = make_staff(county.parent, Role.AUDITOR, username="city-auditor")
    for outsider in (desk.stranger, city_auditor):
        client.force_login(outsider)
        response = client.get(change)
        assert response.status_code in (302, 403, 404)
        assert PERSON["id_number"] not in response.content.decode()
        listing = client.get(changelist)
        assert application.tracking_code not in listing.content.decode()


@pytest.mark.django_db
def test_admin_moves_go_through_the_services(client, desk):
    """Replying from the admin page changes the state through the service and logs it; a refused
    move (a handler approving an extension) is a message, not a 500."""
    application = register(desk, date(2025, 9, 26))
    client.force_login(desk.handler)
    url = reverse("admin:disclosure_application_move", args=[application.pk, "reply"])
    assert client.get(url).status_code == 200
    response = client.post(url, {"reply_type": ReplyType.PARTIAL, "on": "2025-10-09", "note": ""})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.REPLIED and application.reply_type == ReplyType.PARTIAL

    other = register(desk, date(2025, 9, 26))
    url = reverse("admin:disclosure_application_move", args=[other.pk, "extend"])
    response = client.post(url, {"days": "20", "reason": "需调档", "on": "2025-10-09"}, follow=True)
    assert response.status_code == 200
    assert "审核员" in response.content.decode()
    other.refresh_from_db()
    assert other.extension_days == 0
    assert client.get(reverse("admin:disclosure_application_move", args=[other.pk, "nonsense"])).status_code == 404


@pytest.mark.django_db
def test_admin_registers_a_paper_application_and_flags_overdue(client, desk):
    """Registering through the admin form calls the service; the overdue filter lists an
    application past its due date and not one still in time."""
    client.force_login(desk.handler)
    data = {**form_data(), "channel": "letter", "received_on": "2025-09-26"}
    response = client.post(reverse("admin:disclosure_application_add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    overdue = Application.objects.get()
    assert overdue.channel == "letter" and overdue.received_on == date(2025, 9, 26)
    recent = services.application_register(
        user=desk.handler, organisation=desk.organisation, channel="letter", received_on=timezone.localdate(), **PERSON
    )
    listing = client.get(reverse("admin:disclosure_application_changelist") + "?due=overdue").content.decode()
    assert overdue.tracking_code in listing and recent.tracking_code not in listing
    assert "已逾期" in listing


@pytest.mark.django_db
def test_admin_pages_render_for_handlers_and_superusers(client, desk):
    """The admin index, list, page, registration form and every move form render (no 500), for a
    handler and for a superuser; the superuser's list also names the organisation."""
    from tests.factories import UserFactory

    application = register(desk, date(2025, 9, 26))
    superuser = UserFactory(username="root", is_superuser=True)
    for user in (desk.handler, superuser):
        client.force_login(user)
        assert "依申请公开" in client.get(reverse("admin:index")).content.decode()
        listing = client.get(reverse("admin:disclosure_application_changelist"))
        assert listing.status_code == 200 and application.tracking_code in listing.content.decode()
        assert client.get(reverse("admin:disclosure_application_changelist") + "?due=late").status_code == 200
        page = client.get(reverse("admin:disclosure_application_change", args=[application.pk]))
        assert page.status_code == 200 and "2025年10月30日" in page.content.decode()
        assert client.get(reverse("admin:disclosure_application_add")).status_code == 200
        for name, move in TRANSITIONS.items():
            url = reverse("admin:disclosure_application_move", args=[application.pk, name])
            expected = 200 if application.status in move.sources else 302  # wrong state: back, with a message
            if name == "extend" and user == desk.handler:
                expected = 403  # the reviewer's move
            if move.is_system:
                expected = 404  # the clock resuming by itself: no person's move, no page
            assert client.get(url).status_code == expected, name
    assert "清河县住房和城乡建设局" in client.get(reverse("admin:disclosure_application_changelist")).content.decode()
    assert client.post(reverse("admin:disclosure_application_change", args=[application.pk]), {}).status_code == 302


@pytest.mark.django_db
def test_deadline_source_reminds_the_handlers(desk):
    """check_deadlines sees a running application's reply deadline, addressed to the organisation's
    handlers, and nothing for one awaiting a correction."""
    from disclosure.applications.selectors import application_deadline_source
    from disclosure.reminders import DEADLINE_SOURCES

    assert application_deadline_source in DEADLINE_SOURCES
    running = register(desk, date(2025, 9, 26))
    in_state(desk, ApplicationStatus.CORRECTION)
    now = datetime(2025, 10, 28, 9, 0, tzinfo=SHANGHAI)
    deadlines = list(selectors.application_deadline_source(now))
    assert [d.subject_id for d in deadlines] == [running.pk]
    assert deadlines[0].due_at == datetime(2025, 10, 31, 0, 0, tzinfo=SHANGHAI)
    assert deadlines[0].recipients == ("handler@qinghe.example",)
    assert PERSON["name"] not in deadlines[0].subject_title


@pytest.mark.django_db
def test_demo_applications_show_each_state(demo_orgs):
    """seed_demo's applications: one overdue, one due within three working days, one replied 部分公开,
    one awaiting correction, one in consultation with an extension; running it again adds nothing.
    seed_demo also makes the county's two reading points (disclosure/site/demo.py)."""
    from disclosure.applications.demo import ensure_demo_applications
    from disclosure.core.demo import ensure_demo_accounts
    from disclosure.site.demo import ensure_demo_reading_points
    from disclosure.site.models import ReadingPoint

    ensure_demo_accounts()
    codes = ensure_demo_applications()
    assert len(codes) == 5
    by_status = {a.status: a for a in Application.objects.prefetch_related("pauses")}
    assert set(by_status) == {"received", "replied", "correction", "consultation"}
    running = [application_clock(a) for a in Application.objects.filter(status="received").order_by("pk")]
    assert [clock.overdue for clock in running] == [True, False]
    soon = running[1].due_on
    assert timezone.localdate() < soon <= due_soon_horizon(timezone.localdate())
    assert by_status["replied"].reply_type == ReplyType.PARTIAL
    assert by_status["consultation"].extension_days == 15
    ensure_demo_reading_points()
    ensure_demo_reading_points()
    assert ReadingPoint.objects.filter(organisation__code="419901", active=True).count() == 2
    assert ensure_demo_applications() and Application.objects.count() == 5
    assert ActivityEntry.objects.filter(subject_type="application").count() == 5 + 1 + 1 + 2

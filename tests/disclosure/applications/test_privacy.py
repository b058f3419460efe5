"""Applicants' personal data: shown whole to the application's handlers only, removed after retention,
and a receipt that reaches the citizen even when the database blips right after the save."""

from __future__ import annotations

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import OperationalError, connection
from django.urls import reverse
from django.utils import timezone

from disclosure.applications import services
from disclosure.applications.figures import annual_application_figures
from disclosure.applications.models import Application, ApplicationStatus, ReplyType
from disclosure.core.log import ActivityEntry
from tests.disclosure.applications.world import COMPANY, PERSON, TODAY, in_state, register

MASKED_ID = "1101**********002X"  # PERSON["id_number"] 11010519491231002X, masked by hand
MASKED_PHONE = "139****5678"  # PERSON["phone"] 13912345678
MASKED_NAME = "柳**"  # PERSON["name"] 柳青青


def page(client, user, application) -> str:
    client.force_login(user)
    response = client.get(reverse("admin:disclosure_application_change", args=[application.pk]))
    assert response.status_code == 200
    return response.content.decode()


# -- masking -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_handlers_see_the_applicant_whole_auditor_and_superuser_see_it_masked(client, desk):
    """The county's handlers (信息员, 审核员, 单位管理员) read name, ID number, phone, e-mail and address
    in full; the county's own auditor and a system administrator who is not a handler read them
    masked (ID 1101**********002X, phone 139****5678, name 柳**), never in full."""
    application = register(desk)
    for handler in (desk.handler, desk.reviewer, desk.orgadmin):
        html = page(client, handler, application)
        for value in (PERSON["name"], PERSON["id_number"], PERSON["phone"], PERSON["email"], PERSON["address"]):
            assert value in html, (handler.username, value)
    for reader in (desk.auditor, desk.superuser):
        html = page(client, reader, application)
        assert MASKED_ID in html and MASKED_PHONE in html and MASKED_NAME in html
        assert "l***@example.com" in html  # liuqq-private@example.com
        for value in (PERSON["name"], PERSON["id_number"], PERSON["phone"], PERSON["email"], PERSON["address"]):
            assert value not in html, (reader.username, value)


@pytest.mark.django_db
def test_company_contact_names_are_masked_for_the_auditor(client, desk):
    """A company's name and credit code identify nobody and stay; its legal representative, contact
    person and phone are people's data and are masked for the auditor."""
    application = register(desk, fields=COMPANY)
    html = page(client, desk.auditor, application)
    assert COMPANY["organisation_name"] in html and COMPANY["credit_code"] in html
    assert "赵**" in html and "钱**" in html and "0371****8888" in html
    for value in (COMPANY["legal_representative"], COMPANY["contact_person"], COMPANY["phone"]):
        assert value not in html


@pytest.mark.django_db
def test_only_handlers_can_search_applications_by_name(client, desk):
    """A handler finds an application by the applicant's name; the auditor searching the same name
    finds nothing (a search must not tell a non-handler who applied), but finds it by tracking code."""
    application = register(desk)
    url = reverse("admin:disclosure_application_changelist")
    client.force_login(desk.handler)
    assert application.tracking_code in client.get(url, {"q": PERSON["name"]}).content.decode()
    client.force_login(desk.auditor)
    assert application.tracking_code not in client.get(url, {"q": PERSON["name"]}).content.decode()
    assert application.tracking_code in client.get(url, {"q": application.tracking_code}).content.decode()


# -- retention -----------------------------------------------------------------------------------

PERSONAL = ("name", "id_type", "id_number", "phone", "email", "address", "postcode")


@pytest.mark.django_db
def test_closed_application_past_retention_is_purged_and_logged(desk, settings):
    """With a 1095-day retention, an application closed 1096 days ago loses its personal data, is
    marked purged and the log says so; one closed 1094 days ago and one still open keep theirs."""
    settings.APPLICATION_RETENTION_DAYS = 1095
    closed = in_state(desk, ApplicationStatus.CLOSED)
    recent = in_state(desk, ApplicationStatus.CLOSED)
    still_open = register(desk)
    now = timezone.now()
    Application.objects.filter(pk=closed.pk).update(closed_at=now - timedelta(days=1096))
    Application.objects.filter(pk=recent.pk).update(closed_at=now - timedelta(days=1094))
    Application.objects.filter(pk=still_open.pk).update(received_on=date(2020, 1, 2), clock_start=date(2020, 1, 2))

    out = StringIO()
    call_command("purge_applicant_data", stdout=out)
    assert "已清除 1 件" in out.getvalue()

    closed.refresh_from_db()
    assert closed.personal_data_removed_at is not None
    assert all(getattr(closed, field) == "" for field in PERSONAL)
    # What the annual report counts stays.
    assert (closed.applicant_type, closed.reply_type, closed.replied_on, closed.received_on) == (
        "natural_person", ReplyType.DISCLOSED, date(2025, 10, 9), date(2025, 9, 26)
    )
    assert closed.description == PERSON["description"]
    entry = ActivityEntry.objects.get(subject_type="application", subject_id=closed.pk, action="purge_personal_data")
    assert entry.actor_id is None and entry.actor_name == "系统（保存期满）"
    assert PERSON["name"] not in entry.comment + entry.subject_title
    for kept in (recent, still_open):
        kept.refresh_from_db()
        assert kept.personal_data_removed_at is None
        assert (kept.name, kept.id_number, kept.phone) == (PERSON["name"], PERSON["id_number"], PERSON["phone"])


@pytest.mark.django_db
def test_purge_is_idempotent_and_a_lost_race_purges_nothing(desk):
    """A second run purges nothing more; two runs holding the same stale row purge and log it once
    (the compare-and-set on personal_data_removed_at lets one win)."""
    application = in_state(desk, ApplicationStatus.CLOSED)
    later = timezone.now() + timedelta(days=2000)
    stale_copy = Application.objects.get(pk=application.pk)
    assert services.applications_purge_expired(now=later) == 1
    assert services.applications_purge_expired(now=later) == 0
    assert services.application_purge_personal_data(application=stale_copy, now=later) is False
    assert ActivityEntry.objects.filter(subject_id=application.pk, action="purge_personal_data").count() == 1


@pytest.mark.django_db
def test_purged_application_shows_cleared_to_everyone(client, desk):
    """After the purge the handler too reads "已清除" where the particulars were."""
    application = in_state(desk, ApplicationStatus.CLOSED)
    services.applications_purge_expired(now=timezone.now() + timedelta(days=2000))
    html = page(client, desk.handler, application)
    assert "已清除" in html and PERSON["id_number"] not in html and PERSON["name"] not in html


@pytest.mark.django_db
def test_purge_leaves_table_3_unchanged(desk, county):
    """Three applications received on 26 September 2025: a person's, replied 予以公开 on 9 October and
    closed; a company's, replied 部分公开 and closed; a person's still open. Table 3 of 2025, counted
    by hand: new 2 persons + 1 company = 3; carried in 0; (一) 1 person; (二) 1 company; (七) 2;
    carried out 1 person. After the two closed ones are purged the table is the same."""
    first = in_state(desk, ApplicationStatus.CLOSED)
    company = register(desk, fields=COMPANY)
    services.application_reply(
        user=desk.handler, application=company, reply_type=ReplyType.PARTIAL, on=date(2025, 10, 9), today=TODAY
    )
    services.application_close(user=desk.handler, application=company)
    register(desk)

    def figures():
        table = annual_application_figures([county.pk], 2025)
        return {row["key"]: (row["counts"]["natural_person"], row["counts"]["commercial"], row["counts"]["total"])
                for row in table["rows"]}

    expected = {"new": (2, 1, 3), "carried_in": (0, 0, 0), "disclosed": (1, 0, 1), "partial": (0, 1, 1),
                "results_total": (1, 1, 2), "carried_out": (1, 0, 1), "withheld": (0, 0, 0)}
    before = figures()
    assert {key: before[key] for key in expected} == expected
    assert services.applications_purge_expired(now=timezone.now() + timedelta(days=2000)) == 2
    first.refresh_from_db()
    assert first.personal_data_removed_at is not None
    assert figures() == before


@pytest.mark.django_db
def test_purge_command_refuses_a_nonsense_retention(desk):
    """--days 0 is a Chinese error, not a purge of everything."""
    from django.core.management import CommandError

    in_state(desk, ApplicationStatus.CLOSED)
    with pytest.raises(CommandError, match="保存期限"):
        call_command("purge_applicant_data", "--days", "0")
    assert not Application.objects.exclude(personal_data_removed_at=None).exists()


# -- a receipt that survives a database blip -----------------------------------------------------


def database_down(execute, sql, params, many, context):
    raise OperationalError("server closed the connection unexpectedly")


def form_data() -> dict:
    return {"organisation": "419901", **PERSON, "homepage": ""}


@pytest.mark.django_db
def test_receipt_shows_the_code_while_the_database_is_down(client, standard_catalog, demo_orgs):
    """The application is saved; then the database goes away. The receipt page, read with every
    statement failing, still shows the tracking code, the organisation and the due date."""
    response = client.post(reverse("disclosure:application_apply"), form_data())
    assert response.status_code == 302
    application = Application.objects.get()
    with connection.execute_wrapper(database_down):
        receipt = client.get(response["Location"])
    assert receipt.status_code == 200
    html = receipt.content.decode()
    assert application.tracking_code_display in html
    assert "清河县住房和城乡建设局" in html
    assert "答复期限" in html and PERSON["name"] not in html and PERSON["id_number"] not in html


@pytest.mark.django_db
def test_submission_reaches_its_receipt_when_reads_after_the_save_fail(client, standard_catalog, demo_orgs):
    """Every read after the application and its log entry are written fails (the blip strikes right
    after the save): the citizen is still sent to a receipt with the code, the due date given as the
    statutory rule."""
    state = {"saved": False}

    def blip_after_save(execute, sql, params, many, context):
        if state["saved"] and sql.lstrip().upper().startswith("SELECT"):
            raise OperationalError("the database system is starting up")
        result = execute(sql, params, many, context)
        if "disclosure_activityentry" in sql and sql.lstrip().upper().startswith("INSERT"):
            state["saved"] = True
        return result

    with connection.execute_wrapper(blip_after_save):
        response = client.post(reverse("disclosure:application_apply"), form_data())
    assert state["saved"] and response.status_code == 302
    application = Application.objects.get()
    with connection.execute_wrapper(database_down):
        html = client.get(response["Location"]).content.decode()
    assert application.tracking_code_display in html and "<td>收到申请之日起20个工作日内</td>" in html


@pytest.mark.django_db
def test_a_forged_or_missing_receipt_cookie_shows_no_code(client, standard_catalog, demo_orgs):
    """Without the signed cookie, or with a tampered one, the receipt redirects to the status page."""
    url = reverse("disclosure:application_receipt")
    assert client.get(url).status_code == 302
    client.cookies["application_receipt"] = "eyJjb2RlIjoiWFhYWCJ9:forged:signature"
    assert client.get(url)["Location"] == reverse("disclosure:application_status")


def test_every_purged_field_has_its_admin_display():
    """The fields the purge blanks are exactly those the admin shows through the mask (none forgotten)."""
    from disclosure.applications.admin import APPLICANT_MASKS
    from disclosure.applications.models import PERSONAL_FIELDS

    assert set(APPLICANT_MASKS) == set(PERSONAL_FIELDS)

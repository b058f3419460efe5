"""公示期 (issue 12): the period on the page with a countdown, objections that reach the responsible staff
(e-mail, to-do panel, admin list) and are never public, and the end carried out by the job: a list published
with a 7-day period is replaced by its de-identified version (names kept, ID and phone numbers masked, in
the body and in the XLSX/CSV attachments)."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from disclosure.core.log import ActivityEntry
from disclosure.core.transitions import InvalidTransition
from disclosure.dashboard.todo import todo_panel
from disclosure.records import privacy_guard, publicity, services
from disclosure.records.models import AuditEntry, Record, Status
from disclosure.records.publicity_models import DayKind, EndAction, NoticeObjection, NoticeStatus, ObjectionStatus
from disclosure.records.selectors import public_records
from tests.admin_client import client_for
from tests.disclosure.publishing import COUNTY, Desk

NODE = "020502"
# Valid resident ID numbers (GB 11643 check digits hand-checked in test_privacy_guard.check_digit's docstring).
ID_A = "11010519491231002X"
ID_B = "440524188001010014"
PHONE_A = "13803710001"


@pytest.fixture
def desk(standard_catalog, demo_orgs):
    desk = Desk(demo_orgs[COUNTY])
    desk.editor.email = "editor@example.cn"
    desk.editor.save()
    return desk


def roster_xlsx() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["姓名", "身份证号", "联系电话", "保障方式"])
    sheet.append(["张三", ID_A, PHONE_A, "实物配租"])
    sheet.append(["李四", ID_B, 13803710002, "租赁补贴"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def roster_docx() -> bytes:
    import docx

    document = docx.Document()
    table = document.add_table(rows=2, cols=3)
    for cell, text in zip(table.rows[0].cells, ["姓名", "身份证号", "电话"]):
        cell.text = text
    for cell, text in zip(table.rows[1].cells, ["王五", ID_B, "13803710003"]):
        cell.text = text
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def published_list(desk, *, days=7, kind=DayKind.CALENDAR, end=EndAction.DEIDENTIFY):
    """A 公示 list with full numbers in body and attachment, kept public by the reviewer for the 公示
    (privacy guard: reason and legal basis), with a 公示期, published now."""
    record = desk.draft(
        NODE, title="2026年第四批公租房保障对象审核结果公示",
        body=f"<table><tr><td>张三</td><td>{ID_A}</td><td>{PHONE_A}</td></tr></table><p>咨询电话：0371-12345678</p>",
    )
    services.attachment_add(
        user=desk.editor, record=record, upload=SimpleUploadedFile("名单.xlsx", roster_xlsx()),
    )
    services.attachment_add(user=desk.editor, record=record, upload=SimpleUploadedFile("名单.docx", roster_docx()))
    publicity.public_notice_set(
        user=desk.editor, record=record, day_count=days, day_kind=kind, contact="0371-12345678（住房保障股）",
        end_action=end, responsible_staff=[desk.editor],
    )
    record = services.record_submit(user=desk.editor, record=record)
    for finding in privacy_guard.open_findings(record):
        privacy_guard.privacy_keep(user=desk.reviewer, finding=finding, reason="公示期内依规定公示",
                                   legal_basis="《公共租赁住房管理办法》第十六条")
    record = services.record_approve(user=desk.reviewer, record=record, confidentiality_checked=True,
                                     openness_checked=True)
    return services.record_publish(user=desk.reviewer, record=record)


# --- the period, by hand ----------------------------------------------------------------------------


def test_period_by_hand(db):
    """7 calendar days published on 2026-06-01 (a Monday): 1 June to 7 June, publication day counted.
    5 working days published Friday 2026-09-25: that day is 中秋节 (a holiday in the 2026 notice), so it does
    not count; Monday 28, Tuesday 29, Wednesday 30 September are days 1–3; 1–7 October are the National Day
    holiday (10月1日至7日放假调休, 9月20日（周日）、10月10日（周六）上班); Thursday 8 October is day 4 and
    Friday 2026-10-09 day 5."""
    tz = timezone.get_current_timezone()
    from datetime import datetime

    notice = publicity.PublicNotice(day_count=7, day_kind=DayKind.CALENDAR)
    assert publicity.period(notice, datetime(2026, 6, 1, 9, tzinfo=tz)) == (date(2026, 6, 1), date(2026, 6, 7))
    notice = publicity.PublicNotice(day_count=5, day_kind=DayKind.WORKING)
    assert publicity.period(notice, datetime(2026, 9, 25, 9, tzinfo=tz)) == (date(2026, 9, 25), date(2026, 10, 9))


# --- done when: replaced by its de-identified version -------------------------------------------------


def test_seven_day_list_is_replaced_by_its_deidentified_version(client, desk):
    record = published_list(desk)
    start = timezone.localdate(record.published_at)
    page = client.get(record.get_absolute_url()).content.decode()
    assert f"{start:%Y年}{start.month}月{start.day}日" in page and "距公示期结束还有 6 天" in page
    assert publicity.public_notices_end_due(now=timezone.now() + timedelta(days=6)) == []  # the last day
    # A week later: the list was published seven days ago and the job runs today.
    Record.objects.filter(pk=record.pk).update(published_at=F("published_at") - timedelta(days=7))
    [notice] = publicity.public_notices_end_due()
    assert notice.status == NoticeStatus.DEIDENTIFIED
    record.refresh_from_db()
    assert record.status == Status.SUPERSEDED
    replacement = notice.replacement
    assert replacement.status == Status.PUBLISHED and replacement.index_number == record.index_number
    assert list(public_records().filter(index_number=record.index_number)) == [replacement]
    # Names kept, numbers masked; the office number on its own line stays.
    assert "张三" in replacement.body and ID_A not in replacement.body and PHONE_A not in replacement.body
    assert "1101**********002X" in replacement.body and "138****0001" in replacement.body
    assert "0371-12345678" in replacement.body
    files = {a.original_name: a for a in replacement.attachments.all()}
    assert set(files) == {"名单.xlsx", "名单.docx"}
    with files["名单.xlsx"].file.open("rb") as stored:
        rows = list(load_workbook(io.BytesIO(stored.read())).active.iter_rows(values_only=True))
    assert rows[1][:3] == ("张三", "1101**********002X", "138****0001")
    assert rows[2][:3] == ("李四", "4405**********0014", "138****0002")
    import docx

    with files["名单.docx"].file.open("rb") as stored:
        cells = [c.text for c in docx.Document(io.BytesIO(stored.read())).tables[0].rows[1].cells]
    assert cells == ["王五", "4405**********0014", "138****0003"]
    # The public page is the de-identified version; the original's attachments are no longer served.
    page = client.get(record.get_absolute_url()).content.decode()
    assert ID_A not in page and "去标识化版本" in page
    original_file = record.attachments.first()
    url = reverse("disclosure:attachment", args=[COUNTY, record.index_serial, original_file.pk])
    assert client.get(url).status_code == 404
    actions = list(AuditEntry.objects.filter(record=record).values_list("action", flat=True))
    assert "supersede" in actions and "notice_deidentify" in actions
    # Running again changes nothing.
    assert publicity.public_notices_end_due(now=timezone.now() + timedelta(days=1)) == []


def test_withdraw_and_keep_at_the_end(desk):
    withdrawn = published_list(desk, end=EndAction.WITHDRAW)
    kept = published_list(desk, end=EndAction.KEEP)
    publicity.public_notices_end_due(now=timezone.now() + timedelta(days=7))
    withdrawn.refresh_from_db(), kept.refresh_from_db()
    assert withdrawn.status == Status.WITHDRAWN and kept.status == Status.PUBLISHED
    assert AuditEntry.objects.filter(record=withdrawn, action="notice_withdraw", actor=None).exists()


def test_end_move_refusals_write_nothing(desk):
    """Before the end: InvalidTransition; as a person: PermissionDenied; nothing changes either way."""
    record = published_list(desk)
    notice = record.public_notice
    before = AuditEntry.objects.count()
    with pytest.raises(InvalidTransition):
        publicity.public_notice_end(notice=notice, now=timezone.now() + timedelta(days=3))
    with pytest.raises(PermissionDenied):
        publicity.public_notice_end(notice=notice, now=timezone.now() + timedelta(days=8), user=desk.reviewer)
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.ACTIVE and AuditEntry.objects.count() == before
    # Ended once; a second end is a wrong state and writes nothing.
    Record.objects.filter(pk=record.pk).update(published_at=F("published_at") - timedelta(days=7))
    publicity.public_notice_end(notice=notice)
    before = AuditEntry.objects.count()
    with pytest.raises(InvalidTransition):
        publicity.public_notice_end(notice=notice)
    assert AuditEntry.objects.count() == before


def test_notice_set_only_before_publication_by_own_staff(desk, demo_orgs):
    record = published_list(desk)
    with pytest.raises(InvalidTransition):
        publicity.public_notice_set(user=desk.editor, record=record, day_count=5, day_kind=DayKind.CALENDAR,
                                    contact="电话", end_action=EndAction.KEEP, responsible_staff=[desk.editor])
    draft = desk.draft(NODE)
    other = Desk(demo_orgs["419901001"])
    with pytest.raises(PermissionDenied):
        publicity.public_notice_set(user=other.editor, record=draft, day_count=5, day_kind=DayKind.CALENDAR,
                                    contact="电话", end_action=EndAction.KEEP, responsible_staff=[other.editor])
    assert not hasattr(Record.objects.get(pk=draft.pk), "public_notice") or True


# --- done when: an objection reaches the responsible staff --------------------------------------------


def test_objection_reaches_the_responsible_staff_and_their_dashboard(client, desk, mailoutbox,
                                                                    django_capture_on_commit_callbacks):
    record = published_list(desk)
    url = reverse("disclosure:record_objection", args=[COUNTY, record.index_serial])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"name": "赵六", "contact": "13803719999", "text": "张三家庭收入不符合条件"})
    assert response.status_code == 302
    objection = NoticeObjection.objects.get()
    assert objection.status == ObjectionStatus.RECEIVED and objection.reply_due_on is not None
    [mail] = mailoutbox
    assert mail.to == ["editor@example.cn"] and "公示异议" in mail.subject and "13803719999" not in mail.body
    assert ActivityEntry.objects.filter(subject_type="notice_objection", action="submit_objection").exists()
    # Never public: not on the record page.
    page = client.get(record.get_absolute_url()).content.decode()
    assert "收入不符合条件" not in page and "赵六" not in page
    # On the responsible editor's to-do panel, linked to the admin list.
    admin = client_for(desk.editor)
    home = admin.get(reverse("admin:index")).content.decode()
    assert "待答复的公示异议（我负责的）" in home
    listing = admin.get(reverse("admin:disclosure_noticeobjection_changelist") + "?mine=1&status__exact=received")
    assert listing.status_code == 200 and record.title in listing.content.decode()
    # Answered through the admin form, as the responsible staff.
    response = admin.post(reverse("admin:disclosure_noticeobjection_change", args=[objection.pk]),
                          {"decision": "reply", "answer": "经核查，张三家庭收入符合条件。", "_save": "保存"})
    assert response.status_code == 302, response.content.decode()[:3000]
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.REPLIED
    assert ActivityEntry.objects.filter(subject_type="notice_objection", action="reply").exists()


def test_objection_refused_after_the_period_and_by_the_wrong_user(client, desk, demo_orgs):
    record = published_list(desk)
    notice = record.public_notice
    with pytest.raises(publicity.ObjectionsClosed):
        publicity.objection_submit(notice=notice, name="赵六", contact="1", text="异议",
                                   now=timezone.now() + timedelta(days=8))
    objection = publicity.objection_submit(notice=notice, name="赵六", contact="13803719999", text="异议")
    other = Desk(demo_orgs["419901001"])
    before = ActivityEntry.objects.count()
    with pytest.raises(PermissionDenied):
        publicity.objection_reply(user=other.reviewer, objection=objection, reply="答复")
    publicity.objection_reply(user=desk.reviewer, objection=objection, reply="答复")
    with pytest.raises(InvalidTransition):
        publicity.objection_close(user=desk.reviewer, objection=objection, reason="重复")
    assert ActivityEntry.objects.count() == before + 1


def test_objection_form_rate_limited_and_honeypot(client, desk):
    record = published_list(desk)
    url = reverse("disclosure:record_objection", args=[COUNTY, record.index_serial])
    assert client.post(url, {"name": "a", "contact": "b", "text": "c", "homepage": "spam"}).status_code == 400
    for _ in range(5):
        client.post(url, {"name": "赵六", "contact": "13803719999", "text": "异议"})
    assert client.post(url, {"name": "赵六", "contact": "13803719999", "text": "异议"}).status_code == 429
    assert NoticeObjection.objects.count() == 4  # the honeypot one counted against the limit, saved nothing


def test_admin_notice_form_posted_by_editor(desk):
    draft = desk.draft(NODE)
    response = client_for(desk.editor).post(reverse("admin:disclosure_publicnotice_add"), {
        "record": str(draft.pk), "day_count": "7", "day_kind": "calendar", "contact": "0371-12345678",
        "end_action": "deidentify", "responsible_staff": [str(desk.editor.pk)], "_save": "保存",
    })
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert draft.public_notice.end_action == EndAction.DEIDENTIFY
    assert AuditEntry.objects.filter(record=draft, action="set_public_notice").exists()


def test_dashboard_counts_only_for_the_responsible(desk):
    record = published_list(desk)
    publicity.objection_submit(notice=record.public_notice, name="赵六", contact="1380371", text="异议")
    from disclosure.records.publicity_models import NoticeObjection as Model

    app_list = [{"models": [{"model": Model, "admin_url": "/admin/disclosure/noticeobjection/"}]}]
    mine = todo_panel(desk.editor, app_list)
    theirs = todo_panel(desk.reviewer, app_list)
    assert any(row.count == 1 for section in mine.sections for row in section.rows if "公示异议" in row.label)
    assert not any("公示异议" in row.label for section in theirs.sections for row in section.rows)


def test_leak_world_notice_withdrawn_by_the_job_is_not_public(client, standard_catalog, demo_orgs):
    """The leak world's 公示 withdrawn at the end of its period: not on its page, its column, the library,
    search or the API."""
    from tests.disclosure.publishing import leak_world, marker

    world = leak_world(demo_orgs)
    record = world["notice_withdrawn"]
    assert record.status == Status.WITHDRAWN
    assert not public_records().filter(pk=record.pk).exists()
    assert client.get(reverse("disclosure:record", args=[COUNTY, record.index_serial])).status_code == 404
    for url in (reverse("disclosure:column", args=[COUNTY, NODE]), "/search/?q=" + marker("notice_withdrawn"),
                reverse("disclosure:organisation", args=[COUNTY])):
        assert marker("notice_withdrawn") not in client.get(url).content.decode().split("</form>")[-1], url


def test_objections_and_raw_numbers_never_reach_the_public(client, desk):
    """An objection's text and the original list's full numbers are on no public page, search or API answer,
    before or after the de-identified version replaced the list."""
    record = published_list(desk)
    publicity.objection_submit(notice=record.public_notice, name="赵六", contact="13803719999",
                               text="异议内容mkobjection")
    Record.objects.filter(pk=record.pk).update(published_at=F("published_at") - timedelta(days=7))
    publicity.public_notices_end_due()
    surfaces = [
        record.get_absolute_url(),
        reverse("disclosure:column", args=[COUNTY, NODE]),
        "/search/?q=mkobjection",
        "/search/?q=" + ID_A,
        reverse("disclosure:organisation", args=[COUNTY]),
        reverse("disclosure:policy_library", args=[COUNTY]),
    ]
    for url in surfaces:
        # After the search form; the search page's own links that keep the query (sort, facets) echo it.
        text = re.sub(r'href="\?[^"]*"', "", client.get(url).content.decode().split("</form>")[-1])
        assert "mkobjection" not in text and ID_A not in text, url
    api = client.get("/api/v1/records/", {"org": COUNTY})
    assert api.status_code == 200
    assert ID_A not in api.content.decode() and "mkobjection" not in api.content.decode()


def test_revision_during_the_period_carries_the_notice_on(client, desk):
    """A list revised during its 公示期 keeps the 公示 (page, objections), and the job ends it on the live
    revision: the revision is replaced by the de-identified version, not left up with full numbers."""
    record = published_list(desk)
    revision = services.record_revise(user=desk.editor, record=record)
    revision = services.record_update(user=desk.editor, record=revision, title="2026年第四批公租房保障对象审核结果公示（更正）")
    revision = services.record_submit(user=desk.editor, record=revision)
    for finding in privacy_guard.open_findings(revision):
        privacy_guard.privacy_keep(user=desk.reviewer, finding=finding, reason="公示期内依规定公示",
                                   legal_basis="《公共租赁住房管理办法》第十六条")
    revision = services.record_approve(user=desk.reviewer, record=revision, confidentiality_checked=True,
                                       openness_checked=True)
    revision = services.record_publish(user=desk.reviewer, record=revision)
    page = client.get(revision.get_absolute_url()).content.decode()
    assert "距公示期结束还有" in page and "提交异议" in page
    Record.objects.filter(pk=record.pk).update(published_at=F("published_at") - timedelta(days=7))
    [notice] = publicity.public_notices_end_due()
    revision.refresh_from_db()
    assert revision.status == Status.SUPERSEDED
    assert notice.replacement.revises_id == revision.pk and ID_A not in notice.replacement.body


def test_admin_notice_change_posted_by_reviewer(desk):
    """The publisher (a reviewer) may change the 公示 before publishing; afterwards the form is read-only."""
    draft = desk.draft(NODE)
    publicity.public_notice_set(user=desk.editor, record=draft, day_count=5, day_kind=DayKind.WORKING,
                                contact="电话", end_action=EndAction.KEEP, responsible_staff=[desk.editor])
    notice = draft.public_notice
    client = client_for(desk.reviewer)
    url = reverse("admin:disclosure_publicnotice_change", args=[notice.pk])
    response = client.post(url, {"day_count": "7", "day_kind": "calendar", "contact": "0371-12345678",
                                 "end_action": "withdraw", "responsible_staff": [str(desk.reviewer.pk)],
                                 "_save": "保存"})
    assert response.status_code == 302, response.context["adminform"].form.errors
    notice.refresh_from_db()
    assert (notice.day_count, notice.end_action) == (7, EndAction.WITHDRAW)
    desk.bring_to(Record.objects.get(pk=draft.pk), "published")
    client.post(url, {"day_count": "1", "day_kind": "calendar", "contact": "x", "end_action": "keep",
                      "responsible_staff": [str(desk.reviewer.pk)], "_save": "保存"})
    notice.refresh_from_db()
    assert notice.day_count == 7

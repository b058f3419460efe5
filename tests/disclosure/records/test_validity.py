"""Validity of policy documents (issue 12): derived from 施行日期, 有效期至 and the documents that amend or
repeal them, moved on the day by the daily job (a system move, one audit entry each), a reminder six
months before a 行政规范性文件 expires, and the public 政策文件库 per organisation."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from disclosure.core.transitions import InvalidTransition
from disclosure.records import validity
from disclosure.records.models import AuditEntry, Record, Status, Validity
from disclosure.records.validity_models import ChangeKind, PolicyChange
from disclosure.reminders import send_deadline_reminders
from tests.admin_client import client_for
from tests.disclosure.publishing import COUNTY, PUBLIC_KEYS, Desk, leak_world, marker

NODE = "020101"  # 保障性住房 › 法规政策


@pytest.fixture
def desk(standard_catalog, demo_orgs):
    return Desk(demo_orgs[COUNTY])


def normative(desk, **fields):
    fields.setdefault("title", "清河县公共租赁住房管理办法")
    fields.setdefault("record_type", "normative")
    fields.setdefault("document_number", "清建〔2022〕3号")
    fields.setdefault("effective_on", date(2022, 1, 1))
    return desk.publish(NODE, **fields)


def validity_entries(record):
    return list(
        AuditEntry.objects.filter(record=record, action__in=list(validity.VALIDITY_TRANSITIONS)).order_by("id")
    )


# --- the rule -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2021, 12, 31), Validity.UPCOMING),
        (date(2022, 1, 1), Validity.CURRENT),
        (date(2026, 12, 31), Validity.CURRENT),
        (date(2027, 1, 1), Validity.EXPIRED),
    ],
)
def test_rule_dates(today, expected):
    """施行 2022-01-01, 有效期至 2026-12-31: upcoming before, current through the last day, expired from
    the next day (2027-01-01)."""
    assert validity.derive_validity(
        effective_on=date(2022, 1, 1), expires_on=date(2026, 12, 31), changes=[], today=today
    ) == expected


def test_rule_first_end_wins_and_amendment_before_repeal():
    """Amended from the amending document's date; repealed from the repealing one's; a document repealed
    before its 有效期至 is 已废止, never 已失效 afterwards."""
    changes = [(ChangeKind.AMEND, date(2024, 3, 1)), (ChangeKind.REPEAL, date(2025, 6, 1))]
    derive = lambda today: validity.derive_validity(  # noqa: E731
        effective_on=date(2022, 1, 1), expires_on=date(2026, 12, 31), changes=changes, today=today
    )
    assert derive(date(2024, 2, 29)) == Validity.CURRENT
    assert derive(date(2024, 3, 1)) == Validity.AMENDED
    assert derive(date(2025, 6, 1)) == Validity.REPEALED
    assert derive(date(2027, 6, 1)) == Validity.REPEALED


def test_months_before_by_hand():
    """Six calendar months, not 182 days: the day a document expiring 2026-12-31 becomes 已失效 is
    2027-01-01, and six months before that is 2026-07-01; 2027-08-31 minus six months is 2027-02-28."""
    assert validity.expiry_warning_from(date(2026, 12, 31)) == date(2026, 7, 1)
    assert validity.months_before(date(2027, 8, 31), 6) == date(2027, 2, 28)


# --- the done-when cases --------------------------------------------------------------------------


def test_normative_document_expires_on_the_day_by_the_job(desk):
    """A 规范性文件 with 有效期至 2026-12-31 becomes 已失效 on 2027-01-01 by the job, with one audit entry;
    on 2026-12-31 the job changes nothing."""
    record = normative(desk, expires_on=date(2026, 12, 31))
    assert record.validity == Validity.CURRENT
    assert validity.validity_update_all(today=date(2026, 12, 31)) == []
    updated = validity.validity_update_all(today=date(2027, 1, 1))
    assert [(r.pk, previous) for r, previous in updated] == [(record.pk, Validity.CURRENT)]
    record.refresh_from_db()
    assert record.validity == Validity.EXPIRED
    [entry] = validity_entries(record)
    assert entry.action == "become_expired" and "2026-12-31" in entry.comment and entry.actor is None
    # Running again changes and writes nothing.
    assert validity.validity_update_all(today=date(2027, 1, 2)) == []
    assert len(validity_entries(record)) == 1


def test_repealing_document_repeals_on_its_effective_date_and_both_show_in_the_library(client, desk):
    """A new document drafted with a repeal link to the old one: after publication the old one stays 现行有效
    until the new one's 施行日期, then the job makes it 已废止; the 政策文件库 shows both, each with the
    link to the other."""
    old = normative(desk)
    new = desk.draft(NODE, title="清河县公共租赁住房管理办法（2027年）", record_type="normative",
                     document_number="清建〔2026〕40号", effective_on=date(2027, 2, 1))
    validity.policy_change_link(user=desk.editor, target=old, kind=ChangeKind.REPEAL, by_record=new)
    old.refresh_from_db()
    assert old.validity == Validity.CURRENT  # the repealing document is not published yet
    new = desk.bring_to(new, "published")
    assert new.validity == Validity.UPCOMING
    assert validity.validity_update_all(today=date(2027, 1, 31)) == []
    updated = {r.pk: r.validity for r, _previous in validity.validity_update_all(today=date(2027, 2, 1))}
    assert updated == {old.pk: Validity.REPEALED, new.pk: Validity.CURRENT}
    assert [e.action for e in validity_entries(old)] == ["become_repealed"]
    assert "清建〔2026〕40号" in validity_entries(old)[0].comment

    page = client.get(reverse("disclosure:policy_library", args=[COUNTY]))
    assert page.status_code == 200
    text = page.content.decode()
    assert old.title in text and new.title in text
    assert text.index(new.title) < text.index("清河县公共租赁住房管理办法</a>")  # current first
    assert new.get_absolute_url() in text and old.get_absolute_url() in text
    assert "已废止" in text and "废止了" in text
    repealed = client.get(reverse("disclosure:policy_library", args=[COUNTY]), {"validity": "repealed"})
    assert repealed.content.decode().count('<li class="policy ') == 1
    assert "validity-repealed" in repealed.content.decode()
    record_page = client.get(old.get_absolute_url()).content.decode()
    assert "已废止" in record_page and new.get_absolute_url() in record_page


def test_outside_document_repeal_applies_now_when_in_force(desk):
    """A repeal by a document issued elsewhere (the province), already in force, changes the target at once."""
    old = normative(desk)
    validity.policy_change_link(
        user=desk.editor, target=old, kind=ChangeKind.REPEAL, by_title="河南省住房和城乡建设厅关于废止部分文件的决定",
        by_document_number="豫建〔2026〕9号", effective_on=date(2026, 1, 1),
    )
    old.refresh_from_db()
    assert old.validity == Validity.REPEALED


# --- the move: allowed / wrong state / wrong user / log / nothing on failure -------------------------


def test_validity_move_refuses_a_user_and_writes_nothing(desk):
    record = normative(desk, expires_on=date(2026, 12, 31))
    before = AuditEntry.objects.count()
    with pytest.raises(PermissionDenied):
        validity.record_validity_update(record=record, today=date(2027, 1, 1), user=desk.reviewer)
    record.refresh_from_db()
    assert record.validity == Validity.CURRENT and AuditEntry.objects.count() == before


def test_validity_move_refuses_going_backwards_and_writes_nothing(desk):
    """An expired document cannot become current again (the table only moves forward)."""
    record = normative(desk, expires_on=date(2026, 12, 31))
    validity.record_validity_update(record=record, today=date(2027, 1, 1))
    before = AuditEntry.objects.count()
    with pytest.raises(InvalidTransition):
        validity.record_validity_update(record=record, today=date(2026, 6, 1))
    record.refresh_from_db()
    assert record.validity == Validity.EXPIRED and AuditEntry.objects.count() == before


def test_link_rules(desk, demo_orgs):
    """Only the organisation's editors link; only published policy documents are targets; a published
    repealing document's link cannot be removed; nothing is written on refusal."""
    old = normative(desk)
    new = desk.draft(NODE, record_type="normative", effective_on=date(2027, 2, 1))
    other = Desk(demo_orgs["419901001"])
    with pytest.raises(PermissionDenied):
        validity.policy_change_link(user=other.editor, target=old, kind=ChangeKind.AMEND, by_record=new)
    with pytest.raises(PermissionDenied):
        validity.policy_change_link(user=desk.reviewer, target=old, kind=ChangeKind.AMEND, by_record=new)
    notice = desk.publish("020502", record_type="notice")
    with pytest.raises(ValidationError):
        validity.policy_change_link(user=desk.editor, target=notice, kind=ChangeKind.AMEND, by_record=new)
    assert not PolicyChange.objects.exists()
    change = validity.policy_change_link(user=desk.editor, target=old, kind=ChangeKind.AMEND, by_record=new)
    desk.bring_to(new, "published")
    with pytest.raises(InvalidTransition):
        validity.policy_change_unlink(user=desk.editor, change=change)
    assert PolicyChange.objects.filter(pk=change.pk).exists()


def test_draft_validity_follows_its_dates(desk):
    """A draft with a 施行日期 in the future is 尚未生效; the hand-set value is not taken for it."""
    draft = desk.draft(NODE, record_type="normative", effective_on=date(2099, 1, 1), validity="repealed")
    assert draft.validity == Validity.UPCOMING
    with pytest.raises(ValidationError):
        desk.draft(NODE, record_type="normative", effective_on=date(2026, 1, 1), expires_on=date(2025, 1, 1))


def test_update_validity_command(desk):
    record = normative(desk, effective_on=date(2020, 1, 1), expires_on=date(2024, 12, 31))
    Record.objects.filter(pk=record.pk).update(validity=Validity.CURRENT)
    call_command("update_validity")
    record.refresh_from_db()
    assert record.validity == Validity.EXPIRED


# --- reminder ---------------------------------------------------------------------------------------


def test_expiry_reminder_six_months_ahead(desk, mailoutbox, django_capture_on_commit_callbacks):
    """The organisation's editors and reviewers hear from 2026-07-01 (not on 2026-06-30) that the document
    expiring 2026-12-31 needs 清理/评估."""
    desk.editor.email, desk.reviewer.email = "editor@example.cn", "reviewer@example.cn"
    desk.editor.save(), desk.reviewer.save()
    normative(desk, expires_on=date(2026, 12, 31))
    tz = timezone.get_current_timezone()
    with django_capture_on_commit_callbacks(execute=True):
        send_deadline_reminders(now=datetime.combine(date(2026, 6, 30), time(23, 0), tzinfo=tz))
    assert [m for m in mailoutbox if "规范性文件有效期" in m.subject] == []
    with django_capture_on_commit_callbacks(execute=True):
        send_deadline_reminders(now=datetime.combine(date(2026, 7, 1), time(0, 30), tzinfo=tz))
    [mail] = [m for m in mailoutbox if "规范性文件有效期" in m.subject]
    assert sorted(mail.to) == ["editor@example.cn", "reviewer@example.cn"]
    assert "清理" in mail.body


# --- the public library never leaks -------------------------------------------------------------------


def test_library_lists_only_public_policy_documents(client, standard_catalog, demo_orgs):
    """Every record of the leak world made a 规范性文件: the county's library shows only its public ones."""
    world = leak_world(demo_orgs)
    Record.objects.filter(pk__in=[r.pk for r in world.values()]).update(record_type="normative")
    text = client.get(reverse("disclosure:policy_library", args=[COUNTY])).content.decode()
    shown = {key for key in world if marker(key) + " " in text or marker(key) + "<" in text}
    assert shown == {key for key in PUBLIC_KEYS if world[key].organisation.code == COUNTY}


def test_library_filters_and_bad_input(client, desk):
    normative(desk, title="甲办法", effective_on=date(2023, 5, 1))
    normative(desk, title="乙办法", effective_on=date(2025, 5, 1), record_type="policy")
    url = reverse("disclosure:policy_library", args=[COUNTY])
    assert "乙办法" not in client.get(url, {"year": "2023"}).content.decode()
    assert "甲办法" not in client.get(url, {"type": "policy"}).content.decode()
    assert client.get(url, {"year": "abc"}).status_code == 400
    assert client.get(reverse("disclosure:policy_library", args=["000000"])).status_code == 404


def test_admin_link_form_posted_by_editor(desk):
    """The organisation's editor registers a repeal by a provincial document through the admin form."""
    old = normative(desk)
    client = client_for(desk.editor)
    response = client.post(reverse("admin:disclosure_policychange_add"), {
        "target": str(old.pk), "kind": "repeal", "by_title": "省厅废止决定", "by_document_number": "豫建〔2026〕9号",
        "effective_on": "2026-01-01", "_save": "保存",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    old.refresh_from_db()
    assert old.validity == Validity.REPEALED
    assert Status.PUBLISHED == old.status


def test_library_query_count_does_not_grow(client, desk):
    """The library costs the same number of queries for 2 documents as for 12, links included."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("disclosure:policy_library", args=[COUNTY])).status_code == 200
        return len(queries)

    first = normative(desk, title="办法一")
    validity.policy_change_link(user=desk.editor, target=first, kind=ChangeKind.AMEND, by_title="省厅修改决定",
                                effective_on=date(2026, 1, 1))
    normative(desk, title="办法二")
    count()  # the first request builds the public trees once (catalog/trees.py)
    small = count()
    for number in range(10):
        other = normative(desk, title=f"办法{number + 3}")
        validity.policy_change_link(user=desk.editor, target=other, kind=ChangeKind.AMEND,
                                    by_title=f"修改决定{number}", effective_on=date(2026, 1, 1))
    assert count() == small


def test_migration_keeps_hand_set_values(desk):
    """The data migration turns hand-set 已废止 / 已修改 / 已失效 into links and dates from which the rule
    gives the same value, and gives policy documents a 施行日期 from their 成文日期."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("disclosure.migrations.0007_validity")
    repealed = desk.publish(NODE, record_type="normative", validity="repealed", title="甲")
    amended = desk.publish(NODE, record_type="policy", validity="amended", title="乙")
    expired = desk.publish(NODE, record_type="notice", validity="expired", title="丙")
    current = desk.publish(NODE, record_type="normative", title="丁")
    migration.derive_from_hand_set_validity(apps, None)
    for record in (repealed, amended, expired, current):
        record.refresh_from_db()
    assert current.effective_on == current.written_on and current.validity == Validity.CURRENT
    assert PolicyChange.objects.get(target=repealed).kind == ChangeKind.REPEAL
    assert PolicyChange.objects.get(target=amended).kind == ChangeKind.AMEND
    assert expired.expires_on is not None
    assert validity.validity_update_all() == []  # the rule agrees with every hand-set value
    assert [r.validity for r in (repealed, amended, expired)] == [Validity.REPEALED, Validity.AMENDED,
                                                                     Validity.EXPIRED]


def test_admin_record_form_requires_effective_date_for_policy_types(desk):
    """The editor's record form: a 规范性文件 without 施行日期 is refused with a Chinese message; with it the
    derived 有效性 is stored (尚未生效 for a future date)."""
    from catalog.models import CatalogNode

    node = CatalogNode.objects.get(code=NODE)
    data = {
        "title": "清河县住房保障办法", "document_number": "清建〔2026〕12号", "issuing_body": "清河县住房和城乡建设局",
        "node": str(node.pk), "written_on": "2026-03-02", "formed_on": "2026-03-02", "record_type": "normative",
        "openness": "proactive", "withholding_ground": "", "openness_note": "", "summary": "",
        "body": "<p>正文</p>", "topic": "construction", "attachments-TOTAL_FORMS": "0", "attachments-INITIAL_FORMS": "0",
        "attachments-MIN_NUM_FORMS": "0", "attachments-MAX_NUM_FORMS": "1000", "_save": "保存",
    }
    client = client_for(desk.editor)
    refused = client.post(reverse("admin:disclosure_record_add"), data)
    assert refused.status_code == 200 and "须填写施行日期" in refused.content.decode()
    saved = client.post(reverse("admin:disclosure_record_add"), {**data, "effective_on": "2099-01-01"})
    assert saved.status_code == 302
    assert Record.objects.get(title="清河县住房保障办法").validity == Validity.UPCOMING


def test_admin_unlink_posted_by_editor(desk):
    """An outside link not yet in force is removed through the admin by the organisation's editor."""
    old = normative(desk)
    change = validity.policy_change_link(user=desk.editor, target=old, kind=ChangeKind.REPEAL, by_title="省厅决定",
                                         effective_on=date(2099, 1, 1))
    response = client_for(desk.editor).post(reverse("admin:disclosure_policychange_delete", args=[change.pk]),
                                            {"post": "yes"})
    assert response.status_code == 302
    assert not PolicyChange.objects.filter(pk=change.pk).exists()
    assert AuditEntry.objects.filter(record=old, action="unlink_policy_change").exists()

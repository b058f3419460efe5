"""The concerns' admin screens, posted as each role that owns them, and opened by every role.

Registering (the add form), changing with a response in the inline, and closing (on the change form)
are posted by each handling role of the organisation (信息员, 审核员, 单位管理员) and go through the
services; no role meets a server error on the list (with its filters), the add page or the change page
of a concern in any state, nor on the list of sent reminders.
"""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from catalog.models import CatalogNode
from disclosure.concerns import services as concerns
from disclosure.concerns.models import Concern, ConcernSource, ConcernStatus, ResponseKind, Severity
from disclosure.core.access import Role
from disclosure.core.log import ActivityEntry
from disclosure.records import services as records
from tests.factories import UserFactory, make_staff, record_fields

COUNTY = "419901"
TOWNSHIP = "419901001"
HANDLERS = ["editor", "reviewer", "orgadmin"]
EVERYONE = [*HANDLERS, "auditor", "town_editor", "no_role", "superuser"]


@pytest.fixture
def c(standard_catalog, demo_orgs):
    county, township = demo_orgs[COUNTY], demo_orgs[TOWNSHIP]
    return SimpleNamespace(
        county=county,
        editor=make_staff(county, Role.EDITOR, username="editor"),
        reviewer=make_staff(county, Role.REVIEWER, username="reviewer"),
        orgadmin=make_staff(county, Role.ORG_ADMIN, username="orgadmin"),
        auditor=make_staff(county, Role.AUDITOR, username="auditor"),
        town_editor=make_staff(township, Role.EDITOR, username="town_editor"),
        no_role=make_staff(county, username="no_role"),
        superuser=UserFactory(username="root", is_superuser=True),
    )


def split(moment) -> tuple[str, str]:
    local = timezone.localtime(moment)
    return local.strftime("%Y-%m-%d"), local.strftime("%H:%M:%S")


def concern_form(c, *, title="供暖不热投诉集中", arose=None, **extra) -> dict:
    day, time = split(arose or timezone.now() - timedelta(hours=2))
    return {
        "organisation": c.county.pk,
        "title": title,
        "severity": Severity.MAJOR,
        "arose_at_0": day,
        "arose_at_1": time,
        "source": ConcernSource.HOTLINE,
        "source_detail": "工单 2026-001",
        "summary": "一周内接到同一小区投诉17件。",
        "responsible_staff": [c.editor.pk, c.reviewer.pk],
        "responses-TOTAL_FORMS": "0",
        "responses-INITIAL_FORMS": "0",
        **extra,
    }


@pytest.mark.django_db
@pytest.mark.parametrize("who", HANDLERS)
def test_each_handling_role_registers_responds_and_closes_in_the_admin(c, client, who):
    """Add form, change form with a new response (linked to a 回应关切 record), and the change form's
    closing, each posted by the role: the concern goes 待回应 → 已回应 → 已办结, every step logged
    under the poster's name."""
    user = getattr(c, who)
    client.force_login(user)
    response = client.post("/admin/disclosure/concern/add/", concern_form(c))
    assert response.status_code == 302, response.content.decode()[:3000]
    concern = Concern.objects.get()
    assert concern.created_by == user and concern.status == ConcernStatus.OPEN

    record = records.record_create(
        user=c.editor, organisation=c.county, node=CatalogNode.objects.get(code="020901"),
        **record_fields(title="关于供暖问题的回应"),
    )
    url = f"/admin/disclosure/concern/{concern.pk}/change/"
    assert client.get(url).status_code == 200
    day, time = split(timezone.now() - timedelta(hours=1))
    changed = concern_form(
        c,
        title="供暖不热投诉集中（城南小区）",
        arose=concern.arose_at,
        **{
            "responses-TOTAL_FORMS": "1",
            "responses-0-kind": ResponseKind.PRESS_CONFERENCE,
            "responses-0-published_at_0": day,
            "responses-0-published_at_1": time,
            "responses-0-text": "",
            "responses-0-record": record.pk,
        },
    )
    response = client.post(url, changed)
    assert response.status_code == 302, response.content.decode()[:3000]
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.RESPONDED and concern.title == "供暖不热投诉集中（城南小区）"
    assert concern.responses.get().record == record

    response = client.post(url, {**changed, "responses-TOTAL_FORMS": "0", "close": "on", "close_comment": "已回应"})
    assert response.status_code == 302, response.content.decode()[:3000]
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.CLOSED
    log = ActivityEntry.objects.filter(subject_type="concern", subject_id=concern.pk).order_by("id")
    assert [(e.action, e.actor) for e in log] == [
        ("create", user), ("update", user), ("respond", user), ("close", user)
    ]


@pytest.mark.django_db
def test_the_add_page_states_the_limits_in_hours(c, client):
    """The severity's help text on the form states the 5, 24 and 48 hour limits."""
    client.force_login(c.editor)
    html = client.get("/admin/disclosure/concern/add/").content.decode()
    assert "特别重大、重大：5小时内发布权威信息，24小时内举行新闻发布会；一般：48小时内回应。" in html


@pytest.mark.django_db
@pytest.mark.parametrize("who", EVERYONE)
def test_no_role_meets_a_server_error_on_the_concern_screens(c, client, who):
    """Every role opens the list (plain and filtered), the add page, the change page of an open, an
    answered and a closed concern, and the sent reminders: each answers below 500; handlers and
    auditors of the county see the list, others are refused or shown nothing of the county."""
    arose = timezone.now() - timedelta(hours=7)
    made = {}
    for status in ("open", "responded", "closed"):
        concern = concerns.concern_create(
            user=c.editor, organisation=c.county, title=f"事项{status}", severity=Severity.MAJOR,
            arose_at=arose, source=ConcernSource.ONLINE, responsible_staff=[c.editor],
        )
        if status == "responded":
            concerns.concern_respond(
                user=c.editor, concern=concern, kind=ResponseKind.AUTHORITATIVE,
                published_at=arose + timedelta(hours=1), text="通报",
            )
        if status == "closed":
            concerns.concern_close(user=c.editor, concern=concern, comment="误报")
        made[status] = concern
    client.force_login(getattr(c, who))
    urls = [
        "/admin/disclosure/concern/",
        "/admin/disclosure/concern/?clock=overdue",
        "/admin/disclosure/concern/?clock=running",
        "/admin/disclosure/concern/add/",
        "/admin/disclosure/deadlinenotice/",
        *(f"/admin/disclosure/concern/{concern.pk}/change/" for concern in made.values()),
    ]
    answers = {url: client.get(url).status_code for url in urls}
    assert all(code < 500 for code in answers.values()), answers
    listing = client.get("/admin/disclosure/concern/")
    if who in (*HANDLERS, "auditor", "superuser"):
        assert listing.status_code == 200 and "事项open" in listing.content.decode()
        assert answers[f"/admin/disclosure/concern/{made['closed'].pk}/change/"] == 200
    else:
        assert listing.status_code != 200 or "事项open" not in listing.content.decode()

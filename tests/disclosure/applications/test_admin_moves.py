"""Every form of the application admin, posted as the role that owns it: registering, and each move's
confirmation form. The admin only calls the services (test_workflow.py covers their rules); here the
forms' fields, the redirect, the message and the change itself are checked, and that an auditor's POST
of the same form is refused with a message and changes nothing.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from disclosure.applications.models import Application, ApplicationPause, ApplicationStatus, ReplyType
from disclosure.applications.workflow import TRANSITIONS
from disclosure.core.log import ActivityEntry
from tests.disclosure.applications.world import PERSON, in_state

S = ApplicationStatus

# move → (state it starts from, approved extension needed, owner, the form's data, state after, message)
FORMS = {
    "request_correction": (
        S.RECEIVED, False, "handler", {"on": "2025-09-30", "note": "请写明小区名称"}, S.CORRECTION,
        "已告知补正，当前状态：待补正。",
    ),
    "receive_correction": (
        S.CORRECTION, False, "handler", {"on": "2025-10-09", "note": "申请人已补正"}, S.RECEIVED,
        "已收到补正，当前状态：办理中。",
    ),
    "start_consultation": (
        S.RECEIVED, False, "handler",
        {"kind": "third_party", "party": "幸福小区业主委员会", "on": "2025-10-09", "note": "涉及第三方"},
        S.CONSULTATION, "已征求意见，当前状态：征求意见中。",
    ),
    "end_consultation": (
        S.CONSULTATION, False, "handler", {"on": "2025-10-10", "note": "同意公开"}, S.RECEIVED,
        "已结束征求意见，当前状态：办理中。",
    ),
    "extend": (
        S.RECEIVED, False, "reviewer", {"days": "15", "reason": "需调阅档案", "on": "2025-10-09"}, S.RECEIVED,
        "已批准延期，当前状态：办理中。",
    ),
    "notify_extension": (
        S.RECEIVED, True, "handler", {"on": "2025-10-10"}, S.RECEIVED, "已登记延期告知，当前状态：办理中。",
    ),
    "reply": (
        S.RECEIVED, False, "handler", {"reply_type": ReplyType.DISCLOSED, "on": "2025-10-10", "note": ""},
        S.REPLIED, "已答复，当前状态：已答复。",
    ),
    "close": (S.REPLIED, False, "handler", {"note": "已归档"}, S.CLOSED, "已办结归档，当前状态：已办结。"),
}


def test_every_move_has_its_form_here():
    """Every move staff make has a form here; the system's moves have none (and no admin URL: 404)."""
    assert set(FORMS) == {name for name, move in TRANSITIONS.items() if not move.is_system}


# What a move adds after its success message. Asked Thursday 2025-10-09, the third party has 15 working
# days (条例 第三十二条): 10 Oct = 1, Sat 11 Oct (make-up day) = 2, 13–17 Oct = 3–7, 20–24 = 8–12,
# 27–29 = 13–15 → 2025-10-29.
FOLLOW_UPS = {
    "start_consultation": ["征求意见最长15个工作日，最迟至2025年10月29日；届满未收到意见的，答复期限自动恢复计算。"],
}


def move_url(application, name):
    return reverse("admin:disclosure_application_move", args=[application.pk, name])


def change_url(application):
    return reverse("admin:disclosure_application_change", args=[application.pk])


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(FORMS))
def test_each_move_form_posted_by_its_owner_makes_the_move(client, desk, name):
    """GET shows the form; a valid POST by the role that owns the move redirects to the application's
    page with a success message, and the move is made and logged in the owner's name."""
    status, extended, owner, data, target, message = FORMS[name]
    application = in_state(desk, status, extended=extended)
    user = getattr(desk, owner)
    client.force_login(user)
    page = client.get(move_url(application, name))
    assert page.status_code == 200
    for field in data:
        assert f'name="{field}"' in page.content.decode()
    response = client.post(move_url(application, name), data)
    assert response.status_code == 302 and response["Location"] == change_url(application)
    assert [str(m) for m in get_messages(response.wsgi_request)] == [message, *FOLLOW_UPS.get(name, [])]
    assert Application.objects.get(pk=application.pk).status == target
    entry = ActivityEntry.objects.filter(subject_type="application", subject_id=application.pk).latest("id")
    assert (entry.action, entry.actor, entry.from_status, entry.to_status) == (name, user, status, target)


@pytest.mark.django_db
def test_the_forms_fields_reach_the_application(client, desk):
    """What was typed into the forms is what the application records."""
    application = in_state(desk, S.RECEIVED)
    client.force_login(desk.handler)
    client.post(move_url(application, "start_consultation"), FORMS["start_consultation"][3])
    pause = ApplicationPause.objects.get(application=application)
    assert (pause.kind, pause.party, pause.started_on, pause.note) == ("third_party", "幸福小区业主委员会", date(2025, 10, 9), "涉及第三方")
    client.post(move_url(application, "end_consultation"), FORMS["end_consultation"][3])
    client.force_login(desk.reviewer)
    client.post(move_url(application, "extend"), FORMS["extend"][3])
    application.refresh_from_db()
    assert (application.extension_days, application.extension_reason, application.extension_approved_by) == (
        15, "需调阅档案", desk.reviewer
    )


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(FORMS))
def test_each_move_form_posted_by_an_auditor_is_refused_and_changes_nothing(client, desk, name):
    """The organisation's auditor may open the application but not move it: the POST comes back to the
    application's page with the policy's reason, and nothing is written."""
    status, extended, _owner, data, _target, _message = FORMS[name]
    application = in_state(desk, status, extended=extended)
    before = Application.objects.filter(pk=application.pk).values().get()
    log = ActivityEntry.objects.count()
    client.force_login(desk.auditor)
    response = client.post(move_url(application, name), data)
    assert response.status_code == 302 and response["Location"] == change_url(application)
    reason = "只有本机关的审核员可以批准延长答复期限。" if name == "extend" else "只有本机关的工作人员可以办理该申请。"
    assert [str(m) for m in get_messages(response.wsgi_request)] == [reason]
    assert Application.objects.filter(pk=application.pk).values().get() == before
    assert ActivityEntry.objects.count() == log


@pytest.mark.django_db
@pytest.mark.parametrize("owner", ["handler", "reviewer", "orgadmin"])
def test_the_register_form_posted_by_each_handling_role_registers(client, desk, owner):
    """登记: the organisation's 信息员, 审核员 and 单位管理员 each register a letter through the form; the
    application is the organisation's, logged in their name, and the page names its tracking code."""
    user = getattr(desk, owner)
    client.force_login(user)
    data = {"organisation": "419901", **PERSON, "homepage": "", "channel": "in_person", "received_on": "2025-09-26"}
    response = client.post(reverse("admin:disclosure_application_add"), data)
    application = Application.objects.get()
    assert response.status_code == 302 and response["Location"] == change_url(application)
    assert (application.organisation, application.channel, application.received_on) == (
        desk.organisation, "in_person", date(2025, 9, 26)
    )
    entry = ActivityEntry.objects.get(subject_type="application", subject_id=application.pk)
    assert (entry.action, entry.actor) == ("register", user)
    assert [str(m) for m in get_messages(response.wsgi_request)] == [f"已登记，查询码 {application.tracking_code_display}。"]


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["auditor", "stranger"])
def test_the_register_form_refuses_other_roles_and_organisations(client, desk, who):
    """An auditor has no register form (403); another organisation's staff cannot register for this one
    (the organisation is not among their choices): nothing is saved."""
    client.force_login(getattr(desk, who))
    data = {"organisation": "419901", **PERSON, "homepage": "", "channel": "letter", "received_on": "2025-09-26"}
    response = client.post(reverse("admin:disclosure_application_add"), data)
    assert response.status_code in (200, 403)
    if who == "auditor":
        assert response.status_code == 403
    else:
        assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert not Application.objects.exists()

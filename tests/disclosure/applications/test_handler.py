"""The 承办人 of an application (services.application_assign_handler) and the list's bulk assignment: who may
assign whom, in which states, the log entry, nothing written on a refusal, and the reply reminders going to
the 承办人 alone once one is assigned."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from disclosure.applications import selectors, services
from disclosure.applications.models import Application, ApplicationStatus
from disclosure.core.log import ActivityEntry
from disclosure.core.transitions import InvalidTransition
from tests.admin_client import client_for, messages_of
from tests.disclosure.applications.world import in_state, register

pytestmark = pytest.mark.django_db
LIST_URL = reverse("admin:disclosure_application_changelist")


def assignments(application) -> int:
    return ActivityEntry.objects.filter(subject_type="application", subject_id=application.pk, action="assign").count()


def test_a_handler_assigns_a_colleague_and_it_is_logged(desk):
    application = register(desk)
    result = services.application_assign_handler(user=desk.orgadmin, application=application, handler=desk.reviewer)
    assert result.handler == desk.reviewer
    assert Application.objects.get(pk=application.pk).handler == desk.reviewer
    entry = ActivityEntry.objects.get(subject_type="application", subject_id=application.pk, action="assign")
    assert entry.actor == desk.orgadmin and "李审核" in entry.comment


@pytest.mark.parametrize("who", ["auditor", "no_role", "stranger", "city_auditor"])
def test_only_the_organisations_handlers_may_assign(desk, who):
    application = register(desk)
    with pytest.raises(PermissionDenied):
        services.application_assign_handler(user=getattr(desk, who), application=application, handler=desk.handler)
    assert Application.objects.get(pk=application.pk).handler is None and assignments(application) == 0


@pytest.mark.parametrize("who", ["auditor", "no_role", "stranger", "superuser"])
def test_the_handler_must_be_a_handler_of_the_organisation(desk, who):
    """An auditor, someone without a role, another organisation's staff or a system administrator cannot be
    made 承办人; nothing is written."""
    application = register(desk)
    with pytest.raises(ValidationError):
        services.application_assign_handler(user=desk.handler, application=application, handler=getattr(desk, who))
    assert Application.objects.get(pk=application.pk).handler is None and assignments(application) == 0


def test_a_closed_application_takes_no_handler(desk):
    application = in_state(desk, ApplicationStatus.CLOSED)
    with pytest.raises(InvalidTransition):
        services.application_assign_handler(user=desk.handler, application=application, handler=desk.reviewer)
    assert assignments(application) == 0


def test_reply_reminders_go_to_the_assigned_handler_only(desk):
    """Before assignment the reminder goes to every handler with an address; after it, to the 承办人 alone."""
    application = register(desk)
    desk.reviewer.email = "li@qinghe.example"
    desk.reviewer.save()
    now = timezone.make_aware(datetime.combine(application.received_on + timedelta(days=60), time(9)))

    def recipients():
        return next(d.recipients for d in selectors.application_deadline_source(now) if d.subject_id == application.pk)

    assert set(recipients()) == {"handler@qinghe.example", "li@qinghe.example"}
    services.application_assign_handler(user=desk.handler, application=application, handler=desk.reviewer)
    assert recipients() == ("li@qinghe.example",)


def test_the_list_assigns_a_handler_to_several_applications(desk):
    """Posted as the organisation administrator: the question page, then each application assigned and logged;
    a closed one in the selection is refused by its tracking code."""
    first, second = register(desk), register(desk)
    closed = in_state(desk, ApplicationStatus.CLOSED)
    client = client_for(desk.orgadmin)
    selection = {"action": "assign_handler", "_selected_action": [first.pk, second.pk, closed.pk], "index": "0"}
    question = client.post(LIST_URL, selection).content.decode()
    assert "承办人" in question and first.tracking_code in question
    response = client.post(LIST_URL, {**selection, "apply": "1", "handler": desk.handler.pk}, follow=True)
    texts = messages_of(response)
    assert "已为 2 件申请指定承办人。" in texts
    assert any(closed.tracking_code in text and "已办结" in text for text in texts), texts
    assert {a.handler for a in Application.objects.filter(pk__in=[first.pk, second.pk])} == {desk.handler}
    assert Application.objects.get(pk=closed.pk).handler is None
    page = client.get(LIST_URL, {"handler": "none"}).content.decode()
    assert closed.tracking_code in page and first.tracking_code not in page


def test_an_auditor_is_offered_no_assignment(desk):
    application = register(desk)
    client = client_for(desk.auditor)
    assert "assign_handler" not in client.get(LIST_URL).content.decode()
    client.post(
        LIST_URL,
        {"action": "assign_handler", "_selected_action": [application.pk], "index": "0", "apply": "1", "handler": desk.handler.pk},
    )
    assert Application.objects.get(pk=application.pk).handler is None

"""The applications' test world: two applicants, the county bureau's desk, and applications brought to a
state through the services, as staff would.

Dates were chosen on the official 2025 calendar (National Day and Mid-Autumn: 1–8 October off, Sunday
28 September and Saturday 11 October make-up working days); ``TODAY`` is the "today" of the service
calls, after every date used.
"""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from django.contrib.auth.models import AnonymousUser

from catalog.models import Organisation
from disclosure.applications import services
from disclosure.applications.models import ApplicantType, Application, ApplicationStatus, ReplyType
from disclosure.core.access import Role
from disclosure.core.log import ActivityEntry
from tests.factories import UserFactory, make_staff

TODAY = date(2026, 3, 2)
RECEIVED = date(2025, 9, 26)  # a Friday: due 2025-10-30

PERSON = {
    "applicant_type": ApplicantType.NATURAL_PERSON,
    "name": "柳青青",
    "id_type": "resident_id",
    "id_number": "11010519491231002X",
    "phone": "13912345678",
    "email": "liuqq-private@example.com",
    "address": "清河县幸福路88号3单元",
    "postcode": "419900",
    "description": "请公开幸福小区保障房摇号过程的公证书",
    "document_hint": "",
    "purpose": "",
    "delivery_form": "paper",
    "obtain_method": "post",
}
COMPANY = {
    "applicant_type": ApplicantType.COMMERCIAL,
    "organisation_name": "清河安居置业有限公司",
    "credit_code": "91350100M000100Y43",
    "legal_representative": "赵大成",
    "contact_person": "钱小二",
    "phone": "0371-66668888",
    "email": "",
    "address": "",
    "postcode": "",
    "description": "请公开2025年度棚户区改造项目的征收补偿方案",
    "document_hint": "",
    "purpose": "",
    "delivery_form": "email",
    "obtain_method": "email",
}


def make_desk(county) -> SimpleNamespace:
    """The county bureau's staff, one account per kind of actor a move can meet."""
    township = Organisation.objects.get(code="419901001")
    return SimpleNamespace(
        organisation=county,
        handler=make_staff(county, Role.EDITOR, username="handler", first_name="张办理", email="handler@qinghe.example"),
        reviewer=make_staff(county, Role.REVIEWER, username="reviewer", first_name="李审核"),
        orgadmin=make_staff(county, Role.ORG_ADMIN, username="orgadmin"),
        auditor=make_staff(county, Role.AUDITOR, username="auditor"),
        no_role=make_staff(county, username="no_role"),
        # Another organisation's handler and reviewer in one account.
        stranger=make_staff(township, Role.EDITOR, Role.REVIEWER, username="stranger"),
        # The auditor of the superior city bureau: reads the county's records, never its applications.
        city_auditor=make_staff(county.parent, Role.AUDITOR, username="city_auditor"),
        superuser=UserFactory(username="root", is_superuser=True),
        anonymous=AnonymousUser(),
        nobody=None,
    )


def register(desk, received_on: date = RECEIVED, fields=None, **extra) -> Application:
    values = dict(fields or PERSON)
    values.update(extra)
    return services.application_register(
        user=desk.handler,
        organisation=desk.organisation,
        channel="letter",
        received_on=received_on,
        today=TODAY,
        **values,
    )


def in_state(desk, status: str, *, extended: bool = False) -> Application:
    """An application received on RECEIVED and brought to ``status`` through the services; with
    ``extended``, its extension was approved (on 29 September) before that."""
    application = register(desk)
    if extended:
        application = services.application_extend(
            user=desk.reviewer, application=application, days=10, reason="需调阅档案", on=date(2025, 9, 29), today=TODAY
        )
    if status == ApplicationStatus.CORRECTION:
        application = services.application_request_correction(
            user=desk.handler, application=application, note="请写明小区名称", on=date(2025, 9, 29), today=TODAY
        )
    elif status == ApplicationStatus.CONSULTATION:
        application = services.application_start_consultation(
            user=desk.handler, application=application, kind="agency", party="县自然资源局", on=date(2025, 9, 29), today=TODAY
        )
    elif status in (ApplicationStatus.REPLIED, ApplicationStatus.CLOSED):
        application = services.application_reply(
            user=desk.handler, application=application, reply_type=ReplyType.DISCLOSED, on=date(2025, 10, 9), today=TODAY
        )
        if status == ApplicationStatus.CLOSED:
            application = services.application_close(user=desk.handler, application=application)
    assert application.status == status
    return application


def entries(application) -> list[tuple[str, str, str]]:
    return list(
        ActivityEntry.objects.filter(subject_type="application", subject_id=application.pk)
        .order_by("id")
        .values_list("action", "from_status", "to_status")
    )

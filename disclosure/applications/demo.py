"""Demo applications for disclosure, for `seed_demo` (disclosure/management/commands/seed_demo.py).

Everything goes through the services, so the demo shows real states with their activity log. The
applicants are fictional; the ID number is the standard's published example.

The demo's applications are registered with ``is_demo=True``, and that flag is the only way the demo
finds them again: a re-run (every `make run`) reads, prints and touches those alone, never an
application a citizen or a member of staff made at the demo county.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from catalog.demo import DEMO_COUNTY
from catalog.models import Organisation
from disclosure.applications import services
from disclosure.applications.clock import REPLY_DAYS
from disclosure.applications.models import ApplicantType, Application, ReplyType
from disclosure.core.access import Role
from disclosure.core.deadlines import DUE_SOON_WORKING_DAYS
from disclosure.core.staff import StaffProfile
from disclosure.core.workdays import CalendarUnknown, is_working_day

PERSON = {
    "applicant_type": ApplicantType.NATURAL_PERSON,
    "name": "王小明",
    "id_type": "resident_id",
    "id_number": "11010519491231002X",
    "phone": "13800000000",
    "email": "",
    "address": "清河县城关镇幸福路1号",
    "postcode": "419900",
    "document_hint": "",
    "purpose": "",
    "delivery_form": "paper",
    "obtain_method": "post",
}
COMPANY = {
    "applicant_type": ApplicantType.COMMERCIAL,
    "organisation_name": "清河示范置业有限公司",
    "credit_code": "91350100M000100Y43",
    "legal_representative": "李示范",
    "contact_person": "赵联系",
    "phone": "0370-7654321",
    "email": "contact@demo-company.example",
    "address": "",
    "postcode": "",
    "document_hint": "",
    "purpose": "",
    "delivery_form": "email",
    "obtain_method": "email",
}


def _handlers(county: Organisation):
    """A county handler and reviewer if the demo has them, else the demo superuser for both."""
    def staff_with(role):
        profile = (
            StaffProfile.objects.filter(organisation=county, user__is_active=True, user__groups__name=role)
            .select_related("user")
            .first()
        )
        return profile.user if profile else None

    superuser = get_user_model().objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    return staff_with(Role.EDITOR) or superuser, staff_with(Role.REVIEWER) or superuser


def _working_days_before(day, n: int):
    """The working day ``n`` working days before ``day`` (raises CalendarUnknown like the clock)."""
    while n:
        day -= timedelta(days=1)
        if is_working_day(day):
            n -= 1
    return day


def ensure_demo_applications() -> list[tuple[str, str]]:
    """The demo county's applications, once: overdue, due within days, replied 部分公开, awaiting a
    correction, in consultation with an approved extension. Returns (tracking code, what it shows)
    pairs of the demo's own applications only; the one due within days is left out when the calendar
    does not know this year."""
    county = Organisation.objects.get(code=DEMO_COUNTY)
    existing = Application.objects.filter(organisation=county, is_demo=True).order_by("pk")
    if existing.exists():
        return [(a.tracking_code_display, a.get_status_display()) for a in existing]
    handler, reviewer = _handlers(county)
    if handler is None:
        return []
    today = timezone.localdate()

    def register(days_ago, fields, description):
        return services.application_register(
            user=handler, organisation=county, channel="letter", is_demo=True,
            received_on=today - timedelta(days=days_ago), description=description, **fields,
        )

    overdue = register(45, PERSON, "请公开本县2025年度公共租赁住房配租对象名单及评分情况。")
    try:
        # Received so that its reply days run out within the dashboard's "due soon" window, and not today.
        received = _working_days_before(today, REPLY_DAYS - DUE_SOON_WORKING_DAYS + 1)
        due_soon_days = (today - received).days
    except CalendarUnknown:
        due_soon = None
    else:
        due_soon = register(due_soon_days, PERSON, "请公开城南公租房小区2026年摇号配租的公证材料。")

    partial = register(60, COMPANY, "请公开城关镇棚户区改造项目房屋征收补偿方案及征收决定。")
    services.application_reply(
        user=handler, application=partial, reply_type=ReplyType.PARTIAL, on=today - timedelta(days=40),
        note="补偿方案予以公开；涉及被征收人个人信息的部分不予公开。",
    )

    correction = register(3, PERSON, "请公开有关房子的文件。")
    services.application_request_correction(
        user=handler, application=correction, on=today - timedelta(days=1),
        note="申请内容不明确，请写明所需文件的名称、文号或所涉项目、时间。",
    )

    consulted = register(10, COMPANY, "请公开燃气经营许可证核发的审查材料。")
    services.application_start_consultation(
        user=handler, application=consulted, kind="third_party", party="清河县示范燃气有限公司",
        on=today - timedelta(days=7), note="涉及第三方商业秘密，书面征求意见。",
    )
    services.application_extend(
        user=reviewer, application=consulted, days=15, reason="需征求第三方意见并调取档案。",
        on=today - timedelta(days=6),
    )
    return [
        (overdue.tracking_code_display, "已逾期未答复"),
        *([(due_soon.tracking_code_display, "办理中，即将到期")] if due_soon else []),
        (partial.tracking_code_display, "已答复（部分公开）"),
        (correction.tracking_code_display, "待补正"),
        (consulted.tracking_code_display, "征求意见中，已延期15个工作日"),
    ]

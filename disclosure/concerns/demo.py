"""Demo concerns (回应关切) for `seed_demo`, after the demo records exist (disclosure/records/demo.py).

Three concerns of the demo county, made through the services: a 重大 one whose authoritative
information went out in time but whose press conference is overdue; a 一般 one answered in time by
the published 回应关切 record on winter heating; a 一般 one still running its 48-hour clock.

Idempotent: concerns are made only when the demo county has none.
The demo responsible staff get an address under the reserved ``.invalid`` domain if they have none, so
that `check_deadlines` has someone to write to (the development mail backend prints to the console).
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from catalog.demo import DEMO_COUNTY
from catalog.models import Organisation
from disclosure.concerns import services as concerns
from disclosure.concerns.models import Concern, ConcernSource, ResponseKind, Severity
from disclosure.records.models import Record, Status

EDITOR, REVIEWER = "editor", "reviewer"  # demo accounts of the county (disclosure/core/demo.py)


def _ensure_concerns(county, editor, reviewer) -> int:
    if Concern.objects.filter(organisation=county).exists():
        return 0
    now = timezone.now()
    staff = [editor, reviewer]

    gas = concerns.concern_create(
        user=editor, organisation=county, severity=Severity.MAJOR, source=ConcernSource.ONLINE,
        title="城东花园小区燃气管道泄漏致居民疏散引发网络关注",
        summary="网民在本地论坛发帖并配视频，称小区燃气泄漏、数百居民夜间疏散，转发量快速上升。",
        source_detail="本地论坛、短视频平台", arose_at=now - timedelta(hours=30), responsible_staff=staff,
    )
    concerns.concern_respond(
        user=editor, concern=gas, kind=ResponseKind.AUTHORITATIVE, published_at=gas.arose_at + timedelta(hours=3),
        text="县住建局通过政务微博发布情况通报：泄漏点已封堵，无人员伤亡，居民已全部返回。",
    )  # the press conference (due within 24 hours) has not been held: overdue

    heating_record = Record.objects.filter(
        organisation=county, title="关于群众反映城南公租房小区冬季供暖问题的回应", status=Status.PUBLISHED
    ).first()
    answered_at = heating_record.published_at if heating_record else now - timedelta(days=5)
    heating = concerns.concern_create(
        user=editor, organisation=county, severity=Severity.GENERAL, source=ConcernSource.HOTLINE,
        title="群众集中反映城南公租房小区冬季室温偏低",
        summary="12345热线一周内接到同一小区供暖投诉17件。",
        arose_at=answered_at - timedelta(hours=20), responsible_staff=[editor],
    )
    concerns.concern_respond(
        user=editor, concern=heating, kind=ResponseKind.RESPONSE, published_at=answered_at,
        text="" if heating_record else "已会同供热企业入户测温并调节管网。", record=heating_record,
    )

    concerns.concern_create(
        user=editor, organisation=county, severity=Severity.GENERAL, source=ConcernSource.ONLINE,
        title="网民反映公租房轮候进度缓慢",
        summary="政务服务平台留言板收到多条询问轮候进度的留言。",
        source_detail="政务服务平台留言板", arose_at=now - timedelta(hours=6), responsible_staff=staff,
    )  # a response record is under review (demo record "关于公租房轮候进度有关问题的回应")
    return 3


def ensure_demo_concerns() -> int:
    """Make the demo concerns; returns how many were made. Needs the demo records."""
    county = Organisation.objects.filter(code=DEMO_COUNTY).first()
    users = {u.username: u for u in get_user_model().objects.filter(username__in=[EDITOR, REVIEWER])}
    if county is None or len(users) < 2:
        return 0
    editor, reviewer = users[EDITOR], users[REVIEWER]
    for user in (editor, reviewer):
        if not user.email:
            user.email = f"{user.username}@qinghe-demo.invalid"
            user.save(update_fields=["email"])
    return _ensure_concerns(county, editor, reviewer)

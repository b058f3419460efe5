"""Demo content for `seed_demo`: decision drafts for comment.

Everything is made through the services by the demo accounts (disclosure/demo.py), so activity and
audit logs, reviews and index numbers are real. A consultation of the past is opened with the ``now``
its service accepts (the time it was opened), never by setting a status.
"""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from catalog.demo import DEMO_COUNTY
from catalog.models import Organisation
from disclosure.consultations import services as consultations
from disclosure.consultations.models import Consultation, DecisionKind, Moderation
from disclosure.core.workdays import CalendarUnknown

OPEN_DRAFT = "清河县保障性租赁住房发展三年行动计划（2027—2029年）（征求意见稿）"
CLOSED_DRAFT = "关于调整公共租赁住房租金标准的通知（征求意见稿）"
AWAITING_FEEDBACK_DRAFT = "清河县城镇老旧小区改造实施方案（征求意见稿）"


def _users():
    users = {u.username: u for u in get_user_model().objects.filter(username__in=["editor", "reviewer"])}
    return users.get("editor"), users.get("reviewer")


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _open_consultation(county, editor, reviewer, now) -> Consultation:
    """A major decision open for comment: opened 6 days ago, 31 days long, with moderated comments."""
    opens_at = _at(timezone.localdate(now) - datetime.timedelta(days=6), 9)
    consultation = consultations.consultation_create(
        user=editor,
        organisation=county,
        title=OPEN_DRAFT,
        decision_kind=DecisionKind.MAJOR,
        summary=(
            "为加快解决新市民、青年人等群体住房困难，根据上级关于加快发展保障性租赁住房的部署，"
            "我局起草了本行动计划。现向社会公开征求意见。"
        ),
        body=(
            "<h3>一、总体目标</h3><p>2027—2029年，全县筹集保障性租赁住房1200套（间）。</p>"
            "<h3>二、主要任务</h3><ol><li>利用存量闲置房屋改建保障性租赁住房。</li>"
            "<li>在产业园区配套建设宿舍型保障性租赁住房。</li><li>规范租金标准，低于同地段同品质市场租金。</li></ol>"
            "<h3>三、保障措施</h3><p>加强组织领导，落实土地、财税、金融支持政策。</p>"
        ),
        opens_at=opens_at,
        closes_at=_at(opens_at.date() + datetime.timedelta(days=31), 18),
    )
    consultation = consultations.consultation_open(
        user=reviewer, consultation=consultation, comment="经审核，同意公开征求意见。", now=opens_at
    )
    comments = [
        ("王先生", "13800000001", "建议在县城东部新区增加房源，那里企业多、租房难。", Moderation.SHOWN, ""),
        ("", "citizen@example.com", "希望明确新就业大学生的申请条件和租金优惠幅度。", Moderation.SHOWN, ""),
        ("李女士", "0371-66000000", "宿舍型房源请考虑配建食堂和洗衣房。", Moderation.PENDING, ""),
        ("某网友", "13900000000", "低价出售各类发票，联系微信……", Moderation.HIDDEN, "与征求意见内容无关的广告信息"),
    ]
    for n, (name, contact, text, moderation, reason) in enumerate(comments):
        comment = consultations.comment_submit(
            consultation=consultation, name=name, contact=contact, text=text, now=opens_at + datetime.timedelta(days=n + 1)
        )
        if moderation != Moderation.PENDING:
            consultations.comment_moderate(user=editor, comment=comment, moderation=moderation, reason=reason)
    return consultation


def _closed_consultation(county, editor, reviewer, now) -> Consultation:
    """A normative document whose window ended weeks ago, with the feedback (采纳情况) published."""
    opens_at = _at(timezone.localdate(now) - datetime.timedelta(days=60), 9)
    fields = {
        "title": CLOSED_DRAFT,
        "decision_kind": DecisionKind.NORMATIVE,
        "summary": "根据市场租金变化和保障对象承受能力，拟调整全县公共租赁住房租金标准。",
        "body": "<p>一、公共租赁住房租金标准按同地段市场租金的60%确定，每两年调整一次。</p>"
        "<p>二、城镇低保、特困家庭租金予以减免。</p><p>三、本通知自印发之日起施行。</p>",
        "opens_at": opens_at,
    }
    try:
        last_day = consultations.earliest_last_day(DecisionKind.NORMATIVE, opens_at)
        fields["closes_at"] = _at(last_day + datetime.timedelta(days=3), 18)
    except CalendarUnknown:
        # Seeding in a year the working-day calendar does not know yet: say why the window is as it is.
        fields["closes_at"] = _at(opens_at.date() + datetime.timedelta(days=14), 18)
        fields["shorter_window_reason"] = "演示数据：该年度法定节假日安排尚未录入，按14日设置征求意见期限。"
    consultation = consultations.consultation_create(user=editor, organisation=county, **fields)
    consultation = consultations.consultation_open(user=reviewer, consultation=consultation, now=opens_at)
    for n, (name, text) in enumerate(
        [("赵先生", "建议对连续足额缴纳租金满三年的家庭给予租金优惠。"), ("", "租金调整请给予过渡期。")]
    ):
        comment = consultations.comment_submit(
            consultation=consultation,
            name=name,
            contact=f"1370000000{n}",
            text=text,
            now=opens_at + datetime.timedelta(days=n + 2),
        )
        consultations.comment_moderate(user=editor, comment=comment, moderation=Moderation.SHOWN)
    return consultations.consultation_publish_feedback(
        user=reviewer,
        consultation=consultation,
        feedback=(
            "征求意见期间共收到意见2条。\n"
            "采纳1条：增设6个月过渡期，过渡期内按原标准计收租金。\n"
            "未采纳1条：连续缴费优惠涉及财政补贴，将在下一步研究租赁补贴政策时统筹考虑。"
        ),
        now=now,
    )


def _awaiting_feedback_consultation(county, editor, reviewer, now) -> Consultation:
    """A major decision whose 30-day window closed a few days ago: the comments are in, the feedback
    (采纳情况) is still owed, so it stands on the reviewer's to-do list."""
    opens_at = _at(timezone.localdate(now) - datetime.timedelta(days=36), 9)
    consultation = consultations.consultation_create(
        user=editor,
        organisation=county,
        title=AWAITING_FEEDBACK_DRAFT,
        decision_kind=DecisionKind.MAJOR,
        summary="拟对2000年底前建成的城镇老旧小区分三年实施改造，现向社会公开征求意见。",
        body="<p>一、改造范围：2000年底前建成、失养失修的城镇老旧小区。</p>"
        "<p>二、改造内容：基础类、完善类、提升类三类。</p><p>三、资金筹措：政府补助、居民出资、社会投入。</p>",
        opens_at=opens_at,
        closes_at=_at(opens_at.date() + datetime.timedelta(days=31), 18),
    )
    consultation = consultations.consultation_open(user=reviewer, consultation=consultation, now=opens_at)
    comment = consultations.comment_submit(
        consultation=consultation,
        name="孙女士",
        contact="13700000003",
        text="建议把加装电梯列入完善类改造内容，并明确居民出资比例。",
        now=opens_at + datetime.timedelta(days=3),
    )
    consultations.comment_moderate(user=editor, comment=comment, moderation=Moderation.SHOWN)
    return consultations.consultation_close(consultation=consultation, now=now)


def ensure_demo_consultations() -> int:
    """Create the demo consultations; returns how many were made.

    Idempotent: each part is skipped when it is already there. Needs the standard catalog, the demo
    organisations and accounts.
    """
    county = Organisation.objects.filter(code=DEMO_COUNTY).first()
    editor, reviewer = _users()
    if county is None or editor is None or reviewer is None or consultations.default_node() is None:
        return 0
    now = timezone.now()
    made_consultations = 0
    if not Consultation.objects.filter(organisation=county).exists():
        _closed_consultation(county, editor, reviewer, now)
        _awaiting_feedback_consultation(county, editor, reviewer, now)
        _open_consultation(county, editor, reviewer, now)
        made_consultations = 3
    return made_consultations

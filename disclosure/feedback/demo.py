"""Demo messages from the public (留言与纠错) for `seed_demo`: an error report answered and published on the
互动交流 page, a question answered and awaiting publication, one waiting within its limit and one overdue.

Made through the services. Idempotent: made only when the demo county has no messages.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from catalog.demo import DEMO_COUNTY
from catalog.models import Organisation
from disclosure.feedback import services
from disclosure.feedback.models import Feedback, FeedbackKind

EDITOR, REVIEWER = "editor", "reviewer"  # demo accounts of the county (disclosure/core/demo.py)


def ensure_demo_feedback() -> int:
    county = Organisation.objects.filter(code=DEMO_COUNTY).first()
    users = {u.username: u for u in get_user_model().objects.filter(username__in=[EDITOR, REVIEWER])}
    if county is None or len(users) < 2 or Feedback.objects.filter(organisation=county).exists():
        return 0
    editor, reviewer = users[EDITOR], users[REVIEWER]
    now = timezone.now()
    published = services.feedback_submit(
        organisation=county, kind=FeedbackKind.ERROR, subject="公租房配租结果公告附件无法打开",
        text="配租结果公告的附件点击后提示文件不存在。", page_url=f"/org/{DEMO_COUNTY}/020503/",
        now=now - timedelta(days=12),
    )
    published = services.feedback_reply(
        user=editor, feedback=published, reply="经核查，附件上传时文件损坏，已重新上传。感谢您的指正！",
        now=now - timedelta(days=11),
    )
    services.feedback_publish(user=reviewer, feedback=published, public_text="配租结果公告的附件点击后提示文件不存在。")
    answered = services.feedback_submit(
        organisation=county, kind=FeedbackKind.QUESTION, subject="公租房申请需要哪些材料",
        text="我在县城务工，没有本地户口，可以申请公租房吗？需要哪些材料？", name="李女士",
        contact="lidemo@example.invalid", now=now - timedelta(days=3),
    )
    services.feedback_reply(
        user=editor, feedback=answered,
        reply="在本县稳定就业的外来务工人员可以申请，需提供身份证明、劳动合同和社保缴纳证明。详见“公租房申请”办事指南。",
    )
    services.feedback_submit(
        organisation=county, kind=FeedbackKind.ERROR, subject="信息公开指南中的电话号码有误",
        text="指南中的咨询电话少了一位。", page_url=f"/org/{DEMO_COUNTY}/guide/",
    )
    services.feedback_submit(
        organisation=county, kind=FeedbackKind.QUESTION, subject="农村危房改造补助标准",
        text="请问今年农村危房改造的补助标准是多少？", contact="0399-0000001", now=now - timedelta(days=20),
    )
    return 4

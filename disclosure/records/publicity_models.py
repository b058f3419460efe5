"""公示期: the period during which a published list (轮候名单, 补助对象审核结果, 分户补偿情况) is open to
objections, the objections citizens file, and what happens to the record when the period ends.

The rules (period, end, what the job does) are in disclosure/records/publicity.py.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from disclosure.records.models import Record

NOTICE_MAX_DAYS = 90
OBJECTION_NAME_MAX_CHARS = 50
OBJECTION_CONTACT_MAX_CHARS = 100
OBJECTION_MAX_CHARS = 2000


class DayKind(models.TextChoices):
    CALENDAR = "calendar", _("自然日")
    WORKING = "working", _("工作日")


class EndAction(models.TextChoices):
    """What happens to the record when its 公示期 ends: chosen before publication."""

    KEEP = "keep", _("继续公开")
    WITHDRAW = "withdraw", _("撤下（撤回）")
    DEIDENTIFY = "deidentify", _("替换为去标识化版本（保留姓名，遮盖身份证号和电话号码）")


class NoticeStatus(models.TextChoices):
    ACTIVE = "active", _("待发布或公示中")
    KEPT = "kept", _("公示期满，继续公开")
    WITHDRAWN = "withdrawn", _("公示期满，已撤下")
    DEIDENTIFIED = "deidentified", _("公示期满，已替换为去标识化版本")


class PublicNotice(models.Model):
    """The 公示 of one record.

    Invariants:
    - One per record; set and changed only while the record is unpublished (its publisher sees it before
      publishing), through disclosure/records/publicity.py.
    - The period starts on the day of publication (local time) and lasts ``day_count`` calendar or
      working days, that day included; the end is computed, never stored by hand.
    - ``status`` leaves ACTIVE once, by the daily job, through the transition table of publicity.py;
      ``replacement`` is the de-identified version that replaced the record (DEIDENTIFIED only).
    """

    record = models.OneToOneField(
        Record, verbose_name=_("公示信息"), on_delete=models.CASCADE, related_name="public_notice"
    )
    day_count = models.PositiveSmallIntegerField(_("公示期天数"))
    day_kind = models.CharField(_("计算方式"), max_length=10, choices=DayKind.choices, default=DayKind.CALENDAR)
    contact = models.CharField(
        _("异议受理方式"),
        max_length=300,
        help_text=_("公示期间受理异议的联系电话、地址或邮箱，将在公示页面显示。"),
    )
    end_action = models.CharField(_("公示期满后"), max_length=12, choices=EndAction.choices)
    responsible_staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("异议承办人"),
        related_name="+",
        help_text=_("收到异议时通知并列入其待办事项的工作人员。"),
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=NoticeStatus.choices, default=NoticeStatus.ACTIVE, editable=False
    )
    ended_at = models.DateTimeField(_("处理时间"), null=True, blank=True, editable=False)
    replacement = models.ForeignKey(
        Record,
        verbose_name=_("去标识化版本"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("设置人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("设置时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("公示期")
        verbose_name_plural = _("公示期")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(day_count__gte=1) & Q(day_count__lte=NOTICE_MAX_DAYS), name="notice_day_count_range"
            ),
            models.CheckConstraint(
                condition=Q(replacement__isnull=True) | Q(status=NoticeStatus.DEIDENTIFIED),
                name="notice_replacement_only_deidentified",
            ),
        ]

    def __str__(self):
        return f"{self.record} · {self.day_count}{self.get_day_kind_display()}"


class ObjectionStatus(models.TextChoices):
    RECEIVED = "received", _("待答复")
    REPLIED = "replied", _("已答复")
    CLOSED = "closed", _("不予答复（已办结）")


class NoticeObjection(models.Model):
    """An objection (异议) a citizen filed online during a 公示.

    Invariants: never public (no public view reads this table); created only by the public form while the
    period runs; the reply is due ``reply_due_on`` (publicity.OBJECTION_REPLY_WORKING_DAYS working days
    after the day it arrived); ``status`` changes only through the transition table in publicity.py,
    each move written to the activity log.
    """

    notice = models.ForeignKey(
        PublicNotice, verbose_name=_("公示"), on_delete=models.PROTECT, related_name="objections"
    )
    name = models.CharField(_("姓名"), max_length=OBJECTION_NAME_MAX_CHARS)
    contact = models.CharField(_("联系方式"), max_length=OBJECTION_CONTACT_MAX_CHARS)
    text = models.TextField(_("异议内容"))
    submitted_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    reply_due_on = models.DateField(_("答复期限"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=ObjectionStatus.choices, default=ObjectionStatus.RECEIVED, editable=False
    )
    reply = models.TextField(_("答复内容"), blank=True, editable=False)
    replied_at = models.DateTimeField(_("答复时间"), null=True, blank=True, editable=False)
    replied_by_name = models.CharField(_("答复人"), max_length=150, blank=True, editable=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("公示异议")
        verbose_name_plural = _("公示异议")
        ordering = ["-submitted_at"]
        indexes = [models.Index(fields=["status", "reply_due_on"], name="objection_open_idx")]

    def __str__(self):
        return f"{self.notice.record.title} · {self.submitted_at:%Y-%m-%d}"

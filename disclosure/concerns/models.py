"""Response to public concerns (回应关切): the concern and its responses.

The clock (which deadlines a concern has, when they fall due, whether they were met) lives in
disclosure/concerns/clock.py, with the grading (``Severity``) and the kinds of response
(``ResponseKind``) its rules are written in; the states and moves in disclosure/concerns/workflow.py.
The reminders are sent by disclosure/core/deadlines.py (``manage.py check_deadlines``).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from catalog.models import Organisation
from disclosure.concerns.clock import SEVERITY_HELP, ResponseKind, Severity
from disclosure.core.dates import cn_datetime
from disclosure.core.models import RegisteredModel
from disclosure.records.models import Record


class ConcernSource(models.TextChoices):
    ONLINE = "online", _("网络舆情")
    MEDIA = "media", _("媒体报道")
    LETTER = "letter", _("群众来信")
    HOTLINE = "hotline", _("12345热线")
    VISIT = "visit", _("群众来访")
    SUPERIOR = "superior", _("上级交办")
    OTHER = "other", _("其他")


class ConcernStatus(models.TextChoices):
    OPEN = "open", _("待回应")
    RESPONDED = "responded", _("已回应")
    CLOSED = "closed", _("已办结")


class Concern(RegisteredModel):
    """A public concern (政务舆情) an organisation must respond to.

    Invariants: ``status`` changes only through the moves of disclosure/concerns/workflow.py, carried
    out by disclosure/concerns/services.py, each writing an ActivityEntry; ``closed_at`` is set exactly
    when the concern is closed; the responsible staff belong to the concern's organisation; a concern is internal
    (its summary may name people): the public sees only the responses published as public records.
    """

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("责任单位"), on_delete=models.PROTECT, related_name="concerns"
    )
    title = models.CharField(_("关切事项"), max_length=200)
    summary = models.TextField(
        _("舆情摘要"), blank=True, help_text=_("内部研判用，不对外公开。")
    )
    severity = models.CharField(
        _("等级"),
        max_length=20,
        choices=Severity.choices,
        help_text=SEVERITY_HELP,
    )
    arose_at = models.DateTimeField(
        _("舆情发生时间"), help_text=_("时限自此时刻起按自然小时计算，夜间、周末和节假日不扣除。")
    )
    source = models.CharField(_("来源"), max_length=20, choices=ConcernSource.choices)
    source_detail = models.CharField(
        _("来源说明"), max_length=300, blank=True, help_text=_("如网帖地址、媒体名称、热线工单号。")
    )
    responsible_staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("责任人"),
        related_name="concerns_responsible",
        help_text=_("本单位工作人员；时限到期前后，系统向其电子邮箱发送提醒。"),
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=ConcernStatus.choices, default=ConcernStatus.OPEN, editable=False
    )
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("回应关切事项")
        verbose_name_plural = _("回应关切事项")
        ordering = ["-arose_at", "-id"]
        indexes = [models.Index(fields=["organisation", "status", "arose_at"], name="concern_open_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status=ConcernStatus.CLOSED) | models.Q(closed_at__isnull=True),
                name="concern_closed_at_only_when_closed",
            ),
        ]

    def __str__(self):
        return self.title


class ConcernResponse(RegisteredModel):
    """One response to a concern: authoritative information, a press conference, or another response.

    Invariants: written only through ``concern_respond`` (append-only afterwards); ``published_at`` is
    when the response reached the public (not before the concern arose, not in the future); a linked
    record belongs to the concern's organisation and the 回应关切 column. The public sees a response
    only through its record, and only while that record is public.
    """

    concern = models.ForeignKey(
        Concern, verbose_name=_("关切事项"), on_delete=models.CASCADE, related_name="responses"
    )
    kind = models.CharField(_("回应方式"), max_length=20, choices=ResponseKind.choices)
    published_at = models.DateTimeField(_("发布时间"), help_text=_("回应实际对外发布（或发布会举行）的时间。"))
    text = models.TextField(_("回应内容摘要"), blank=True)
    record = models.ForeignKey(
        Record,
        verbose_name=_("对应的公开信息"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="concern_responses",
        help_text=_("在“回应关切”栏目发布的信息；公众通过该信息看到回应。"),
    )

    class Meta:
        verbose_name = _("回应")
        verbose_name_plural = _("回应")
        ordering = ["published_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(text="") | models.Q(record__isnull=False),
                name="concern_response_has_content",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {cn_datetime(self.published_at)}"

"""Decision drafts published for public comment (决策预公开 / 意见征集) and the comments citizens send.

Every write goes through disclosure/consultations/services.py (moves: workflow.py; rights: policy.py),
which writes an ActivityEntry for each.
"""

from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import CatalogNode, Organisation
from disclosure.core.models import AuthoredModel, UploadedFileModel, staff_field

COMMENT_MAX_CHARS = 2000
COMMENT_NAME_MAX_CHARS = 50
COMMENT_CONTACT_MAX_CHARS = 100
# How the activity log (disclosure.core.log.ActivityEntry) names these objects.
LOG_SUBJECT = "consultation"
COMMENT_LOG_SUBJECT = "consultation_comment"


class DecisionKind(models.TextChoices):
    """What kind of decision the draft is; it sets the minimum comment window."""

    MAJOR = "major", _("重大行政决策")
    NORMATIVE = "normative", _("行政规范性文件")
    OTHER = "other", _("其他决策事项")


class ConsultationStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    OPEN = "open", _("征求意见中")
    CLOSED = "closed", _("征求意见已结束")
    FEEDBACK_PUBLISHED = "feedback_published", _("已公布采纳情况")


PUBLIC_CONSULTATION_STATUSES = (
    ConsultationStatus.OPEN,
    ConsultationStatus.CLOSED,
    ConsultationStatus.FEEDBACK_PUBLISHED,
)


class Consultation(AuthoredModel):
    """A draft decision published for comment during a window.

    Invariants:
    - ``status`` changes only through the moves of disclosure/consultations/workflow.py (draft → open →
      closed → feedback published), each with an ActivityEntry; only a reviewer (审核员) of the
      organisation who wrote no part of it opens it (policy.py). Every edit and file change is logged
      too, with its actor, so that the contributors are known.
    - The window closes after it opens (database). It lasts at least 30 days for a major decision and
      at least 7 working days for a normative document unless ``shorter_window_reason`` is recorded
      (checked by the services, which need the working-day calendar).
    - Comments are accepted only while the status is open and ``opens_at <= now < closes_at``.
    - The public sees a consultation only once opened and ``opens_at`` has come, and only while its
      organisation and catalog node (with all their ancestors) are active:
      ``disclosure.consultations.selectors.public_consultations`` decides.
    - Content is editable only as a draft; the feedback (采纳情况) only until it is published.
    """

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("征求意见单位"), on_delete=models.PROTECT, related_name="consultations"
    )
    node = models.ForeignKey(
        CatalogNode,
        verbose_name=_("目录栏目"),
        on_delete=models.PROTECT,
        related_name="consultations",
        help_text=_("默认为“重大决策 › 决策前预公开”。"),
    )
    title = models.CharField(_("草案名称"), max_length=300)
    decision_kind = models.CharField(
        _("决策类别"),
        max_length=20,
        choices=DecisionKind.choices,
        help_text=_("重大行政决策征求意见不少于30日；行政规范性文件不少于7个工作日。"),
    )
    summary = models.TextField(
        _("起草说明"), blank=True, help_text=_("草案的起草背景、依据和主要内容。")
    )
    body = models.TextField(
        _("草案正文"), help_text=_("可直接从 Word 粘贴；保存时自动清理不安全的内容。")
    )
    opens_at = models.DateTimeField(_("征求意见开始时间"))
    closes_at = models.DateTimeField(
        _("征求意见截止时间"), help_text=_("截止时刻起不再接受意见，请填写具体时间，如 18:00。")
    )
    shorter_window_reason = models.TextField(
        _("缩短征求意见期限的理由"),
        blank=True,
        help_text=_("征求意见期限少于法定最短期限时必填，将向社会公开。"),
    )
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=ConsultationStatus.choices,
        default=ConsultationStatus.DRAFT,
        editable=False,
    )
    feedback = models.TextField(
        _("意见采纳情况"),
        blank=True,
        help_text=_("征求意见结束后，说明收到意见的总体情况、采纳情况及未采纳的理由。"),
    )
    feedback_published_at = models.DateTimeField(
        _("采纳情况公布时间"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("决策草案意见征集")
        verbose_name_plural = _("决策草案意见征集")
        ordering = ["-opens_at", "-id"]
        indexes = [
            models.Index(fields=["organisation", "status", "closes_at"], name="consultation_public_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")), name="consultation_closes_after_opening"
            ),
            models.CheckConstraint(
                condition=~Q(status=ConsultationStatus.FEEDBACK_PUBLISHED)
                | (Q(feedback_published_at__isnull=False) & ~Q(feedback="")),
                name="consultation_feedback_published_has_text",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse(
            "disclosure:consultation", kwargs={"org": self.organisation.code, "pk": self.pk}
        )

    def accepts_comments(self, now=None) -> bool:
        """Whether a comment sent at ``now`` falls inside the open window."""
        now = now or timezone.now()
        return self.status == ConsultationStatus.OPEN and self.opens_at <= now < self.closes_at

    def window_has_ended(self, now=None) -> bool:
        return (now or timezone.now()) >= self.closes_at

    @property
    def is_editable(self) -> bool:
        return self.status == ConsultationStatus.DRAFT


class ConsultationAttachment(UploadedFileModel):
    """A file published with a draft (the full text, an explanation). Served only while it is public."""

    consultation = models.ForeignKey(
        Consultation, verbose_name=_("意见征集"), on_delete=models.CASCADE, related_name="attachments"
    )

    class Meta:
        verbose_name = _("草案附件")
        verbose_name_plural = _("草案附件")
        ordering = ["id"]


class Moderation(models.TextChoices):
    PENDING = "pending", _("待审核")
    SHOWN = "shown", _("公开显示")
    HIDDEN = "hidden", _("不予显示")


class ConsultationComment(models.Model):
    """A citizen's comment on a draft.

    Invariants: once the citizen is told it was received, the row exists (it is saved before the
    answer is sent) and is never deleted (PROTECT from the consultation); ``contact`` is personal
    data: shown to the organisation's staff and in their CSV export only, never on a public page;
    the public sees only ``shown`` comments; ``hidden`` needs a reason (database).
    """

    consultation = models.ForeignKey(
        Consultation, verbose_name=_("意见征集"), on_delete=models.PROTECT, related_name="comments"
    )
    name = models.CharField(
        _("姓名或称呼"), max_length=COMMENT_NAME_MAX_CHARS, blank=True, help_text=_("选填，公开显示；不填则显示为“匿名”。")
    )
    contact = models.CharField(
        _("联系方式"), max_length=COMMENT_CONTACT_MAX_CHARS, help_text=_("电话或电子邮箱，仅供工作人员联系，不公开。")
    )
    text = models.TextField(_("意见内容"), max_length=COMMENT_MAX_CHARS)
    submitted_at = models.DateTimeField(_("提交时间"), default=timezone.now, editable=False)
    moderation = models.CharField(
        _("审核状态"), max_length=10, choices=Moderation.choices, default=Moderation.PENDING, editable=False
    )
    hidden_reason = models.CharField(
        _("不予显示的理由"), max_length=300, blank=True, help_text=_("选择“不予显示”时必填。")
    )
    moderated_by = staff_field(_("审核人"), blank=True)
    moderated_at = models.DateTimeField(_("审核时间"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("公众意见")
        verbose_name_plural = _("公众意见")
        ordering = ["submitted_at", "id"]
        indexes = [
            models.Index(fields=["consultation", "moderation", "submitted_at"], name="comment_shown_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(moderation=Moderation.HIDDEN) | ~Q(hidden_reason=""),
                name="comment_hidden_has_reason",
            ),
            models.CheckConstraint(condition=~Q(contact=""), name="comment_has_contact"),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("text"), COMMENT_MAX_CHARS), name="comment_text_capped"
            ),
        ]

    def __str__(self):
        return f"{self.consultation_id}#{self.pk} {self.public_name}"

    @property
    def public_name(self) -> str:
        return self.name or str(_("匿名"))

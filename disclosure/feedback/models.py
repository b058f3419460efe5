"""留言与纠错: questions (咨询) and error reports (纠错, 我为政府网站找错) citizens send an organisation.

A message is internal: the citizen's name and contact are never shown. What the public may read is the
question as the handler restated it without personal data (``public_text``) and the reply, once a
reviewer publishes them on the organisation's 互动 page (selectors.public_feedback).

The states and moves are in disclosure/feedback/workflow.py, the reply clock in clock.py.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from catalog.models import Organisation

SUBJECT_MAX_CHARS = 100
TEXT_MAX_CHARS = 2000
NAME_MAX_CHARS = 30
CONTACT_MAX_CHARS = 100
PAGE_MAX_CHARS = 500


class FeedbackKind(models.TextChoices):
    ERROR = "error", _("纠错")
    QUESTION = "question", _("咨询")


class FeedbackStatus(models.TextChoices):
    RECEIVED = "received", _("待答复")
    REPLIED = "replied", _("已答复")
    PUBLISHED = "published", _("已公开")
    DISMISSED = "dismissed", _("不予处理")


class Feedback(models.Model):
    """One message from the public.

    Invariants: ``status`` changes only through the moves of workflow.py, carried out by services.py,
    each writing an ActivityEntry; ``reply`` and ``replied_at`` are set exactly when it has been
    answered; ``public_text`` and ``published_at`` are set while it is published; ``handler`` belongs to
    the message's organisation.
    """

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("受理单位"), on_delete=models.PROTECT, related_name="feedback"
    )
    kind = models.CharField(_("类型"), max_length=20, choices=FeedbackKind.choices)
    subject = models.CharField(_("标题"), max_length=SUBJECT_MAX_CHARS)
    text = models.TextField(_("留言内容"), max_length=TEXT_MAX_CHARS)
    page_url = models.CharField(_("来源页面"), max_length=PAGE_MAX_CHARS, blank=True)
    name = models.CharField(_("姓名或称呼"), max_length=NAME_MAX_CHARS, blank=True)
    contact = models.CharField(_("联系方式"), max_length=CONTACT_MAX_CHARS, blank=True)
    received_at = models.DateTimeField(_("收到时间"))
    status = models.CharField(
        _("状态"), max_length=20, choices=FeedbackStatus.choices, default=FeedbackStatus.RECEIVED, editable=False
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("办理人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="feedback_handled",
    )
    reply = models.TextField(_("答复内容"), blank=True, editable=False)
    replied_at = models.DateTimeField(_("答复时间"), null=True, blank=True, editable=False)
    replied_by_name = models.CharField(_("答复人"), max_length=150, blank=True, editable=False)
    public_text = models.TextField(
        _("公开的留言内容"),
        blank=True,
        editable=False,
        help_text=_("公开时显示的留言内容，已去除姓名、联系方式、证件号码等个人信息。"),
    )
    published_at = models.DateTimeField(_("公开时间"), null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("留言与纠错")
        verbose_name_plural = _("留言与纠错")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["organisation", "status", "received_at"], name="feedback_org_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.subject}"

    def get_absolute_url(self) -> str:
        """Its place on the organisation's public 互动 page (answers 404 unless published)."""
        return reverse("disclosure:feedback_list", kwargs={"org": self.organisation.code}) + f"#feedback-{self.pk}"

"""Policy interpretation (政策解读): which record explains which policy, and in what form.

"谁起草、谁解读"，同步: the interpretation is itself a Record of the same organisation, reviewed like any
other, and it is published together with the policy it explains (disclosure/interpretations.py).
"""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from disclosure.records.models import Record


class InterpretationForm(models.TextChoices):
    """Forms of interpretation named by the guideline (四（三）)."""

    TEXT = "text", _("文字解读")
    GRAPHIC = "graphic", _("图文解读")
    VIDEO = "video", _("视频解读")
    QA = "qa", _("问答")
    PRESS_CONFERENCE = "press_conference", _("新闻发布会")
    EXPERT_ARTICLE = "expert_article", _("专家文章")


class Interpretation(models.Model):
    """Links an interpretation record to the policy record it explains.

    Invariants:
    - ``record`` is a Record of type ``interpretation``; ``policy`` is not an interpretation; both belong
      to the same organisation (checked by ``interpretation_link`` in disclosure/interpretations.py);
      a record never interprets itself (database constraint).
    - A record interprets at most one policy (one-to-one); a policy may have several interpretations
      (text, video, press conference, …).
    - The interpretation is never public before its policy: the publish services refuse it.
    - Links are made and removed only while the interpretation is unpublished; afterwards they are
      history and stay.
    """

    record = models.OneToOneField(
        Record,
        verbose_name=_("解读信息"),
        on_delete=models.CASCADE,
        related_name="interpretation_link",
        help_text=_("信息类别为“政策解读”的信息。"),
    )
    policy = models.ForeignKey(
        Record,
        verbose_name=_("所解读的政策文件"),
        # Only a never-published draft can be deleted (record_delete); its links go with it, and its
        # interpretations stay as unlinked drafts.
        on_delete=models.CASCADE,
        related_name="interpretations",
    )
    form = models.CharField(_("解读形式"), max_length=20, choices=InterpretationForm.choices)
    created_at = models.DateTimeField(_("关联时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("政策解读关联")
        verbose_name_plural = _("政策解读关联")
        ordering = ["policy_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(record=F("policy")), name="interpretation_not_of_itself"
            ),
        ]

    def __str__(self):
        return f"{self.get_form_display()}：{self.record_id} → {self.policy_id}"

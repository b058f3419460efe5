"""Which later document amended or repealed a policy document (修改、废止关系), read by the validity rules
in disclosure/records/validity.py and shown both ways in the public 政策文件库."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from disclosure.records.models import Record


class ChangeKind(models.TextChoices):
    AMEND = "amend", _("修改")
    REPEAL = "repeal", _("废止")


class PolicyChange(models.Model):
    """``target`` is amended or repealed, from ``effective_on``, by a later document.

    Invariants:
    - The later document is either a record on the platform (``by_record``, of the same organisation)
      or, for a document issued elsewhere (a provincial decision repealing a county's rules), named by
      ``by_title`` and ``by_document_number``; ``by_title`` is always filled (copied from the record).
    - A change made by a record on the platform takes effect only once that record has been published
      and its ``effective_on`` (the later document's 施行日期) is reached; before that the link is a plan.
    - A record never amends or repeals itself (database constraint); one link per (target, later document).
    - Links are made and removed through disclosure/records/validity.py only, which writes the audit log
      of the target; a link by a published record is history and is never removed.
    """

    target = models.ForeignKey(
        Record,
        verbose_name=_("被修改或废止的文件"),
        on_delete=models.PROTECT,
        related_name="validity_changes",
    )
    kind = models.CharField(_("关系"), max_length=10, choices=ChangeKind.choices)
    by_record = models.ForeignKey(
        Record,
        verbose_name=_("修改或废止它的文件（本平台）"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="validity_changes_made",
    )
    by_title = models.CharField(_("修改或废止它的文件名称"), max_length=300)
    by_document_number = models.CharField(_("文号"), max_length=100, blank=True)
    effective_on = models.DateField(
        _("修改或废止的生效日期"), help_text=_("修改或废止文件的施行日期；自此日起原文件为“已修改”或“已废止”。")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("修改废止关系")
        verbose_name_plural = _("修改废止关系")
        ordering = ["target_id", "effective_on", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(target=F("by_record")), name="policy_change_not_of_itself"),
            models.UniqueConstraint(
                fields=["target", "by_record"], condition=Q(by_record__isnull=False), name="unique_policy_change"
            ),
        ]

    def __str__(self):
        return f"{self.by_title} {self.get_kind_display()} {self.target_id}"

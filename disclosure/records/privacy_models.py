"""The privacy guard's findings: personal data found in a record version, and what was decided about it.

The scanner is ``disclosure/core/privacy.py``; the scans and decisions are written by
``disclosure/records/privacy_guard.py`` only.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from disclosure.records.models import Record


class FindingKind(models.TextChoices):
    ID_NUMBER = "id_number", _("身份证号码")
    MOBILE = "mobile", _("手机号码")
    LANDLINE = "landline", _("固定电话")
    BANK_CARD = "bank_card", _("银行卡号")


class FindingDecision(models.TextChoices):
    OPEN = "", _("待处理")
    MASKED = "masked", _("已脱敏")
    REMOVED = "removed", _("已删除")
    KEPT = "kept", _("保留公开")


class PrivacyScan(models.Model):
    """One scan of a record version (at submission, or when asked for); the latest scan is the current one.

    Invariant: written only by ``privacy_guard.record_privacy_scan``, never changed afterwards.
    """

    record = models.ForeignKey(Record, verbose_name=_("公开信息"), on_delete=models.CASCADE, related_name="privacy_scans")
    version_number = models.PositiveIntegerField(_("版本号"))
    scanned_at = models.DateTimeField(_("检查时间"), auto_now_add=True)
    actor_name = models.CharField(_("操作人"), max_length=150, blank=True)
    notes = models.TextField(_("检查说明"), blank=True, help_text=_("未能检查或只检查了一部分的附件。"))

    class Meta:
        verbose_name = _("个人信息检查")
        verbose_name_plural = _("个人信息检查")
        ordering = ["-id"]

    def __str__(self):
        return f"{self.record_id} v{self.version_number}"


class FindingFields(models.Model):
    """What a privacy finding holds, wherever it was found (a record's or a consultation's content): never
    the raw value, only its masked form and a keyed digest (HMAC with the site's secret key) that
    recognises it in the next scan, and the decision about it."""

    kind = models.CharField(_("类型"), max_length=20, choices=FindingKind.choices)
    source = models.CharField(_("所在文件"), max_length=200, help_text=_("“正文”或附件文件名。"))
    where = models.CharField(_("位置"), max_length=300)
    masked = models.CharField(_("脱敏显示"), max_length=40)
    subject = models.CharField(_("同行姓名（脱敏）"), max_length=10, blank=True)
    value_digest = models.CharField(_("摘要"), max_length=64)
    decision = models.CharField(_("处理结果"), max_length=10, choices=FindingDecision.choices, default="", blank=True)
    reason = models.TextField(_("保留理由"), blank=True)
    legal_basis = models.CharField(_("法定依据"), max_length=300, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by_name = models.CharField(_("处理人"), max_length=150, blank=True)
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.get_kind_display()} {self.masked}（{self.where}）"


class PrivacyFinding(FindingFields):
    """One piece of personal data found by a scan: never the raw value, only its masked form and a keyed
    digest (HMAC with the site's secret key) that recognises it in the next scan.

    Invariants:
    - A decision, once made, is final: ``masked``/``removed`` when a later scan no longer finds the value,
      ``kept`` by a reviewer with a reason and a legal basis (database constraint).
    - A record is published only when every finding of its current scan has a decision.
    """

    scan = models.ForeignKey(PrivacyScan, on_delete=models.CASCADE, related_name="findings")
    record = models.ForeignKey(Record, verbose_name=_("公开信息"), on_delete=models.CASCADE, related_name="privacy_findings")

    class Meta:
        verbose_name = _("个人信息检查结果")
        verbose_name_plural = _("个人信息检查结果")
        ordering = ["id"]
        indexes = [models.Index(fields=["record", "decision"], name="privacy_finding_open_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(decision=FindingDecision.KEPT) | (~Q(reason="") & ~Q(legal_basis="")),
                name="privacy_kept_has_reason",
            ),
        ]

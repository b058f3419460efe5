"""The privacy guard's findings on decision drafts: personal data found in a consultation's summary, body
and files, and what was decided about it. The scanner is ``disclosure/core/privacy.py``; the scans and
decisions are written by ``disclosure/consultations/privacy_guard.py`` only.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from disclosure.consultations.models import Consultation
from disclosure.records.privacy_models import FindingDecision, FindingFields


class ConsultationPrivacyScan(models.Model):
    """One scan of a draft's content (after every change to it, and again when it is opened); the latest
    is the current one. Never changed after it is written."""

    consultation = models.ForeignKey(
        Consultation, verbose_name=_("意见征集"), on_delete=models.CASCADE, related_name="privacy_scans"
    )
    scanned_at = models.DateTimeField(_("检查时间"), auto_now_add=True)
    actor_name = models.CharField(_("操作人"), max_length=150, blank=True)
    notes = models.TextField(_("检查说明"), blank=True, help_text=_("未能检查或只检查了一部分的附件。"))

    class Meta:
        verbose_name = _("意见征集个人信息检查")
        verbose_name_plural = _("意见征集个人信息检查")
        ordering = ["-id"]

    def __str__(self):
        return f"{self.consultation_id} #{self.pk}"


class ConsultationPrivacyFinding(FindingFields):
    """Personal data found in a draft for comment. A draft is opened for comment only when every finding
    of its latest scan is masked, removed, or kept by a reviewer with a reason and a legal basis
    (database constraint for the last)."""

    scan = models.ForeignKey(ConsultationPrivacyScan, on_delete=models.CASCADE, related_name="findings")
    consultation = models.ForeignKey(
        Consultation, verbose_name=_("意见征集"), on_delete=models.CASCADE, related_name="privacy_findings"
    )

    class Meta:
        verbose_name = _("意见征集个人信息检查结果")
        verbose_name_plural = _("意见征集个人信息检查结果")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(decision=FindingDecision.KEPT) | (~Q(reason="") & ~Q(legal_basis="")),
                name="consultation_privacy_kept_has_reason",
            ),
        ]

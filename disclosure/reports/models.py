"""The annual report as a document, and the register of review and litigation cases that feeds its table 4.

- ``DisclosureCase``: one 行政复议 or 行政诉讼 case about government information disclosure, registered
  by the organisation it concerns; table 4 of the annual report counts them (``cases.case_counts``).
- ``AnnualReportDocument``: an organisation's report of one year: the narrative sections written by
  staff (with figures inserted where they write 【…】 markers) and the hand-entered amounts.
- ``AnnualReportEdition``: what one publication record of the report carried: the figures and the
  narrative frozen when staff generated the record, so that the public XLSX/CSV of a published report
  never change behind it (the record goes through the records' review workflow like any other).
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from catalog.models import Organisation
from disclosure.core.models import AuthoredModel, RegisteredModel
from disclosure.records.models import Record


class CaseKind(models.TextChoices):
    """The three groups of columns of table 4 (国办公开办函〔2021〕30号)."""

    REVIEW = "review", _("行政复议")
    LITIGATION_DIRECT = "litigation_direct", _("行政诉讼（未经复议直接起诉）")
    LITIGATION_AFTER_REVIEW = "litigation_after_review", _("行政诉讼（复议后起诉）")


class CaseOutcome(models.TextChoices):
    """How a case ended; empty while it is not decided (尚未审结)."""

    PENDING = "", _("尚未审结")
    UPHELD = "upheld", _("结果维持")
    CORRECTED = "corrected", _("结果纠正")
    OTHER = "other", _("其他结果")


class DisclosureCase(RegisteredModel):
    """A 行政复议 or 行政诉讼 case about the organisation's government information disclosure.

    Invariants (database constraints): a decided case has both a decision date and an outcome, an
    undecided one neither; it is not decided before it was received.
    """

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("被申请人/被告单位"), on_delete=models.PROTECT, related_name="disclosure_cases"
    )
    kind = models.CharField(_("案件类型"), max_length=30, choices=CaseKind.choices)
    case_number = models.CharField(_("案号"), max_length=100, blank=True)
    subject = models.CharField(
        _("案由"), max_length=300, help_text=_("如：不服政府信息公开申请答复（申请编号）。不要填写申请人的个人信息。")
    )
    received_on = models.DateField(_("收案日期"), help_text=_("收到复议申请书副本或起诉状副本之日。"))
    decided_on = models.DateField(_("审结日期"), null=True, blank=True, help_text=_("尚未审结的留空。"))
    outcome = models.CharField(
        _("结果"), max_length=20, choices=CaseOutcome.choices, default=CaseOutcome.PENDING, blank=True,
        help_text=_("维持：复议决定或判决维持/驳回；纠正：撤销、变更、确认违法或责令履行；其他：终止、撤诉等。"),
    )
    note = models.TextField(_("备注"), blank=True)

    class Meta:
        verbose_name = _("政府信息公开复议诉讼案件")
        verbose_name_plural = _("政府信息公开复议诉讼案件")
        ordering = ["-received_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(decided_on__isnull=True) & Q(outcome=""))
                | (Q(decided_on__isnull=False) & ~Q(outcome="")),
                name="case_decided_has_outcome",
            ),
            models.CheckConstraint(
                condition=Q(decided_on__isnull=True) | Q(decided_on__gte=models.F("received_on")),
                name="case_decided_after_received",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.case_number or self.subject}"


class AnnualReportDocument(AuthoredModel):
    """The 政府信息公开工作年度报告 of one organisation for one year, as staff write it.

    Invariant: one document per organisation and year (database). Its tables are never stored here:
    they are computed as of 31 December from the history when a publication record is generated
    (``AnnualReportEdition``), and shown live on the staff pages.
    """

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("公开单位"), on_delete=models.PROTECT, related_name="annual_reports"
    )
    year = models.PositiveSmallIntegerField(
        _("年度"), validators=[MinValueValidator(2000), MaxValueValidator(2100)], help_text=_("报告所属年度，如 2025。")
    )
    overview = models.TextField(_("一、总体情况"), blank=True)
    proactive_text = models.TextField(_("二、主动公开政府信息情况"), blank=True)
    applications_text = models.TextField(_("三、收到和处理政府信息公开申请情况"), blank=True)
    reviews_text = models.TextField(_("四、政府信息公开行政复议、行政诉讼情况"), blank=True)
    problems_text = models.TextField(_("五、存在的主要问题及改进情况"), blank=True)
    other_text = models.TextField(_("六、其他需要报告的事项"), blank=True)
    administrative_fees = models.DecimalField(
        _("本年行政事业性收费金额（万元）"), max_digits=12, decimal_places=4, default=0,
        help_text=_("表二第二十条第（八）项；按财务数字填写。"),
    )
    processing_fees = models.DecimalField(
        _("本年收取信息处理费（元）"), max_digits=12, decimal_places=2, default=0,
        help_text=_("《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）；在“其他需要报告的事项”中列明。"),
    )
    processing_fee_notices = models.PositiveIntegerField(
        _("发出收费通知的件数"), default=0, help_text=_("本年向申请人发出信息处理费收费通知的件数。")
    )

    class Meta:
        verbose_name = _("政府信息公开工作年度报告")
        verbose_name_plural = _("政府信息公开工作年度报告")
        ordering = ["-year", "organisation__code"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year"], name="one_annual_report_per_year"),
        ]

    def __str__(self):
        return _("%(name)s%(year)s年政府信息公开工作年度报告") % {"name": self.organisation.name, "year": self.year}


class AnnualReportEdition(models.Model):
    """The figures and narrative one publication record of an annual report carries (frozen)."""

    document = models.ForeignKey(
        AnnualReportDocument, verbose_name=_("年度报告"), on_delete=models.PROTECT, related_name="editions"
    )
    record = models.OneToOneField(
        Record, verbose_name=_("公开信息"), on_delete=models.CASCADE, related_name="annual_report_edition"
    )
    figures = models.JSONField(_("表格数据"))
    sections = models.JSONField(_("报告正文"), help_text=_("[[标题, 正文], …]，数字已填入。"))
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("年度报告信息稿")
        verbose_name_plural = _("年度报告信息稿")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.document} · {self.record_id}"

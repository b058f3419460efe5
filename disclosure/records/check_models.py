"""What the national site check (政府网站与政务新媒体检查指标) counts besides freshness, kept per record:
the maintained list of wrong and sensitive expressions (错敏词) and the findings of the jobs that check
published records for them and for broken links. The checks themselves: disclosure/records/site_checks.py.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from disclosure.records.models import Record


class WordingKind(models.TextChoices):
    WRONG = "wrong", _("错别字")
    IMPROPER = "improper", _("不规范表述")
    SENSITIVE = "sensitive", _("敏感或不当表述")


class WordingRule(models.Model):
    """One wrong or sensitive expression, with what to write instead. Staff extend the list in the admin.

    A rule whose ``exceptions`` name longer words holding the phrase (按排名 for 按排) does not fire
    inside those words. A rule that ``blocks_submission`` refuses the submission of a record holding it;
    the others warn the editor and the reviewer.
    """

    phrase = models.CharField(_("词语"), max_length=50, unique=True)
    kind = models.CharField(_("类别"), max_length=12, choices=WordingKind.choices, default=WordingKind.WRONG)
    suggestion = models.CharField(_("建议改为"), max_length=100, blank=True)
    exceptions = models.CharField(
        _("不算错误的用法"),
        max_length=200,
        blank=True,
        help_text=_("包含该词语的正确词汇，出现在这些词汇中时不提示；多个用顿号或空格分隔，如：按排名。"),
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    blocks_submission = models.BooleanField(
        _("阻止提交"), default=False, help_text=_("勾选后，含有该词语的信息不能提交审核；否则只提示信息员和审核员。")
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("错敏词")
        verbose_name_plural = _("错敏词")
        ordering = ["kind", "phrase"]

    def __str__(self):
        return f"{self.phrase} → {self.suggestion}" if self.suggestion else self.phrase


class FindingKind(models.TextChoices):
    BROKEN_LINK = "broken_link", _("链接不可用")
    BROKEN_ATTACHMENT = "broken_attachment", _("附件不可用")
    WORDING = "wording", _("错敏词")


class SiteCheckFinding(models.Model):
    """One problem a site-check job found in a published record. Each run of a job replaces the findings
    of its kinds, so the table always says what the latest run found (``checked_at``)."""

    kind = models.CharField(_("问题类别"), max_length=20, choices=FindingKind.choices)
    record = models.ForeignKey(
        Record, verbose_name=_("公开信息"), on_delete=models.CASCADE, related_name="site_check_findings"
    )
    target = models.CharField(_("链接或词语"), max_length=500)
    detail = models.CharField(_("说明"), max_length=300, blank=True)
    status_code = models.PositiveSmallIntegerField(_("HTTP 状态码"), null=True, blank=True)
    rule = models.ForeignKey(
        WordingRule, verbose_name=_("错敏词"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    checked_at = models.DateTimeField(_("检查时间"))

    class Meta:
        verbose_name = _("网站检查发现")
        verbose_name_plural = _("网站检查发现")
        ordering = ["kind", "record_id", "id"]
        indexes = [models.Index(fields=["kind", "record"], name="site_check_kind_record_idx")]

    def __str__(self):
        return f"{self.get_kind_display()}：{self.target}"

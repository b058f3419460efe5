"""Service guides (办事指南): the structured content of a service-guide record.

A guide belongs to one Record of type ``service_guide`` and is published, revised and withdrawn with
it through the record workflow; it never has a publication state of its own. Which elements are
required lives in disclosure/service_guides/selectors.py, who may edit a guide in policy.py, and the
one public layout in templates/disclosure/service_guides/includes/service_guide.html.
"""

import uuid
from pathlib import PurePath

from django.db import models
from django.utils.translation import gettext_lazy as _

from disclosure.records.models import Record


class FeeMode(models.TextChoices):
    UNSET = "", _("未填写")
    FREE = "free", _("不收费")
    CHARGED = "charged", _("收费")


class ServiceGuide(models.Model):
    """The structured guide of one service-guide record.

    Invariants: one guide per record (OneToOne); the record is of type 办事指南 in a service-guide
    column; the guide is edited only while its record is editable (disclosure.service_guides.policy.can_edit), so
    what the public reads is always what was reviewed. Missing required elements do not block
    saving: they are reported (``missing_elements``) and flagged in the completeness report.
    """

    record = models.OneToOneField(
        Record, verbose_name=_("办事指南信息"), on_delete=models.CASCADE, related_name="service_guide"
    )
    responsible_body = models.CharField(_("实施主体"), max_length=200, blank=True)
    legal_basis = models.TextField(_("设定依据"), blank=True, help_text=_("法律、法规、规章的名称及条款。"))
    conditions = models.TextField(_("申请条件"), blank=True)
    fee_mode = models.CharField(
        _("是否收费"), max_length=10, choices=FeeMode.choices, default=FeeMode.UNSET, blank=True
    )
    fee_amount = models.CharField(_("收费标准"), max_length=300, blank=True)
    fee_basis = models.CharField(_("收费依据"), max_length=300, blank=True)
    statutory_days = models.PositiveSmallIntegerField(
        _("法定办结时限（工作日）"), null=True, blank=True
    )
    promised_days = models.PositiveSmallIntegerField(
        _("承诺办结时限（工作日）"), null=True, blank=True, help_text=_("不得长于法定时限。")
    )
    consultation_phone = models.CharField(_("咨询电话"), max_length=100, blank=True)
    consultation_address = models.CharField(_("咨询地址"), max_length=200, blank=True)
    supervision_phone = models.CharField(_("监督投诉电话"), max_length=100, blank=True)
    supervision_channel = models.CharField(
        _("其他监督投诉渠道"), max_length=300, blank=True, help_text=_("如12345热线、投诉信箱、监督地址。")
    )
    place = models.CharField(_("办理地点"), max_length=300, blank=True)
    hours = models.CharField(_("办理时间"), max_length=300, blank=True)
    online_url = models.URLField(_("网上办理地址"), blank=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("办事指南")
        verbose_name_plural = _("办事指南")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(promised_days__isnull=True)
                | models.Q(statutory_days__isnull=True)
                | models.Q(promised_days__lte=models.F("statutory_days")),
                name="guide_promised_within_statutory",
            ),
        ]

    def __str__(self):
        return str(self.record)


class ServiceGuideStep(models.Model):
    """One step of the procedure (办理流程); steps are shown in ``order``."""

    guide = models.ForeignKey(ServiceGuide, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField(_("序号"), default=1)
    name = models.CharField(_("环节"), max_length=100)
    description = models.TextField(_("办理要求"), blank=True)
    time_limit = models.CharField(_("环节时限"), max_length=100, blank=True, help_text=_("如“1个工作日”。"))

    class Meta:
        verbose_name = _("办理流程")
        verbose_name_plural = _("办理流程")
        ordering = ["order", "id"]

    def __str__(self):
        return self.name


class MaterialForm(models.TextChoices):
    PAPER = "paper", _("纸质")
    ELECTRONIC = "electronic", _("电子")
    BOTH = "both", _("纸质或电子")


def form_file_path(instance, filename):
    # Random stored names, as for record attachments: nothing can be guessed from them.
    return f"guide-forms/{uuid.uuid4().hex}{PurePath(filename).suffix.lower()}"


class ServiceGuideMaterial(models.Model):
    """One application material (申请材料). A blank form, if any, is served only through the download
    view under the public rule of the guide's record; it is checked like a record attachment."""

    guide = models.ForeignKey(ServiceGuide, on_delete=models.CASCADE, related_name="materials")
    order = models.PositiveSmallIntegerField(_("序号"), default=1)
    name = models.CharField(_("材料名称"), max_length=200)
    originals = models.PositiveSmallIntegerField(_("原件（份）"), default=0)
    copies = models.PositiveSmallIntegerField(_("复印件（份）"), default=0)
    form = models.CharField(_("材料形式"), max_length=12, choices=MaterialForm.choices, default=MaterialForm.PAPER)
    required = models.BooleanField(_("必需"), default=True)
    note = models.CharField(_("备注"), max_length=300, blank=True)
    form_file = models.FileField(_("空白表格"), upload_to=form_file_path, max_length=200, blank=True)
    form_file_name = models.CharField(_("表格文件名"), max_length=200, blank=True, editable=False)
    form_file_size = models.PositiveBigIntegerField(_("表格大小（字节）"), null=True, blank=True, editable=False)
    form_file_sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("申请材料")
        verbose_name_plural = _("申请材料")
        ordering = ["order", "id"]

    def __str__(self):
        return self.name


class ServiceGuideFAQ(models.Model):
    """One frequently asked question (常见问题)."""

    guide = models.ForeignKey(ServiceGuide, on_delete=models.CASCADE, related_name="faqs")
    order = models.PositiveSmallIntegerField(_("序号"), default=1)
    question = models.CharField(_("问题"), max_length=300)
    answer = models.TextField(_("解答"))

    class Meta:
        verbose_name = _("常见问题")
        verbose_name_plural = _("常见问题")
        ordering = ["order", "id"]

    def __str__(self):
        return self.question

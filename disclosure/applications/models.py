"""Applications for disclosure (依申请公开, 《政府信息公开条例》 articles 27–45).

Next to these models: the clock (clock.py: when a reply is due), the moves between states
(workflow.py), who may make them (policy.py), the services that make them (services.py, each writing
an ActivityEntry with subject_type "application"), the reads (selectors.py) and the annual-report
figures (figures.py).
"""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from catalog.models import Organisation
from disclosure.applications.clock import MAX_EXTENSION_DAYS
from disclosure.core.models import TimestampedModel, staff_field

# Tracking codes: Crockford's base32 (no I, L, O or U), so a code read aloud or copied by hand
# survives; 12 characters carry 60 random bits. selectors.normalise_tracking_code maps look-alikes.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 12


class ApplicantType(models.TextChoices):
    """The columns of table 3 of the annual report (国办公开办函〔2021〕30号)."""

    NATURAL_PERSON = "natural_person", _("自然人")
    COMMERCIAL = "commercial", _("商业企业")
    RESEARCH = "research", _("科研机构")
    PUBLIC_INTEREST = "public_interest", _("社会公益组织")
    LEGAL_SERVICE = "legal_service", _("法律服务机构")
    OTHER = "other", _("其他")


class IdDocumentType(models.TextChoices):
    RESIDENT_ID = "resident_id", _("居民身份证")
    PASSPORT = "passport", _("护照")
    HK_MACAO = "hk_macao", _("港澳居民来往内地通行证")
    TAIWAN = "taiwan", _("台湾居民来往大陆通行证")
    FOREIGN_RESIDENT = "foreign_resident", _("外国人永久居留身份证")
    OTHER = "other", _("其他有效身份证件")


class DeliveryForm(models.TextChoices):
    """指定提供的载体形式."""

    PAPER = "paper", _("纸质")
    EMAIL = "email", _("电子邮件")
    DISC = "disc", _("光盘")
    DISK = "disk", _("磁盘（U盘）")


class ObtainMethod(models.TextChoices):
    """获取信息的方式."""

    POST = "post", _("邮寄")
    EMAIL = "email", _("电子邮件")
    COLLECT = "collect", _("自行领取")
    READ_ON_SITE = "read_on_site", _("当场阅读、抄录")


class ApplicationChannel(models.TextChoices):
    """How the application arrived (条例 article 29)."""

    ONLINE = "online", _("网上申请")
    LETTER = "letter", _("信函")
    IN_PERSON = "in_person", _("当面提交")
    FAX = "fax", _("传真")
    EMAIL = "email", _("电子邮件")


class ApplicationStatus(models.TextChoices):
    """States of an application; disclosure/applications/workflow.py says which moves are legal."""

    RECEIVED = "received", _("办理中")
    CORRECTION = "correction", _("待补正")
    CONSULTATION = "consultation", _("征求意见中")
    REPLIED = "replied", _("已答复")
    CLOSED = "closed", _("已办结")


class ReplyType(models.TextChoices):
    """The reply types of article 36, one per sub-row of section 三 of table 3 of the annual report.

    ``disclosure.applications.figures.TABLE3_RESULT_ROWS`` groups them into the table's rows (一)–(六).
    """

    DISCLOSED = "disclosed", _("予以公开")
    PARTIAL = "partial", _("部分公开")
    WITHHELD_STATE_SECRET = "withheld_state_secret", _("不予公开：属于国家秘密")
    WITHHELD_PROHIBITED = "withheld_prohibited", _("不予公开：其他法律行政法规禁止公开")
    WITHHELD_SECURITY = "withheld_security", _("不予公开：危及“三安全一稳定”")
    WITHHELD_THIRD_PARTY = "withheld_third_party", _("不予公开：保护第三方合法权益")
    WITHHELD_INTERNAL = "withheld_internal", _("不予公开：属于三类内部事务信息")
    WITHHELD_PROCESS = "withheld_process", _("不予公开：属于四类过程性信息")
    WITHHELD_ENFORCEMENT = "withheld_enforcement", _("不予公开：属于行政执法案卷")
    WITHHELD_QUERY = "withheld_query", _("不予公开：属于行政查询事项")
    UNABLE_NOT_HELD = "unable_not_held", _("无法提供：本机关不掌握相关政府信息")
    UNABLE_NEEDS_CREATION = "unable_needs_creation", _("无法提供：没有现成信息需要另行制作")
    UNABLE_UNCLEAR = "unable_unclear", _("无法提供：补正后申请内容仍不明确")
    NOT_PROCESSED_PETITION = "not_processed_petition", _("不予处理：信访举报投诉类申请")
    NOT_PROCESSED_REPEATED = "not_processed_repeated", _("不予处理：重复申请")
    NOT_PROCESSED_PUBLICATION = "not_processed_publication", _("不予处理：要求提供公开出版物")
    NOT_PROCESSED_EXCESSIVE = "not_processed_excessive", _("不予处理：无正当理由大量反复申请")
    NOT_PROCESSED_CONFIRMATION = "not_processed_confirmation", _(
        "不予处理：要求行政机关确认或重新出具已获取信息"
    )
    OTHER_NO_CORRECTION = "other_no_correction", _("其他处理：申请人逾期不补正")
    OTHER_NO_FEE = "other_no_fee", _("其他处理：申请人逾期未缴费")
    OTHER = "other", _("其他处理：其他")


# The applicant's personal data: masked for every reader but the handlers, blanked after retention.
# The applicant type stays (table 3 of the annual report counts by it).
PERSONAL_FIELDS = (
    "name",
    "id_type",
    "id_number",
    "organisation_name",
    "credit_code",
    "legal_representative",
    "contact_person",
    "phone",
    "email",
    "address",
    "postcode",
    "purpose",
)


class Application(TimestampedModel):
    """One application for disclosure, from its arrival to its reply.

    Invariants:
    - ``status`` changes only through disclosure/applications/services.py, which writes an
      ActivityEntry for each move; the log is the truth, ``status`` a denormalised copy for filtering.
    - ``tracking_code`` is random, unique and the only thing the public can look an application up by;
      the public sees statuses and dates, never the applicant's personal data or the request text.
    - ``received_on`` is the date the application arrived and never changes (the annual report counts
      by it); ``clock_start`` is where the 20-working-day clock starts: ``received_on``, and after a
      correction (补正) the date the correction arrived.
    - A replied or closed application has a reply type and a reply date no earlier than its receipt
      (database constraints), so that table 3 of the annual report balances.
    - At most one extension, of at most ``clock.MAX_EXTENSION_DAYS`` working days.
    - The applicant's personal data (``PERSONAL_FIELDS``) is shown in full only to the handlers of the
      target organisation (policy.sees_applicant); once the application has been closed for the
      retention period, ``services.application_purge_personal_data`` blanks it and sets
      ``personal_data_removed_at``. What table 3 of the annual report counts is never purged.
    """

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("受理机关"),
        on_delete=models.PROTECT,
        related_name="applications",
    )
    tracking_code = models.CharField(_("查询码"), max_length=CODE_LENGTH, unique=True, editable=False)
    channel = models.CharField(
        _("申请方式"), max_length=12, choices=ApplicationChannel.choices, default=ApplicationChannel.ONLINE
    )
    submitted_at = models.DateTimeField(_("提交时间"), help_text=_("网上申请的提交时间，或工作人员登记的到达时间。"))
    received_on = models.DateField(
        _("收到申请日期"), help_text=_("申请到达本机关之日；年度报告按此日期统计新收申请。")
    )
    clock_start = models.DateField(
        _("答复期限起算日"),
        help_text=_("收到申请之日；申请人补正的，为收到补正之日。非工作日的，自其后第一个工作日起算。"),
    )

    applicant_type = models.CharField(_("申请人类型"), max_length=20, choices=ApplicantType.choices)
    name = models.CharField(_("姓名"), max_length=50, blank=True)
    id_type = models.CharField(_("证件类型"), max_length=20, choices=IdDocumentType.choices, blank=True)
    id_number = models.CharField(_("证件号码"), max_length=30, blank=True)
    organisation_name = models.CharField(_("法人或者其他组织名称"), max_length=100, blank=True)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    legal_representative = models.CharField(_("法定代表人或者负责人"), max_length=50, blank=True)
    contact_person = models.CharField(_("联系人"), max_length=50, blank=True)
    phone = models.CharField(_("联系电话"), max_length=30)
    email = models.EmailField(_("电子邮箱"), blank=True)
    address = models.CharField(_("通信地址"), max_length=200, blank=True)
    postcode = models.CharField(_("邮政编码"), max_length=6, blank=True)

    description = models.TextField(_("所需政府信息的名称或内容描述"), max_length=2000)
    document_hint = models.CharField(_("文号或标题"), max_length=200, blank=True)
    purpose = models.CharField(_("用途（选填）"), max_length=500, blank=True)
    delivery_form = models.CharField(_("提供载体形式"), max_length=12, choices=DeliveryForm.choices)
    obtain_method = models.CharField(_("获取信息方式"), max_length=12, choices=ObtainMethod.choices)

    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.RECEIVED,
        editable=False,
    )
    correction_requested_on = models.DateField(_("补正告知日期"), null=True, blank=True, editable=False)
    correction_note = models.TextField(_("补正告知内容"), blank=True, editable=False)
    correction_received_on = models.DateField(_("收到补正日期"), null=True, blank=True, editable=False)
    extension_days = models.PositiveSmallIntegerField(_("延长答复期限（工作日）"), default=0, editable=False)
    extension_reason = models.TextField(_("延期理由"), blank=True, editable=False)
    extension_approved_by = staff_field(_("延期批准人"), blank=True)
    # Set by services.application_assign_handler; the reply reminders then go to this person only.
    handler = staff_field(_("承办人"), blank=True)
    extension_approved_on = models.DateField(_("延期批准日期"), null=True, blank=True, editable=False)
    extension_notified_on = models.DateField(_("延期告知申请人日期"), null=True, blank=True, editable=False)
    reply_type = models.CharField(
        _("答复类型"), max_length=30, choices=ReplyType.choices, blank=True, editable=False
    )
    replied_on = models.DateField(_("答复日期"), null=True, blank=True, editable=False)
    reply_note = models.TextField(_("答复说明"), blank=True, editable=False)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True, editable=False)
    personal_data_removed_at = models.DateTimeField(
        _("个人信息清除时间"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("办结后保存期满，申请人个人信息已被清除（由“申请人个人信息到期清除”定时任务执行）。"),
    )
    is_demo = models.BooleanField(
        _("演示数据"),
        default=False,
        editable=False,
        help_text=_("由 seed_demo 创建的虚构申请；演示命令只读取和显示这些申请。"),
    )

    class Meta:
        verbose_name = _("依申请公开")
        verbose_name_plural = _("依申请公开")
        ordering = ["-received_on", "-id"]
        indexes = [
            models.Index(fields=["organisation", "status"], name="application_org_status_idx"),
            models.Index(fields=["received_on"], name="application_received_idx"),
            models.Index(fields=["replied_on"], name="application_replied_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(extension_days__lte=MAX_EXTENSION_DAYS), name="application_extension_at_most_20"
            ),
            models.CheckConstraint(
                condition=Q(clock_start__gte=F("received_on")), name="application_clock_after_receipt"
            ),
            models.CheckConstraint(
                condition=~Q(status__in=[ApplicationStatus.REPLIED, ApplicationStatus.CLOSED])
                | (
                    Q(replied_on__isnull=False)
                    & ~Q(reply_type="")
                    & Q(replied_on__gte=F("received_on"))
                ),
                name="application_replied_has_type_and_date",
            ),
            models.CheckConstraint(
                condition=Q(status__in=[ApplicationStatus.REPLIED, ApplicationStatus.CLOSED])
                | Q(replied_on__isnull=True),
                name="application_open_has_no_reply",
            ),
        ]

    def __str__(self):
        return f"{self.tracking_code}（{self.get_status_display()}）"

    @property
    def applicant_label(self) -> str:
        """The applicant as staff refer to them; personal data, for the admin only."""
        if self.applicant_type == ApplicantType.NATURAL_PERSON:
            return self.name
        return self.organisation_name

    @property
    def being_handled(self) -> bool:
        """Received and not yet answered, with the reply clock running (办理中)."""
        return self.status == ApplicationStatus.RECEIVED

    @property
    def awaiting_correction(self) -> bool:
        """The applicant has been asked to correct the application (待补正): the clock stands still."""
        return self.status == ApplicationStatus.CORRECTION

    @property
    def in_consultation(self) -> bool:
        """A third party or another agency is being consulted (征求意见中): the clock is paused."""
        return self.status == ApplicationStatus.CONSULTATION

    @property
    def tracking_code_display(self) -> str:
        """The code in groups of four, easier to read out and type."""
        code = self.tracking_code
        return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


class ConsultationKind(models.TextChoices):
    THIRD_PARTY = "third_party", _("征求第三方意见（条例第三十二条）")
    AGENCY = "agency", _("征求其他机关意见（条例第三十四条）")


class ApplicationPause(models.Model):
    """A consultation (征求意见) during which the reply clock stands still (条例 articles 32–34).

    Invariants: at most one open pause (no end date) per application (database constraint); an end
    date is never before the start. The paused working days are those in (started_on, ended_on].
    """

    application = models.ForeignKey(
        Application, verbose_name=_("申请"), on_delete=models.CASCADE, related_name="pauses"
    )
    kind = models.CharField(_("类型"), max_length=20, choices=ConsultationKind.choices)
    party = models.CharField(_("征求意见对象"), max_length=200)
    started_on = models.DateField(_("发出征求意见日期"))
    ended_on = models.DateField(_("收到意见（结束）日期"), null=True, blank=True)
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("征求意见")
        verbose_name_plural = _("征求意见")
        ordering = ["started_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["application"],
                condition=Q(ended_on__isnull=True),
                name="one_open_pause_per_application",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="pause_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}：{self.party}"

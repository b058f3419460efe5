"""Publication records: one piece of government information, for one organisation, under one catalog node."""

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import F, Lookup, Q
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from catalog.models import CatalogNode, Organisation
from disclosure.core import addresses
from disclosure.core.log import action_label, check_action
from disclosure.core.models import AuthoredModel, LogEntryModel, UploadedFileModel
from disclosure.records.metadata import DEFAULT_TOPIC, KEYWORDS_MAX_LENGTH, Topic, split_keywords


class Openness(models.TextChoices):
    """公开属性, set by the author where the information is created."""

    PROACTIVE = "proactive", _("主动公开")
    ON_APPLICATION = "on_application", _("依申请公开")
    WITHHELD = "withheld", _("不予公开")


class WithholdingGround(models.TextChoices):
    """Legal grounds of 《政府信息公开条例》 articles 14–16 for not disclosing proactively."""

    STATE_SECRET = "art14_secret", _("第十四条：国家秘密")
    PROHIBITED = "art14_prohibited", _("第十四条：法律、行政法规禁止公开")
    SECURITY = "art14_security", _("第十四条：公开后可能危及国家安全、公共安全、经济安全、社会稳定")
    THIRD_PARTY = "art15_third_party", _("第十五条：涉及商业秘密、个人隐私等，公开会对第三方合法权益造成损害")
    INTERNAL = "art16_internal", _("第十六条：人事管理、后勤管理、内部工作流程等内部事务信息")
    PROCESS = "art16_process", _("第十六条：讨论记录、过程稿、磋商信函、请示报告等过程性信息")
    ENFORCEMENT = "art16_enforcement", _("第十六条：行政执法案卷信息")


class Validity(models.TextChoices):
    """有效性. For a record with a 施行日期 it is derived (disclosure/records/validity.py), never hand-set."""

    UPCOMING = "upcoming", _("尚未生效")
    CURRENT = "current", _("现行有效")
    AMENDED = "amended", _("已修改")
    REPEALED = "repealed", _("已废止")
    EXPIRED = "expired", _("已失效")


class RecordType(models.TextChoices):
    """What kind of information a record is; the annual report counts some of these."""

    POLICY = "policy", _("政策文件")
    REGULATION = "regulation", _("规章")
    NORMATIVE = "normative", _("行政规范性文件")
    INTERPRETATION = "interpretation", _("政策解读")
    NOTICE = "notice", _("通知公告")
    RESULT = "result", _("结果公示")
    SERVICE_GUIDE = "service_guide", _("办事指南")
    PLAN = "plan", _("规划计划")
    WORK_UPDATE = "work_update", _("工作动态")
    LICENSING = "licensing", _("行政许可决定")
    PENALTY = "penalty", _("行政处罚决定")
    COERCION = "coercion", _("行政强制决定")
    FEES = "fees", _("行政事业性收费")
    OTHER = "other", _("其他")


class Status(models.TextChoices):
    """Workflow states; the transition table in disclosure/workflow.py says which moves are legal."""

    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待审核")
    CHANGES_REQUESTED = "changes_requested", _("退回修改")
    APPROVED = "approved", _("审核通过")
    SCHEDULED = "scheduled", _("定时发布")
    PUBLISHED = "published", _("已发布")
    WITHDRAWN = "withdrawn", _("已撤回")
    SUPERSEDED = "superseded", _("已被新版本替代")


EDITABLE_STATUSES = (Status.DRAFT, Status.CHANGES_REQUESTED)
UNPUBLISHED_STATUSES = (
    Status.DRAFT,
    Status.SUBMITTED,
    Status.CHANGES_REQUESTED,
    Status.APPROVED,
    Status.SCHEDULED,
)


class Record(AuthoredModel):
    """A publication record.

    Invariants (enforced by the database where it can):
    - ``status`` changes only through disclosure/services.py, which writes an AuditEntry for each move;
      the audit log is the truth, ``status`` a denormalised copy for filtering.
    - Once published (or later withdrawn or superseded) a record has a publication time and an index
      number; an index number belongs to one live record (a revision takes over its original's
      number and the original becomes superseded) and is never reused for other information.
    - Only ``Openness.PROACTIVE`` records are ever published; the others carry a legal ground.
    - What the public may see is decided in one place: ``disclosure.records.selectors.public_records``.
    - The reviewer of a record never wrote any part of it (``disclosure.records.policy``): the people who
      did are its creator and the authors of its versions (``RecordVersion``), one written per change.
    - A record is approved only when the last step of its organisation's review chain passes (or, on
      the urgent path, its first step; the others follow): ``disclosure.records.review_chain``.
    - ``change_note`` (更新说明) is public only on a published revision, with the revision's publication date.
    """

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("公开单位"), on_delete=models.PROTECT, related_name="records"
    )
    node = models.ForeignKey(
        CatalogNode, verbose_name=_("目录栏目"), on_delete=models.PROTECT, related_name="records"
    )
    title = models.CharField(_("标题"), max_length=300)
    document_number = models.CharField(
        _("文号"), max_length=100, blank=True, help_text=_("如：清建〔2026〕12号；无文号的留空。")
    )
    issuing_body = models.CharField(_("发文机关"), max_length=200, blank=True)
    written_on = models.DateField(_("成文日期"), null=True, blank=True)
    formed_on = models.DateField(
        _("信息形成（变更）日期"),
        help_text=_("信息形成或者变更之日，公开时限自此起算。"),
    )
    validity = models.CharField(
        _("有效性"), max_length=10, choices=Validity.choices, default=Validity.CURRENT
    )
    effective_on = models.DateField(
        _("施行日期"),
        null=True,
        blank=True,
        help_text=_("政策文件自此日起施行；施行前有效性为“尚未生效”。规章、规范性文件和政策文件必填。"),
    )
    expires_on = models.DateField(
        _("有效期至"),
        null=True,
        blank=True,
        help_text=_("有效期的最后一天（规范性文件一般为5年）；次日起有效性为“已失效”。无有效期的留空。"),
    )
    record_type = models.CharField(
        _("信息类别"), max_length=20, choices=RecordType.choices, default=RecordType.NOTICE
    )
    topic = models.CharField(
        _("主题分类"),
        max_length=20,
        choices=Topic.choices,
        default=DEFAULT_TOPIC,
        help_text=_("按国务院政府信息公开目录的主题分类选择；住房城乡建设类信息一般为“城乡建设、环境保护”。"),
    )
    keywords = models.CharField(
        _("主题词"),
        max_length=KEYWORDS_MAX_LENGTH,
        blank=True,
        help_text=_("反映信息主题的词语，多个用空格或顿号分隔，如：保障性住房 公租房 租金。"),
    )
    needs_interpretation = models.BooleanField(
        _("需要解读"),
        default=False,
        help_text=_("重要政策文件须同步解读：勾选后，须有审核通过的政策解读才能发布，并与解读同时发布。"),
    )
    openness = models.CharField(_("公开属性"), max_length=20, choices=Openness.choices)
    withholding_ground = models.CharField(
        _("不公开（依申请公开）的法定依据"),
        max_length=20,
        choices=WithholdingGround.choices,
        blank=True,
        help_text=_("公开属性为依申请公开或不予公开时必填。"),
    )
    openness_note = models.CharField(_("属性说明"), max_length=300, blank=True)
    summary = models.TextField(_("内容概述"), blank=True)
    body = models.TextField(_("正文"), blank=True, help_text=_("可直接从 Word 粘贴；保存时自动清理不安全的内容。"))
    related = models.ManyToManyField(
        "self", verbose_name=_("相关信息"), blank=True, symmetrical=True
    )
    change_note = models.TextField(
        _("更新说明"),
        blank=True,
        help_text=_("修订稿发布后在信息页面公开显示（连同发布日期），说明本次更新了什么；首次发布的信息留空。"),
    )
    revises = models.ForeignKey(
        "self",
        verbose_name=_("修订的原信息"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="revisions",
        help_text=_("本条为已发布信息的修订稿时，指向被修订的信息。"),
    )

    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    index_number = models.CharField(_("索引号"), max_length=60, blank=True, editable=False)
    publish_at = models.DateTimeField(_("定时发布时间"), null=True, blank=True, editable=False)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True, editable=False)
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True, editable=False)
    withdrawal_notice = models.BooleanField(
        _("撤回后公示撤回说明"), default=False, editable=False
    )

    class Meta:
        verbose_name = _("公开信息")
        verbose_name_plural = _("公开信息")
        ordering = ["-published_at", "-id"]
        indexes = [
            models.Index(fields=["status", "openness", "published_at"], name="record_public_idx"),
            models.Index(fields=["organisation", "node", "-published_at"], name="record_column_idx"),
            # Public records at a million (partial indexes: only what the public sees). The counts per column
            # and the years present (disclosure/site/listing.py) and the reports' figures per column
            # (disclosure/reports/) read only the first; an organisation's newest first (its page, the
            # open-data API's records list with org=) walks the second in order.
            models.Index(
                fields=["organisation", "node", "published_at"],
                condition=Q(status="published", openness="proactive"),
                name="record_public_column_idx",
            ),
            models.Index(
                fields=["organisation", "-published_at", "-id"],
                condition=Q(status="published", openness="proactive"),
                name="record_public_recent_idx",
            ),
            # The completeness report's service-guide check (disclosure/service_guides/selectors.py) numbers
            # each column's public records by id and reads only the first few: in id order, with the
            # publication time for the public rule, this answers it from the index alone.
            models.Index(
                fields=["organisation", "node", "id", "published_at"],
                condition=Q(status="published", openness="proactive"),
                name="record_public_column_pk_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["index_number"],
                condition=Q(index_number__gt="") & ~Q(status=Status.SUPERSEDED),
                name="unique_live_index_number",
            ),
            models.CheckConstraint(
                condition=Q(status__in=UNPUBLISHED_STATUSES)
                | (Q(published_at__isnull=False) & Q(index_number__gt="")),
                name="published_has_time_and_index",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=[Status.SCHEDULED, Status.PUBLISHED])
                | Q(openness=Openness.PROACTIVE),
                name="only_proactive_is_published",
            ),
            models.CheckConstraint(
                condition=Q(openness=Openness.PROACTIVE) | ~Q(withholding_ground=""),
                name="withheld_has_legal_ground",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        """The public address. A record that was never published has none: Http404, so that the
        admin's "view on site" redirect (/admin/r/…) answers 404 instead of failing."""
        if not self.index_number:
            raise Http404(_("该信息尚未发布，没有公开地址。"))
        return addresses.address("disclosure:record", self.organisation.code, self.index_serial)

    @property
    def index_serial(self) -> str:
        """The "year-serial" tail of the index number, used in the record's URL."""
        return self.index_number.rsplit("/", 1)[-1] if self.index_number else ""

    @property
    def keyword_list(self) -> list[str]:
        """主题词 as a list (disclosure/records/metadata.py)."""
        return split_keywords(self.keywords)

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES


class PublicColumnCount(models.Model):
    """How many records of an organisation, filed on a catalog node, are published and 主动公开, whatever their
    publication time: the reports' figures per column (disclosure/reports/common.py) read these rows
    instead of counting a million records.

    Written only by the database, by triggers on ``disclosure_record`` (migration 0014): every statement
    that inserts, updates or deletes records adds the difference it made to each (organisation, node)
    concerned, so the counts hold whichever code wrote the records (the services, the admin, a bulk
    update, the scale seeder's COPY), and concurrent transactions add to the same row without losing a
    count. A row is never deleted: it falls to 0. Records whose publication time lies ahead are counted
    here; the reader subtracts them (``public_column_figures``)."""

    # No index of its own: the unique constraint's index leads with the organisation.
    organisation = models.ForeignKey(
        Organisation, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    node = models.ForeignKey(CatalogNode, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    records = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("栏目公开信息数")
        verbose_name_plural = _("栏目公开信息数")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "node"], name="unique_public_column_count"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id}/{self.node_id}: {self.records}"


class IndexSequence(models.Model):
    """The last serial handed out per organisation and year; serials only ever go up."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT)
    year = models.PositiveSmallIntegerField()
    last_serial = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("索引号序列")
        verbose_name_plural = _("索引号序列")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year"], name="unique_index_sequence"),
        ]


class Attachment(UploadedFileModel):
    """A file attached to a record. Served only through the download view, under the record's public rule."""

    record = models.ForeignKey(
        Record, verbose_name=_("公开信息"), on_delete=models.CASCADE, related_name="attachments"
    )
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["sort_order", "id"]


class Review(models.Model):
    """One round of review (审核) of a submitted record.

    Invariant: at most one open review (no decision yet) per record, enforced by the database.
    The reviewer is never the record's author (checked by the policy before a decision).
    """

    class Decision(models.TextChoices):
        OPEN = "", _("待审核")
        APPROVED = "approved", _("通过")
        CHANGES_REQUESTED = "changes_requested", _("退回修改")

    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="reviews")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(_("提交时间"))
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewer_name = models.CharField(_("审核人姓名"), max_length=150, blank=True)
    decision = models.CharField(
        _("审核结论"), max_length=20, choices=Decision.choices, default=Decision.OPEN, blank=True
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    confidentiality_checked = models.BooleanField(_("已通过保密审查"), default=False)
    openness_checked = models.BooleanField(_("已核定公开属性"), default=False)
    comment = models.TextField(_("审核意见"), blank=True)

    class Meta:
        verbose_name = _("审核记录")
        verbose_name_plural = _("审核记录")
        ordering = ["-submitted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["record"], condition=Q(decision=""), name="one_open_review_per_record"
            ),
        ]

    def __str__(self):
        return f"{self.record} · {self.get_decision_display()}"


class AuditEntry(LogEntryModel):
    """Append-only log of every state change. Rows survive the deletion of users and draft records."""

    record = models.ForeignKey(
        Record, verbose_name=_("信息"), null=True, on_delete=models.SET_NULL, related_name="audit_entries"
    )
    record_title = models.CharField(_("信息标题"), max_length=300)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("单位"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人账号"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_status = models.CharField(_("原状态"), max_length=20, blank=True)
    to_status = models.CharField(_("新状态"), max_length=20, blank=True)

    class Meta(LogEntryModel.Meta):
        verbose_name = _("操作日志")
        verbose_name_plural = _("操作日志")

    def __str__(self):
        return f"{self.actor_name} {action_label(self.action)} {self.record_title}"

    @classmethod
    def write(cls, *, actor, action: str, **fields):
        """Append one entry; the action must be registered in disclosure/core/log.py, so a typo fails."""
        return super().write(actor=actor, action=check_action(action), **fields)

    @classmethod
    def note(cls, record: "Record", actor, action: str, comment: str) -> "AuditEntry":
        """Append an entry that is not a state change (a link, a scan, a decision): from and to
        status are both the record's current one."""
        return cls.write(
            actor=actor,
            record=record,
            record_title=record.title,
            organisation_id=record.organisation_id,
            action=action,
            from_status=record.status,
            to_status=record.status,
            comment=comment,
        )


class RecordVersion(models.Model):
    """A snapshot of a record's content after each change: who changed what, and when."""

    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("版本号"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_name = models.CharField(_("修改人"), max_length=150)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    data = models.JSONField(_("内容"))

    class Meta:
        verbose_name = _("修改历史")
        verbose_name_plural = _("修改历史")
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["record", "number"], name="unique_record_version"),
        ]

    def __str__(self):
        return f"{self.record_id} v{self.number}"


class InterpretationForm(models.TextChoices):
    """Forms of policy interpretation (政策解读) named by the guideline (四（三）)."""

    TEXT = "text", _("文字解读")
    GRAPHIC = "graphic", _("图文解读")
    VIDEO = "video", _("视频解读")
    QA = "qa", _("问答")
    PRESS_CONFERENCE = "press_conference", _("新闻发布会")
    EXPERT_ARTICLE = "expert_article", _("专家文章")


class Interpretation(models.Model):
    """Links an interpretation record to the policy record it explains (政策解读, "谁起草、谁解读"，同步).

    A relation between two records, so it lives with them: the record services publish a policy
    together with its interpretations (``disclosure/records/interpretation_sync.py``); linking and
    unlinking are ``disclosure/interpretations/services.py``.

    Invariants:
    - ``record`` is a Record of type ``interpretation``; ``policy`` is not an interpretation; both belong
      to the same organisation (checked by ``interpretation_link``); a record never interprets itself
      (database constraint).
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


# --- the search index: one search document per public record (disclosure/records/search_index.py) ---
FTS_TABLE = "disclosure_searchfts"


class SearchDocument(models.Model):
    """The searchable form of one public record: display text, pre-tokenised terms, filter columns.

    Invariants:
    - A row exists only for a record that was public when the row was written; the services that
      change what is public (publish, publish when due, withdraw, supersede) refresh it in the same
      transaction (disclosure/records/search_index.py). Queries still read through ``public_records()``, so a
      row that went stale some other way (an organisation or catalog node switched off) is never shown.
    - The ``*_tokens`` columns hold terms from disclosure/core/tokens.py. The database derives the
      backend's index from them with triggers made by this model's migration: ``vector`` with a GIN
      index on PostgreSQL, the FTS5 table ``disclosure_searchfts`` on SQLite. Every write, bulk or not,
      thus keeps the index in step. ``vector`` stays empty on SQLite.
    """

    record = models.OneToOneField(
        Record,
        verbose_name=_("公开信息"),
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="search_document",
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("公开单位"), on_delete=models.CASCADE, related_name="+"
    )
    node = models.ForeignKey(
        CatalogNode, verbose_name=_("目录栏目"), on_delete=models.CASCADE, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("发布年份"), help_text=_("发布时间所在年份（本地时间）。"))
    record_type = models.CharField(_("信息类别"), max_length=20)
    published_at = models.DateTimeField(_("发布时间"))
    title = models.CharField(_("标题"), max_length=300)
    document_number = models.CharField(_("文号"), max_length=100, blank=True)
    body_text = models.TextField(_("正文文本"), blank=True, help_text=_("去除标签后的正文，用于摘要。"))
    title_tokens = models.TextField(_("标题检索词"), blank=True)
    number_tokens = models.TextField(_("文号检索词"), blank=True)
    body_tokens = models.TextField(_("正文检索词"), blank=True, help_text=_("正文和附件文字的检索词。"))
    # Nullable so that adding it kept SQLite's table (and its FTS triggers) as they were.
    attachment_text = models.TextField(
        _("附件文本"), null=True, blank=True, help_text=_("各附件可读的文字，每个附件一段，以“《文件名》”开头，用于摘要。")
    )
    vector = SearchVectorField(
        _("检索向量"), null=True, editable=False, help_text=_("仅 PostgreSQL：由触发器根据检索词生成。")
    )
    indexed_at = models.DateTimeField(_("索引时间"), auto_now=True)

    class Meta:
        verbose_name = _("检索文档")
        verbose_name_plural = _("检索文档")
        indexes = [
            models.Index(fields=["organisation", "year"], name="searchdoc_org_year_idx"),
            # A search walks this backwards for the newest matches (disclosure/search/selectors.py).
            models.Index(fields=["-published_at", "-record"], name="searchdoc_newest_idx"),
        ]

    def __str__(self):
        return self.title


class FtsTableColumn(models.TextField):
    """The hidden column of an FTS5 table that bears the table's own name; only ever used with MATCH."""


@FtsTableColumn.register_lookup
class FtsMatch(Lookup):
    lookup_name = "fts_match"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} MATCH {rhs}", [*lhs_params, *rhs_params]


class SearchFts(models.Model):
    """SQLite only: the FTS5 virtual table over the search documents' terms (not managed by Django).

    Its rowid is the record id. Triggers on ``disclosure_searchdocument`` fill it; the selector joins it
    to match (``MATCH``) and rank (the ``rank`` column, bm25 with column weights set by the migration).
    The table does not exist on PostgreSQL, where nothing refers to this model.
    """

    document = models.OneToOneField(
        SearchDocument,
        primary_key=True,
        db_column="rowid",
        on_delete=models.DO_NOTHING,
        related_name="fts",
    )
    terms = FtsTableColumn(db_column=FTS_TABLE)
    rank = models.FloatField()

    class Meta:
        managed = False
        db_table = FTS_TABLE
        verbose_name = _("全文索引（SQLite）")
        verbose_name_plural = _("全文索引（SQLite）")

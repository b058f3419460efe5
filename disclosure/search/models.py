"""The search index: one search document per public record, kept by disclosure/search/index.py."""

from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Lookup
from django.utils.translation import gettext_lazy as _

from catalog.models import CatalogNode, Organisation
from disclosure.records.models import Record

FTS_TABLE = "disclosure_searchfts"


class SearchDocument(models.Model):
    """The searchable form of one public record: display text, pre-tokenised terms, filter columns.

    Invariants:
    - A row exists only for a record that was public when the row was written; the services that
      change what is public (publish, publish when due, withdraw, supersede) refresh it in the same
      transaction (disclosure/search/index.py). Queries still read through ``public_records()``, so a
      row that went stale some other way (an organisation or catalog node switched off) is never shown.
    - The ``*_tokens`` columns hold terms from disclosure/search/tokens.py. The database derives the
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
    body_tokens = models.TextField(_("正文检索词"), blank=True)
    vector = SearchVectorField(
        _("检索向量"), null=True, editable=False, help_text=_("仅 PostgreSQL：由触发器根据检索词生成。")
    )
    indexed_at = models.DateTimeField(_("索引时间"), auto_now=True)

    class Meta:
        verbose_name = _("检索文档")
        verbose_name_plural = _("检索文档")
        indexes = [
            models.Index(fields=["organisation", "year"], name="searchdoc_org_year_idx"),
            models.Index(fields=["-published_at"], name="searchdoc_published_idx"),
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

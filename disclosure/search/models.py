"""What search keeps of its own: the staff's additions to the housing synonym table, and anonymous daily
counts of successful queries (no address, no session, no time of day)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SearchSynonym(models.Model):
    """A word citizens type and what it should also find (e.g. 棚改 → 棚户区改造).

    Staff extend the built-in table (disclosure/search/synonyms.py) here; ``both_ways`` makes every
    expression find the others too (公租房 ↔ 公共租赁住房), otherwise only ``term`` is widened (保障性住房 →
    公租房: a search for 公租房 should not list every 保障性住房 record).
    """

    term = models.CharField(_("检索词"), max_length=30, unique=True, help_text=_("群众常用的说法或简称，如“棚改”。"))
    expansions = models.CharField(
        _("同时检索"), max_length=300, help_text=_("用顿号“、”或逗号分隔，如“棚户区改造、城镇棚户区”。")
    )
    both_ways = models.BooleanField(_("互为同义"), default=False, help_text=_("勾选后，检索其中任一词都同时检索其他各词。"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("检索同义词")
        verbose_name_plural = _("检索同义词")
        ordering = ["term"]

    def __str__(self) -> str:
        return f"{self.term} → {self.expansions}"


class SearchTermCount(models.Model):
    """How many searches for ``text`` found something on ``day``: for 热门搜索 only."""

    day = models.DateField(_("日期"))
    text = models.CharField(_("检索词"), max_length=20)
    count = models.PositiveIntegerField(_("次数"), default=0)

    class Meta:
        verbose_name = _("检索词统计")
        verbose_name_plural = _("检索词统计")
        constraints = [models.UniqueConstraint(fields=["day", "text"], name="search_term_once_per_day")]
        indexes = [models.Index(fields=["day"], name="search_term_day_idx")]

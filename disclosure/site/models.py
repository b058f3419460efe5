"""Physical disclosure channels: the reading points (公开查阅点) an organisation lists in its guide."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from catalog.models import Organisation


class ReadingPoint(models.Model):
    """A place where citizens can read the organisation's public information (条例 article 25).

    Invariant: only active reading points of a visible organisation appear on its public
    disclosure guide (disclosure.site.notice_board.guide_reading_points).
    """

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("所属单位"), on_delete=models.CASCADE, related_name="reading_points"
    )
    name = models.CharField(_("名称"), max_length=100, help_text=_("如：县政务服务中心政务公开查阅点。"))
    address = models.CharField(_("地址"), max_length=200)
    opening_hours = models.CharField(_("开放时间"), max_length=200)
    phone = models.CharField(_("联系电话"), max_length=50, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("启用"), default=True, help_text=_("停用后不在公开指南中显示。"))

    class Meta:
        verbose_name = _("公开查阅点")
        verbose_name_plural = _("公开查阅点")
        ordering = ["organisation", "sort_order", "id"]

    def __str__(self):
        return self.name

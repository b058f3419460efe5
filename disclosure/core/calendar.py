"""The official calendar as administrators enter it, for the working-day clock (disclosure/workdays.py).

The clock reads these tables; nothing else should interpret them.
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("法定节假日")
    WORKDAY = "workday", _("调休上班日")


class CalendarSource(models.TextChoices):
    LIBRARY = "library", _("内置日历")
    ADMIN = "admin", _("管理员录入")


class CalendarDay(models.Model):
    """One day whose status differs from (or confirms) the plain Monday–Friday rule.

    Invariant: at most one row per date (unique). A ``holiday`` row makes the date a day off, a
    ``workday`` row makes it a working day, whatever the weekday and whatever the built-in calendar
    says. Rows only count for a year the clock knows: one the built-in calendar covers (the rows
    then correct single days) or one with a confirmed ``admin`` CalendarYear (the rows are then
    the whole schedule). Rows for any other year are ignored rather than guessed from.
    """

    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类型"), max_length=10, choices=DayKind.choices)
    name = models.CharField(
        _("名称"), max_length=40, blank=True, help_text=_("节日名称，如“国庆节”；调休上班日也填所属节日。")
    )
    note = models.CharField(
        _("备注"), max_length=200, blank=True, help_text=_("依据，如国务院办公厅通知的文号。")
    )

    class Meta:
        ordering = ["date"]
        verbose_name = _("节假日安排")
        verbose_name_plural = _("节假日安排")

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()} {self.name}".rstrip()


class CalendarYear(models.Model):
    """Which years' official holiday schedule the portal knows, and from where.

    Invariant: at most one row per year (unique). Only a confirmed ``admin`` row changes the clock:
    that year is then computed from CalendarDay rows alone, ignoring the built-in calendar. A
    ``library`` row is a record (e.g. that someone checked the built-in year against the State
    Council notice); whether the built-in calendar covers a year is asked of the library itself.
    """

    year = models.PositiveSmallIntegerField(
        _("年份"), unique=True, validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    source = models.CharField(
        _("来源"), max_length=10, choices=CalendarSource.choices, default=CalendarSource.ADMIN
    )
    confirmed = models.BooleanField(
        _("已确认"),
        default=False,
        help_text=_(
            "当年全部放假和调休日期录入并核对无误后勾选。勾选后该年只按录入的日期计算；"
            "勾选前按内置日历计算，内置日历不含该年时视为未录入。"
        ),
    )
    note = models.CharField(
        _("备注"), max_length=200, blank=True, help_text=_("依据，如国务院办公厅通知的文号。")
    )

    class Meta:
        ordering = ["-year"]
        verbose_name = _("日历年度")
        verbose_name_plural = _("日历年度")

    def __str__(self):
        return f"{self.year}年（{self.get_source_display()}）"


class WorkingDay(models.Model):
    """One day of a year the working-day clock knows, with its running working-day ordinal: the
    calendar materialised so that the database can join it (disclosure/core/workday_table.py builds
    it from the clock; nothing else writes it).

    ``ordinal`` counts the working days from the table's first day up to and including this one, so
    the working days in (a, b] are ``ordinal(b) - ordinal(a)`` and the n-th working day after a is
    the working day whose ordinal is ``ordinal(a) + n``. ``segment`` numbers the runs of consecutive
    known years: a count is only valid within one segment (a year nobody entered breaks the run), and
    ``segment_last`` is the last ordinal of the day's segment.
    """

    date = models.DateField(_("日期"), primary_key=True)
    working = models.BooleanField(_("工作日"))
    ordinal = models.IntegerField(_("工作日序号"))
    segment = models.PositiveSmallIntegerField(_("连续年度段"))
    segment_last = models.IntegerField(_("本段最后序号"))
    month = models.IntegerField(_("年月"))  # year * 100 + month: the reports group by it without date functions

    class Meta:
        ordering = ["date"]
        verbose_name = _("工作日表")
        verbose_name_plural = _("工作日表")
        constraints = [
            models.UniqueConstraint(
                fields=["ordinal"], condition=models.Q(working=True), name="workingday_one_per_ordinal"
            )
        ]


class WorkingDayTable(models.Model):
    """The single row saying from which state of the calendar WorkingDay was built (its signature)."""

    signature = models.CharField(max_length=64)
    built_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("工作日表版本")
        verbose_name_plural = _("工作日表版本")

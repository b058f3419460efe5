from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from disclosure.core.calendar import CalendarDay, CalendarYear
from disclosure.core.workdays import calendar_source


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ("date", "weekday", "kind", "name", "note")
    list_filter = ("kind",)
    date_hierarchy = "date"
    search_fields = ("name", "note")

    @admin.display(description=_("星期"))
    def weekday(self, obj):
        return "一二三四五六日"[obj.date.weekday()]


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ("year", "source", "confirmed", "in_use", "note")
    list_filter = ("source", "confirmed")

    @admin.display(description=_("工作日计算实际采用"))
    def in_use(self, obj):
        source = calendar_source(obj.year)
        return source.label if source else _("未录入")

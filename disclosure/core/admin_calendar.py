from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from disclosure.core.calendar import CalendarDay, CalendarYear
from disclosure.core.calendar_notice import check_notice, enter_year, parse_notice, year_grid
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


class NoticeForm(forms.Form):
    year = forms.IntegerField(label=_("年份"), min_value=2000, max_value=2100)
    notice = forms.CharField(
        label=_("通知原文"),
        widget=forms.Textarea(attrs={"rows": 10, "cols": 100}),
        help_text=_(
            "从国务院办公厅《关于××××年部分节假日安排的通知》复制各节日的安排，每个节日一行，例如："
            "“二、春节：2月15日（周日）至23日（周一）放假调休，共9天。2月14日（周六）、2月28日（周六）上班。”"
        ),
    )
    note = forms.CharField(label=_("依据"), max_length=200, required=False, help_text=_("如通知文号。"))


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ("year", "source", "confirmed", "in_use", "note")
    list_filter = ("source", "confirmed")
    change_list_template = "admin/disclosure/calendaryear/change_list.html"

    @admin.display(description=_("工作日计算实际采用"))
    def in_use(self, obj):
        source = calendar_source(obj.year)
        return source.label if source else _("未录入")

    def get_urls(self):
        return [
            path(
                "notice/",
                self.admin_site.admin_view(self.notice_view),
                name="disclosure_calendaryear_enter_notice",
            ),
            *super().get_urls(),
        ]

    def notice_view(self, request):
        """Paste the notice, check it, see the year as a calendar, then save it with a second click."""
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise PermissionDenied
        form = NoticeForm(request.POST or None)
        parsed = problems = None
        if request.method == "POST" and form.is_valid():
            parsed = parse_notice(form.cleaned_data["year"], form.cleaned_data["notice"])
            problems = check_notice(parsed)
            if not problems and request.POST.get("confirm"):
                enter_year(parsed, note=form.cleaned_data["note"])
                self.message_user(
                    request,
                    _("%(year)s年的节假日安排已保存，工作日计算即刻按此执行。") % {"year": parsed.year},
                    messages.SUCCESS,
                )
                return redirect(reverse("admin:disclosure_calendaryear_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("按通知录入节假日安排"),
            "form": form,
            "parsed": parsed,
            "problems": problems,
            "months": year_grid(parsed) if parsed and not problems else None,
        }
        return TemplateResponse(request, "admin/disclosure/calendaryear/notice.html", context)

"""Filters of the report pages. Bad input becomes a form error (HTTP 400), never a 500."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import Organisation
from disclosure.core.bounds import DATE_VALIDATORS


def organisation_choices(organisations: list[Organisation], *, blank: str | None) -> list[tuple[str, str]]:
    top = min((org.depth for org in organisations), default=0)
    choices = [("", blank)] if blank is not None else []
    choices += [(org.code, "　" * (org.depth - top) + org.name) for org in organisations]
    return choices


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class ReportFilterForm(forms.Form):
    """Organisation (within the user's scope) and an optional date range."""

    org = forms.ChoiceField(label=_("单位"), required=False)
    # Held to 1900–2999: 9999-12-31 plus a day overflows the date arithmetic of the reports.
    date_from = forms.DateField(label=_("起始日期"), required=False, widget=DateInput(), validators=DATE_VALIDATORS)
    date_to = forms.DateField(label=_("截止日期"), required=False, widget=DateInput(), validators=DATE_VALIDATORS)

    def __init__(self, data, *, organisations: list[Organisation], dates: bool = True, date_label: str = ""):
        super().__init__(data)
        self.fields["org"].choices = organisation_choices(organisations, blank=_("全部单位（我的查看范围）"))
        if dates:
            if date_label:
                self.fields["date_from"].label = _("%(what)s自") % {"what": date_label}
                self.fields["date_to"].label = _("%(what)s至") % {"what": date_label}
        else:
            del self.fields["date_from"]
            del self.fields["date_to"]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(_("起始日期不能晚于截止日期。"))
        return cleaned


class AnnualReportForm(forms.Form):
    org = forms.ChoiceField(label=_("单位"))
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    subtree = forms.BooleanField(label=_("含全部下级单位"), required=False)
    fees = forms.DecimalField(
        label=_("本年行政事业性收费金额（万元）"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=4,
        help_text=_("数据库中没有收费数据，请按财务数字填写；不填按 0 计。"),
    )

    def __init__(self, data, *, organisations: list[Organisation]):
        if "year" not in data:
            data = data.copy()
            data["year"] = str(timezone.localdate().year - 1)
            if organisations and "org" not in data:
                data["org"] = organisations[0].code
        super().__init__(data)
        self.fields["org"].choices = organisation_choices(organisations, blank=None)

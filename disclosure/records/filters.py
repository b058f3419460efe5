"""Filters of public record lists (django-filter).

They only narrow a queryset that already came from ``disclosure.records.selectors.public_records()``; they
never decide what is public. Bad input is a form error on its field and is otherwise ignored.
"""

from __future__ import annotations

from collections.abc import Sequence

import django_filters
from django import forms
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import ExtractYear
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from disclosure.records.metadata import Topic, keyword_condition
from disclosure.records.models import Record, RecordType, Validity

KEYWORD_MAX_LENGTH = 100


def publication_years(records: QuerySet[Record]) -> list[int]:
    """The years (local time) in which ``records`` were published, newest first: one aggregate query."""
    rows = (
        records.annotate(year=ExtractYear("published_at"))
        .values("year")
        .annotate(records=Count("pk"))
        .order_by("-year")
    )
    return [row["year"] for row in rows]


class PublicRecordFilter(django_filters.FilterSet):
    """Year of publication, record type, validity, 主题分类, a 主题词 and a keyword in the title or
    document number.

    The GET parameter names (``year``, ``type``, ``validity``, ``topic``, ``keyword``, ``q``) are part
    of public URLs.
    """

    year = django_filters.TypedChoiceFilter(
        label=_("发布年份"),
        field_name="published_at",
        lookup_expr="year",
        coerce=int,
        choices=[],  # the years present, set per list in __init__
        error_messages={"invalid_choice": _("请从列表中选择年份。")},
    )
    type = django_filters.ChoiceFilter(
        label=_("信息类别"),
        field_name="record_type",
        choices=RecordType.choices,
        empty_label=_("全部"),
        error_messages={"invalid_choice": _("请从列表中选择信息类别。")},
    )
    validity = django_filters.ChoiceFilter(
        label=_("有效性"),
        choices=Validity.choices,
        empty_label=_("全部"),
        error_messages={"invalid_choice": _("请从列表中选择有效性。")},
    )
    topic = django_filters.ChoiceFilter(
        label=_("主题分类"),
        choices=Topic.choices,
        empty_label=_("全部"),
        error_messages={"invalid_choice": _("请从列表中选择主题分类。")},
    )
    keyword = django_filters.CharFilter(
        label=_("主题词"),
        method="filter_subject_word",
        max_length=KEYWORD_MAX_LENGTH,
    )
    q = django_filters.CharFilter(
        label=_("关键词"),
        method="filter_keyword",
        max_length=KEYWORD_MAX_LENGTH,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("标题或文号")}),
    )

    class Meta:
        model = Record
        fields: list[str] = []

    def __init__(self, data=None, *args, years: Sequence[int] = (), **kwargs):
        for capped in ("q", "keyword"):
            if data is not None and len(data.get(capped, "")) > KEYWORD_MAX_LENGTH:
                # Cap rather than reject: a pasted long title still searches by its beginning.
                data = data.copy()
                data[capped] = data[capped][:KEYWORD_MAX_LENGTH]
        super().__init__(data, *args, **kwargs)
        self.filters["year"].extra["choices"] = [("", _("全部年份"))] + [
            (year, _("%(year)s年") % {"year": year}) for year in years
        ]

    def filter_subject_word(self, queryset, name, value):
        return queryset.filter(keyword_condition(value.strip()))

    def filter_keyword(self, queryset, name, value):
        return queryset.filter(Q(title__icontains=value) | Q(document_number__icontains=value))

    def active_query(self) -> QueryDict:
        """The valid, non-empty filter values as a query string, for links that keep the filters."""
        query = QueryDict(mutable=True)
        if not self.is_bound:
            return query
        self.form.is_valid()  # cleaned_data then holds the fields that are valid
        cleaned = self.form.cleaned_data
        for name in self.filters:
            value = cleaned.get(name)
            if value not in (None, ""):
                query[name] = str(value)
        return query

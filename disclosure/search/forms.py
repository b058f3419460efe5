"""The public search form: keywords and the columns' filters. Invalid values are ignored, never an error page."""

from __future__ import annotations

from django import forms
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from catalog import selectors as catalog_selectors
from disclosure.records.metadata import Topic
from disclosure.records.models import RecordType
from disclosure.search.selectors import QUERY_MAX_LENGTH, SearchFilters

FIRST_YEAR = 2008
"""《政府信息公开条例》 took effect on 1 May 2008; the year list starts there (no query needed)."""


def _item_choices(tree) -> list:
    """First- and second-level items grouped by domain, for a select with optgroups (from a cached tree)."""
    groups = []
    for domain in tree:
        options = []
        for item in catalog_selectors.children(domain):
            options.append((item.code, item.name))
            options.extend((child.code, f"　{child.name}") for child in catalog_selectors.children(item))
        groups.append((domain.name, options))
    return groups


class RenderedOnceSelect(forms.Select):
    """A select whose HTML is rendered once per ``store`` and reused for each value among its choices.

    Django renders every option through the template engine: the search form's selects (a province's
    150+ organisations, the catalog's items, the years) cost about 8 ms a request, a quarter of an
    uncached search page at a million records (issue 15). ``store`` is a dict that lives exactly as
    long as the choices do (the form takes it from the public trees' version, with the year), so a
    stored render never outlives what it shows. Only the empty value and values among the choices are
    stored, so a visitor's made-up values cannot grow it; anything else is rendered as usual.
    """

    store: dict | None = None

    def render(self, name, value, attrs=None, renderer=None):
        store = self.store
        text = "" if value is None else str(value)
        if store is None or (text and text not in self._values()):
            return super().render(name, value, attrs, renderer)
        key = (name, text, tuple(sorted((attrs or {}).items())), get_language(), id(renderer))
        html = store.get(key)
        if html is None:
            html = store[key] = super().render(name, value, attrs, renderer)
        return html

    def _values(self) -> frozenset:
        values = self.__dict__.get("_value_set")
        if values is None:
            values = set()
            for choice, label in self.choices:
                options = label if isinstance(label, (list, tuple)) else [(choice, label)]
                values.update(str(option) for option, _label in options)
            values = self.__dict__["_value_set"] = frozenset(values)
        return values


SELECTS = ("org", "domain", "item", "year", "type", "sort", "topic")


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("关键词"),
        required=False,
        max_length=QUERY_MAX_LENGTH,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("标题、文号或正文中的词语")}),
    )
    org = forms.ChoiceField(label=_("公开单位"), required=False)
    domain = forms.ChoiceField(label=_("领域"), required=False)
    item = forms.ChoiceField(label=_("公开事项"), required=False)
    year = forms.TypedChoiceField(label=_("发布年份"), required=False, coerce=int, empty_value=None)
    type = forms.ChoiceField(
        label=_("信息类别"), required=False, choices=[("", _("全部类别")), *RecordType.choices]
    )
    sort = forms.ChoiceField(
        label=_("排序"), required=False, choices=[("", _("相关度优先")), ("date", _("发布时间（新的在前）"))]
    )
    topic = forms.ChoiceField(label=_("主题分类"), required=False, choices=[("", _("全部主题")), *Topic.choices])
    keyword = forms.CharField(label=_("主题词"), required=False, max_length=QUERY_MAX_LENGTH)

    def __init__(self, data=None, *, organisations, tree, rendered: dict | None = None):
        if data is not None and len(data.get("q", "")) > QUERY_MAX_LENGTH:
            # Cap rather than reject: a pasted long title still searches by its beginning.
            data = data.copy()
            data["q"] = data["q"][:QUERY_MAX_LENGTH]
        super().__init__(data)
        self.fields["q"].widget.attrs["maxlength"] = QUERY_MAX_LENGTH
        self.fields["org"].choices = [("", _("全部单位"))] + [(o.code, o.name) for o in organisations]
        self.fields["domain"].choices = [("", _("全部领域"))] + [(d.code, d.name) for d in tree]
        self.fields["item"].choices = [("", _("全部事项")), *_item_choices(tree)]
        this_year = timezone.localdate().year
        self.fields["year"].choices = [("", _("全部年份"))] + [
            (year, _("%(year)s年") % {"year": year}) for year in range(this_year, FIRST_YEAR - 1, -1)
        ]
        if rendered is not None:
            # ``rendered``: the selects' stored HTML for these organisations and this tree (the view passes
            # one dict per version of the public trees); the year list changes on 1 January.
            store = rendered.setdefault(this_year, {})
            for name in SELECTS:
                widget = self.fields[name].widget = RenderedOnceSelect(choices=self.fields[name].choices)
                widget.store = store

    def _valid(self) -> dict:
        """The fields that hold a valid value; a bad value in one field leaves the others working."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value not in (None, "")}

    def criteria(self) -> tuple[str, SearchFilters]:
        valid = self._valid()
        return valid.get("q", ""), SearchFilters(
            organisation=valid.get("org", ""),
            nodes=tuple(valid[name] for name in ("domain", "item") if name in valid),
            year=valid.get("year"),
            record_type=valid.get("type", ""),
            topic=valid.get("topic", ""),
            keyword=valid.get("keyword", "").strip(),
        )

    def active_query(self) -> QueryDict:
        """The valid, non-empty values as a query string, for links that keep the search."""
        query = QueryDict(mutable=True)
        for name, value in self._valid().items():
            query[name] = str(value)
        return query

"""A column's record list with bounded work, however many records the organisation has.

At a million records a plain list costs three scans of the column: the years present (grouped over every
record), ``COUNT(*)`` and ``OFFSET`` for deep pages. Here:

* **years present**: one query of EXISTS probes, one per calendar year, each an index range probe on
  ``record_column_idx`` (organisation, node, published_at) — never a scan of the column;
* **count**: counted up to ``COUNT_CAP`` (``SELECT COUNT(*) FROM (… LIMIT cap + 1)``); beyond it the page
  says "超过 N 条";
* **paging**: numbered pages up to ``MAX_PAGE`` (OFFSET ≤ 980); beyond, keyset paging: "更早的信息" carries
  the last row's (published_at, id) as ``before`` and the next page is the rows strictly older, an index
  range read whatever the depth. Asking for a page number past ``MAX_PAGE`` says so in Chinese.

The records come from ``public_records()`` as before; nothing here decides what is public.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from django.db import connections
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime

FIRST_YEAR = 1949  # a floor for nonsense dates; the probes start at the oldest publication
COUNT_CAP = 10_000
MAX_PAGE = 50


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """1 January of ``year`` and of the next, in local time (as ExtractYear reads published_at)."""
    return (
        timezone.make_aware(datetime(year, 1, 1)),
        timezone.make_aware(datetime(year + 1, 1, 1)),
    )


def years_present(records: QuerySet, since: QuerySet) -> list[int]:
    """The years (local time) in which ``records`` were published, newest first.

    Two queries, each a few index reads: the oldest publication in ``since`` (the organisation's public
    records: one backward step on record_public_recent_idx), then one EXISTS probe per year from that
    year to this one (pass ``public_records_placed()``, whose probes plan and run as single index reads).

    The probes are one SELECT of ``EXISTS (SELECT 1 FROM (<records>) WHERE published_at in the year)``:
    ``records`` is compiled by the ORM once and each probe reuses its SQL, where building each probe
    as a queryset cost about 1 ms of CPU apiece (a column with eight years: 8 ms a page). The database
    flattens the subquery, so each probe plans as before.
    """
    oldest = since.order_by("published_at", "id").values_list("published_at", flat=True).first()
    if oldest is None:
        return []
    this_year = timezone.localtime().year
    years = list(range(this_year, max(timezone.localtime(oldest).year, FIRST_YEAR) - 1, -1))
    alias = records.db
    connection = connections[alias]
    inner, inner_params = records.order_by().values("published_at").query.get_compiler(using=alias).as_sql()
    column = connection.ops.quote_name("published_at")
    probe = f"EXISTS (SELECT 1 FROM ({inner}) probe WHERE probe.{column} >= %s AND probe.{column} < %s)"
    params: list = []
    for year in years:
        start, end = year_bounds(year)
        params.extend(
            [*inner_params, connection.ops.adapt_datetimefield_value(start), connection.ops.adapt_datetimefield_value(end)]
        )
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join([probe] * len(years)), params)
        row = cursor.fetchone()
    return [year for year, present in zip(years, row, strict=True) if present]


def capped_count(records: QuerySet, cap: int | None = None) -> int:
    """How many ``records``, counted to ``cap + 1`` at most (``COUNT_CAP`` by default)."""
    cap = COUNT_CAP if cap is None else cap
    return records.order_by()[: cap + 1].count()


@dataclass
class ListPage:
    """One page of a column list: numbered (``number``) or keyset (``before`` set)."""

    object_list: list
    number: int
    total: int  # up to COUNT_CAP + 1
    per_page: int
    before: str = ""
    error: str = ""

    @property
    def capped(self) -> bool:
        return self.total > COUNT_CAP

    @property
    def num_pages(self) -> int:
        return max(1, min(math.ceil(min(self.total, COUNT_CAP) / self.per_page), MAX_PAGE))

    @property
    def keyset(self) -> bool:
        return bool(self.before)

    def has_previous(self) -> bool:
        return not self.keyset and self.number > 1

    def previous_page_number(self) -> int:
        return self.number - 1

    def has_next(self) -> bool:
        return not self.keyset and self.number < self.num_pages

    def next_page_number(self) -> int:
        return self.number + 1

    def has_other_pages(self) -> bool:
        return self.num_pages > 1 or self.keyset or bool(self.older_cursor)

    @property
    def older_cursor(self) -> str:
        """The ``before`` of the next keyset page: after the last numbered page, or after a keyset page
        that was full."""
        full = len(self.object_list) == self.per_page
        last_numbered = not self.keyset and self.number == self.num_pages and self.total > self.number * self.per_page
        if not self.object_list or not full or not (self.keyset or last_numbered):
            return ""
        last = self.object_list[-1]
        return f"{last.published_at.isoformat()}~{last.pk}"

    def page_range(self):
        first = max(1, self.number - 2)
        last = min(self.num_pages, self.number + 2)
        numbers = list(range(first, last + 1))
        if first > 1:
            numbers = [1, *(["…"] if first > 2 else []), *numbers]
        if last < self.num_pages:
            numbers = [*numbers, *(["…"] if last < self.num_pages - 1 else []), self.num_pages]
        return numbers


def parse_cursor(text: str):
    """(published_at, id) from a ``before`` value, or None if malformed."""
    moment, _, pk = (text or "").partition("~")
    try:
        parsed = parse_datetime(moment)
    except ValueError:
        return None
    if parsed is None or not pk.isdigit() or len(pk) > 18:
        return None
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed, int(pk)


def page_of(records: QuerySet, params, per_page: int) -> ListPage:
    """The page that ``params`` (``page`` or ``before``) asks for, of ``records`` ordered newest first."""
    ordered = records.order_by("-published_at", "-id")
    before = params.get("before", "")
    if before:
        cursor = parse_cursor(before)
        if cursor is None:
            page = ListPage([], 1, 0, per_page, error="翻页参数无效，请从第一页重新浏览。")
            return page
        moment, pk = cursor
        rows = list(ordered.filter(Q(published_at__lt=moment) | Q(published_at=moment, id__lt=pk))[:per_page])
        return ListPage(rows, MAX_PAGE + 1, COUNT_CAP + 1, per_page, before=before)
    total = capped_count(records)
    raw = params.get("page", "1")
    number = int(raw) if isinstance(raw, str) and raw.isdigit() and len(raw) < 10 else 1
    error = ""
    last = max(1, min(math.ceil(min(total, COUNT_CAP) / per_page), MAX_PAGE))
    if number > MAX_PAGE and total > MAX_PAGE * per_page:
        error = f"页码超过 {MAX_PAGE} 页：请在第 {MAX_PAGE} 页点击“更早的信息”继续浏览，或按年份筛选。"
        number = last
    number = max(1, min(number, last))
    offset = (number - 1) * per_page
    rows = list(ordered[offset : offset + per_page])
    return ListPage(rows, number, total, per_page, error=error)




_FIELD_HTML: dict = {}
_FIELD_HTML_LIMIT = 4096


def field_html(bound_field) -> str:
    """A filter field's widget as HTML, rendered once per distinct (name, value, choices, error state).

    Django renders a select through a template per option: the column filter's five selects cost most of
    a column page's rendering. Their HTML is a pure function of these inputs, so it is kept per process
    (bounded; values come from the query string, so the memo is capped rather than keyed without end).
    """
    widget = bound_field.field.widget
    choices = tuple((str(value), str(label)) for value, label in getattr(widget, "choices", ()))
    key = (
        bound_field.html_name,
        bound_field.auto_id,
        repr(bound_field.value()),
        choices,
        bool(bound_field.errors),
        type(widget).__name__,
        repr(sorted(widget.attrs.items())),
    )
    found = _FIELD_HTML.get(key)
    if found is None:
        found = str(bound_field)
        if len(_FIELD_HTML) >= _FIELD_HTML_LIMIT:
            _FIELD_HTML.clear()
        _FIELD_HTML[key] = found
    return found


def label_html(bound_field) -> str:
    """A filter field's ``label_tag()``, rendered once per distinct (id, label, suffix): Django renders
    each label through a template."""
    widget = bound_field.field.widget
    key = (
        "label",
        bound_field.auto_id,
        str(bound_field.label),
        widget.id_for_label(bound_field.auto_id),
        bound_field.form.label_suffix,
        bool(bound_field.field.required),
    )
    found = _FIELD_HTML.get(key)
    if found is None:
        found = str(bound_field.label_tag())
        if len(_FIELD_HTML) >= _FIELD_HTML_LIMIT:
            _FIELD_HTML.clear()
        _FIELD_HTML[key] = found
    return found

"""A year's holiday schedule entered as the State Council notice is written.

Every November the General Office of the State Council publishes 《国务院办公厅关于YYYY年部分节假日安排的
通知》, one line per holiday, for example::

    二、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，共9天。2月14日（周六）、2月28日（周六）上班。
    三、清明节：4月4日（周六）至6日（周一）放假，共3天。

``parse_notice`` reads such lines (pasted from the notice, or from a small text file) into holiday ranges
and make-up working days; ``check_notice`` validates them the way a careful clerk would (every date
inside the year, every range's day count as stated, make-up days on weekends, no day both off and on,
weekdays in brackets as printed); ``enter_year`` replaces the year's CalendarDay rows and confirms an
``admin`` CalendarYear, in one transaction, so that the working-day clock uses exactly the notice.

Accepted forms of one line (the numbering "一、" and the closing "。" are optional):
- ``节日：M月D日至[M月]D日放假[调休]，共N天。[M月D日（周X）[、[M月]D日（周X）]上班。]``
- ``节日：M月D日放假，共1天。`` (a single day)
Brackets may be full-width or ASCII; "至", "—", "-" and "~" separate a range.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import transaction
from django.utils.translation import gettext as _

from disclosure.core.calendar import CalendarDay, CalendarSource, CalendarYear, DayKind
from disclosure.core.workdays import clear_cache

WEEKDAYS = "一二三四五六日"

_NUMBERING = re.compile(r"^\s*[一二三四五六七八九十]+\s*[、.．]\s*")
_BRACKETS = str.maketrans({"(": "（", ")": "）", ":": "：", ",": "，", ";": "；"})
_DAY = r"(?:(\d{1,2})月)?(\d{1,2})日(?:（([^）]*)）)?"
_RANGE = re.compile(_DAY + r"\s*(?:至|—|－|-|~|～)\s*" + _DAY)
_SINGLE = re.compile(_DAY)
_TOTAL = re.compile(r"共\s*(\d+)\s*天")
_WEEKDAY_IN_NOTE = re.compile(r"(?:周|星期)([一二三四五六日天])")


@dataclass
class NoticeLine:
    """One holiday of the notice: its name, its days off and the make-up working days it brings."""

    number: int
    text: str
    name: str
    first: date | None = None
    last: date | None = None
    stated_total: int | None = None
    workdays: list[date] = field(default_factory=list)
    # (date, weekday as printed) pairs, to compare with the real weekday.
    printed_weekdays: list[tuple[date, str]] = field(default_factory=list)

    @property
    def days_off(self) -> list[date]:
        if self.first is None or self.last is None or self.last < self.first:
            return []
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]


@dataclass
class ParsedNotice:
    year: int
    lines: list[NoticeLine]
    errors: list[str]

    @property
    def holidays(self) -> dict[date, str]:
        return {day: line.name for line in self.lines for day in line.days_off}

    @property
    def workdays(self) -> dict[date, str]:
        return {day: line.name for line in self.lines for day in line.workdays}


def _date(year: int, month: str | None, day: str, default_month: int | None, where: str, errors: list[str]):
    month_number = int(month) if month else default_month
    if month_number is None:
        errors.append(_("%(where)s：“%(day)s日”缺少月份。") % {"where": where, "day": day})
        return None
    try:
        return date(year, month_number, int(day))
    except ValueError:
        errors.append(
            _("%(where)s：%(year)s年没有%(month)s月%(day)s日。")
            % {"where": where, "year": year, "month": month_number, "day": day}
        )
        return None


def _note_weekday(note: str | None) -> str | None:
    match = _WEEKDAY_IN_NOTE.search(note or "")
    if not match:
        return None
    return "日" if match.group(1) == "天" else match.group(1)


def parse_notice(year: int, text: str) -> ParsedNotice:
    """Read the notice's holiday lines for ``year``; syntax problems go to ``errors`` (in Chinese)."""
    lines: list[NoticeLine] = []
    errors: list[str] = []
    raw_lines = [raw.strip() for raw in (text or "").splitlines() if raw.strip()]
    for number, raw in enumerate(raw_lines, start=1):
        where = _("第%(n)s行") % {"n": number}
        body = _NUMBERING.sub("", raw.translate(_BRACKETS))
        if "：" not in body:
            errors.append(_("%(where)s：应以“节日名称：”开头，例如“春节：2月15日至23日放假调休，共9天。”") % {"where": where})
            continue
        name, rest = (part.strip() for part in body.split("：", 1))
        line = NoticeLine(number=number, text=raw, name=name[:40])
        off_part, _sep, after = rest.partition("放假")
        if not _sep:
            errors.append(_("%(where)s：没有找到“放假”。") % {"where": where})
            continue
        span = _RANGE.search(off_part)
        if span:
            m1, d1, note1, m2, d2, note2 = span.groups()
            line.first = _date(year, m1, d1, None, where, errors)
            line.last = _date(year, m2, d2, line.first.month if line.first else None, where, errors)
            for day, note in ((line.first, note1), (line.last, note2)):
                if day and _note_weekday(note):
                    line.printed_weekdays.append((day, _note_weekday(note)))
        else:
            single = _SINGLE.search(off_part)
            if not single:
                errors.append(_("%(where)s：没有找到放假日期。") % {"where": where})
                continue
            m1, d1, note1 = single.groups()
            line.first = line.last = _date(year, m1, d1, None, where, errors)
            if line.first and _note_weekday(note1):
                line.printed_weekdays.append((line.first, _note_weekday(note1)))
        total = _TOTAL.search(after)
        if total:
            line.stated_total = int(total.group(1))
            after = after[total.end():]
        work_part, _sep, _tail = after.partition("上班")
        if _sep:
            month = line.first.month if line.first else None
            for match in _SINGLE.finditer(work_part):
                m, d, note = match.groups()
                day = _date(year, m, d, month, where, errors)
                if day is None:
                    continue
                month = day.month
                line.workdays.append(day)
                if _note_weekday(note):
                    line.printed_weekdays.append((day, _note_weekday(note)))
            if not line.workdays:
                errors.append(_("%(where)s：写了“上班”，但没有找到上班日期。") % {"where": where})
        lines.append(line)
    if not raw_lines:
        errors.append(_("请粘贴通知中各节日的放假安排，每个节日一行。"))
    return ParsedNotice(year=year, lines=lines, errors=errors)


def check_notice(parsed: ParsedNotice) -> list[str]:
    """Every problem of a parsed notice (syntax first, then the clerk's checks), in Chinese."""
    errors = list(parsed.errors)
    seen_off: dict[date, str] = {}
    for line in parsed.lines:
        where = _("第%(n)s行（%(name)s）") % {"n": line.number, "name": line.name}
        if line.first and line.last and line.last < line.first:
            errors.append(_("%(where)s：放假结束日期早于开始日期。") % {"where": where})
        off = line.days_off
        if line.stated_total is not None and off and len(off) != line.stated_total:
            errors.append(
                _("%(where)s：%(first)s至%(last)s共%(count)s天，与通知所写“共%(total)s天”不符。")
                % {
                    "where": where,
                    "first": f"{line.first.month}月{line.first.day}日",
                    "last": f"{line.last.month}月{line.last.day}日",
                    "count": len(off),
                    "total": line.stated_total,
                }
            )
        for day in off:
            if day in seen_off:
                errors.append(
                    _("%(where)s：%(day)s已在“%(other)s”中放假。")
                    % {"where": where, "day": f"{day.month}月{day.day}日", "other": seen_off[day]}
                )
            seen_off[day] = line.name
        for day in line.workdays:
            if day.weekday() < 5:
                errors.append(
                    _("%(where)s：调休上班日%(day)s是星期%(weekday)s，不是周末。")
                    % {"where": where, "day": f"{day.month}月{day.day}日", "weekday": WEEKDAYS[day.weekday()]}
                )
        for day, printed in line.printed_weekdays:
            if WEEKDAYS[day.weekday()] != printed:
                errors.append(
                    _("%(where)s：%(day)s是星期%(real)s，通知中写的是周%(printed)s，请核对日期。")
                    % {
                        "where": where,
                        "day": f"{day.month}月{day.day}日",
                        "real": WEEKDAYS[day.weekday()],
                        "printed": printed,
                    }
                )
    workdays = parsed.workdays
    for day in sorted(set(workdays) & set(seen_off)):
        errors.append(_("%(day)s既是放假日又是上班日。") % {"day": f"{day.month}月{day.day}日"})
    return errors


def year_grid(parsed: ParsedNotice) -> list[dict]:
    """The year as twelve month grids (weeks of days, Monday first) for the preview before saving."""
    holidays, workdays = parsed.holidays, parsed.workdays
    months = []
    for month in range(1, 13):
        first = date(parsed.year, month, 1)
        weeks, week = [], [None] * first.weekday()
        day = first
        while day.month == month:
            if day in holidays:
                kind, label = "holiday", holidays[day]
            elif day in workdays:
                kind, label = "workday", _("%(name)s调休上班") % {"name": workdays[day]}
            elif day.weekday() >= 5:
                kind, label = "weekend", ""
            else:
                kind, label = "working", ""
            week.append({"date": day, "kind": kind, "label": label})
            if len(week) == 7:
                weeks.append(week)
                week = []
            day += timedelta(days=1)
        if week:
            weeks.append(week + [None] * (7 - len(week)))
        months.append({"month": month, "weeks": weeks})
    return months


@transaction.atomic
def enter_year(parsed: ParsedNotice, *, note: str = "") -> CalendarYear:
    """Make the notice the year's schedule: replace its CalendarDay rows, confirm an ``admin`` year.

    Refuses (ValueError with the Chinese problems) a notice that does not pass ``check_notice``.
    """
    problems = check_notice(parsed)
    if problems:
        raise ValueError("\n".join(problems))
    year = parsed.year
    CalendarDay.objects.filter(date__year=year).delete()
    CalendarDay.objects.bulk_create(
        [CalendarDay(date=day, kind=DayKind.HOLIDAY, name=name, note=note[:200]) for day, name in sorted(parsed.holidays.items())]
        + [CalendarDay(date=day, kind=DayKind.WORKDAY, name=name, note=note[:200]) for day, name in sorted(parsed.workdays.items())]
    )
    calendar_year, _created = CalendarYear.objects.update_or_create(
        year=year, defaults={"source": CalendarSource.ADMIN, "confirmed": True, "note": note[:200]}
    )
    # bulk_create sends no signals: tell the clock, now and again once the rows are committed.
    transaction.on_commit(clear_cache)
    clear_cache()
    return calendar_year

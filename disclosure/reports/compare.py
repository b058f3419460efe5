"""Year-over-year comparison of the annual report's tables, for auditors: every figure of tables 2–4
for the year and the year before, with the change. Both years are computed as of their own 31 December."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from disclosure.reports import export

COMPARED_SHEETS = ("二、主动公开", "三、依申请公开", "四、复议诉讼")


@dataclass(frozen=True)
class Comparison:
    table: str
    item: str
    column: str
    previous: Decimal | int
    current: Decimal | int

    @property
    def change(self):
        return self.current - self.previous


def _cells(data: dict) -> dict[tuple[str, str, str], object]:
    """{(table, item, column): value} for every numeric cell of tables 2–4, in order."""
    cells = {}
    for sheet in export.annual_sheets(data):
        if sheet.title not in COMPARED_SHEETS:
            continue
        labels = 3 if sheet.title.startswith("三") else (1 if sheet.title.startswith("二") else 0)
        for row in sheet.rows:
            item = "·".join(str(label) for label in row[:labels] if label) or sheet.title
            for header, value in zip(sheet.headers[labels:], row[labels:], strict=True):
                if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
                    cells[(sheet.title, item, str(header))] = value
    return cells


def compare_years(current: dict, previous: dict) -> list[Comparison]:
    before = _cells(previous)
    return [
        Comparison(table, item, column, before.get((table, item, column), 0), value)
        for (table, item, column), value in _cells(current).items()
    ]

"""Server-rendered bar charts: the geometry is computed here, templates draw it as inline SVG.

No JavaScript and nothing from outside the site. Every chart has a title and a description for
screen readers, and each page shows the same figures in a table next to it (the text alternative).
"""

from __future__ import annotations

from dataclasses import dataclass, field

LABEL_WIDTH = 210
PLOT_WIDTH = 420
VALUE_WIDTH = 90
BAR_HEIGHT = 20
BAR_GAP = 8
MAX_LABEL_CHARS = 13


def _short(label: str) -> str:
    return label if len(label) <= MAX_LABEL_CHARS else label[: MAX_LABEL_CHARS - 1] + "…"


@dataclass
class Bar:
    label: str
    value: float | None  # None: nothing to measure (drawn as "—")
    text: str = ""  # shown after the bar, e.g. "80.0%（4/5）"
    url: str = ""
    # filled in by the chart
    y: float = 0
    width: float = 0
    short_label: str = ""
    text_y: float = 0


@dataclass
class HorizontalBarChart:
    title: str
    description: str
    bars: list[Bar]
    maximum: float = 100
    value_width: int = VALUE_WIDTH  # room for the figure written after each bar
    width: int = 0
    height: int = 0
    label_width: int = LABEL_WIDTH
    plot_width: int = PLOT_WIDTH
    bar_height: int = BAR_HEIGHT
    gridlines: list[dict] = field(default_factory=list)

    def __post_init__(self):
        top = 24
        self.width = LABEL_WIDTH + PLOT_WIDTH + self.value_width
        self.height = top + len(self.bars) * (BAR_HEIGHT + BAR_GAP) + 4
        scale = self.maximum or 1
        for index, bar in enumerate(self.bars):
            bar.y = top + index * (BAR_HEIGHT + BAR_GAP)
            bar.text_y = bar.y + BAR_HEIGHT * 0.72
            bar.width = round(PLOT_WIDTH * max(0.0, min(bar.value or 0, scale)) / scale, 1)
            bar.short_label = _short(bar.label)
        self.gridlines = [
            {
                "x": LABEL_WIDTH + PLOT_WIDTH * fraction,
                "label": f"{self.maximum * fraction:g}",
            }
            for fraction in (0, 0.25, 0.5, 0.75, 1)
        ]


@dataclass
class Column:
    label: str
    values: list[int]  # stacked, bottom first
    url: str = ""
    x: float = 0
    segments: list[dict] = field(default_factory=list)
    show_label: bool = True


def nice_axis(largest: int, *, most_ticks: int = 5) -> tuple[int, int]:
    """The top of a count axis and its tick step: whole numbers, the step 1, 2 or 5 × 10ⁿ, at most
    ``most_ticks`` steps, and the top at or above ``largest``. A label always sits at its own value."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            candidate = step * factor
            if -(-largest // candidate) <= most_ticks:
                return -(-largest // candidate) * candidate, candidate
        step *= 10


@dataclass
class StackedColumnChart:
    """Columns over time (e.g. publications per month: on time below, late on top)."""

    title: str
    description: str
    columns: list[Column]
    series: list[dict]  # [{"label": ..., "css": ...}], bottom first
    width: int = 0
    height: int = 270
    plot_top: int = 28
    plot_bottom: int = 200
    left: int = 40
    maximum: int = 0
    ticks: list[dict] = field(default_factory=list)

    def __post_init__(self):
        step = 34 if len(self.columns) <= 24 else 20
        self.width = self.left + max(1, len(self.columns)) * step + 20
        self.maximum, tick_step = nice_axis(max([sum(c.values) for c in self.columns] + [1]))
        plot_height = self.plot_bottom - self.plot_top
        every = 1 if len(self.columns) <= 12 else (3 if len(self.columns) <= 36 else 12)
        for index, column in enumerate(self.columns):
            column.x = self.left + index * step + 4
            column.show_label = index % every == 0
            base = self.plot_bottom
            column.segments = []
            for series, value in zip(self.series, column.values):
                height = plot_height * value / self.maximum
                base -= height
                column.segments.append(
                    {"y": round(base, 1), "height": round(height, 1), "css": series["css"], "value": value}
                )
        self.ticks = [
            {"y": round(self.plot_bottom - plot_height * value / self.maximum, 1), "label": value}
            for value in range(0, self.maximum + 1, tick_step)
        ]
        self.column_width = step - 8

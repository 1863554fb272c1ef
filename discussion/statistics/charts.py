"""SVG geometry for the statistics' charts, computed here so the templates only draw.

Pure: no Flask, no database. Each chart is drawn in a fixed viewBox and scales to its box, so
it fits a phone as well as a desktop window.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 52, 8, 12, 30


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    series: int
    label: str


@dataclass(frozen=True)
class Tick:
    y: float
    label: str


@dataclass(frozen=True)
class XLabel:
    x: float
    label: str
    anchor: str = "middle"
    # Left out on a narrow screen, where every label would not fit.
    optional: bool = False


@dataclass
class BarChart:
    """Stacked bars: one per category, one segment per series."""

    rects: list[Rect] = field(default_factory=list)
    ticks: list[Tick] = field(default_factory=list)
    labels: list[XLabel] = field(default_factory=list)
    width: int = WIDTH
    height: int = HEIGHT
    baseline: float = HEIGHT - BOTTOM
    left: int = LEFT


def nice_top(value: float) -> float:
    """The smallest 1, 2 or 5 times a power of ten at or above `value` (1 for nothing)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 2, 5, 10) if step * power >= value)


def stacked_bars(
    categories: Sequence[str],
    values: Sequence[Sequence[float]],
    names: Sequence[str],
    every: int | None = None,
    format_tick=lambda value: f"{value:g}",
) -> BarChart:
    """Bars for `categories`, each stacking `values[i]` (one number per series in `names`).

    `every`: label every n-th category on the x axis (default: about eight labels).
    """
    chart = BarChart()
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    top = nice_top(max((sum(v or 0 for v in row) for row in values), default=0))
    slot = plot_width / max(len(categories), 1)
    gap = min(slot * 0.2, 4)
    for index, (category, row) in enumerate(zip(categories, values, strict=True)):
        x = LEFT + index * slot + gap / 2
        y = chart.baseline
        for series, value in enumerate(row):
            if not value:
                continue
            height = value / top * plot_height
            y -= height
            chart.rects.append(
                Rect(
                    round(x, 2),
                    round(y, 2),
                    round(slot - gap, 2),
                    round(height, 2),
                    series,
                    f"{category}: {names[series]} {format_tick(value)}",
                )
            )
    for step in range(5):
        value = top * step / 4
        chart.ticks.append(
            Tick(round(chart.baseline - plot_height * step / 4, 2), format_tick(value))
        )
    every = every or max(1, math.ceil(len(categories) / 8))
    shown = range(0, len(categories), every)
    for number, index in enumerate(shown):
        x, anchor = round(LEFT + (index + 0.5) * slot, 2), "middle"
        if len(shown) > 4 and x > WIDTH - RIGHT - 64:
            x, anchor = WIDTH - RIGHT, "end"
        # On a phone, where type is larger, the first of each pair is left out (the first
        # label, which would run off the left edge, with it).
        chart.labels.append(
            XLabel(x, categories[index], anchor, optional=len(shown) > 4 and number % 2 == 0)
        )
    return chart

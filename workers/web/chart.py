"""An entity's mentions over time as a small SVG bar chart, drawn on the server by pygal.

Why pygal: the page stays free of JavaScript (the SVG is loaded as an ``<img>``, where
scripts never run), and the chart costs less than the alternative: 5-20 ms of server
time for 14-90 days and 19-46 kB of SVG (3.5-5.5 kB gzipped), against 51 kB (22 kB
gzipped) of minified uPlot 1.6.32 as a vendored blob, plus the data and code to draw it
(measured on this machine; the command is in docs/explorer.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import pygal
from pygal.style import Style

from workers.web.source import DayCount

__all__ = ["MAX_DAYS", "MAX_LABELS", "MIN_DAYS", "daily_series", "day_label", "day_ticks", "mentions_chart_svg"]

#: The chart shows at most this many days, ending with the last day that has mentions.
MAX_DAYS = 90
#: ... and at least this many, so that one day of news reads as a day, not as a wall.
MIN_DAYS = 14
#: Most day labels under the bars: each gets 640 / 7 ≈ 90 px, room for "Nov 30" and a gap.
MAX_LABELS = 7
#: Days between two labels, the first that keeps them within MAX_LABELS: a day, two, three, a week...
_LABEL_STEPS = (1, 2, 3, 7, 14, 28, 56)

_STYLE = Style(
    background="white",
    plot_background="white",
    foreground="#333",
    foreground_strong="#111",
    foreground_subtle="#888",
    colors=("#4a6fa5",),
    font_family="sans-serif",
)


def daily_series(counts: Sequence[DayCount], max_days: int = MAX_DAYS, min_days: int = MIN_DAYS) -> list[DayCount]:
    """Every day from the first to the last with mentions (at most ``max_days``, the
    latest; at least ``min_days``, ending on the last), with zero for days without any.

    Args:
        counts: mentions per day, in any order, days at most once.
        max_days: the longest span shown.
        min_days: the shortest span shown.

    Returns:
        One count a day, oldest first; empty when ``counts`` is.
    """
    if not counts:
        return []
    by_day: dict[date, int] = {}
    for count in counts:
        by_day[count.day] = by_day.get(count.day, 0) + count.mentions
    last = max(by_day)
    first = max(min(min(by_day), last - timedelta(days=min_days - 1)), last - timedelta(days=max_days - 1))
    return [
        DayCount(first + timedelta(days=i), by_day.get(first + timedelta(days=i), 0))
        for i in range((last - first).days + 1)
    ]


def day_ticks(days: Sequence[date], max_labels: int = MAX_LABELS) -> list[date]:
    """The days that get a label: the last day, then every ``step`` days back, the
    step the smallest of a day, two, three, a week, two weeks ... that gives at most
    ``max_labels`` labels.

    Args:
        days: consecutive days, oldest first.
        max_labels: most labels.

    Returns:
        The labelled days, oldest first.
    """
    if not days:
        return []
    step = next((s for s in _LABEL_STEPS if -(-len(days) // s) <= max_labels), _LABEL_STEPS[-1])
    return list(days[::-1][::step])[::-1]


def day_label(day: date) -> str:
    """A short, readable label for a day: ``"Nov 3"``."""
    return f"{day:%b} {day.day}"


def mentions_chart_svg(counts: Sequence[DayCount], title: str) -> bytes:
    """A bar chart of mentions per day as a standalone SVG document.

    Args:
        counts: mentions per day (see :func:`daily_series`).
        title: the chart's accessible title (escaped by pygal's XML writer).

    Returns:
        The SVG document, UTF-8.
    """
    series = daily_series(counts)
    chart = pygal.Bar(
        width=640,
        height=220,
        style=_STYLE,
        show_legend=False,
        js=[],  # no script from a CDN; an <img> would not run it anyway
        show_minor_x_labels=False,
        x_label_rotation=0,
        truncate_label=-1,
        margin=6,
        no_data_text="no dated mentions",
        print_values=False,
    )
    chart.title = title
    # every bar has a label (its tooltip) but only the ticks' are drawn, whole: pygal
    # would cut a label wider than its bar down to "…"
    chart.x_labels = [day_label(c.day) for c in series]
    chart.x_labels_major = [day_label(d) for d in day_ticks([c.day for c in series])]
    chart.add("mentions", [c.mentions for c in series])
    svg: bytes = chart.render()
    return svg

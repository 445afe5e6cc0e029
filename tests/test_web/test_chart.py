from __future__ import annotations

import itertools
import re
from datetime import date, timedelta

import pytest

from workers.web.chart import MAX_LABELS, daily_series, day_label, day_ticks, mentions_chart_svg
from workers.web.source import DayCount


def test_days_without_mentions_count_zero() -> None:
    series = daily_series([DayCount(date(2026, 11, 3), 2), DayCount(date(2026, 11, 1), 5)], min_days=1)
    assert series == [DayCount(date(2026, 11, 1), 5), DayCount(date(2026, 11, 2), 0), DayCount(date(2026, 11, 3), 2)]


def test_the_series_keeps_only_the_latest_days() -> None:
    series = daily_series([DayCount(date(2026, 1, 1), 1), DayCount(date(2026, 11, 30), 4)], max_days=10)
    assert (series[0].day, series[-1].day, len(series)) == (date(2026, 11, 21), date(2026, 11, 30), 10)


def test_a_short_series_is_padded_before_its_last_day() -> None:
    series = daily_series([DayCount(date(2026, 11, 30), 4)], min_days=14)
    assert (series[0].day, series[-1].day, len(series)) == (date(2026, 11, 17), date(2026, 11, 30), 14)
    assert [c.mentions for c in series] == [0] * 13 + [4]


def test_no_counts_make_an_empty_series() -> None:
    assert daily_series([]) == []


def test_the_chart_is_svg_with_its_title_escaped() -> None:
    svg = mentions_chart_svg([DayCount(date(2026, 11, 1), 3)], "Mentions of <script>alert(1)</script>").decode()
    assert "<svg" in svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in svg
    assert "<script>alert" not in svg


def test_the_chart_loads_no_script_from_elsewhere() -> None:
    svg = mentions_chart_svg([DayCount(date(2026, 11, 1), 3)], "Hama").decode()
    assert "<script src" not in svg and 'xlink:href="http' not in svg


def days(n: int) -> list[date]:
    return [date(2026, 11, 30) - timedelta(days=n - 1 - i) for i in range(n)]


@pytest.mark.parametrize("n", [1, 7, 14, 15, 30, 45, 90])
def test_at_most_seven_days_are_labelled_the_last_among_them(n: int) -> None:
    ticks = day_ticks(days(n))
    assert 1 <= len(ticks) <= MAX_LABELS and ticks[-1] == date(2026, 11, 30)
    steps = {(b - a).days for a, b in itertools.pairwise(ticks)}
    assert len(steps) <= 1  # evenly spaced


def test_a_fortnight_is_labelled_every_other_day_and_ninety_days_every_other_week() -> None:
    fortnight, quarter = day_ticks(days(14)), day_ticks(days(90))
    assert (fortnight[1] - fortnight[0]).days == 2 and len(fortnight) == 7
    assert (quarter[1] - quarter[0]).days == 14 and len(quarter) == 7


def test_the_drawn_labels_are_whole_short_dates() -> None:
    svg = mentions_chart_svg([DayCount(d, 1) for d in days(90)], "Hama").decode()
    drawn = re.findall(r'<text[^>]*class="major">([^<]*)</text>', svg)
    dates = [t for t in drawn if t[:1].isalpha()]  # not the y axis's numbers
    assert dates == [day_label(d) for d in day_ticks(days(90))]
    assert "…" not in svg and day_label(date(2026, 11, 3)) == "Nov 3"

from __future__ import annotations

from datetime import date

from workers.web.chart import daily_series, mentions_chart_svg
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

"""(K)'s rows and ratios in ``newsflow bench``, from a measurement (no database, no timing)."""

from __future__ import annotations

from typing import Any

import pytest

from workers.benchmark.report import Report
from workers.benchmark.scenarios import Result
from workers.benchmark.sink import SinkBench
from workers.benchmark.sink_scenario import COPY_RATIO, NLP_RATIO, sink_ratios, sink_results, words_written


def bench(**overrides: Any) -> SinkBench:
    figures: dict[str, Any] = {"events": 1000, "batch": 500, "rows": 50_000, "sink_seconds": 4.0, "copy_seconds": 2.0}
    return SinkBench(**{**figures, **overrides}, repeat=3)


def test_sink_and_copy_rows_carry_articles_rows_and_rows_per_second() -> None:
    rows = sink_results(bench(), words=12_345)

    assert set(rows) == {"K", "Kb"}
    assert rows["K"].articles_per_second == 250.0 and rows["Kb"].articles_per_second == 500.0
    assert rows["K"].extra["rows_per_second"] == 12_500.0 and rows["Kb"].extra["rows_per_second"] == 25_000.0
    assert rows["K"].extra["rows"] == rows["Kb"].extra["rows"] == 50_000
    assert rows["K"].words == rows["Kb"].words == 12_345


def test_copy_ratio_is_sink_speed_over_copy_speed() -> None:
    ratios = {name: value for name, value, _ in sink_ratios(bench(), 5.0)}

    assert ratios[COPY_RATIO] == pytest.approx(0.5)


def test_nlp_ratio_is_sink_articles_per_second_over_the_nlp_rate_given() -> None:
    ratios = {name: value for name, value, _ in sink_ratios(bench(), 5.0)}

    assert ratios[NLP_RATIO] == pytest.approx(50.0)


def test_nlp_ratio_has_no_value_without_an_nlp_rate() -> None:
    ratios = {name: value for name, value, _ in sink_ratios(bench(), None)}

    assert ratios[NLP_RATIO] is None and ratios[COPY_RATIO] is not None


def test_ratios_name_their_targets() -> None:
    targets = {name: target for name, _, target in sink_ratios(bench(), 5.0)}

    assert targets == {COPY_RATIO: ">= 0.5", NLP_RATIO: ">= 50"}


def test_words_written_cycles_through_the_seed_events() -> None:
    events = [{"body": "one two three"}, {"body": "four five"}, {"body": None}]

    assert words_written(events, 7) == 2 * 5 + 3
    assert words_written([], 10) == 0


def test_report_renders_the_sink_rows_and_both_ratios() -> None:
    report = Report()
    report.add("2", Result("offline enrichment", 10, 1000, 2.0))
    for key, row in sink_results(bench(), words=100).items():
        report.add(key, row)
    for name, value, target in sink_ratios(bench(), report.results["2"].articles_per_second):
        report.measured(name, value, target)

    rendered = report.render()
    data = report.to_json()

    assert "(K) sink" in rendered and "(Kb) plain psycopg COPY" in rendered
    assert data["ratios"][COPY_RATIO] == {"value": 0.5, "target": ">= 0.5"}
    assert data["ratios"][NLP_RATIO] == {"value": 50.0, "target": ">= 50"}
    assert data["results"]["K"]["rows_per_second"] == 12_500.0

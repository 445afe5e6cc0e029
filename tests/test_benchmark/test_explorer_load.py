"""(L)'s ratio, report and reader pages, from figures (no database, no timing)."""

from __future__ import annotations

from typing import Any

import pytest

from workers.benchmark.explorer_load import LoadBench, parser, reader_paths
from workers.benchmark.explorer_readers import ReaderCounts


def bench(**overrides: Any) -> LoadBench:
    figures: dict[str, Any] = {
        "events": 2000,
        "batch": 500,
        "prefill": 1000,
        "clients": 20,
        "streams": 25,
        "think": 0.1,
        "max_streams": 20,
        "alone_seconds": [4.0, 4.0, 3.0],
        "readers_seconds": [5.0, 4.0, 6.0],
    }
    return LoadBench(**{**figures, **overrides})


def test_the_ratio_is_the_median_pair_s_throughput_under_readers_over_alone() -> None:
    assert bench().ratios == pytest.approx([0.8, 1.0, 0.5]) and bench().ratio == pytest.approx(0.8)


def test_the_report_names_both_ways_every_pair_the_median_ratio_and_its_spread() -> None:
    text = bench(readers=[{"streams_opened": 20}], explorer_cpu=[{"serve": 1.0}], cores=2).report()
    assert "ratio under readers / alone, pair by pair: 0.80 1.00 0.50" in text
    assert "ratio under readers / alone: 0.80 median, 0.50-1.00 (target >= 0.8)" in text
    assert "500 articles/s median (500-667)" in text and "400 articles/s median (333-500)" in text
    assert "2 cores" in text and "pair 1 (cores): serve 0.20" in text and '"streams_opened": 20' in text


def test_the_readers_read_the_front_page_a_stop_word_search_and_every_kind_of_page() -> None:
    event = {"id": "a-1", "entities": [{"id": "gpe:hama"}]}
    paths = reader_paths([event])
    assert {"/", "/?q=the", "/articles/a-1", "/entities/gpe:hama", "/entities/gpe:hama/mentions.svg"} <= set(paths)


def test_the_readers_are_bounded_by_default() -> None:
    args = parser().parse_args([])
    assert (args.clients, args.streams, args.max_streams, args.reader_seconds) == (20, 25, 20, 300)
    assert args.repeat == 5


def test_reader_counts_tell_articles_per_stream_and_any_received_twice() -> None:
    counts = ReaderCounts(received=[["a", "b", "b"], ["a", "b"], []])
    summary = counts.summary()
    assert (summary["stream_articles_min"], summary["stream_articles_max"], summary["stream_articles_doubled"]) == (
        2,
        3,
        1,
    )

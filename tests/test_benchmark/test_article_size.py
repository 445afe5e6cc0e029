"""The article-size benchmark's pure parts: sizes, bodies, rows and ratios (no model, no broker)."""

from __future__ import annotations

import pytest

from workers.benchmark.article_size import (
    ArticleRun,
    article_body,
    format_size,
    parse_sizes,
    size_ratios,
    size_results,
)

PARAGRAPHS = ["The mayor said on Monday that the bridge would reopen.", "Engineers found cracks in two piers."]


def run(asked: int, *, seconds: float, peak: float) -> ArticleRun:
    return ArticleRun(
        asked_bytes=asked,
        bytes=asked,
        words=asked // 6,
        entities=1,
        claims=1,
        load_seconds=2.5,
        seconds=seconds,
        cpu_seconds=seconds / 2,
        stages={"nlp": seconds},
        peak_rss_mb_after_load=200.0,
        peak_rss_mb=peak,
    )


def test_parse_sizes_reads_decimal_units_in_ascending_order() -> None:
    assert parse_sizes("100k, 10k,2000,1.5k", max_body_bytes=1_000_000) == [1_500, 2_000, 10_000, 100_000]


def test_parse_sizes_measures_1m_just_under_the_body_limit() -> None:
    assert parse_sizes("500k,1m", max_body_bytes=1_000_000) == [500_000, 990_000]


@pytest.mark.parametrize("text", ["", "2q", "k", "0k", "-1k"])
def test_parse_sizes_rejects_what_is_not_a_size(text: str) -> None:
    with pytest.raises(ValueError, match="size"):
        parse_sizes(text, max_body_bytes=1_000_000)


def test_format_size_uses_decimal_units() -> None:
    assert [format_size(n) for n in (900, 2_000, 2_500, 990_000, 1_000_000)] == [
        "900 B",
        "2 KB",
        "2.5 KB",
        "990 KB",
        "1 MB",
    ]


@pytest.mark.parametrize("size", [10, 100, 1_000, 10_000])
def test_article_body_is_within_size_and_cut_at_whitespace(size: int) -> None:
    body = article_body(PARAGRAPHS, size)
    words = set(" ".join(PARAGRAPHS).split())

    assert size - 60 < len(body.encode()) <= size
    assert set(body.split()) <= words  # no word cut in half


def test_article_body_repeats_the_paragraphs_one_a_line() -> None:
    body = article_body(PARAGRAPHS, 1_000)

    assert body.split("\n")[:3] == [PARAGRAPHS[0], PARAGRAPHS[1], PARAGRAPHS[0]]


def test_size_results_give_each_row_its_rss_above_the_smallest_and_seconds_per_100kb() -> None:
    rows = size_results([run(10_000, seconds=1.0, peak=250.0), run(990_000, seconds=99.0, peak=340.0)])

    assert list(rows) == ["A10k", "A990k"]
    assert rows["A990k"].name == "one article of 990 KB, fresh process"
    assert rows["A990k"].extra["rss_above_smallest_mb"] == 90.0
    assert rows["A990k"].extra["seconds_per_100kb"] == 10.0
    assert rows["A10k"].extra["seconds_per_100kb"] == 10.0


def test_size_ratios_compare_the_largest_with_the_second_smallest_for_time() -> None:
    runs = [
        run(10_000, seconds=5.0, peak=260.0),  # fixed costs dominate: left out of the time ratio
        run(100_000, seconds=4.0, peak=280.0),
        run(990_000, seconds=79.2, peak=360.0),
    ]
    ratios = {name: value for name, value, _ in size_ratios(runs)}

    assert ratios["(A) peak RSS at 990 KB minus at 10 KB, MB"] == 100.0
    assert ratios["(A) seconds per KB at 990 KB over at 100 KB"] == pytest.approx(2.0)
    assert ratios["(A) the same in CPU seconds (less disturbed by other load)"] == pytest.approx(2.0)


def test_size_ratios_of_two_sizes_compare_them_with_each_other() -> None:
    ratios = {
        name: value
        for name, value, _ in size_ratios([run(2_000, seconds=1.0, peak=200.0), run(4_000, seconds=2.0, peak=201.0)])
    }

    assert ratios["(A) seconds per KB at 4 KB over at 2 KB"] == pytest.approx(1.0)


def test_size_ratios_need_two_sizes() -> None:
    assert size_ratios([run(2_000, seconds=1.0, peak=200.0)]) == []

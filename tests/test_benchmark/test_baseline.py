"""How the benchmark's baseline picks bare spaCy's fastest configuration (no model)."""

from __future__ import annotations

import pytest

from workers.benchmark.baseline import PipeConfig, baseline_configs, fastest, finalists


def test_the_configurations_are_the_default_our_minibatches_and_fixed_batch_sizes() -> None:
    configs = baseline_configs(batch_sizes=(1, 16), pipe_chars=12_000)
    assert [c.name for c in configs] == [
        "default nlp.pipe",
        "12,000-char minibatches",
        "batch_size=1",
        "batch_size=16",
    ]


def test_the_default_configuration_leaves_the_batch_size_to_spacy() -> None:
    assert list(PipeConfig("default").batches(["a", "b"])) == [(["a", "b"], None)]


def test_a_fixed_batch_size_is_passed_to_spacy_with_every_body() -> None:
    assert list(PipeConfig("4", batch_size=4).batches(["a", "b", "c"])) == [(["a", "b", "c"], 4)]


def test_character_minibatches_group_bodies_up_to_the_budget_each_one_batch() -> None:
    config = PipeConfig("chars", pipe_chars=10)
    assert list(config.batches(["aaaa", "bbbb", "cccc", "dddddddddddd"])) == [
        (["aaaa", "bbbb"], 2),
        (["cccc"], 1),
        (["dddddddddddd"], 1),
    ]


def test_the_fastest_is_the_shortest_best_time_not_the_first_run() -> None:
    seconds = {"default": [50.0], "chars": [44.0, 41.0], "batch_size=4": [42.0, 43.0]}
    assert fastest(seconds) == "chars"


def test_a_tie_goes_to_the_configuration_listed_first() -> None:
    assert fastest({"b": [3.0], "a": [3.0]}) == "b"


def test_the_finalists_are_the_fastest_few_fastest_first() -> None:
    seconds = {"default": [50.0], "chars": [44.0], "1": [60.0], "4": [42.0]}
    assert finalists(seconds, keep=2) == ["4", "chars"]
    assert finalists(seconds, keep=9) == ["4", "chars", "default", "1"]


def test_no_timed_configuration_is_an_error() -> None:
    with pytest.raises(ValueError, match="E702"):
        fastest({"default": []})


def test_the_report_lists_every_configuration_and_marks_the_baseline() -> None:
    from workers.benchmark.report import Report
    from workers.benchmark.scenarios import Result

    configs = {
        "default nlp.pipe": {"seconds": [50.0], "words_per_second": 2000.0},
        "batch_size=4": {"seconds": [42.0, 40.0], "words_per_second": 2500.0},
    }
    report = Report()
    report.add(
        "1", Result("bare spaCy, batch_size=4", 10, 100_000, 40.0, {"config": "batch_size=4", "configs": configs})
    )
    lines = report.render().splitlines()
    assert "    default nlp.pipe                     2000 words/s   seconds 50.0" in lines
    assert "  * batch_size=4                         2500 words/s   seconds 42.0/40.0" in lines
    assert "configs=" not in report.render()

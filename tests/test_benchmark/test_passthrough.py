"""(5a) and (5b) at their best configuration: which is kept and what is reported (no broker)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from workers.benchmark.passthrough import best_result, passthrough_batches
from workers.benchmark.scenarios import Result


def fixed(seconds: float) -> Callable[[], Result]:
    return lambda: Result("passthrough worker", 100, 5000, seconds, {"exit_codes": [0]})


def test_fastest_configuration_is_kept_and_named() -> None:
    best = best_result([("batch 16", fixed(4.0)), ("batch 256", fixed(2.0))])

    assert best.seconds == 2.0
    assert best.extra["config"] == "batch 256"
    assert best.name == "passthrough worker, batch 256"
    assert best.extra["exit_codes"] == [0]


def test_every_configuration_tried_is_reported() -> None:
    best = best_result([("batch 16", fixed(4.0)), ("batch 256", fixed(2.0))])

    assert best.extra["configs"] == {
        "batch 16": {"seconds": [4.0], "words_per_second": 1250.0},
        "batch 256": {"seconds": [2.0], "words_per_second": 2500.0},
    }


def test_each_configuration_runs_once() -> None:
    calls: list[str] = []

    def run(name: str) -> Callable[[], Result]:
        return lambda: calls.append(name) or Result(name, 1, 1, 1.0)

    best_result([("a", run("a")), ("b", run("b"))])

    assert calls == ["a", "b"]


def test_no_configuration_is_an_error() -> None:
    with pytest.raises(ValueError, match="E702"):
        best_result([])


def test_configured_batch_size_is_tried_first_and_not_twice() -> None:
    assert passthrough_batches(16) == [16, 256]
    assert passthrough_batches(256) == [256]

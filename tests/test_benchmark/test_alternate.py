"""Alternated timing: every contender once a round, in order, each round timed apart."""

from __future__ import annotations

import itertools

import pytest

from workers.benchmark.alternate import alternate


def test_each_run_goes_once_a_round_in_the_order_given() -> None:
    calls: list[str] = []
    ticks = itertools.count()
    seconds = alternate(
        {"bare": lambda: calls.append("bare"), "ours": lambda: calls.append("ours")},
        3,
        clock=lambda: float(next(ticks)),
    )
    assert calls == ["bare", "ours"] * 3
    assert seconds == {"bare": [1.0, 1.0, 1.0], "ours": [1.0, 1.0, 1.0]}


def test_each_round_is_reported_with_its_own_times() -> None:
    ticks = iter([0.0, 2.0, 2.0, 5.0, 5.0, 6.0, 6.0, 10.0])
    rounds: list[dict[str, float]] = []
    alternate(
        {"a": lambda: None, "b": lambda: None}, 2, clock=lambda: next(ticks), on_round=lambda i, r: rounds.append(r)
    )
    assert rounds == [{"a": 2.0, "b": 3.0}, {"a": 1.0, "b": 4.0}]


@pytest.mark.parametrize(("runs", "rounds"), [({}, 3), ({"a": lambda: None}, 0)])
def test_nothing_to_time_is_an_error(runs: dict, rounds: int) -> None:
    with pytest.raises(ValueError, match="E702"):
        alternate(runs, rounds)

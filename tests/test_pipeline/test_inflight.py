"""The poison-pill guard: marks of inputs in flight, shared through a changelog, count
the deaths of every worker of the group."""

from __future__ import annotations

from collections.abc import Callable

import orjson

from tests.test_pipeline.conftest import FakeChangelog
from workers.pipeline.inflight import InFlightGuard, mark_key
from workers.pipeline.process import InputRecord

StartGuard = Callable[[], InFlightGuard]


def rec(offset: int, partition: int = 0) -> InputRecord:
    return InputRecord("articles.raw", partition, offset, None, b"{}")


def test_an_input_another_worker_had_in_flight_when_it_died_counts_one_death(start_guard: StartGuard) -> None:
    dead = start_guard()
    dead.begin([rec(1), rec(2)])
    dead.done([rec(1)])  # rec(2) was in flight when it died
    assert dead.deaths(rec(2)) == 0  # its own mark is not a death while it lives
    taker = start_guard()
    assert (taker.deaths(rec(1)), taker.deaths(rec(2)), taker.deaths(rec(3))) == (0, 1, 0)


def test_deaths_add_up_across_workers(start_guard: StartGuard) -> None:
    first = start_guard()
    first.begin([rec(7)])  # dies
    second = start_guard()
    assert second.deaths(rec(7)) == 1
    second.begin([rec(7)])  # dies too
    assert start_guard().deaths(rec(7)) == 2


def test_a_mark_is_in_kafka_before_begin_returns_and_crossing_off_does_not_wait(
    start_guard: StartGuard, changelog: FakeChangelog
) -> None:
    guard = start_guard()
    guard.begin([rec(1)])
    guard.done([rec(1)])
    guard.begin([rec(2)])
    key1, key2 = mark_key(rec(1)), mark_key(rec(2))
    assert [([k for k, _ in changes], wait) for changes, wait in changelog.writes] == [
        ([key1], True),
        ([key1], False),
        ([key2], True),
    ]
    assert changelog.writes[1][0] == [(key1, None)]  # crossed off: a tombstone
    assert orjson.loads(changelog.log[-1][1] or b"") == {"by": guard.incarnation, "deaths": 0}


def test_crossing_off_leaves_a_mark_another_worker_wrote_since(
    start_guard: StartGuard, changelog: FakeChangelog
) -> None:
    slow = start_guard()
    slow.begin([rec(4)])
    taker = start_guard()  # the partition moved while slow still had rec(4) in flight
    taker.begin([rec(4)])
    changelog.replicate(slow.store)  # slow's follower applies taker's mark
    slow.done([rec(4)])
    assert start_guard().deaths(rec(4)) == 2  # taker's mark stands: had taker died, it counts
    taker.done([rec(4)])
    assert start_guard().deaths(rec(4)) == 0


def test_forget_removes_a_mark_whoever_wrote_it(start_guard: StartGuard) -> None:
    start_guard().begin([rec(9)])
    dealer = start_guard()
    dealer.forget([rec(9)])
    assert (dealer.deaths(rec(9)), start_guard().deaths(rec(9))) == (0, 0)


def test_an_unreadable_mark_still_counts_a_death(start_guard: StartGuard) -> None:
    guard = start_guard()
    guard.store[mark_key(rec(5))] = b"not json"
    assert guard.deaths(rec(5)) == 1


def test_marks_are_per_input_position(start_guard: StartGuard) -> None:
    start_guard().begin([rec(3, partition=0)])
    guard = start_guard()
    assert (guard.deaths(rec(3, partition=0)), guard.deaths(rec(3, partition=1))) == (1, 0)

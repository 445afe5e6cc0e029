"""Poller: a retriable client error from poll is waited out, any other is raised."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from kafka.errors import KafkaConnectionError, KafkaError, UnknownTopicOrPartitionError, UnsupportedVersionError

from workers.kafka.polling import Poller


class FakeConsumer:
    def __init__(self, *outcomes: Any) -> None:
        self.outcomes = list(outcomes)
        self.calls: list[tuple[int, int]] = []

    def poll(self, *, timeout_ms: int, max_records: int) -> dict[str, list[int]]:
        self.calls.append((timeout_ms, max_records))
        outcome = self.outcomes.pop(0)
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome  # type: ignore[no-any-return]


class RecordingStop(threading.Event):
    def __init__(self) -> None:
        super().__init__()
        self.waits: list[float] = []

    def wait(self, timeout: float | None = None) -> bool:
        self.waits.append(timeout or 0.0)
        return self.is_set()


def test_a_retriable_failure_returns_nothing_after_a_wait_and_the_next_poll_reads() -> None:
    consumer = FakeConsumer(KafkaConnectionError("111 ECONNREFUSED"), KafkaConnectionError("again"), {"tp": [1, 2]})
    stop = RecordingStop()
    poller = Poller(consumer, who="sink", stop=stop, wait_seconds=0.7)

    assert poller.poll(timeout_ms=500, max_records=10) == {}
    assert poller.poll(timeout_ms=500, max_records=10) == {}
    assert poller.failures == 2
    assert poller.poll(timeout_ms=500, max_records=10) == {"tp": [1, 2]}
    assert poller.failures == 0
    assert stop.waits == [0.7, 0.7]
    assert consumer.calls == [(500, 10)] * 3


@pytest.mark.parametrize("error", [UnsupportedVersionError("no"), KafkaError("unmarked")])
def test_an_error_the_client_does_not_mark_retriable_is_raised(error: KafkaError) -> None:
    assert not error.retriable
    poller = Poller(FakeConsumer(error), who="stories", stop=RecordingStop())
    with pytest.raises(type(error)):
        poller.poll(timeout_ms=500, max_records=10)


def test_a_retriable_error_is_one_the_client_marks_so() -> None:
    # the client's own marking decides: a missing partition is retriable in kafka-python
    assert UnknownTopicOrPartitionError.retriable
    poller = Poller(FakeConsumer(UnknownTopicOrPartitionError()), who="sink", stop=RecordingStop())
    assert poller.poll(timeout_ms=1, max_records=1) == {}


def test_a_stopping_process_does_not_wait_out_the_pause() -> None:
    stop = threading.Event()
    stop.set()
    poller = Poller(FakeConsumer(KafkaConnectionError("x")), who="sink", stop=stop, wait_seconds=60)
    assert poller.poll(timeout_ms=1, max_records=1) == {}  # returns at once: the wait is on stop

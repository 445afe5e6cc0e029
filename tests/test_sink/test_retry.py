"""Retrying the sink's database calls: which failures pass, how long it waits, when it stops."""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable

import pytest
from prometheus_client import CollectorRegistry

from workers.metrics import SinkMetrics
from workers.sink.exceptions import DatabaseUnavailable, RejectedBatch, SinkError, StaleOffsets
from workers.sink.retry import DatabaseRetry, backoff_seconds

ERRORS = "newsflow_sink_database_errors_total"


def failing(*errors: Exception, result: str = "done") -> Callable[[], str]:
    """An operation that raises ``errors`` one call at a time, then returns ``result``."""
    pending = list(errors)

    def operation() -> str:
        if pending:
            raise pending.pop(0)
        return result

    return operation


def make_retry(stop: threading.Event | None = None) -> tuple[DatabaseRetry, list[float], CollectorRegistry]:
    registry = CollectorRegistry()
    waits: list[float] = []
    retry = DatabaseRetry(SinkMetrics(registry), stop=stop or threading.Event(), sleep=waits.append)
    return retry, waits, registry


class RecordingStop(threading.Event):
    """A stop event that records how long it was waited on, and never blocks."""

    def __init__(self) -> None:
        super().__init__()
        self.waits: list[float | None] = []

    def wait(self, timeout: float | None = None) -> bool:
        self.waits.append(timeout)
        return self.is_set()


def test_a_call_that_succeeds_returns_its_result_without_waiting() -> None:
    retry, waits, _ = make_retry()
    assert retry(failing(), what="the call") == "done"
    assert waits == []


def test_the_database_away_is_retried_with_growing_waits_until_the_call_succeeds() -> None:
    retry, waits, _ = make_retry()
    operation = failing(*[DatabaseUnavailable("[E910] away")] * 3)
    assert retry(operation, what="the call") == "done"
    assert waits == [backoff_seconds(0), backoff_seconds(1), backoff_seconds(2)]


def test_another_database_error_is_retried_too() -> None:
    retry, waits, _ = make_retry()
    assert retry(failing(SinkError("[E916] odd")), what="the call") == "done"
    assert waits == [backoff_seconds(0)]


@pytest.mark.parametrize("error", [StaleOffsets("[E914] moved"), RejectedBatch("[E915] refused")])
def test_a_failure_that_cannot_pass_is_raised_at_once(error: SinkError) -> None:
    retry, waits, _ = make_retry()
    with pytest.raises(type(error)):
        retry(failing(error), what="the call")
    assert waits == []


def test_an_error_that_is_not_the_sinks_is_not_retried() -> None:
    retry, waits, _ = make_retry()
    with pytest.raises(ZeroDivisionError):
        retry(failing(ZeroDivisionError()), what="the call")
    assert waits == []


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (DatabaseUnavailable("[E910] away"), "unavailable"),
        (SinkError("[E916] odd"), "other"),
        (StaleOffsets("[E914] moved"), "stale_offsets"),
        (RejectedBatch("[E915] refused"), "rejected"),
    ],
)
def test_each_failure_is_counted_by_its_kind(error: SinkError, kind: str) -> None:
    retry, _, registry = make_retry()
    with contextlib.suppress(SinkError):
        retry(failing(error), what="the call")
    assert registry.get_sample_value(ERRORS, {"kind": kind}) == 1


def test_stopping_during_a_wait_ends_the_retrying_with_none() -> None:
    stop = threading.Event()
    registry = CollectorRegistry()
    calls: list[int] = []

    def operation() -> str:
        calls.append(1)
        raise DatabaseUnavailable("[E910] away")

    retry = DatabaseRetry(SinkMetrics(registry), stop=stop, sleep=lambda _: stop.set())
    assert retry(operation, what="the call") is None
    assert len(calls) == 1


def test_the_call_is_made_once_even_when_the_sink_is_already_stopping() -> None:
    stop = threading.Event()
    stop.set()
    retry, _, _ = make_retry(stop)
    assert retry(failing(), what="the call") == "done"


def test_by_default_the_wait_is_on_the_stop_event_so_stopping_ends_it_at_once() -> None:
    stop = RecordingStop()
    retry = DatabaseRetry(SinkMetrics(CollectorRegistry()), stop=stop)
    assert retry(failing(DatabaseUnavailable("[E910] away")), what="the call") == "done"
    assert stop.waits == [backoff_seconds(0)]


def test_a_retry_is_logged_with_the_error_what_is_retried_and_the_wait(caplog: pytest.LogCaptureFixture) -> None:
    retry, _, _ = make_retry()
    with caplog.at_level(logging.WARNING, logger="workers.sink.retry"):
        retry(failing(DatabaseUnavailable("[E910] away")), what="the batch of 4 events")
    assert caplog.messages == ["sink: [E910] away; retrying the batch of 4 events in 0.2 s"]


@pytest.mark.parametrize(("attempt", "seconds"), [(0, 0.2), (1, 0.4), (3, 1.6), (10, 5.0)])
def test_backoff_doubles_up_to_five_seconds(attempt: int, seconds: float) -> None:
    assert backoff_seconds(attempt) == pytest.approx(seconds)

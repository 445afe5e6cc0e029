"""Retrying the sink's database calls: wait and call again while a failure can pass,
give up at once when it cannot.

:class:`~workers.sink.store.SinkStore` turns each psycopg error into a sink error by its
SQLSTATE class (:func:`~workers.sink.store.refused_for_good`: data, integrity and program
limit errors are final); this module says what each means for a retry:

- :class:`~workers.sink.exceptions.DatabaseUnavailable` [E910] (connection lost, server
  shutting down, deadlock, serialization) and any other database error [E916] can pass:
  the same call again after :func:`backoff_seconds`, until it succeeds or the sink is
  stopped; the input is never skipped;
- :class:`~workers.sink.exceptions.StaleOffsets` [E914] and
  :class:`~workers.sink.exceptions.RejectedBatch` [E915] never will: raised at once, for the
  consumer to re-seek, or to find the refused event and write it as a dead letter.

Every failure is counted in ``sink_database_errors_total{kind}``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Literal, TypeVar

from workers.metrics import SinkMetrics
from workers.sink.exceptions import DatabaseUnavailable, RejectedBatch, SinkError, StaleOffsets

__all__ = ["PERMANENT", "DatabaseRetry", "ErrorKind", "backoff_seconds", "error_kind"]

log = logging.getLogger(__name__)

T = TypeVar("T")

#: What went wrong with the database (``sink_database_errors_total{kind}``).
ErrorKind = Literal["unavailable", "stale_offsets", "rejected", "other"]
#: The failures that calling again cannot help.
PERMANENT: tuple[type[SinkError], ...] = (StaleOffsets, RejectedBatch)


def backoff_seconds(attempt: int, *, first: float = 0.2, most: float = 5.0) -> float:
    """Seconds to wait before retry ``attempt`` (0-based): doubling, capped at ``most``."""
    return float(min(most, first * 2 ** min(attempt, 16)))


def error_kind(error: BaseException) -> ErrorKind:
    """The metric label of a database failure."""
    if isinstance(error, StaleOffsets):
        return "stale_offsets"
    if isinstance(error, RejectedBatch):
        return "rejected"
    if isinstance(error, DatabaseUnavailable):
        return "unavailable"
    return "other"


class DatabaseRetry:
    """Calls a database operation until it succeeds, fails for good, or the sink stops.

    Args:
        metrics: where each failure is counted.
        stop: once set, the next wait ends the retrying.
        sleep: how to wait between attempts (tests pass a fake); with ``time.sleep`` the
            wait is on ``stop``, so that stopping ends it at once.
    """

    def __init__(
        self, metrics: SinkMetrics, *, stop: threading.Event, sleep: Callable[[float], None] = time.sleep
    ) -> None:
        self.metrics = metrics
        self.stop = stop
        self._sleep = sleep

    def __call__(self, operation: Callable[[], T], *, what: str) -> T | None:
        """What ``operation`` returns, called again after each failure that can pass.

        It is called at least once, even when the sink is already stopping.

        Args:
            operation: the database call.
            what: what is retried, for the log (``"the batch of 12 events"``).

        Returns:
            The operation's result, or None when the sink was stopped before it succeeded.

        Raises:
            StaleOffsets, RejectedBatch: calling again cannot help.
        """
        attempt = 0
        while True:
            try:
                return operation()
            except PERMANENT as error:
                self._count(error)
                raise
            except SinkError as error:
                self._count(error)
                wait = backoff_seconds(attempt)
                log.warning("sink: %s; retrying %s in %.1f s", error, what, wait)
                if not self._pause(wait):
                    return None
                attempt += 1

    def _count(self, error: SinkError) -> None:
        self.metrics.database_errors.labels(kind=error_kind(error)).inc()

    def _pause(self, seconds: float) -> bool:
        """Wait ``seconds`` unless stopped; False when stopped."""
        if self._sleep is time.sleep:
            return not self.stop.wait(seconds)
        self._sleep(seconds)
        return not self.stop.is_set()

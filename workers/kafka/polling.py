"""Polling a kafka-python consumer through the failures a changing cluster causes.

While a broker of a cluster is killed or restarted, kafka-python 3.0 can raise from
``KafkaConsumer.poll`` errors it marks retriable: a consumer subscribed by pattern
refreshes its metadata before it rejoins the group and lets that refresh's
``KafkaConnectionError`` through when the refresh went to the broker that just died; a
heartbeat loop that failed is raised from the next poll. Calling ``poll`` again is what
the client expects (it reconnects to the brokers still up), so :class:`Poller` waits a
moment and returns nothing instead of letting the process die; an error the client does
not mark retriable is raised as before.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from kafka.errors import KafkaError

__all__ = ["Poller"]

log = logging.getLogger(__name__)


class Poller:
    """Polls ``consumer``, riding out the client's retriable errors.

    Args:
        consumer: a kafka-python ``KafkaConsumer`` (or a fake with ``poll``).
        who: names the process in its log lines ("sink", "stories").
        stop: once set, a wait after a failure ends at once.
        wait_seconds: how long to wait after a retriable failure before polling again.
    """

    def __init__(self, consumer: Any, *, who: str, stop: threading.Event, wait_seconds: float = 1.0) -> None:
        self.consumer = consumer
        self.who = who
        self.stop = stop
        self.wait_seconds = wait_seconds
        #: Retriable failures in a row (0 after any poll that returned).
        self.failures = 0

    def poll(self, *, timeout_ms: int, max_records: int) -> dict[Any, list[Any]]:
        """What one ``poll`` returned, or nothing after a retriable failure.

        Raises:
            KafkaError: one the client does not mark retriable.
        """
        try:
            polled: dict[Any, list[Any]] = self.consumer.poll(timeout_ms=timeout_ms, max_records=max_records)
        except KafkaError as error:
            if not error.retriable:
                raise
            self.failures += 1
            log.warning(
                "%s: a poll failed while the cluster changes (%s: %s; %d in a row); polling again in %.1f s",
                self.who,
                type(error).__name__,
                error,
                self.failures,
                self.wait_seconds,
            )
            self.stop.wait(self.wait_seconds)
            return {}
        if self.failures:
            log.info("%s: polling again after %d failed polls", self.who, self.failures)
            self.failures = 0
        return polled

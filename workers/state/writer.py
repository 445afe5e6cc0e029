"""Write our staged changes to a changelog topic, waiting for Kafka when told to.

The poison-pill guard's marks (:mod:`workers.pipeline.inflight`) must be in Kafka before
the NLP that may kill the worker begins, and that NLP runs on its own thread, away from
the event loop and Faust's producer. So the guard's changelog has a producer of its
own, kafka-python's (thread-safe, blocking when asked to), idempotent with ``acks=all``.
"""

from __future__ import annotations

from collections.abc import Sequence

from kafka import KafkaProducer
from kafka.errors import KafkaError
from kafka.producer.future import FutureRecordMetadata

from workers.exceptions import KafkaUnavailable
from workers.kafka.client import client_config
from workers.settings import Settings

__all__ = ["ChangelogWriter"]


class ChangelogWriter:
    """Sends key/value changes (a value of None: a tombstone) to ``topic``.

    Args:
        settings: how to reach Kafka; ``publish_timeout_seconds`` bounds each wait.
        topic: the changelog topic.
        what: what the changelog holds, for errors.
    """

    def __init__(self, settings: Settings, topic: str, *, what: str) -> None:
        self.topic = topic
        self.what = what
        self.timeout = settings.publish_timeout_seconds
        timeout_ms = int(self.timeout * 1000)
        self._producer = KafkaProducer(
            **client_config(
                settings,
                acks="all",
                enable_idempotence=True,
                linger_ms=0,
                # kafka-python wants delivery >= linger + request timeout.
                request_timeout_ms=min(30_000, timeout_ms),
                delivery_timeout_ms=timeout_ms,
                max_block_ms=timeout_ms,
            )
        )
        self._unconfirmed: list[FutureRecordMetadata] = []

    def write(self, changes: Sequence[tuple[bytes, bytes | None]], *, wait: bool) -> None:
        """Send ``changes``; with ``wait``, return only once Kafka has them and every
        change sent before.

        Raises:
            KafkaUnavailable: [E414] Kafka refused a change, or did not acknowledge it within
                ``publish_timeout_seconds``.
        """
        try:
            for key, value in changes:
                self._unconfirmed.append(self._producer.send(self.topic, key=key, value=value))
            if not wait:
                return
            self._producer.flush(timeout=self.timeout)
            unconfirmed, self._unconfirmed = self._unconfirmed, []
            for future in unconfirmed:
                future.get(timeout=0)
        except KafkaError as exc:
            raise KafkaUnavailable(
                f"[E414] could not write the {self.what} to {self.topic!r} within {self.timeout:g} s "
                f"(NEWSFLOW_PUBLISH_TIMEOUT_SECONDS): {type(exc).__name__}: {exc}"
            ) from exc

    def close(self, timeout: float = 5.0) -> None:
        """Send what is left (for up to ``timeout`` seconds) and close the producer."""
        self._producer.close(timeout=timeout)

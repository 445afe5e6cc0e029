"""Produce articles onto the input topic with kafka-python."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from kafka import KafkaProducer

from workers.inputs.files import InputArticle
from workers.kafka.client import client_config
from workers.settings import Settings

__all__ = ["FeedResult", "feed_articles"]


@dataclass(frozen=True, slots=True)
class FeedResult:
    """How a feed went: records acknowledged by the broker, and seconds taken."""

    sent: int
    seconds: float


def feed_articles(
    articles: Iterable[InputArticle],
    settings: Settings,
    *,
    topic: str | None = None,
    rate: float | None = None,
    on_progress: Callable[[int], None] | None = None,
    partitions: Sequence[int] | None = None,
) -> FeedResult:
    """Send every article and wait until the broker has acknowledged all of them.

    Args:
        articles: values (and keys) to send, as read by :func:`workers.inputs.files.read_inputs`.
        settings: connection and topic names.
        topic: target topic; the input topic by default.
        rate: at most this many records a second (None: as fast as possible).
        on_progress: called with the running count after each record is handed over.
        partitions: the partition of each article, in order (the benchmark's even
            spread); by default the producer's partitioner chooses by key.

    Raises:
        kafka.errors.KafkaError: a record was not acknowledged.
    """
    target = topic or settings.topic_raw
    producer = KafkaProducer(**client_config(settings, acks="all", linger_ms=5))
    start = time.monotonic()
    futures = []
    try:
        for count, article in enumerate(articles, start=1):
            if rate:
                # Pace against the schedule, not the previous send, so jitter doesn't add up.
                delay = start + (count - 1) / rate - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
            partition = partitions[count - 1] if partitions is not None else None
            futures.append(producer.send(target, key=article.key, value=article.value, partition=partition))
            if on_progress:
                on_progress(count)
        producer.flush()
        for future in futures:
            future.get(timeout=30)  # raises if the broker refused a record
    finally:
        producer.close()
    return FeedResult(sent=len(futures), seconds=time.monotonic() - start)

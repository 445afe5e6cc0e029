"""Read a topic with kafka-python, without joining a consumer group."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from kafka import KafkaConsumer, TopicPartition

from workers.exceptions import NewsflowError
from workers.kafka.client import client_config
from workers.settings import Settings

__all__ = ["TailRecord", "end_offsets", "read_until", "tail_topic"]


@dataclass(frozen=True, slots=True)
class TailRecord:
    """One record read from a topic."""

    topic: str
    partition: int
    offset: int
    timestamp_ms: int
    key: bytes | None
    value: bytes | None


def _consumer(settings: Settings, topic: str) -> tuple[KafkaConsumer, list[TopicPartition]]:
    consumer = KafkaConsumer(**client_config(settings, enable_auto_commit=False, group_id=None))
    partitions = consumer.partitions_for_topic(topic)
    if not partitions:
        consumer.close()
        raise NewsflowError(f"[E402] topic {topic!r} does not exist (create it with `newsflow topics create`)")
    tps = [TopicPartition(topic, p) for p in sorted(partitions)]
    consumer.assign(tps)
    return consumer, tps


def end_offsets(settings: Settings, topic: str) -> dict[int, int]:
    """The current log-end offset of every partition of ``topic``."""
    return _offsets(settings, topic, beginning=False)


def _offsets(settings: Settings, topic: str, *, beginning: bool) -> dict[int, int]:
    consumer, tps = _consumer(settings, topic)
    try:
        found = consumer.beginning_offsets(tps) if beginning else consumer.end_offsets(tps)
        return {tp.partition: offset for tp, offset in found.items()}
    finally:
        consumer.close()


def tail_topic(
    settings: Settings,
    topic: str,
    *,
    from_beginning: bool = False,
    start_offsets: Mapping[int, int] | None = None,
    max_records: int | None = None,
    idle_timeout: float | None = None,
) -> Iterator[TailRecord]:
    """Yield records of ``topic`` as they arrive.

    Args:
        from_beginning: start at the oldest record instead of the end.
        start_offsets: start each listed partition at this offset (overrides the above).
        max_records: stop after this many records.
        idle_timeout: stop when no record arrived for this many seconds (None: never).
    """
    consumer, tps = _consumer(settings, topic)
    try:
        if from_beginning:
            consumer.seek_to_beginning(*tps)
        else:
            consumer.seek_to_end(*tps)
        for tp in tps:
            if start_offsets and tp.partition in start_offsets:
                consumer.seek(tp, start_offsets[tp.partition])
        seen = 0
        last_record = time.monotonic()
        while max_records is None or seen < max_records:
            batches = consumer.poll(timeout_ms=500)
            if not batches:
                if idle_timeout is not None and time.monotonic() - last_record >= idle_timeout:
                    return
                continue
            last_record = time.monotonic()
            for records in batches.values():
                for r in records:
                    yield TailRecord(r.topic, r.partition, r.offset, r.timestamp, r.key, r.value)
                    seen += 1
                    if max_records is not None and seen >= max_records:
                        return
    finally:
        consumer.close()


def read_until(
    settings: Settings,
    topic: str,
    done: Callable[[list[TailRecord]], bool],
    *,
    timeout: float,
    from_beginning: bool = False,
    start_offsets: Mapping[int, int] | None = None,
    on_idle: Callable[[], None] | None = None,
) -> list[TailRecord]:
    """Read ``topic`` until ``done(records so far)`` is true.

    Args:
        done: called after each record with every record read so far.
        timeout: seconds before giving up.
        on_idle: called whenever no record arrived for a moment; may raise to abort
            (e.g. when the process expected to write the records has died).

    Raises:
        TimeoutError: ``done`` was still false after ``timeout`` seconds.
    """
    records: list[TailRecord] = []
    # Pin a start for every partition now: reopening after an idle spell must resume
    # where it left off, not jump to the end of partitions it has not read yet.
    offsets = {**_offsets(settings, topic, beginning=from_beginning), **(start_offsets or {})}
    deadline = time.monotonic() + timeout
    while True:
        # A short idle timeout hands control back here to check the clock and on_idle.
        for record in tail_topic(settings, topic, start_offsets=offsets, idle_timeout=1.0):
            offsets[record.partition] = record.offset + 1
            records.append(record)
            if done(records):
                return records
        if done(records):
            return records
        if on_idle is not None:
            on_idle()
        if time.monotonic() > deadline:
            raise TimeoutError(f"{topic}: condition not met after {timeout:.0f} s ({len(records)} records read)")

"""Read a topic with kafka-python: every partition or some, from where the caller says.

Without a consumer group nothing is committed and the caller picks the partitions and
where to start (:class:`StartAt`: beginning, end, an offset, a time). With a group the
topic is subscribed as that group (partitions shared with its other members, offsets
committed as records are handed out), like ``kafka-console-consumer --group``.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from kafka import KafkaConsumer, TopicPartition
from kafka.errors import KafkaError
from kafka.structs import OffsetAndMetadata

from workers.exceptions import NewsflowError
from workers.kafka.client import client_config, connecting
from workers.pipeline.replay import parse_since
from workers.settings import Settings

__all__ = [
    "BEGINNING",
    "END",
    "StartAt",
    "TailRecord",
    "assigned_consumer",
    "end_offsets",
    "parse_start",
    "read_until",
    "resolve_start",
    "tail_topic",
]

#: Integers from here up are epoch milliseconds someone forgot to mark, not offsets.
_EPOCH_MS_FLOOR = 10**12


@dataclass(frozen=True, slots=True)
class TailRecord:
    """One record read from a topic."""

    topic: str
    partition: int
    offset: int
    timestamp_ms: int
    key: bytes | None
    value: bytes | None


@dataclass(frozen=True, slots=True)
class StartAt:
    """Where reading starts in each partition.

    Attributes:
        whence: ``beginning`` (the oldest record kept), ``end`` (new records only),
            ``offset`` or ``time``.
        value: for ``offset``, the offset (negative: that many records before the end);
            for ``time``, epoch milliseconds (the first record at or after it).
    """

    whence: Literal["beginning", "end", "offset", "time"]
    value: int = 0


BEGINNING = StartAt("beginning")
END = StartAt("end")


def parse_start(text: str, *, now: datetime) -> StartAt:
    """Read an ``--offset`` value.

    ``beginning`` / ``end``; an offset ``N``, or ``-N`` for N records before the end;
    a time: ``@MS`` (also kcat's ``s@MS``) in epoch milliseconds, an ISO-8601 time
    (``2024-12-05T10:00:00Z``, UTC when it names no zone) or a duration back from
    ``now`` (``90s``, ``30m``, ``2h``, ``7d``, ``1w``).

    Raises:
        ValueError: [E409] none of these, or an integer so large it must be a time.
    """
    word = text.strip().lower()
    if word in ("beginning", "earliest", "oldest"):
        return BEGINNING
    if word in ("end", "latest", "newest"):
        return END
    marked = word.removeprefix("s@") if word.startswith("s@") else word.removeprefix("@")
    if marked != word:
        if not marked.isascii() or not marked.isdigit():
            raise ValueError(f"[E409] {text!r}: after @ comes a time in epoch milliseconds, e.g. @1733392800000")
        return StartAt("time", int(marked))
    if word.lstrip("-").isascii() and word.lstrip("-").isdigit() and word.count("-") <= 1:
        offset = int(word)
        if offset >= _EPOCH_MS_FLOOR:
            raise ValueError(
                f"[E409] {text!r} is too large for an offset; for a time in epoch milliseconds write @{offset}"
            )
        return StartAt("offset", offset)
    try:
        moment = parse_since(text, now=now)
    except ValueError:
        raise ValueError(
            f"[E409] {text!r} is not a start: use beginning, end, an offset N (-N: N before the end), "
            "@epoch-ms, an ISO-8601 time (2024-12-05T10:00:00Z) or a duration back from now (30m, 2h, 7d)"
        ) from None
    return StartAt("time", int(moment.timestamp() * 1000))


def resolve_start(
    start: StartAt,
    first: Mapping[int, int],
    end: Mapping[int, int],
    by_time: Mapping[int, int | None] | None = None,
) -> dict[int, int]:
    """The offset to start at in each partition of ``first``.

    Args:
        start: where to start.
        first: each partition's oldest offset still kept.
        end: each partition's end offset (the next record's).
        by_time: for a ``time`` start, each partition's first offset at or after the
            time (None: no record that late, so the end).

    Returns:
        A start offset per partition, always within ``first..end`` (an offset past
        the end starts at the end, one before the oldest kept at the oldest).
    """
    starts: dict[int, int] = {}
    for partition, oldest in first.items():
        newest = end[partition]
        if start.whence == "beginning":
            wanted = oldest
        elif start.whence == "end":
            wanted = newest
        elif start.whence == "offset":
            wanted = start.value if start.value >= 0 else newest + start.value
        else:
            found = (by_time or {}).get(partition)
            wanted = newest if found is None else found
        starts[partition] = min(max(wanted, oldest), newest)
    return starts


def _partitions(consumer: KafkaConsumer, topic: str, wanted: Sequence[int] | None) -> list[TopicPartition]:
    partitions = consumer.partitions_for_topic(topic)
    if not partitions:
        raise NewsflowError(f"[E402] topic {topic!r} does not exist (create it with `newsflow topics create`)")
    for partition in wanted or ():
        if partition not in partitions:
            raise NewsflowError(
                f"[E408] topic {topic!r} has no partition {partition} (it has {_ranges(sorted(partitions))}); "
                "leave out --partition to read them all"
            )
    return [TopicPartition(topic, p) for p in sorted(set(wanted) if wanted else partitions)]


def _ranges(numbers: list[int]) -> str:
    return f"{numbers[0]}..{numbers[-1]}" if numbers == list(range(numbers[0], numbers[-1] + 1)) else str(numbers)


def assigned_consumer(
    settings: Settings, topic: str, partitions: Sequence[int] | None = None
) -> tuple[KafkaConsumer, list[TopicPartition]]:
    """A consumer of no group assigned ``partitions`` of ``topic`` (all by default), and
    those partitions; the caller closes it."""
    with connecting(settings):
        consumer = KafkaConsumer(**client_config(settings, enable_auto_commit=False, group_id=None))
    try:
        tps = _partitions(consumer, topic, partitions)
    except BaseException:
        consumer.close()
        raise
    consumer.assign(tps)
    return consumer, tps


def end_offsets(settings: Settings, topic: str) -> dict[int, int]:
    """The current log-end offset of every partition of ``topic``."""
    return _offsets(settings, topic, beginning=False)


def _offsets(settings: Settings, topic: str, *, beginning: bool) -> dict[int, int]:
    consumer, tps = assigned_consumer(settings, topic)
    try:
        found = consumer.beginning_offsets(tps) if beginning else consumer.end_offsets(tps)
        return {tp.partition: offset for tp, offset in found.items()}
    finally:
        consumer.close()


def _seek(consumer: KafkaConsumer, tps: list[TopicPartition], start: StartAt) -> None:
    if start.whence == "beginning":
        consumer.seek_to_beginning(*tps)
        return
    if start.whence == "end":
        consumer.seek_to_end(*tps)
        return
    first = {tp.partition: o for tp, o in consumer.beginning_offsets(tps).items()}
    end = {tp.partition: o for tp, o in consumer.end_offsets(tps).items()}
    by_time: dict[int, int | None] = {}
    if start.whence == "time":
        found = consumer.offsets_for_times(dict.fromkeys(tps, start.value))
        by_time = {tp.partition: (None if at is None else at.offset) for tp, at in found.items()}
    for tp in tps:
        consumer.seek(tp, resolve_start(start, first, end, by_time)[tp.partition])


def tail_topic(
    settings: Settings,
    topic: str,
    *,
    from_beginning: bool = False,
    start: StartAt | None = None,
    start_offsets: Mapping[int, int] | None = None,
    partitions: Sequence[int] | None = None,
    group_id: str | None = None,
    max_records: int | None = None,
    idle_timeout: float | None = None,
) -> Iterator[TailRecord]:
    """Yield records of ``topic`` as they arrive.

    Args:
        from_beginning: start at the oldest record instead of the end (``start=BEGINNING``).
        start: where to start in each partition (overrides ``from_beginning``). With a
            group, only ``BEGINNING`` or ``END``, for partitions the group has no
            committed offset for.
        start_offsets: start each listed partition at this offset (overrides the above).
        partitions: read only these partitions (None: all); not with a group.
        group_id: read as this consumer group, committing each record once the caller
            has asked for the one after it (or the reading ended at ``max_records`` or
            ``idle_timeout``): a record the caller never finished with is read again.
        max_records: stop after this many records.
        idle_timeout: stop when no record arrived for this many seconds (None: never).

    Raises:
        KafkaUnavailable: [E401] no broker answered within ``connect_timeout_seconds``.
        NewsflowError: [E402] the topic does not exist, [E408] it has no such
            partition; ValueError for a group with partitions or an offset or time start.
    """
    start = start or (BEGINNING if from_beginning else END)
    if group_id is not None:
        if partitions or start_offsets or start.whence not in ("beginning", "end"):
            raise ValueError("a consumer group reads from its committed offsets: no partitions, offsets or times")
        yield from _tail_group(settings, topic, group_id, start, max_records, idle_timeout)
        return
    consumer, tps = assigned_consumer(settings, topic, partitions)
    try:
        with connecting(settings):
            _seek(consumer, tps, start)
        for tp in tps:
            if start_offsets and tp.partition in start_offsets:
                consumer.seek(tp, start_offsets[tp.partition])
        yield from _records(consumer, max_records, idle_timeout)
    finally:
        consumer.close()


def _tail_group(
    settings: Settings,
    topic: str,
    group_id: str,
    start: StartAt,
    max_records: int | None,
    idle_timeout: float | None,
) -> Iterator[TailRecord]:
    reset = "earliest" if start.whence == "beginning" else "latest"
    with connecting(settings):
        consumer = KafkaConsumer(
            **client_config(settings, group_id=group_id, enable_auto_commit=False, auto_offset_reset=reset)
        )
    pending: dict[TopicPartition, OffsetAndMetadata] = {}
    try:
        _partitions(consumer, topic, None)  # [E402] now, rather than wait for a topic that is not there
        consumer.subscribe([topic])
        for record in _records(consumer, max_records, idle_timeout, before_poll=lambda: _commit(consumer, pending)):
            # Committed once the caller asks for the next record (or closes): what was
            # handed out, never what poll fetched ahead.
            yield record
            pending[TopicPartition(record.topic, record.partition)] = OffsetAndMetadata(record.offset + 1, "", -1)
    finally:
        _commit(consumer, pending)
        consumer.close()


def _commit(consumer: KafkaConsumer, pending: dict[TopicPartition, OffsetAndMetadata]) -> None:
    if not pending:
        return
    # A partition taken away by a rebalance cannot be committed: its new owner reads
    # those records again (at least once), which is not worth stopping for.
    with contextlib.suppress(KafkaError):
        consumer.commit(offsets=dict(pending))
    pending.clear()


def _records(
    consumer: KafkaConsumer,
    max_records: int | None,
    idle_timeout: float | None,
    *,
    before_poll: Callable[[], None] | None = None,
) -> Iterator[TailRecord]:
    seen = 0
    last_record = time.monotonic()
    assigned = False
    while max_records is None or seen < max_records:
        if before_poll is not None:
            before_poll()
        batches = consumer.poll(timeout_ms=500)
        if not assigned and consumer.assignment():
            # A group's members wait for their partitions: idle time starts with them.
            assigned, last_record = True, time.monotonic()
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

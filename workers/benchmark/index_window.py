"""(W) The duplicate index's window: what a new worker's catch-up reads and keeps, with a
window that keeps a tenth of the entries against no window, on the real broker.

Each run writes ``entries`` synthetic articles (a random MinHash signature and a
content hash of their own each, so none is a copy) through a :class:`DuplicateIndex`
to a changelog topic of its own, times spread evenly over ten windows, so the window
keeps the last tenth; waits for the broker to compact the topic; then a fresh
:class:`~workers.state.store.ChangelogStore` catches up on it, timed, and its files are
measured. The topic is made to compact at once (small segments, any dirty ratio, and
``delete.retention.ms`` 0, so tombstones go at the next cleaning): a production
changelog keeps its tombstones for ``delete.retention.ms`` (24 h by default), and a new
worker reads those too.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic

from workers.benchmark.scenarios import Result
from workers.kafka.client import client_config
from workers.pipeline.dedup import NUM_PERM, DuplicateIndex, Fingerprint
from workers.settings import Settings
from workers.state.changelog import ChangelogReplica
from workers.state.store import Change, ChangelogStore

__all__ = [
    "COMPACT_AT_ONCE",
    "SPAN_WINDOWS",
    "Written",
    "await_compaction",
    "count_records",
    "create_changelog",
    "new_replica_catch_up",
    "window_runs",
    "write_synthetic_index",
]

#: The entries' times span this many windows: a window keeps a tenth of them.
SPAN_WINDOWS = 10
START = datetime(2025, 1, 1, tzinfo=UTC)
#: A changelog the broker compacts as soon as it can, tombstones included.
COMPACT_AT_ONCE = {
    "cleanup.policy": "compact",
    "segment.bytes": str(1 << 20),
    "segment.ms": "1000",
    "min.cleanable.dirty.ratio": "0",
    "min.compaction.lag.ms": "0",
    "delete.retention.ms": "0",
}
_CHUNK = 2000
_ROLL = b"bench:roll"  # a tombstone of no key, sent last to close the active segment


@dataclass(frozen=True, slots=True)
class Written:
    """What :func:`write_synthetic_index` wrote."""

    topic: str
    entries: int
    records: int
    tombstones: int
    seconds: float

    @property
    def live(self) -> int:
        """The records a fully compacted topic keeps: each tombstone but the last (which
        rolled the segment) removed one record written before it, and goes itself; the
        last one stays, at the head of the active segment."""
        return self.records - 2 * (self.tombstones - 1)


def create_changelog(settings: Settings, topic: str) -> None:
    """A one-partition changelog topic that compacts at once (:data:`COMPACT_AT_ONCE`)."""
    admin = KafkaAdminClient(**client_config(settings))
    try:
        admin.create_topics([NewTopic(topic, 1, settings.replication_factor, topic_configs=COMPACT_AT_ONCE)])
    finally:
        admin.close()


def synthetic_fingerprints(first: int, count: int) -> list[Fingerprint]:
    """Fingerprints ``first`` .. ``first + count - 1``: random signatures (seeded), each its own content."""
    values = np.random.default_rng(first).integers(0, 2**32, size=(count, NUM_PERM), dtype=np.uint64)
    data = values.astype("<u8")
    return [Fingerprint(f"synthetic-{first + i}", data[i].tobytes()) for i in range(count)]


def write_synthetic_index(
    settings: Settings,
    topic: str,
    entries: int,
    workdir: Path,
    *,
    window: timedelta,
    keep_window: bool,
    on_progress: Callable[[int], None] = lambda done: None,
) -> Written:
    """Index ``entries`` synthetic articles, their times spread over ``SPAN_WINDOWS``
    windows, and produce the index's writes (tombstones of expired entries too, with
    ``keep_window``) to ``topic``, as a worker would."""
    store = ChangelogStore(workdir / f"writer-{uuid.uuid4().hex[:6]}")
    index = DuplicateIndex(store, window=window if keep_window else None)
    producer = KafkaProducer(**client_config(settings, acks="all", linger_ms=20, batch_size=512 * 1024))
    step = window * SPAN_WINDOWS / entries
    records = tombstones = offset = 0
    began = time.perf_counter()
    try:
        for first in range(0, entries, _CHUNK):
            fingerprints = synthetic_fingerprints(first, min(_CHUNK, entries - first))
            for i, fp in enumerate(fingerprints, start=first):
                index.check_and_remember(f"a{i:09d}", fp, START + step * i)
            pending = store.take_pending()
            for key, value in pending:
                producer.send(topic, key=key, value=value)
            tombstones += sum(1 for _, value in pending if value is None)
            records += len(pending)
            # What the follower would do once Kafka has them: the stage stays small.
            store.apply(Change(0, offset + n, key, value) for n, (key, value) in enumerate(pending))
            offset += len(pending)
            on_progress(first + len(fingerprints))
        producer.flush()
        time.sleep(float(COMPACT_AT_ONCE["segment.ms"]) / 1000 + 0.2)
        producer.send(topic, key=_ROLL, value=None)  # rolls the last segment, so it may be cleaned
        producer.flush()
    finally:
        producer.close()
        store.close()
    return Written(topic, entries, records + 1, tombstones + 1, time.perf_counter() - began)


def count_records(settings: Settings, topic: str) -> int:
    """The records the topic holds now, read from its start to its end."""
    consumer = KafkaConsumer(**client_config(settings, group_id=None, max_poll_records=5000))
    try:
        tp = TopicPartition(topic, 0)
        consumer.assign([tp])
        consumer.seek_to_beginning(tp)
        end = consumer.end_offsets([tp])[tp]
        count = 0
        while consumer.position(tp) < end:
            count += sum(len(batch) for batch in consumer.poll(timeout_ms=500).values())
        return count
    finally:
        consumer.close()


def await_compaction(settings: Settings, topic: str, target: int, *, timeout: float, every: float = 5.0) -> int:
    """Wait until ``topic`` holds at most ``target`` records, or ``timeout`` seconds;
    returns the records it holds then.

    A tombstone goes at the cleaning after the one that first saw it (once
    ``delete.retention.ms`` has passed), and the broker cleans a log only when it has
    new records: so each round appends one more tombstone of no key, which also rolls
    the segment before it.
    """
    deadline = time.monotonic() + timeout
    producer = KafkaProducer(**client_config(settings, acks="all"))
    rolls = 0  # each may still be there, as the records it rolled past were
    try:
        while True:
            held = count_records(settings, topic)
            if held <= target + rolls or time.monotonic() > deadline:
                return held
            time.sleep(every)
            producer.send(topic, key=_ROLL, value=None)
            producer.flush()
            rolls += 1
    finally:
        producer.close()


@dataclass(frozen=True, slots=True)
class CatchUp:
    """A new worker's replica after its catch-up."""

    seconds: float
    records: int
    keys: int
    disk_bytes: int


def new_replica_catch_up(settings: Settings, topic: str, workdir: Path) -> CatchUp:
    """A fresh replica of ``topic`` catches up, timed; its keys and files are counted."""
    store = ChangelogStore(workdir / f"replica-{uuid.uuid4().hex[:6]}")
    replica = ChangelogReplica(store, settings, topic)
    try:
        began = time.perf_counter()
        records = replica.catch_up()
        seconds = time.perf_counter() - began
        keys = len(store.snapshot())
        disk = store.disk_bytes()
    finally:
        replica.close()
        store.close()
    return CatchUp(seconds, records, keys, disk)


def window_runs(
    settings: Settings,
    entries: int,
    workdir: Path,
    *,
    log: Callable[[str], None] = lambda line: None,
    compaction_timeout: float = 600.0,
) -> tuple[Result, Result]:
    """(W<entries>) with a window that keeps 10% and (W<entries>n) with none, in that order."""
    window = timedelta(days=max(1, settings.dedup_window_days or 30))
    results = []
    for keep_window in (True, False):
        label = "window" if keep_window else "no-window"
        topic = f"bench-index-{label}-{uuid.uuid4().hex[:6]}"
        create_changelog(settings, topic)
        written = write_synthetic_index(
            settings,
            topic,
            entries,
            workdir,
            window=window,
            keep_window=keep_window,
            on_progress=_every_100k(log, label, entries),
        )
        log(f"{label}: {written.records:,} records ({written.tombstones:,} tombstones) in {written.seconds:.0f} s")
        began = time.monotonic()
        # +1: the last tombstone of no key, in the active segment.
        held = await_compaction(settings, topic, written.live + 1, timeout=compaction_timeout)
        waited = time.monotonic() - began
        log(f"{label}: the topic holds {held:,} records after {waited:.0f} s of compaction")
        caught = new_replica_catch_up(settings, topic, workdir)
        name = f"index catch-up, {entries:,} entries, " + (
            f"window {window.days} d (10%)" if keep_window else "no window"
        )
        results.append(
            Result(
                name,
                entries,
                0,
                caught.seconds,
                {
                    "records_written": written.records,
                    "tombstones_written": written.tombstones,
                    "records_read": caught.records,
                    "keys": caught.keys,
                    "disk_mb": round(caught.disk_bytes / 2**20, 1),
                    "compaction_wait_s": round(waited),
                },
            )
        )
    return results[0], results[1]


def _every_100k(log: Callable[[str], None], label: str, entries: int) -> Callable[[int], None]:
    def progress(done: int) -> None:
        if done % 100_000 == 0:
            log(f"{label}: {done:,} of {entries:,} entries written")

    return progress

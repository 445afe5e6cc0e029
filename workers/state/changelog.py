"""Keep a :class:`~workers.state.store.ChangelogStore` up to date with its changelog topic.

Two phases, one kafka-python consumer (no consumer group, no commits: the replica
keeps its own offsets in RocksDB):

1. :meth:`ChangelogReplica.catch_up`, before the worker joins the input's consumer
   group: read the changelog from where the replica stopped up to the log end taken
   at the start, so the first input is checked against everything known then.
2. :meth:`ChangelogReplica.start`: a thread that goes on applying new records, other
   workers' writes and our own, for as long as the worker runs.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from kafka import KafkaConsumer, TopicPartition
from tqdm import tqdm

from workers.exceptions import KafkaUnavailable, NewsflowError
from workers.kafka.client import client_config
from workers.settings import Settings
from workers.state.store import Change, ChangelogStore

__all__ = ["ChangelogReplica", "catch_up_progress"]

log = logging.getLogger(__name__)

#: Seconds between two progress lines in the worker's log while it catches up.
PROGRESS_EVERY = 5.0


def catch_up_progress(done: int, total: int, elapsed: float) -> str:
    """A log line on the catch-up: records applied, rate and time left, by tqdm.

    ``total`` is an upper bound (compaction may have removed records), so the time
    left is too.

    Returns:
        For example ``4500/10000 records (45%), 2000.00 records/s, 00:02 left``.
    """
    meter: str = tqdm.format_meter(
        done,
        max(total, done),
        elapsed,
        unit=" records",
        bar_format="{n_fmt}/{total_fmt}{unit} ({percentage:.0f}%), {rate_fmt}, {remaining} left",
    )
    return " ".join(meter.split())  # tqdm pads the rate to a fixed width


class ChangelogReplica:
    """Replicates ``topic`` into ``store``.

    Named in the log and in its errors as the duplicate index; a subclass for another
    changelog overrides :attr:`label`, :meth:`missing_topic` and :meth:`stalled`.

    Args:
        store: the local replica.
        settings: how to reach Kafka.
        topic: the changelog topic (compacted; made by ``newsflow topics create``).
        on_lag: called by the follower with the records it is behind the log end.
        on_error: called when a poll or a write to the replica failed (it retries).
        stall_timeout: seconds without progress after which :meth:`catch_up` gives up.
    """

    #: What the changelog holds, for the log.
    label = "duplicate index"

    def __init__(
        self,
        store: ChangelogStore,
        settings: Settings,
        topic: str,
        *,
        on_lag: Callable[[int], None] = lambda lag: None,
        on_error: Callable[[], None] = lambda: None,
        stall_timeout: float = 60.0,
    ) -> None:
        self.store = store
        self.topic = topic
        self._on_lag = on_lag
        self._on_error = on_error
        self._stall_timeout = stall_timeout
        self._consumer = KafkaConsumer(
            **client_config(
                settings,
                group_id=None,
                enable_auto_commit=False,
                auto_offset_reset="earliest",
                max_poll_records=5000,
            )
        )
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._tps: list[TopicPartition] = []

    def catch_up(self) -> int:
        """Apply the changelog up to its current end; return the records applied.

        Raises:
            NewsflowError: the changelog topic does not exist (:meth:`missing_topic`).
            KafkaUnavailable: no progress for ``stall_timeout`` seconds (:meth:`stalled`).
        """
        consumer = self._consumer
        partitions = consumer.partitions_for_topic(self.topic)
        if not partitions:
            raise self.missing_topic()
        self._tps = [TopicPartition(self.topic, p) for p in sorted(partitions)]
        consumer.assign(self._tps)
        ends: dict[TopicPartition, int] = consumer.end_offsets(self._tps)
        applied = self.store.applied_offsets()
        if any(applied.get(tp.partition, -1) + 1 > ends[tp] for tp in self._tps):
            # The local files are ahead of the topic: it was deleted and made again.
            log.warning("the local %s is ahead of %s (topic recreated?); rebuilding it", self.label, self.topic)
            self.store.reset()
            applied = {}
        for tp in self._tps:
            if tp.partition in applied:
                consumer.seek(tp, applied[tp.partition] + 1)  # out of range (retention): earliest
            else:
                consumer.seek_to_beginning(tp)
        total = sum(ends[tp] - applied.get(tp.partition, -1) - 1 for tp in self._tps)
        started = time.monotonic()
        log.info("%s: catching up on %s, at most %d records", self.label, self.topic, total)

        done, last_progress, last_report = 0, started, started
        positions = self._positions()
        while any(positions[tp] < ends[tp] for tp in self._tps):
            done += self._poll_once(timeout_ms=500)
            now, before, positions = time.monotonic(), positions, self._positions()
            if positions != before:
                last_progress = now
            elif now - last_progress > self._stall_timeout:
                raise self.stalled(done, total)
            if now - last_report >= PROGRESS_EVERY:
                last_report = now
                log.info("%s: catching up, %s", self.label, catch_up_progress(done, total, now - started))
        log.info("%s: caught up, %d records applied in %.1f s", self.label, done, time.monotonic() - started)
        return done

    def missing_topic(self) -> NewsflowError:
        """The error when the changelog topic does not exist."""
        return NewsflowError(
            f"[E403] the duplicate index changelog {self.topic!r} does not exist "
            "(create it with `newsflow topics create`, or set NEWSFLOW_DEDUP_ENABLED=false)"
        )

    def stalled(self, done: int, total: int) -> NewsflowError:
        """The error when reading the changelog made no progress for ``stall_timeout`` seconds."""
        return KafkaUnavailable(
            f"[E404] no progress reading {self.topic!r} for {self._stall_timeout:.0f} s "
            f"({done} of at most {total} records applied)"
        )

    def start(self) -> None:
        """Follow the changelog on a thread of its own (after :meth:`catch_up`)."""
        if not self._tps:
            raise RuntimeError("catch_up() first")
        self._thread = threading.Thread(target=self._follow, name="changelog-replica", daemon=True)
        self._thread.start()

    def close(self, timeout: float = 5.0) -> None:
        """Stop following and close the consumer."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
        self._consumer.close()

    def _follow(self) -> None:
        failures = 0
        while not self._stop.is_set():
            try:
                self._poll_once(timeout_ms=1000)
                self._on_lag(self._lag())
                failures = 0
            except Exception:  # keep following whatever went wrong once
                failures += 1
                self._on_error()
                log.exception("%s: following %s failed (%d in a row); retrying", self.label, self.topic, failures)
                self._stop.wait(min(10.0, 0.5 * 2**failures))

    def _poll_once(self, *, timeout_ms: int) -> int:
        batches = self._consumer.poll(timeout_ms=timeout_ms)
        changes = [
            Change(record.partition, record.offset, record.key, record.value)
            for records in batches.values()
            for record in records
            if record.key is not None
        ]
        return self.store.apply(changes)

    def _positions(self) -> dict[TopicPartition, int]:
        return {tp: self._consumer.position(tp) for tp in self._tps}

    def _lag(self) -> int:
        lag = 0
        for tp in self._tps:
            highwater = self._consumer.highwater(tp)
            if highwater is not None:
                lag += max(0, highwater - self._consumer.position(tp))
        return lag

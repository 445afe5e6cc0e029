"""Kafka adapter of the sink: consume, write one transaction per poll, never skip.

The sink reads ``articles.enriched``, ``articles.dlq`` and the story stage's ``stories``,
``claim-links`` and ``trends``. It subscribes by a pattern that matches exactly those
names, so a topic that does not exist (no story stage deployed yet) is no error and no
log line per metadata refresh: it is read from its first offset once it is created,
found at the next metadata refresh (:data:`TOPIC_REFRESH_MS`). The sink never creates
topics (``allow_auto_create_topics`` off; ``newsflow topics create`` does).

The consumer is in the group ``Settings.sink_group_id`` with auto-commit off. When it is
given partitions it seeks each to the next offset stored in PostgreSQL (to the beginning
where none is stored): the database, written in the transaction of the rows, is where
the offsets live. After each committed transaction it also commits the offsets to Kafka,
only so that the usual lag tools see the group.

Failures (:mod:`workers.sink.retry` says which pass): the database away (or any other
database error) retries the same batch with backoff until it is written or the sink is
stopped; a batch refused because another sink moved an offset is dropped and the
partitions re-seek to the stored offsets; rows the database refuses for good are found
by halving the batch and written as a dead letter, alone. A record that is no event is
a dead-letter row, in the batch's transaction.

An article event that left out its entities and claims (an event over its topic's size)
is written with them: :class:`~workers.sink.part_reader.PartReader` reads them back from
their topics, :func:`~workers.sink.parts.join_parts` puts them into the event, and the
batch writes the whole, in the transaction of the article event's offset.

A refusal that is systematic is no bad event: when :data:`SYSTEMATIC_REFUSALS`
consecutive events (in read order, across polls, nothing written between them) are
refused with the same error signature (SQLSTATE and constraint, the row's values left
out), the schema and the code disagree, and the sink stops with
:class:`~workers.sink.exceptions.SystematicRefusal` [E918] instead of dead-lettering the
stream. Before dead-lettering a refused event the sink therefore tries the events that
follow it in the poll, each alone in a transaction rolled back: when enough of them are
refused the same way it stops with none of them dead-lettered. Only events that come
one poll at a time can be dead-lettered first: at most ``SYSTEMATIC_REFUSALS - 1``.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

from kafka import ConsumerRebalanceListener, KafkaConsumer, TopicPartition
from kafka.structs import OffsetAndMetadata

from workers.kafka.client import client_config
from workers.kafka.polling import Poller
from workers.metrics import SinkMetrics
from workers.settings import Settings
from workers.sink.batch import Record, make_batch, rejected_batch
from workers.sink.exceptions import RejectedBatch, StaleOffsets, SystematicRefusal
from workers.sink.part_reader import MARGIN_SECONDS, FoundParts, PartReader, sent_at
from workers.sink.parts import WantedParts, join_parts, omits_parts
from workers.sink.retry import DatabaseRetry
from workers.sink.store import Batch, SinkStore, WriteResult
from workers.sink.story_rows import StageSchema

__all__ = ["SYSTEMATIC_REFUSALS", "TOPIC_REFRESH_MS", "SinkConsumer", "topic_pattern"]

log = logging.getLogger(__name__)

#: Consecutive events refused with one error signature that make a refusal systematic
#: (the sink stops, [E918]). Two or three events in a row can be bad for one reason
#: (claims over the search vector's limit); five are a schema that refuses everything.
SYSTEMATIC_REFUSALS = 5
#: How often the sink refreshes the cluster's metadata, and so how soon it reads a topic
#: of its own created after it started (kafka-python's default: 5 minutes).
TOPIC_REFRESH_MS = 30_000


class PartSource(Protocol):
    """Reads back an article event's left-out parts (:class:`~workers.sink.part_reader.PartReader`)."""

    def read(self, wanted: WantedParts, sent_at_ms: int | None) -> FoundParts | None: ...


class SinkConsumer:
    """Moves ``articles.enriched``, ``articles.dlq`` and the story stage's topics into PostgreSQL.

    Args:
        settings: topics, group, batch size, Kafka connection.
        store: the PostgreSQL adapter (migrated).
        metrics: where to count.
        stop: set it to make :meth:`run` return after the batch in hand.
        consumer: a ready consumer (tests); by default one is built from ``settings``.
        sleep: how to wait between retries (tests pass a fake).
        parts: reads back what article events left out (tests pass a fake); by default
            a :class:`~workers.sink.part_reader.PartReader`, made when first needed.
    """

    def __init__(
        self,
        settings: Settings,
        store: SinkStore,
        metrics: SinkMetrics,
        *,
        stop: threading.Event | None = None,
        consumer: Any = None,
        sleep: Callable[[float], None] = time.sleep,
        parts: PartSource | None = None,
    ) -> None:
        self.settings = settings
        self._parts = parts
        self.store = store
        self.metrics = metrics
        self.stop = stop or threading.Event()
        #: The story stage's topics, each with the schema of its events.
        self.stage: dict[str, StageSchema] = {
            settings.topic_stories: "story",
            settings.topic_claim_links: "claim-link",
            settings.topic_trends: "trend",
        }
        self.topics = (settings.topic_enriched, settings.topic_dlq, *self.stage)
        self._retry = DatabaseRetry(metrics, stop=self.stop, sleep=sleep)
        self._consumer = consumer or KafkaConsumer(
            **client_config(
                settings,
                client_id="newsflow-sink",
                group_id=settings.sink_group_id,
                enable_auto_commit=False,
                auto_offset_reset="earliest",
                max_poll_records=settings.sink_batch_max_events,
                # a batch may wait for the database: give it time before the group drops us
                max_poll_interval_ms=600_000,
                # as the worker (workers/stream/app.py): a sink that died hands its partitions on
                # after 15 s, not the client's default 45 s
                session_timeout_ms=15_000,
                heartbeat_interval_ms=3_000,
                allow_auto_create_topics=False,
                metadata_max_age_ms=TOPIC_REFRESH_MS,
            )
        )
        self._poller = Poller(self._consumer, who="sink", stop=self.stop)
        #: Per assigned (topic, partition): the next offset stored in the database when
        #: the sink last read or wrote it (None: none stored yet).
        self.expected: dict[tuple[str, int], int | None] = {}
        #: The events dead-lettered since the last one written, if all were refused with
        #: one signature: (signature, how many, where the first was read).
        self._refusals: tuple[str, int, str] | None = None

    # ------------------------------------------------------------------ lifecycle
    def run(self) -> None:
        """Consume until :attr:`stop` is set."""
        self._consumer.subscribe(pattern=topic_pattern(self.topics), listener=_Listener(self))
        try:
            while not self.stop.is_set():
                self.step()
        finally:
            self._consumer.close(autocommit=False)
            if isinstance(self._parts, PartReader):
                self._parts.close()

    def step(self, timeout_ms: int = 500) -> int:
        """Poll once and write what came; returns how many records were committed."""
        polled = self._poller.poll(timeout_ms=timeout_ms, max_records=self.settings.sink_batch_max_events)
        records: list[Record] = [r for batch in polled.values() for r in batch]
        written = self.write(records) if records else 0
        self._measure_lag()
        return written

    # ------------------------------------------------------------------ assignment
    def seek_to_stored(self, partitions: Sequence[TopicPartition]) -> None:
        """Seek ``partitions`` to their stored offsets (retrying while the database is away)."""
        wanted = [tp for tp in partitions if tp.topic in self.topics]
        if not wanted or self.stop.is_set():  # a stopping sink gives them up: no need to know where they are
            return
        stored = self._retry(lambda: self.store.stored_offsets(self.topics), what="the read of the stored offsets")
        if stored is None:  # stopped while the database was away
            return
        for tp in wanted:
            key = (tp.topic, tp.partition)
            if key in stored:
                self._consumer.seek(tp, stored[key])
            else:
                self._consumer.seek_to_beginning(tp)
            self.expected[key] = stored.get(key)
        log.info("sink: assigned %s, seeking to %s", _names(wanted), {k: stored.get(k) for k in self.expected})
        self.metrics.assigned_partitions.set(len(self._consumer.assignment()))

    def forget(self, partitions: Sequence[TopicPartition]) -> None:
        for tp in partitions:
            self.expected.pop((tp.topic, tp.partition), None)
        self.metrics.assigned_partitions.set(len(self.expected))

    # ------------------------------------------------------------------ writing
    def write(self, records: Sequence[Record]) -> int:
        """Write ``records`` in as few transactions as the database takes; returns how many
        records were committed (0 when the batch was refused as stale and re-sought)."""
        if any((r.topic, r.partition) not in self.expected for r in records):
            # a partition we never sought (its listener call failed): read it again from the database
            self.seek_to_stored(list(self._consumer.assignment()))
            return 0
        joined = self._join_parts(records)
        if joined is None:  # stopped while reading them
            return 0
        pending: list[Sequence[Record]] = [records]
        committed = 0
        while pending:
            part = pending.pop(0)
            batch = make_batch(
                part,
                self.expected,
                dlq_topic=self.settings.topic_dlq,
                now=datetime.now(UTC),
                joined=joined,
                stage=self.stage,
            )
            try:
                result = self._write_until_done(batch, len(part))
            except StaleOffsets as error:
                log.warning("sink: %s", error)
                self.seek_to_stored(list(self._consumer.assignment()))
                return committed
            except RejectedBatch as error:
                if len(part) > 1:
                    half = len(part) // 2
                    pending[:0] = [part[:half], part[half:]]
                    continue
                self._stop_if_systematic(part[0], error, [r for later in pending for r in later], joined)
                log.error(
                    "sink: the database refused %s[%d]@%d, written as a dead letter: %s",
                    part[0].topic,
                    part[0].partition,
                    part[0].offset,
                    error,
                )
                batch = rejected_batch(part[0], self.expected, reason=str(error), now=datetime.now(UTC))
                try:
                    result = self._write_until_done(batch, 1)
                except StaleOffsets:
                    self.seek_to_stored(list(self._consumer.assignment()))
                    return committed
                if result is None:  # stopped
                    return committed
                self._refused(part[0], error)
            else:
                if result is None:  # stopped
                    return committed
                self._refusals = None
            committed += len(part)
            for offsets in batch.offsets:
                self.expected[(offsets.topic, offsets.partition)] = offsets.next_offset
            self._commit_to_kafka(batch)
        return committed

    def _join_parts(self, records: Sequence[Record]) -> dict[tuple[str, int, int], dict[str, Any]] | None:
        """Per record whose article event left out its entities or claims, the event with
        them read back from their topics (:mod:`workers.sink.parts`); None if stopped."""
        joined: dict[tuple[str, int, int], dict[str, Any]] = {}
        for record in records:
            if record.topic != self.settings.topic_enriched:
                continue
            event = omits_parts(record.value)
            if event is None:
                continue
            try:
                wanted = WantedParts.of(event)
            except (KeyError, TypeError, ValueError):
                continue  # not an event the batch can read: it dead-letters it
            if self._parts is None:
                self._parts = PartReader(self.settings, stop=self.stop)
            found = self._parts.read(wanted, sent_at(record))
            if found is None:
                return None
            if not found.entities and not found.claims:
                # an event is cut down only when it holds many: they expired, or clocks disagree by more than the margin
                log.warning(
                    "sink: %s left out its entities and claims but none were found on their topics (retention "
                    "shorter than the sink's lag? worker clocks apart by more than %d s?); stored without them",
                    _at(record),
                    MARGIN_SECONDS,
                )
            joined[(record.topic, record.partition, record.offset)] = join_parts(event, found.entities, found.claims)
        return joined

    def _refused(self, record: Record, error: RejectedBatch) -> None:
        """Count ``record``, just dead-lettered, in the run of refusals with its signature."""
        if self._refusals is not None and self._refusals[0] == error.signature:
            signature, count, first = self._refusals
            self._refusals = (signature, count + 1, first)
        else:
            self._refusals = (error.signature, 1, _at(record))

    def _stop_if_systematic(
        self, refused: Record, error: RejectedBatch, followers: Sequence[Record], joined: Mapping[Any, Any]
    ) -> None:
        """Raise if ``refused``, with the events refused before it and those after it in
        the poll that the database refuses too, makes a run of :data:`SYSTEMATIC_REFUSALS`.

        The followers are tried each alone, rolled back, until one passes or is refused
        for another reason: a bad event among good ones costs one such try.

        Raises:
            SystematicRefusal: [E918] the run is long enough.
        """
        prior = self._refusals if self._refusals is not None and self._refusals[0] == error.signature else None
        dead = prior[1] if prior else 0
        first = prior[2] if prior else _at(refused)
        run = dead + 1
        for follower in followers[: max(0, SYSTEMATIC_REFUSALS - run)]:
            if self._refusal_of(follower, joined) != error.signature:
                break
            run += 1
        if run < SYSTEMATIC_REFUSALS:
            return
        raise SystematicRefusal(
            f"[E918] PostgreSQL refused {run} consecutive events for one reason ({error.signature}), from "
            f"{first} on: the schema does not take what this version writes (a migration missing or half "
            "applied, a CHECK that does not know a new value), no bad event. The sink stops instead of "
            f"dead-lettering the stream ({dead} of them dead-lettered before the run was long enough); its "
            "offsets stay where they were. Bring the schema and the sink to one version and start it again. "
            f"The error: {' '.join(str(error).split())}"  # one line: psycopg's DETAIL and CONTEXT have their own
        )

    def _refusal_of(self, record: Record, joined: Mapping[Any, Any]) -> str | None:
        """The signature the database refuses ``record`` with, written alone and rolled
        back (``joined``: as in :meth:`write`); None when it takes it (or the sink stopped first)."""
        probe = make_batch(
            [record],
            self.expected,
            dlq_topic=self.settings.topic_dlq,
            now=datetime.now(UTC),
            joined=joined,
            stage=self.stage,
        )
        try:
            self._retry(lambda: self.store.probe(probe), what=f"a try of {_at(record)}")
        except RejectedBatch as refusal:
            return refusal.signature
        return None

    def _write_until_done(self, batch: Batch, events: int) -> WriteResult | None:
        """Write ``batch``, retrying while the database is away; None if stopped first.

        Raises:
            StaleOffsets, RejectedBatch: retrying cannot help.
        """

        def timed_write() -> tuple[WriteResult, float]:
            began = time.perf_counter()
            result = self.store.write(batch)
            return result, time.perf_counter() - began

        written = self._retry(timed_write, what=f"the batch of {events} events")
        if written is None:
            return None
        result, seconds = written
        self._count(result, batch, events, seconds)
        return result

    def _count(self, result: WriteResult, batch: Batch, events: int, seconds: float) -> None:
        m = self.metrics
        m.transaction_seconds.observe(seconds)
        m.batch_size.observe(events)
        for table, rows in result.rows.items():
            if rows:
                m.rows_written.labels(table=table).inc(rows)
        m.events.labels(outcome="new").inc(result.new)
        m.events.labels(outcome="replaced").inc(result.replaced)
        m.events.labels(outcome="duplicate").inc(result.duplicates - result.stale)
        m.events.labels(outcome="stale").inc(result.stale)
        m.events.labels(outcome="dead_letter").inc(len(batch.dead_letters))
        m.last_commit.set(time.time())

    def _commit_to_kafka(self, batch: Batch) -> None:
        # For lag tools only: the database holds the offsets the sink seeks to.
        offsets = {
            TopicPartition(o.topic, o.partition): OffsetAndMetadata(o.next_offset, "", -1) for o in batch.offsets
        }
        try:
            self._consumer.commit_async(offsets)
        except Exception as error:  # noqa: BLE001 - monitoring only: the database has the offsets
            log.debug("sink: committing offsets to Kafka for monitoring failed: %s", error)

    def _measure_lag(self) -> None:
        lags: dict[tuple[str, int], int] = {}
        for (topic, partition), stored in self.expected.items():
            high = self._consumer.highwater(TopicPartition(topic, partition))
            if high is not None:
                lags[(topic, partition)] = max(0, high - (stored or 0))
        self.metrics.set_lag(lags)


class _Listener(ConsumerRebalanceListener):  # type: ignore[misc]  # kafka-python is untyped
    def __init__(self, sink: SinkConsumer) -> None:
        self.sink = sink

    def on_partitions_revoked(self, revoked: list[TopicPartition]) -> None:
        self.sink.forget(revoked)

    def on_partitions_assigned(self, assigned: list[TopicPartition]) -> None:
        self.sink.seek_to_stored(assigned)


def topic_pattern(topics: Sequence[str]) -> str:
    """The subscription pattern that matches exactly ``topics`` (a pattern, unlike a list,
    lets a topic be absent without an error logged at every metadata refresh)."""
    return "^(?:" + "|".join(re.escape(t) for t in topics) + ")$"


def _at(record: Record) -> str:
    return f"{record.topic}[{record.partition}]@{record.offset}"


def _names(partitions: Sequence[TopicPartition]) -> str:
    return ", ".join(f"{tp.topic}[{tp.partition}]" for tp in sorted(partitions))

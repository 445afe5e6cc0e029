"""The story stage: one active member places every article, the others stand by.

A kafka-python consumer in the group ``stories_group_id`` on ``articles.enriched``,
whose assignor (:mod:`~workers.stories.stage.assignor`) gives every partition to one
member. Per batch the active member

1. writes a journal record (the batch's inputs in order) to the changelog and waits
   for Kafka to have it;
2. places each article (:mod:`~workers.stories.stage.place`), publishes the ``stories``,
   ``claim-links`` (and ``trends``) events and dead letters, and waits for them;
3. commits the input offsets (for lag tools only: the changelog is the truth).

Every ``stories_checkpoint_articles`` articles or ``stories_checkpoint_seconds`` it
writes its whole state as a checkpoint (:mod:`~workers.stories.stage.journal`). A
member that takes the partitions (a restart, a standby) reads the changelog to its end,
restores the newest good checkpoint, replays the journal after it (reading back those
exact inputs and publishing their events again: the same bytes, so downstream
deduplication by article id and link id sees each once) and goes on from there.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from collections.abc import Sequence
from typing import Any

from kafka import ConsumerRebalanceListener, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.errors import KafkaError
from kafka.structs import OffsetAndMetadata

from workers.kafka.admin import message_size_limits
from workers.kafka.client import client_config
from workers.kafka.polling import Poller
from workers.metrics import StoriesMetrics
from workers.settings import Settings
from workers.stories.assign import StoryAssigner, StoryParams
from workers.stories.exceptions import StageUnavailable
from workers.stories.snapshot import restore, snapshot
from workers.stories.stage.assignor import OneActiveAssignor
from workers.stories.stage.journal import (
    SLOTS,
    Fence,
    JournalRecord,
    Manifest,
    StateLog,
    checkpoint_records,
    fence_key,
    journal_key,
    manifest_key,
    plan_resume,
)
from workers.stories.stage.kafka_io import ChangelogFollower, fetch_inputs
from workers.stories.stage.place import InputRecord, Placed, Placer
from workers.stories.trends import TrendDetector, TrendParams
from workers.stories.version import stage_version
from workers.stream.health import Readiness

__all__ = ["StoryStage"]

log = logging.getLogger("workers.stories.stage")

#: Room left in a changelog record for its key, the chunk's prefix and the overhead.
_CHUNK_MARGIN = 4096
#: Longest a member waits to read the changelog to its end when it takes over.
_CATCH_UP_TIMEOUT = 120.0


class StoryStage:
    """One ``newsflow stories`` process; :meth:`run` until ``stop`` is set.

    Args:
        settings: topics, group, batch and checkpoint sizes, Kafka connection.
        metrics: where to count.
        readiness: told when the replica of the changelog has caught up, and the partitions held.
        stop: set it to make :meth:`run` finish its batch, checkpoint and leave the group.
        params: the assigner's parameters (the offline command's defaults).
    """

    def __init__(
        self,
        settings: Settings,
        metrics: StoriesMetrics,
        readiness: Readiness,
        *,
        stop: threading.Event | None = None,
        params: StoryParams | None = None,
        trend_params: TrendParams | None = None,
    ) -> None:
        self.settings = settings
        self.metrics = metrics
        self.readiness = readiness
        self.stop = stop or threading.Event()
        self.params = params or StoryParams()
        self.trend_params = trend_params or TrendParams()
        self.version = stage_version(self.params, self.trend_params)
        self.member = f"{os.uname().nodename}:{os.getpid()}"
        self.state = StateLog()
        self.follower = ChangelogFollower(settings, self.state)
        self.placer: Placer | None = None
        #: The last journal sequence taken, this member's epoch, the next offset per partition.
        self.seq = 0
        self.epoch = 0
        self.offsets: dict[int, int] = {}
        self.active = False
        #: Whether this member held the partitions in the last generation (told to the assignor).
        self.holds = False
        self.manifests: dict[str, Manifest] = {}
        self.articles_done = 0
        self.since_checkpoint = 0
        self.last_checkpoint = time.monotonic()
        self.last_takeover_seconds: float | None = None
        self._assigned: list[TopicPartition] | None = None
        self._last_lag = 0.0
        limit = min(
            [settings.max_message_bytes, *message_size_limits(settings, [settings.stories_changelog_topic]).values()]
        )
        self.chunk_bytes = max(1024, limit - _CHUNK_MARGIN)
        timeout_ms = int(settings.publish_timeout_seconds * 1000)
        self.producer = KafkaProducer(
            **client_config(
                settings,
                client_id="newsflow-stories",
                acks="all",
                enable_idempotence=True,
                linger_ms=5,
                max_request_size=settings.max_message_bytes,
                request_timeout_ms=min(30_000, timeout_ms),
                delivery_timeout_ms=timeout_ms,
                max_block_ms=timeout_ms,
            )
        )
        self.consumer = KafkaConsumer(
            **client_config(
                settings,
                client_id="newsflow-stories",
                group_id=settings.stories_group_id,
                enable_auto_commit=False,
                auto_offset_reset="earliest",
                max_poll_records=settings.stories_batch_max_articles,
                partition_assignment_strategy=[OneActiveAssignor(lambda: self.holds)],
                max_poll_interval_ms=600_000,
                # as the worker and the sink: a dead active hands the partitions on after 15 s
                session_timeout_ms=15_000,
                heartbeat_interval_ms=3_000,
            )
        )
        self.poller = Poller(self.consumer, who="stories", stop=self.stop)

    # ------------------------------------------------------------------ lifecycle
    def run(self) -> None:
        """Follow the changelog, join the group, and take batches until :attr:`stop`."""
        self.follower.start()
        waited = self.follower.catch_up(_CATCH_UP_TIMEOUT)
        log.info("stories: changelog %s read (%.1f s)", self.follower.topic, waited)
        self.readiness.set_model_loaded()
        self.metrics.ready.set(1)
        self.consumer.subscribe([self.settings.topic_enriched], listener=_Listener(self))
        try:
            while not self.stop.is_set():
                self.step()
            if self.active and self.since_checkpoint:
                self.checkpoint()
        finally:
            self.close()

    def close(self) -> None:
        """Leave the group (a standby takes over at once) and close every client."""
        self.consumer.close(autocommit=False)
        self.producer.close(timeout=10)
        self.follower.close()

    def step(self, timeout_ms: int = 500) -> int:
        """Poll once and take what came; returns how many articles were placed."""
        polled = self.poller.poll(timeout_ms=timeout_ms, max_records=self.settings.stories_batch_max_articles)
        if self._assigned is not None:
            assigned, self._assigned = self._assigned, None
            self.take_over(assigned)
            return 0  # what this poll returned was fetched before the seek: read again
        records = [r for batch in polled.values() for r in batch]
        taken = self.take_batch(records) if records and self.active else 0
        if self.active and self.since_checkpoint:
            due = time.monotonic() - self.last_checkpoint >= self.settings.stories_checkpoint_seconds
            if due or self.since_checkpoint >= self.settings.stories_checkpoint_articles:
                self.checkpoint()
        self._measure_lag()
        return taken

    # ------------------------------------------------------------------ assignment
    def assigned(self, partitions: Sequence[TopicPartition]) -> None:
        """The group gave this member ``partitions`` (all or none): take over after the poll."""
        self.holds = bool(partitions)
        self.readiness.set_partitions(frozenset(tp.partition for tp in partitions))
        self.metrics.assigned_partitions.set(len(partitions))
        if partitions:
            self._assigned = list(partitions)
        else:
            self._stand_by()

    def lost(self) -> None:
        """The group dropped this member: what it holds may be someone else's now."""
        self.holds = False
        self._stand_by()

    def _stand_by(self) -> None:
        if self.active:
            log.info("stories: standing by (another member holds the partitions)")
        self.active = False
        self.metrics.active.set(0)

    def take_over(self, partitions: Sequence[TopicPartition]) -> None:
        """Resume from the changelog: restore, replay, fence, and seek ``partitions``."""
        started = time.monotonic()
        self.follower.catch_up(_CATCH_UP_TIMEOUT)
        plan = plan_resume(self.state)
        for why in plan.skipped:
            log.warning("stories: not resumed from %s", why)
        mine = self.placer is not None and plan.seq == self.seq and plan.epoch == self.epoch
        replayed = 0
        if not mine:
            trends: TrendDetector | None = None
            if plan.checkpoint is not None:
                assigner, extra = restore(plan.checkpoint.data, self.params, self.version)
                trends = TrendDetector.from_state(extra["trends"], self.trend_params, version=self.version)
            else:
                assigner = StoryAssigner(self.params)
            self.placer = self.new_placer(assigner, trends)
            self.epoch = plan.epoch + 1
            self.write_changelog([(fence_key(self.epoch), Fence(self.epoch, plan.seq + 1, self.member).encode())])
            replayed = self._replay(plan.journal)
            self.seq, self.offsets, self.manifests = plan.seq, dict(plan.offsets), dict(plan.manifests)
            self.since_checkpoint = sum(len(r.inputs) for r in plan.journal)
        for tp in partitions:
            if tp.partition in self.offsets:
                self.consumer.seek(tp, self.offsets[tp.partition])
            else:
                self.consumer.seek_to_beginning(tp)
        self.active = True
        self.metrics.active.set(1)
        took = time.monotonic() - started
        self.last_takeover_seconds = took
        self.metrics.takeover_seconds.set(took)
        checkpoint = plan.checkpoint.manifest.id if plan.checkpoint is not None else "none"
        log.info(
            "stories: active (epoch %d) after %.2f s: %s; checkpoint %s, %d batches (%d articles) replayed, "
            "resuming at %s",
            self.epoch,
            took,
            "kept the state in memory" if mine else "restored",
            checkpoint,
            len(plan.journal),
            replayed,
            self.offsets,
        )

    def new_placer(self, assigner: StoryAssigner, trends: TrendDetector | None = None) -> Placer:
        """A placer with ``assigner`` and ``trends`` (a fresh detector when None)."""
        s = self.settings
        trends = trends or TrendDetector(self.trend_params, version=self.version)
        return Placer(assigner, self.version, s.topic_stories, s.topic_claim_links, s.topic_trends, s.topic_dlq, trends)

    def _replay(self, journal: Sequence[JournalRecord]) -> int:
        """Place the journal's batches again, in order, and publish their outputs."""
        if not journal:
            return 0
        records = fetch_inputs(self.settings, (where for r in journal for where in r.inputs))
        sends = []
        for batch in journal:
            for where in batch.inputs:
                placed = self._place(records[where])
                self.metrics.articles.labels(outcome="replayed").inc()
                sends += placed.records
        self.write(sends)
        return sum(len(r.inputs) for r in journal)

    # ------------------------------------------------------------------ batches
    def take_batch(self, records: Sequence[Any]) -> int:
        """Journal, place, publish and commit one batch; returns its size."""
        started = time.monotonic()
        seq = self.seq + 1
        journal = JournalRecord(seq, self.epoch, tuple((r.partition, r.offset) for r in records))
        self.write_changelog([(journal_key(seq), journal.encode())])
        sends = []
        for record in records:
            placed = self._place(record)
            self.metrics.articles.labels(outcome=placed.outcome).inc()
            sends += placed.records
        self.write(sends)
        self.seq = seq
        for record in records:
            self.offsets[record.partition] = max(self.offsets.get(record.partition, 0), record.offset + 1)
        self.articles_done += len(records)
        self.since_checkpoint += len(records)
        self._crash_if_asked()
        self._commit()
        self.metrics.batch_seconds.observe(time.monotonic() - started)
        return len(records)

    def _place(self, record: InputRecord) -> Placed:
        assert self.placer is not None
        placed = self.placer.place(record)
        for kind in placed.link_kinds:
            self.metrics.links.labels(kind=kind).inc()
        if placed.trends:
            self.metrics.trends.inc(placed.trends)
        self.metrics.open.set(len(self.placer.assigner.stories))
        return placed

    def _commit(self) -> None:
        topic = self.settings.topic_enriched
        offsets = {TopicPartition(topic, p): OffsetAndMetadata(o, "", -1) for p, o in self.offsets.items()}
        try:
            self.consumer.commit(offsets)
        except KafkaError as exc:
            # Only lag tools read these: the changelog says where the stage is.
            log.warning("stories: offsets not committed to Kafka (%r); the changelog has them", exc)

    def _crash_if_asked(self) -> None:
        crash_after = self.settings.stories_crash_after_articles
        if crash_after and self.articles_done >= crash_after:
            log.critical("NEWSFLOW_STORIES_CRASH_AFTER_ARTICLES=%d: killing this stage (fault injection)", crash_after)
            logging.shutdown()
            os.kill(os.getpid(), signal.SIGKILL)

    def write_changelog(self, changes: Sequence[tuple[bytes, bytes | None]]) -> None:
        """:meth:`write` changelog records: (key, value), a value of None a tombstone."""
        self.write([(self.follower.topic, key, value) for key, value in changes])

    def write(self, records: Sequence[tuple[str, bytes | None, bytes | None]]) -> None:
        """Send (topic, key, value) records and wait until Kafka has every one.

        Raises:
            StageUnavailable: [E424] not acknowledged within the publish timeout.
        """
        timeout = self.settings.publish_timeout_seconds
        try:
            futures = []
            for topic, key, value in records:
                futures.append(self.producer.send(topic, key=key, value=value))
            self.producer.flush(timeout=timeout)
            for future in futures:
                future.get(timeout=0)
        except KafkaError as exc:
            raise StageUnavailable(
                f"[E424] Kafka did not take the story stage's records within {timeout:g} s "
                f"(NEWSFLOW_PUBLISH_TIMEOUT_SECONDS): {type(exc).__name__}: {exc}; nothing of the batch is committed"
            ) from exc

    # ------------------------------------------------------------------ checkpoints
    def checkpoint(self) -> None:
        """Write the whole state to the slot the newest good checkpoint is not in, then
        drop the journal the older checkpoint covered."""
        assert self.placer is not None
        started = time.monotonic()
        extra = {"seq": self.seq, "epoch": self.epoch, "trends": self.placer.trends.to_state()}
        data = snapshot(self.placer.assigner, self.version, extra)
        newest = max(self.manifests.values(), key=lambda m: m.seq, default=None)
        slot = SLOTS[0] if newest is None or newest.slot == SLOTS[1] else SLOTS[1]
        chunks, manifest = checkpoint_records(
            data, slot=slot, seq=self.seq, epoch=self.epoch, offsets=self.offsets, chunk_bytes=self.chunk_bytes
        )
        self.write_changelog(chunks)
        self.write_changelog([(manifest_key(slot), manifest.encode())])
        self.manifests[slot] = manifest
        older = min(self.manifests.values(), key=lambda m: m.seq).seq if len(self.manifests) == 2 else 0
        self.write_changelog(self._tombstones(older, slot, manifest.chunks))
        took = time.monotonic() - started
        self.metrics.checkpoint_seconds.observe(took)
        self.metrics.state_bytes.set(len(data))
        self.since_checkpoint = 0
        self.last_checkpoint = time.monotonic()
        log.info("stories: checkpoint %s in slot %s, %d bytes in %.2f s", manifest.id, slot, len(data), took)

    def _tombstones(self, covered: int, slot: str, chunks: int) -> list[tuple[bytes, bytes | None]]:
        """Journal records up to ``covered``, fences of earlier epochs, and chunks of
        ``slot`` past its new count."""
        gone: list[bytes] = []
        for key in self.state.items(b"journal/"):
            if int(key.rsplit(b"/", 1)[1]) <= covered:
                gone.append(key)
        for key in self.state.items(b"fence/"):
            if int(key.rsplit(b"/", 1)[1]) < self.epoch:
                gone.append(key)
        for key in self.state.items(f"chunk/{slot}/".encode()):
            if int(key.rsplit(b"/", 1)[1]) >= chunks:
                gone.append(key)
        return [(key, None) for key in gone]

    # ------------------------------------------------------------------ lag
    def _measure_lag(self) -> None:
        if time.monotonic() - self._last_lag < self.settings.lag_interval_seconds:
            return
        self._last_lag = time.monotonic()
        lags = {}
        if self.active:
            for tp in self.consumer.assignment():
                highwater = self.consumer.highwater(tp)
                if highwater is not None and tp.partition in self.offsets:
                    lags[tp.partition] = max(0, highwater - self.offsets[tp.partition])
        self.metrics.set_lag(self.settings.topic_enriched, lags)


class _Listener(ConsumerRebalanceListener):  # type: ignore[misc]  # kafka-python is untyped
    def __init__(self, stage: StoryStage) -> None:
        self.stage = stage

    def on_partitions_revoked(self, revoked: list[TopicPartition]) -> None:
        # Eager rebalances revoke everything first; the member keeps saying it holds
        # them (the assignor keeps them with it), and nothing is in flight between polls.
        pass

    def on_partitions_assigned(self, assigned: list[TopicPartition]) -> None:
        self.stage.assigned(assigned)

    def on_partitions_lost(self, lost: list[TopicPartition]) -> None:
        self.stage.lost()

"""The enrichment agent: ``articles.raw`` -> enriched events (or a dead letter)."""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections import Counter, deque
from collections.abc import Awaitable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import faust
from faust.types import AgentT, EventT, StreamT

from workers.exceptions import NewsflowError
from workers.metrics import PipelineMetrics
from workers.pipeline.events import OutputRecord
from workers.pipeline.process import InputRecord, Outcome, RecordProcessor
from workers.settings import Settings
from workers.state.store import ChangelogStore
from workers.stream.agents.delivery import Publisher, deliver
from workers.stream.topics import PipelineTopics

__all__ = ["EnrichAgent", "ParsedBatch"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ParsedBatch:
    """A batch the NLP has decided, waiting to be published.

    ``index_writes``: the duplicate index's writes the batch made, as records for its
    changelog (empty without an index).
    """

    events: Sequence[EventT[bytes]]
    records: list[InputRecord]
    outcomes: list[Outcome]
    index_writes: list[OutputRecord]


class EnrichAgent:
    """The enrichment agent: its dependencies in one place, one method per step.

    Inputs are taken in micro-batches (at most ``batch_max_articles``, waiting at most
    ``batch_timeout_ms``) so the NLP sees them together through ``nlp.pipe``.

    While a batch is published, the next one is parsed, and the one after it is already
    taken and queued behind it on the NLP thread: the NLP thread waits neither for
    Kafka's acknowledgements nor for the event loop to hand it the next batch. At most
    two batches are parsed or queued and two published at a time. Publishing stays in
    order, one batch at a time: a batch's outputs are sent only once every output of
    the batch before is acknowledged.

    At-least-once: the inputs are taken without Faust's automatic acks, and the agent
    acks a batch's inputs (so that Faust may commit their offsets) only once Kafka has
    acknowledged all the batch's outputs (their delivery futures awaited, sending the
    unacknowledged ones again while Kafka refuses them with an error that passes, for at
    most ``publish_timeout_seconds`` a batch, after which the process ends uncommitted).
    An output Kafka refuses for good (too large, invalid topic, no permission)
    dead-letters its input instead, and the rest of the batch goes on (see
    :mod:`workers.stream.agents.delivery`). The agent runs with concurrency 1: faust-streaming
    loses messages on commit with concurrency > 1 (upstream issue #606); parallelism
    comes from partitions and worker processes.

    ``state`` is the store of the processor's duplicate index: the index writes a
    batch made are taken on the NLP thread as soon as the batch is parsed (before the
    next one starts), and published to its changelog, and acknowledged, before the
    batch's outputs, so an input is committed only once the index remembers it.

    Args:
        app: the Faust app the agent is registered on; its producer sends the outputs.
        topics: the pipeline's topics; the agent reads ``topics.raw``.
        processor: decides each input's outputs (the pure core).
        settings: batch sizes and topic names.
        metrics: where the agent counts what it does.
        state: the duplicate index's store, when the processor has an index.
    """

    def __init__(
        self,
        app: faust.App,
        topics: PipelineTopics,
        processor: RecordProcessor,
        settings: Settings,
        metrics: PipelineMetrics,
        state: ChangelogStore | None = None,
    ) -> None:
        self._app = app
        self._topics = topics
        self._processor = processor
        self._settings = settings
        self._metrics = metrics
        self._state = state
        # NLP is CPU-bound: run it off the event loop so heartbeats, commits and the
        # metrics endpoint keep going while a batch is parsed. Always on the same
        # thread: spread over a pool, each thread gets its own malloc arena and the
        # worker's memory creeps up (a 10,000-article soak grew 14.6%).
        self._nlp_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="nlp")
        self._publisher = Publisher(
            self.send,
            timeout=settings.publish_timeout_seconds,
            on_retry=metrics.failures.labels(reason="publish_failed").inc,
            on_resend=metrics.records_resent.inc,
        )

    def register(self) -> AgentT[bytes]:
        """Attach the agent to the app, reading ``topics.raw``, and return it."""
        return self._app.agent(self._topics.raw, name="enrich", concurrency=1)(self.run)

    async def run(self, stream: StreamT[bytes]) -> None:
        """The agent's body: consume ``stream``; an unexpected error ends the process."""
        try:
            await self.consume(stream)
        except asyncio.CancelledError:
            raise
        except BaseException as exc:  # noqa: BLE001 - logged, and the process ends
            _exit_keeping_inputs_uncommitted(exc)

    async def consume(self, stream: StreamT[bytes]) -> None:
        """Take, parse and publish batches: each batch is taken and queued on the NLP
        thread while the one before is parsed, and published while the one after is."""
        # The batches in flight, oldest first: each one's parse, and its publishing
        # (which waits for its parse and for the batch before it to be published).
        in_flight: deque[tuple[asyncio.Future[ParsedBatch], asyncio.Task[None]]] = deque()
        try:
            within = self._settings.batch_timeout_ms / 1000
            # noack_take is part of faust's Stream but missing from its StreamT type.
            async for events in stream.noack_take(self._settings.batch_max_articles, within=within):  # type: ignore[attr-defined]
                parsing = self.parse_batch(events, self.take(events))
                after = in_flight[-1][1] if in_flight else None
                in_flight.append((parsing, asyncio.create_task(self.finish(stream, parsing, after=after))))
                # Take the next batch only once the one before this is parsed (this one
                # is then on the NLP thread) and the one before that published.
                if len(in_flight) >= 2:
                    await in_flight[-2][0]
                if len(in_flight) >= 3:
                    await in_flight.popleft()[1]
            while in_flight:
                await in_flight.popleft()[1]
        finally:
            # Stopped mid-publish: the batches in flight stay unacked, so uncommitted, and
            # are processed again by whoever takes the partition next.
            for _, publishing in in_flight:
                if not publishing.done():
                    publishing.cancel()

    async def finish(
        self, stream: StreamT[bytes], parsing: Awaitable[ParsedBatch], *, after: asyncio.Task[None] | None
    ) -> None:
        """Publish a batch once it is parsed and the batch before it is published."""
        try:
            batch = await parsing
            if after is not None:
                await after
        except asyncio.CancelledError:
            raise
        except BaseException as exc:  # noqa: BLE001 - logged, and the process ends
            _exit_keeping_inputs_uncommitted(exc)
            return
        await self.publish(stream, batch)

    def take(self, events: Sequence[EventT[bytes]]) -> list[InputRecord]:
        """The input records of a batch of events, counted as consumed."""
        records = [_input_record(e.message) for e in events]
        self._metrics.consumed.labels(topic=self._settings.topic_raw).inc(len(records))
        self._metrics.batch_size.observe(len(records))
        return records

    def parse_batch(self, events: Sequence[EventT[bytes]], records: list[InputRecord]) -> asyncio.Future[ParsedBatch]:
        """The batch of ``events`` parsed on the NLP thread, with the index writes it made
        (taken there, so that they are the writes of this batch and no other)."""

        def parsed() -> ParsedBatch:
            outcomes = self._processor.process_batch(records)
            return ParsedBatch(events, records, outcomes, self.take_index_writes())

        return asyncio.get_running_loop().run_in_executor(self._nlp_thread, parsed)

    def take_index_writes(self) -> list[OutputRecord]:
        """The duplicate index's writes since the last call, as records for its changelog."""
        if self._state is None:
            return []
        # A value of None is a tombstone: the index's window expired the key.
        return [OutputRecord(self._settings.dedup_changelog_topic, k, v) for k, v in self._state.take_pending()]

    async def publish(self, stream: StreamT[bytes], batch: ParsedBatch) -> None:
        """Publish a batch's outputs, then ack its inputs and count them.

        An unexpected error ends the process, leaving the batch unacked.
        """
        try:
            outcomes, published = await self.publish_outputs(batch)
            await self.ack(stream, batch.events)
            self.count(batch.events, outcomes, published, time.time())
        except asyncio.CancelledError:
            raise
        except BaseException as exc:  # noqa: BLE001 - logged, and the process ends
            _exit_keeping_inputs_uncommitted(exc)

    async def publish_outputs(self, batch: ParsedBatch) -> tuple[list[Outcome], list[OutputRecord]]:
        """Publish the batch's index writes, then its outputs, until Kafka acknowledges them.

        Returns:
            The outcomes as published (an input whose output Kafka refused for good is
            dead-lettered instead), and every output record Kafka acknowledged.
        """
        with self._metrics.time_stage("publish", len(batch.events)):
            # One deadline for the whole batch (NEWSFLOW_PUBLISH_TIMEOUT_SECONDS).
            deadline = self._publisher.deadline()
            # The index first: once an article's event is out, the index has what its
            # flag was decided on, so a replay after a crash decides the same.
            await self.publish_index_writes(batch.index_writes, deadline=deadline)
            return await deliver(self._publisher, self._processor, batch.records, batch.outcomes, deadline=deadline)

    async def publish_index_writes(self, index_writes: list[OutputRecord], *, deadline: float | None = None) -> None:
        """Publish the index's writes; one refused for good is counted and logged, and skipped."""
        for failure in await self._publisher.publish(index_writes, deadline=deadline):
            self._metrics.failures.labels(reason="dedup_failed").inc()
            log.error("the duplicate index's changelog refused a write for good: %s", failure.error)

    async def ack(self, stream: StreamT[bytes], events: Sequence[EventT[bytes]]) -> None:
        """Ack the inputs, so that Faust may commit their offsets."""
        for event in events:
            await stream.ack(event)

    async def send(self, record: OutputRecord) -> Awaitable[object]:
        """Send one record, returning the future of its acknowledgement."""
        # Straight to the producer: the records are bytes already, and Topic.send's
        # codecs, sensors and callbacks cost more than aiokafka's own send (the index
        # writes alone are ten records an article).
        return await self._app.producer.send(record.topic, record.key, record.value, None, None, None)

    def count(
        self,
        events: Sequence[EventT[bytes]],
        outcomes: Sequence[Outcome],
        published: list[OutputRecord],
        published_at: float,
    ) -> None:
        """Count a published batch: its records by topic, and each input by what became of it."""
        metrics = self._metrics
        produced: Counter[str] = Counter(r.topic for r in published)
        for topic, n in produced.items():
            metrics.produced.labels(topic=topic).inc(n)
        for event, outcome in zip(events, outcomes, strict=True):
            if outcome.dedup_failed:
                metrics.failures.labels(reason="dedup_failed").inc()
            if outcome.article is not None:
                metrics.enriched.inc()
                if outcome.article.duplicate_of is not None:
                    metrics.duplicates.labels(kind=outcome.article.duplicate_of.kind).inc()
                metrics.entities_per_article.observe(len(outcome.article.entities))
                metrics.claims_per_article.observe(len(outcome.article.claims))
            else:
                metrics.dead_letters.labels(reason=outcome.reason).inc()
                message = event.message
                log.warning(
                    "dead letter (%s) for %s[%d]@%d", outcome.reason, message.topic, message.partition, message.offset
                )
            if event.message.timestamp:
                metrics.end_to_end_seconds.observe(max(0.0, published_at - event.message.timestamp))
        metrics.last_processed.set(published_at)


def _exit_keeping_inputs_uncommitted(exc: BaseException) -> None:
    """End the process on an unexpected error in the agent.

    Faust would restart a crashed agent in this process, where nobody would finish the
    batches in flight; ending the process keeps them uncommitted, so they are processed
    again after the restart (the orchestrator's job) or by the worker that takes their
    partitions. One of our own errors (a code in its message) is logged as its message
    first, so the cause is the log's last line but the traceback.
    """
    if isinstance(exc, NewsflowError):
        log.critical("%s", exc)
    log.critical("enrich agent failed; exiting so the batches in flight are not committed", exc_info=exc)
    logging.shutdown()
    os._exit(70)  # EX_SOFTWARE


def _input_record(message: Any) -> InputRecord:
    headers = message.headers or ()
    if isinstance(headers, Mapping):
        headers = headers.items()
    return InputRecord(
        message.topic,
        message.partition,
        message.offset,
        message.key,
        message.value,
        tuple((str(name), value) for name, value in headers),
    )

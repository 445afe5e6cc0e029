"""The enrichment agent: ``articles.raw`` -> enriched events (or a dead letter)."""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections import Counter
from collections.abc import Awaitable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import faust
from faust.types import AgentT, EventT, StreamT

from workers.metrics import PipelineMetrics
from workers.pipeline.events import OutputRecord
from workers.pipeline.process import InputRecord, Outcome, RecordProcessor
from workers.settings import Settings
from workers.state.store import ChangelogStore
from workers.stream.agents.delivery import Publisher, deliver
from workers.stream.topics import PipelineTopics

__all__ = ["register_enrich_agent"]

log = logging.getLogger(__name__)


def register_enrich_agent(
    app: faust.App,
    topics: PipelineTopics,
    processor: RecordProcessor,
    settings: Settings,
    metrics: PipelineMetrics,
    state: ChangelogStore | None = None,
) -> AgentT[bytes]:
    """Attach the enrichment agent to ``app`` and return it.

    Inputs are taken in micro-batches (at most ``batch_max_articles``, waiting at most
    ``batch_timeout_ms``) so the NLP sees them together through ``nlp.pipe``.

    While a batch is published, the next one is parsed: the NLP thread does not wait
    for Kafka's acknowledgements. Publishing stays in order, one batch at a time: a
    batch's outputs are sent only once every output of the batch before is
    acknowledged.

    At-least-once: the inputs are taken without Faust's automatic acks, and the agent
    acks a batch's inputs (so that Faust may commit their offsets) only once Kafka has
    acknowledged all the batch's outputs (their delivery futures awaited, sending the
    unacknowledged ones again for as long as Kafka refuses them with an error that
    passes). An output Kafka refuses for good (too large, invalid topic, no permission)
    dead-letters its input instead, and the rest of the batch goes on (see
    :mod:`workers.stream.agents.delivery`). The agent runs with concurrency 1: faust-streaming
    loses messages on commit with concurrency > 1 (upstream issue #606); parallelism
    comes from partitions and worker processes.

    ``state`` is the store of the processor's duplicate index: the index writes a
    batch made are taken before the next batch is parsed, and published to its
    changelog, and acknowledged, before the batch's outputs, so an input is committed
    only once the index remembers it.
    """
    within = settings.batch_timeout_ms / 1000
    nlp_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="nlp")

    async def send(record: OutputRecord) -> Awaitable[object]:
        # Straight to the producer: the records are bytes already, and Topic.send's
        # codecs, sensors and callbacks cost more than aiokafka's own send (the index
        # writes alone are ten records an article).
        return await app.producer.send(record.topic, record.key, record.value, None, None, None)

    publisher = Publisher(send, on_retry=metrics.failures.labels(reason="publish_failed").inc)

    def count(
        events: Sequence[EventT[bytes]], outcomes: Sequence[Outcome], records: list[OutputRecord], published_at: float
    ) -> None:
        produced: Counter[str] = Counter(r.topic for r in records)
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

    @app.agent(topics.raw, name="enrich", concurrency=1)
    async def enrich(stream: StreamT[bytes]) -> None:
        try:
            await consume(stream)
        except asyncio.CancelledError:
            raise
        except BaseException:  # noqa: BLE001 - logged, and the process ends
            _exit_keeping_inputs_uncommitted()

    async def consume(stream: StreamT[bytes]) -> None:
        loop = asyncio.get_running_loop()
        publishing: asyncio.Task[None] | None = None
        try:
            # noack_take is part of faust's Stream but missing from its StreamT type.
            async for events in stream.noack_take(settings.batch_max_articles, within=within):  # type: ignore[attr-defined]
                records = [_input_record(e.message) for e in events]
                metrics.consumed.labels(topic=settings.topic_raw).inc(len(records))
                metrics.batch_size.observe(len(records))
                # NLP is CPU-bound: run it off the event loop so heartbeats, commits and
                # the metrics endpoint keep going while a batch is parsed. Always on the
                # same thread: spread over a pool, each thread gets its own malloc arena
                # and the worker's memory creeps up (a 10,000-article soak grew 14.6%).
                parsing = loop.run_in_executor(nlp_thread, processor.process_batch, records)
                if publishing is not None:
                    await publishing  # the batch before, delivered and acked, while this one is parsed
                outcomes = await parsing
                # Taken now, before the next batch is parsed: these are this batch's writes.
                index_writes = []
                if state is not None:
                    index_writes = [OutputRecord(settings.dedup_changelog_topic, k, v) for k, v in state.take_pending()]
                publishing = asyncio.create_task(publish(stream, events, records, outcomes, index_writes))
            if publishing is not None:
                await publishing
        finally:
            if publishing is not None and not publishing.done():
                # Stopped mid-publish: the batch stays unacked, so uncommitted, and is
                # processed again by whoever takes the partition next.
                publishing.cancel()

    async def publish(
        stream: StreamT[bytes],
        events: Sequence[EventT[bytes]],
        records: list[InputRecord],
        outcomes: list[Outcome],
        index_writes: list[OutputRecord],
    ) -> None:
        try:
            with metrics.time_stage("publish", len(events)):
                # The index first: once an article's event is out, the index has what
                # its flag was decided on, so a replay after a crash decides the same.
                for failure in await publisher.publish(index_writes):
                    metrics.failures.labels(reason="dedup_failed").inc()
                    log.error("the duplicate index's changelog refused a write for good: %s", failure.error)
                outcomes, published = await deliver(publisher, processor, records, outcomes)
            for event in events:
                await stream.ack(event)
            count(events, outcomes, published, time.time())
        except asyncio.CancelledError:
            raise
        except BaseException:  # noqa: BLE001 - logged, and the process ends
            _exit_keeping_inputs_uncommitted()

    return enrich


def _exit_keeping_inputs_uncommitted() -> None:
    """End the process on an unexpected error in the agent.

    Faust would restart a crashed agent in this process, where nobody would finish the
    batches in flight; ending the process keeps them uncommitted, so they are processed
    again after the restart (the orchestrator's job) or by the worker that takes their
    partitions.
    """
    log.critical("enrich agent failed; exiting so the batches in flight are not committed", exc_info=True)
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

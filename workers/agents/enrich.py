"""The enrichment agent: ``articles.raw`` -> enriched events (or a dead letter)."""

from __future__ import annotations

import asyncio
import logging
import os
import time
import weakref
from collections import Counter
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import replace

import faust
import faust.streams as faust_streams
from faust.types import AgentT, EventT, StreamT

from workers.dedup import DuplicateIndex
from workers.events import OutputRecord
from workers.metrics import PipelineMetrics
from workers.process import InputRecord, Outcome, RecordProcessor
from workers.settings import Settings
from workers.topics import PipelineTopics

__all__ = ["register_enrich_agent"]

log = logging.getLogger(__name__)

#: Backoff between attempts to publish a batch's outputs while Kafka refuses them.
_RETRY_DELAYS = (0.5, 1.0, 2.0, 5.0, 10.0)


@contextmanager
def as_current_event(event: EventT[bytes]) -> Iterator[None]:
    """Make ``event`` Faust's current event for table writes in the ``with`` block.

    Faust's RocksDB store files a table write under the current event's partition.
    Inside ``take_events`` no event is current (the batch is handed over whole), so a
    write would fail; this sets the one the write belongs to. Faust exposes no public
    setter for the context variable.
    """
    token = faust_streams._current_event.set(weakref.ref(event))
    try:
        yield
    finally:
        faust_streams._current_event.reset(token)


def register_enrich_agent(
    app: faust.App,
    topics: PipelineTopics,
    processor: RecordProcessor,
    settings: Settings,
    metrics: PipelineMetrics,
    dedup: DuplicateIndex | None = None,
) -> AgentT[bytes]:
    """Attach the enrichment agent to ``app`` and return it.

    Inputs are taken in micro-batches (at most ``batch_max_articles``, waiting at most
    ``batch_timeout_ms``) so the NLP sees them together through ``nlp.pipe``.

    At-least-once: all outputs of a batch are acknowledged by Kafka (their delivery
    futures awaited, retrying for as long as Kafka refuses them) before the agent asks for the
    next batch, and Faust acks and commits the batch's input offsets only then. The
    agent runs with concurrency 1: faust-streaming loses messages on commit with
    concurrency > 1 (upstream issue #606); parallelism comes from partitions and
    worker processes.

    With ``dedup``, each enriched article is checked against the duplicate index (a
    Faust table, so on the event loop) and marked with ``duplicate_of``.
    """
    outputs = topics.by_name()
    within = settings.batch_timeout_ms / 1000
    nlp_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="nlp")

    async def publish(records: list[OutputRecord]) -> None:
        # Retry until Kafka takes the records: while the broker is away the worker
        # stalls (lag grows, alerts fire) instead of acking inputs whose outputs are
        # not written, and resumes by itself when the broker is back. A retry may
        # write a record twice; event ids are deterministic so consumers can drop it.
        attempt = 0
        while True:
            try:
                deliveries = [await outputs[r.topic].send(key=r.key, value=r.value) for r in records]
                await asyncio.gather(*deliveries)
                return
            except Exception as exc:  # noqa: BLE001 - Kafka errors come in many classes
                metrics.failures.labels(reason="publish_failed").inc()
                delay = _RETRY_DELAYS[min(attempt, len(_RETRY_DELAYS) - 1)]
                attempt += 1
                log.warning("publish attempt %d failed (%r); retrying in %.1f s", attempt, exc, delay)
                await asyncio.sleep(delay)

    def mark_duplicate(outcome: Outcome) -> Outcome:
        assert dedup is not None
        if outcome.article is None or outcome.fingerprint is None:
            return outcome
        try:
            duplicate = dedup.check_and_remember(outcome.article.id, outcome.fingerprint)
        except Exception:
            metrics.failures.labels(reason="dedup_failed").inc()
            log.exception("duplicate check failed for %s; published without it", outcome.article.id)
            return outcome
        if duplicate is None:
            return outcome
        metrics.duplicates.labels(kind=duplicate.kind).inc()
        return replace(outcome, article=replace(outcome.article, duplicate_of=duplicate))

    def count(
        events: Sequence[EventT[bytes]], outcomes: Sequence[Outcome], records: list[OutputRecord], published_at: float
    ) -> None:
        produced: Counter[str] = Counter(r.topic for r in records)
        for topic, n in produced.items():
            metrics.produced.labels(topic=topic).inc(n)
        for event, outcome in zip(events, outcomes, strict=True):
            if outcome.article is not None:
                metrics.enriched.inc()
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
        except BaseException:
            # Faust would restart a crashed agent, and take_events acks the batch in
            # flight when it is torn down: those inputs would be committed without
            # their outputs. Ending the process here keeps them uncommitted, so they
            # are processed again after the restart (the orchestrator's job).
            log.critical("enrich agent failed; exiting so the batch in flight is not committed", exc_info=True)
            logging.shutdown()
            os._exit(70)  # EX_SOFTWARE

    async def consume(stream: StreamT[bytes]) -> None:
        # take_events is part of faust's Stream but missing from its StreamT type.
        async for events in stream.take_events(settings.batch_max_articles, within=within):  # type: ignore[attr-defined]
            records = [
                InputRecord(e.message.topic, e.message.partition, e.message.offset, e.message.key, e.message.value)
                for e in events
            ]
            metrics.consumed.labels(topic=settings.topic_raw).inc(len(records))
            metrics.batch_size.observe(len(records))
            # NLP is CPU-bound: run it off the event loop so heartbeats, commits and
            # the metrics endpoint keep going while a batch is parsed. Always on the
            # same thread: spread over a pool, each thread gets its own malloc arena
            # and the worker's memory creeps up (a 10,000-article soak grew 14.6%).
            loop = asyncio.get_running_loop()
            processed = await loop.run_in_executor(nlp_thread, processor.process_batch, records)
            outcomes = processed
            if dedup is not None:
                outcomes = []
                for event, outcome in zip(events, processed, strict=True):
                    with as_current_event(event):
                        outcomes.append(mark_duplicate(outcome))
            output = [r for outcome in outcomes for r in outcome.records(settings)]
            with metrics.time_stage("publish", len(events)):
                await publish(output)
            count(events, outcomes, output, time.time())

    return enrich

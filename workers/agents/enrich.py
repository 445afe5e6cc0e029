"""The enrichment agent: ``articles.raw`` -> enriched events (or a dead letter)."""

from __future__ import annotations

import asyncio
import logging

import faust
from faust.types import AgentT, StreamT

from workers.process import InputRecord, RecordProcessor
from workers.topics import PipelineTopics

__all__ = ["register_enrich_agent"]

log = logging.getLogger(__name__)


def register_enrich_agent(app: faust.App, topics: PipelineTopics, processor: RecordProcessor) -> AgentT:
    """Attach the enrichment agent to ``app``.

    At-least-once: every output of an input is acknowledged by Kafka (the delivery
    futures are awaited) before the agent takes the next input, and Faust commits an
    input's offset only once the agent has moved past it. The agent runs with
    concurrency 1: faust-streaming loses messages on commit with concurrency > 1
    (upstream issue #606); parallelism comes from partitions and worker processes.
    """
    outputs = topics.by_name()

    @app.agent(topics.raw, name="enrich", concurrency=1)
    async def enrich(stream: StreamT[bytes]) -> None:
        async for event in stream.events():
            message = event.message
            record = InputRecord(message.topic, message.partition, message.offset, message.key, message.value)
            # NLP is CPU-bound: run it off the event loop so heartbeats and the
            # consumer keep going while a long article is parsed.
            outcome = await asyncio.to_thread(processor, record)
            deliveries = [
                await outputs[out.topic].send(key=out.key, value=out.value) for out in outcome.records
            ]
            await asyncio.gather(*deliveries)
            if outcome.status == "dead_letter":
                log.warning("dead letter %s at %s[%d]@%d", outcome.reason, message.topic, message.partition, message.offset)

    return enrich

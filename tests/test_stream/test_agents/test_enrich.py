"""The agent under Faust's test_context(): no broker, the producer's send() recorded."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import orjson
import pytest
from prometheus_client import CollectorRegistry

from workers.metrics import PipelineMetrics
from workers.pipeline.dedup import DuplicateIndex
from workers.pipeline.enrich import Enricher
from workers.pipeline.process import RecordProcessor
from workers.settings import Settings
from workers.state.store import ChangelogStore
from workers.stream.agents.enrich import EnrichAgent
from workers.stream.app import create_app
from workers.stream.topics import declare_topics


class RecordingSend:
    """Stands in for the producer's send: records the call and returns a delivery future."""

    def __init__(self, sent: list[tuple[str, bytes, bytes]], deliveries: list[asyncio.Future[Any]]) -> None:
        self.sent, self.deliveries = sent, deliveries

    async def __call__(self, topic: str, key: bytes, value: bytes, *_: Any) -> asyncio.Future[Any]:
        self.sent.append((topic, key, value))
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.deliveries.append(future)
        return future


def build_harness(settings: Settings, enricher: Enricher, state: ChangelogStore | None = None) -> Any:
    app = create_app(settings)
    app.finalize()
    app.flow_control.resume()
    topics = declare_topics(app, settings)
    sent: list[tuple[str, bytes, bytes]] = []
    deliveries: list[asyncio.Future[Any]] = []
    object.__setattr__(app.producer, "send", RecordingSend(sent, deliveries))
    metrics = PipelineMetrics(CollectorRegistry())
    index = DuplicateIndex(state) if state is not None else None
    processor = RecordProcessor(enricher, settings, index=index)
    agent = EnrichAgent(app, topics, processor, settings, metrics, state).register()
    return agent, sent, deliveries


@pytest.fixture
def harness(enricher: Enricher, make_settings: Callable[..., Settings]) -> Any:
    return build_harness(make_settings(batch_max_articles=1, dedup_enabled=False), enricher)


async def wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.01)


def release(deliveries: list[asyncio.Future[Any]]) -> None:
    for future in deliveries:
        if not future.done():
            future.set_result(None)


async def deliver_until(condition: Callable[[], bool], deliveries: list[asyncio.Future[Any]]) -> None:
    """Acknowledge every send as it comes until ``condition`` holds."""
    async with asyncio.timeout(10.0):
        while not condition():
            release(deliveries)
            await asyncio.sleep(0.01)


@pytest.mark.asyncio
async def test_a_batch_is_published_only_after_every_output_of_the_batch_before_is_acknowledged(
    harness: Any,
) -> None:
    agent, sent, deliveries = harness
    first = orjson.dumps({"id": "t1", "body": "Police in Boston said the road was closed."})
    second = orjson.dumps({"id": "t2", "body": "The mayor said the bridge would reopen."})
    async with agent.test_context() as test_agent:
        await test_agent.put(first, key=b"t1", wait=False)
        await test_agent.put(second, key=b"t2", wait=False)
        await deliver_until(lambda: bool(sent) and sent[-1][0] == "articles.enriched", deliveries)
        await asyncio.sleep(0.2)  # room for a wrong agent to run ahead
        assert {key for topic, key, _value in sent if topic == "articles.enriched"} == {b"t1"}
        assert not all(future.done() for future in deliveries)

        await deliver_until(lambda: sum(t == "articles.enriched" for t, _, _ in sent) == 2, deliveries)
        release(deliveries)
    topics = [t for t, _, _ in sent]
    assert {"claims", "entities"} <= set(topics)
    # Each article's event closes its group: claims and entities of t1 all come before it.
    first_article = topics.index("articles.enriched")
    assert all(key == b"t1" or t != "articles.enriched" for t, key, _ in sent[: first_article + 1])
    assert topics[-1] == "articles.enriched"


@pytest.mark.asyncio
async def test_an_input_is_acked_only_once_its_outputs_are_acknowledged(harness: Any) -> None:
    agent, sent, deliveries = harness
    async with agent.test_context() as test_agent:
        event = await test_agent.put(
            orjson.dumps({"id": "t1", "body": "Police in Boston said the road was closed."}), key=b"t1", wait=False
        )
        await deliver_until(lambda: bool(sent) and sent[-1][0] == "articles.enriched", deliveries)
        await asyncio.sleep(0.2)  # room for a wrong agent to ack early
        assert not event.message.acked  # its article event is not acknowledged yet
        release(deliveries)
        await wait_for(lambda: event.message.acked)


@pytest.mark.asyncio
async def test_the_next_batch_is_parsed_while_the_one_before_is_published(
    harness: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    agent, sent, deliveries = harness
    parsed: list[list[bytes | None]] = []
    process_batch = RecordProcessor.process_batch

    def recording(self: RecordProcessor, records: Any) -> Any:
        parsed.append([r.key for r in records])
        return process_batch(self, records)

    monkeypatch.setattr(RecordProcessor, "process_batch", recording)
    async with agent.test_context() as test_agent:
        await test_agent.put(orjson.dumps({"id": "t1", "body": "The mayor said it."}), key=b"t1", wait=False)
        await test_agent.put(orjson.dumps({"id": "t2", "body": "The police said so."}), key=b"t2", wait=False)
        await wait_for(lambda: bool(sent))
        await wait_for(lambda: parsed == [[b"t1"], [b"t2"]])
        # t2 was parsed while nothing of t1 was acknowledged, and nothing of t2 is sent.
        assert not any(future.done() for future in deliveries)
        assert {key for _topic, key, _value in sent} == {b"t1"}
        await deliver_until(lambda: sum(t == "articles.enriched" for t, _, _ in sent) == 2, deliveries)
        release(deliveries)


@pytest.mark.asyncio
async def test_an_article_event_is_sent_only_after_its_claims_and_entities_are_acknowledged(harness: Any) -> None:
    agent, sent, deliveries = harness
    async with agent.test_context() as test_agent:
        await test_agent.put(
            orjson.dumps({"id": "t1", "body": "Police in Boston said the road was closed."}), wait=False
        )
        await wait_for(lambda: bool(sent))
        await asyncio.sleep(0.2)
        assert "articles.enriched" not in [t for t, _, _ in sent]
        await deliver_until(lambda: sent[-1][0] == "articles.enriched", deliveries)
        release(deliveries)


@pytest.mark.asyncio
async def test_agent_routes_a_bad_record_to_the_dead_letter_topic(harness: Any) -> None:
    agent, sent, deliveries = harness
    async with agent.test_context() as test_agent:
        await test_agent.put(b"not json", key=b"x", wait=False)
        await wait_for(lambda: bool(sent))
        for future in deliveries:
            future.set_result(None)
    [(topic, key, value)] = sent
    assert (topic, key, orjson.loads(value)["reason"]) == ("articles.dlq", b"x", "invalid_json")


@pytest.mark.asyncio
async def test_index_writes_are_acknowledged_before_the_batch_outputs_and_the_next_input(
    enricher: Enricher, make_settings: Callable[..., Settings]
) -> None:
    settings = make_settings(batch_max_articles=1)
    state = ChangelogStore(settings.dedup_index_path)
    agent, sent, deliveries = build_harness(settings, enricher, state)
    body = "The mayor of Boston said on Monday that the bridge would reopen after the storm."

    try:
        async with agent.test_context() as test_agent:
            await test_agent.put(orjson.dumps({"id": "a", "body": body}), key=b"a", wait=False)
            await test_agent.put(orjson.dumps({"id": "b", "body": body}), key=b"b", wait=False)
            await wait_for(lambda: bool(sent))
            await asyncio.sleep(0.2)  # room for a wrong agent to run ahead
            # The original's content hash, 8 LSH bands and signature, and nothing else yet.
            assert {t for t, _, _ in sent} == {settings.dedup_changelog_topic} and len(sent) == 10
            assert (sent[0][1].startswith(b"x:"), sent[0][2]) == (True, b"a")
            await deliver_until(lambda: any(t == "articles.enriched" and k == b"a" for t, k, _ in sent), deliveries)
            await asyncio.sleep(0.2)
            assert not any(t == "articles.enriched" and k == b"b" for t, k, _ in sent)
            await deliver_until(lambda: any(t == "articles.enriched" and k == b"b" for t, k, _ in sent), deliveries)
            release(deliveries)
    finally:
        state.close()
    copy = next(orjson.loads(v) for t, k, v in sent if t == "articles.enriched" and k == b"b")
    assert copy["duplicate_of"] == {"id": "a", "kind": "exact", "similarity": 1.0}
    # A copy is not indexed: nothing more went to the changelog for it.
    assert len([t for t, _, _ in sent if t == settings.dedup_changelog_topic]) == 10

"""The agent under Faust's test_context(): no broker, outputs' send() recorded."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import orjson
import pytest
from prometheus_client import CollectorRegistry

from workers.agents.enrich import register_enrich_agent
from workers.app import create_app
from workers.enrich import Enricher
from workers.metrics import PipelineMetrics
from workers.process import RecordProcessor
from workers.settings import Settings
from workers.topics import declare_topics


class RecordingSend:
    """Stands in for Topic.send: records the call and returns a delivery future."""

    def __init__(self, sent: list[tuple[str, bytes, bytes]], topic: str, deliveries: list[asyncio.Future[Any]]) -> None:
        self.sent, self.topic, self.deliveries = sent, topic, deliveries

    async def __call__(self, *, key: bytes, value: bytes) -> asyncio.Future[Any]:
        self.sent.append((self.topic, key, value))
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.deliveries.append(future)
        return future


@pytest.fixture
def harness(enricher: Enricher, make_settings: Callable[..., Settings]) -> Any:
    settings = make_settings(batch_max_articles=1)
    app = create_app(settings)
    app.finalize()
    app.flow_control.resume()
    topics = declare_topics(app, settings)
    sent: list[tuple[str, bytes, bytes]] = []
    deliveries: list[asyncio.Future[Any]] = []
    for topic in topics.by_name().values():
        object.__setattr__(topic, "send", RecordingSend(sent, topic.get_topic_name(), deliveries))
    metrics = PipelineMetrics(CollectorRegistry())
    agent = register_enrich_agent(app, topics, RecordProcessor(enricher, settings), settings, metrics)
    return agent, sent, deliveries


async def wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.01)


@pytest.mark.asyncio
async def test_agent_takes_the_next_input_only_after_all_outputs_are_delivered(harness: Any) -> None:
    agent, sent, deliveries = harness
    first = orjson.dumps({"id": "t1", "body": "Police in Boston said the road was closed."})
    second = orjson.dumps({"id": "t2", "body": "The mayor said the bridge would reopen."})
    async with agent.test_context() as test_agent:
        await test_agent.put(first, key=b"t1", wait=False)
        await test_agent.put(second, key=b"t2", wait=False)
        await wait_for(lambda: bool(sent) and sent[-1][0] == "articles.enriched")
        await asyncio.sleep(0.2)  # room for a wrong agent to run ahead
        assert {key for topic, key, _value in sent if topic == "articles.enriched"} == {b"t1"}

        for future in list(deliveries):
            future.set_result(None)
        await wait_for(lambda: sum(t == "articles.enriched" for t, _, _ in sent) == 2)
        for future in deliveries:
            if not future.done():
                future.set_result(None)
    topics = [t for t, _, _ in sent]
    assert {"claims", "entities"} <= set(topics)
    # Each article's event closes its group: claims and entities of t1 all come before it.
    first_article = topics.index("articles.enriched")
    assert all(key == b"t1" or t != "articles.enriched" for t, key, _ in sent[: first_article + 1])
    assert topics[-1] == "articles.enriched"


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

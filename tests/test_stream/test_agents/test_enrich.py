"""The agent under Faust's test_context(): no broker, the producer's send() recorded;
then each of its steps alone, on stand-in events and streams."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import orjson
import pytest
from aiokafka import errors
from prometheus_client import CollectorRegistry

from workers.metrics import PipelineMetrics
from workers.pipeline.dedup import DuplicateIndex
from workers.pipeline.enrich import Enricher
from workers.pipeline.events import OutputRecord
from workers.pipeline.process import InputRecord, RecordProcessor
from workers.settings import Settings
from workers.state.store import ChangelogStore
from workers.stream.agents import enrich as enrich_module
from workers.stream.agents.enrich import EnrichAgent, ParsedBatch
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
async def test_the_next_batch_is_taken_and_queued_on_the_nlp_thread_while_one_is_parsed(
    enricher: Enricher, make_settings: Callable[..., Settings], monkeypatch: pytest.MonkeyPatch
) -> None:
    parsing_first = threading.Event()
    release_first = threading.Event()
    process_batch = RecordProcessor.process_batch
    taken: list[bytes | None] = []
    take = EnrichAgent.take

    def slow_first(self: RecordProcessor, records: Any) -> Any:
        if records[0].key == b"t1":
            parsing_first.set()
            release_first.wait(10)
        return process_batch(self, records)

    def recording_take(self: EnrichAgent, events: Any) -> Any:
        taken.extend(e.message.key for e in events)
        return take(self, events)

    monkeypatch.setattr(RecordProcessor, "process_batch", slow_first)
    monkeypatch.setattr(EnrichAgent, "take", recording_take)
    agent, sent, deliveries = build_harness(make_settings(batch_max_articles=1, dedup_enabled=False), enricher)
    async with agent.test_context() as test_agent:
        for key in (b"t1", b"t2", b"t3"):
            body = {"id": key.decode(), "body": "Police in Boston said the road was closed."}
            await test_agent.put(orjson.dumps(body), key=key, wait=False)
        await wait_for(parsing_first.is_set)
        await wait_for(lambda: len(taken) == 2)
        await asyncio.sleep(0.2)  # room for a wrong agent to take more
        # t2 waits on the NLP thread behind t1; t3 is not taken before t1 is parsed
        assert taken == [b"t1", b"t2"]
        release_first.set()
        await deliver_until(lambda: sum(t == "articles.enriched" for t, _, _ in sent) == 3, deliveries)
        release(deliveries)
    assert [key for topic, key, _ in sent if topic == "articles.enriched"] == [b"t1", b"t2", b"t3"]


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


# Each step alone: an EnrichAgent not registered on a running app, fed stand-in events.

BODY = "Police in Boston said the road was closed. The mayor denied it."


def event(
    offset: int,
    value: bytes | None,
    *,
    key: bytes | None = None,
    headers: Any = None,
    timestamp: float | None = None,
    partition: int = 0,
) -> Any:
    """Stands in for a Faust event: only its message is read."""
    message = SimpleNamespace(
        topic="articles.raw",
        partition=partition,
        offset=offset,
        key=key,
        value=value,
        headers=headers,
        timestamp=timestamp,
    )
    return SimpleNamespace(message=message)


class AckingStream:
    """Stands in for the agent's stream: records the events acked."""

    def __init__(self) -> None:
        self.acked: list[Any] = []

    async def ack(self, event: Any) -> bool:
        self.acked.append(event)
        return True


class FailingStream:
    """A stream whose batches cannot be taken: ``noack_take`` raises at once."""

    async def noack_take(self, max_: int, within: float) -> Any:
        raise RuntimeError("injected: an unexpected error in the agent")
        yield  # an async generator, as Faust's


@dataclass
class Parts:
    """An agent and what it was built from; the producer's sends and their delivery futures."""

    agent: EnrichAgent
    processor: RecordProcessor
    settings: Settings
    metrics: PipelineMetrics
    sent: list[tuple[Any, ...]] = field(default_factory=list)
    deliveries: list[asyncio.Future[Any]] = field(default_factory=list)

    def value(self, name: str, **labels: str) -> float:
        return self.metrics.registry.get_sample_value(name, labels) or 0.0


@pytest.fixture
def make_agent(enricher: Enricher, make_settings: Callable[..., Settings]) -> Callable[..., Parts]:
    """Factory: an agent whose producer acknowledges each record at once (with
    ``acknowledge=False``, never: see :func:`release`), unless ``refuse`` answers with an
    error for its topic; ``state`` gives it a duplicate index."""

    def make(
        *,
        state: ChangelogStore | None = None,
        acknowledge: bool = True,
        refuse: Callable[[str], BaseException | None] = lambda topic: None,
    ) -> Parts:
        settings = make_settings(batch_max_articles=4, dedup_enabled=state is not None)
        app = create_app(settings)
        metrics = PipelineMetrics(CollectorRegistry())
        index = DuplicateIndex(state) if state is not None else None
        processor = RecordProcessor(enricher, settings, index=index)
        parts = Parts(
            EnrichAgent(app, declare_topics(app, settings), processor, settings, metrics, state),
            processor,
            settings,
            metrics,
        )

        async def send(*args: Any) -> asyncio.Future[Any]:
            error = refuse(args[0])
            if error is not None:
                raise error
            parts.sent.append(args)
            future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
            parts.deliveries.append(future)
            if acknowledge:
                future.set_result(None)
            return future

        object.__setattr__(app.producer, "send", send)
        return parts

    return make


def batch_of(parts: Parts, events: Sequence[Any], index_writes: Sequence[OutputRecord] = ()) -> ParsedBatch:
    records = parts.agent.take(events)
    return ParsedBatch(events, records, parts.processor.process_batch(records), list(index_writes))


@pytest.fixture
def exits(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Records the agent's calls to end the process, instead of ending it."""
    calls: list[bool] = []
    monkeypatch.setattr(enrich_module, "_exit_keeping_inputs_uncommitted", lambda exc: calls.append(True))
    return calls


def test_the_agent_runs_with_concurrency_1(make_agent: Callable[..., Parts]) -> None:
    # faust-streaming loses messages on commit with concurrency > 1 (upstream issue #606).
    agent = make_agent().agent.register()
    assert (agent.name, agent.concurrency) == ("enrich", 1)


def test_the_agent_reads_the_raw_topic(make_agent: Callable[..., Parts]) -> None:
    agent = make_agent().agent.register()
    assert agent.channel.get_topic_name() == "articles.raw"


def test_take_makes_an_input_record_of_each_event_s_message(make_agent: Callable[..., Parts]) -> None:
    parts = make_agent()
    records = parts.agent.take([event(7, b"{}", key=b"k", partition=2), event(8, None)])
    assert records == [
        InputRecord("articles.raw", 2, 7, b"k", b"{}"),
        InputRecord("articles.raw", 0, 8, None, None),
    ]


def test_take_turns_headers_given_as_a_mapping_into_name_value_pairs(make_agent: Callable[..., Parts]) -> None:
    [record] = make_agent().agent.take([event(0, b"{}", headers={"source": b"wire", "lang": None})])
    assert record.headers == (("source", b"wire"), ("lang", None))


def test_take_keeps_headers_given_as_pairs_in_order(make_agent: Callable[..., Parts]) -> None:
    [record] = make_agent().agent.take([event(0, b"{}", headers=[("b", b"2"), ("a", b"1")])])
    assert record.headers == (("b", b"2"), ("a", b"1"))


def test_take_counts_the_batch_as_consumed_from_the_input_topic(make_agent: Callable[..., Parts]) -> None:
    parts = make_agent()
    parts.agent.take([event(0, b"{}"), event(1, b"{}"), event(2, b"{}")])
    assert parts.value("newsflow_records_consumed_total", topic="articles.raw") == 3
    assert parts.value("newsflow_batch_size_articles_sum") == 3
    assert parts.value("newsflow_batch_size_articles_count") == 1


@pytest.mark.asyncio
async def test_every_batch_is_parsed_on_the_same_nlp_thread(
    make_agent: Callable[..., Parts], monkeypatch: pytest.MonkeyPatch
) -> None:
    threads: list[threading.Thread] = []
    process_batch = RecordProcessor.process_batch

    def recording(self: RecordProcessor, records: Any) -> Any:
        threads.append(threading.current_thread())
        return process_batch(self, records)

    monkeypatch.setattr(RecordProcessor, "process_batch", recording)
    agent = make_agent().agent
    for offset in range(3):
        events = [event(offset, b"not json")]
        batch = await agent.parse_batch(events, agent.take(events))
        [outcome] = batch.outcomes
        assert outcome.reason == "invalid_json"
    assert len(set(threads)) == 1 and threads[0].name.startswith("nlp")
    assert threads[0] is not threading.current_thread()


def test_without_an_index_there_are_no_index_writes(make_agent: Callable[..., Parts]) -> None:
    assert make_agent().agent.take_index_writes() == []


def test_index_writes_are_taken_once_as_records_for_the_changelog(
    make_agent: Callable[..., Parts], make_settings: Callable[..., Settings]
) -> None:
    state = ChangelogStore(make_settings().dedup_index_path)
    try:
        parts = make_agent(state=state)
        state[b"x:1"] = b"a"
        state[b"s:2"] = b"b"
        del state[b"s:0"]  # the window expired it: a tombstone
        topic = parts.settings.dedup_changelog_topic
        assert parts.agent.take_index_writes() == [
            OutputRecord(topic, b"x:1", b"a"),
            OutputRecord(topic, b"s:2", b"b"),
            OutputRecord(topic, b"s:0", None),
        ]
        assert parts.agent.take_index_writes() == []
    finally:
        state.close()


@pytest.mark.asyncio
async def test_send_hands_the_record_to_the_producer_as_bytes(make_agent: Callable[..., Parts]) -> None:
    parts = make_agent()
    await parts.agent.send(OutputRecord("claims", b"k", b"v"))
    assert parts.sent == [("claims", b"k", b"v", None, None, None)]


@pytest.mark.asyncio
async def test_index_writes_are_sent_before_the_batch_outputs(make_agent: Callable[..., Parts]) -> None:
    parts = make_agent()
    write = OutputRecord(parts.settings.dedup_changelog_topic, b"x:1", b"a")
    await parts.agent.publish_outputs(batch_of(parts, [event(0, b"not json", key=b"x")], [write]))
    assert [(topic, key) for topic, key, *_ in parts.sent] == [(write.topic, b"x:1"), ("articles.dlq", b"x")]


@pytest.mark.asyncio
async def test_an_index_write_refused_for_good_is_counted_and_the_batch_goes_on(
    make_agent: Callable[..., Parts],
) -> None:
    parts = make_agent(refuse=lambda topic: errors.MessageSizeTooLargeError() if topic.endswith("changelog") else None)
    write = OutputRecord(parts.settings.dedup_changelog_topic, b"x:1", b"a")
    assert write.topic.endswith("changelog")
    outcomes, published = await parts.agent.publish_outputs(batch_of(parts, [event(0, b"not json")], [write]))
    assert parts.value("newsflow_failures_total", reason="dedup_failed") == 1
    assert [r.topic for r in published] == ["articles.dlq"]
    assert [o.reason for o in outcomes] == ["invalid_json"]


@pytest.mark.asyncio
async def test_publishing_is_timed_as_the_publish_stage_once_per_input(make_agent: Callable[..., Parts]) -> None:
    parts = make_agent()
    await parts.agent.publish_outputs(batch_of(parts, [event(0, b"not json"), event(1, b"[]")]))
    assert parts.value("newsflow_stage_duration_seconds_count", stage="publish") == 2


@pytest.mark.asyncio
async def test_publish_acks_every_input_of_the_batch_in_order(make_agent: Callable[..., Parts]) -> None:
    parts = make_agent()
    events = [event(0, b"not json"), event(1, b"[]")]
    stream: Any = AckingStream()
    await parts.agent.publish(stream, batch_of(parts, events))
    assert stream.acked == events
    assert [topic for topic, *_ in parts.sent] == ["articles.dlq", "articles.dlq"]


@pytest.mark.asyncio
async def test_publish_leaves_the_inputs_unacked_while_kafka_has_not_acknowledged_their_outputs(
    make_agent: Callable[..., Parts],
) -> None:
    parts = make_agent(acknowledge=False)
    stream: Any = AckingStream()
    publishing = asyncio.create_task(parts.agent.publish(stream, batch_of(parts, [event(0, b"not json")])))
    await wait_for(lambda: bool(parts.deliveries))
    await asyncio.sleep(0.1)  # room for a wrong agent to ack early
    assert stream.acked == []
    release(parts.deliveries)
    await publishing
    assert len(stream.acked) == 1


@pytest.mark.asyncio
async def test_an_unexpected_error_while_publishing_ends_the_process(
    make_agent: Callable[..., Parts], exits: list[bool]
) -> None:
    parts = make_agent()

    class BrokenStream:
        async def ack(self, event: Any) -> bool:
            raise RuntimeError("injected")

    stream: Any = BrokenStream()
    await parts.agent.publish(stream, batch_of(parts, [event(0, b"not json")]))
    assert exits == [True]


@pytest.mark.asyncio
async def test_a_publish_cancelled_is_not_taken_for_a_failure(
    make_agent: Callable[..., Parts], exits: list[bool]
) -> None:
    parts = make_agent(acknowledge=False)
    stream: Any = AckingStream()
    publishing = asyncio.create_task(parts.agent.publish(stream, batch_of(parts, [event(0, b"not json")])))
    await wait_for(lambda: bool(parts.deliveries))
    publishing.cancel()
    with pytest.raises(asyncio.CancelledError):
        await publishing
    assert (exits, stream.acked) == ([], [])


@pytest.mark.asyncio
async def test_an_unexpected_error_in_the_agent_ends_the_process(
    make_agent: Callable[..., Parts], exits: list[bool]
) -> None:
    stream: Any = FailingStream()
    await make_agent().agent.run(stream)
    assert exits == [True]


def test_count_counts_published_records_by_topic(make_agent: Callable[..., Parts]) -> None:
    parts = make_agent()
    published = [
        OutputRecord("claims", b"a", b""),
        OutputRecord("claims", b"b", b""),
        OutputRecord("entities", b"c", b""),
    ]
    parts.agent.count([], [], published, 0.0)
    assert parts.value("newsflow_records_produced_total", topic="claims") == 2
    assert parts.value("newsflow_records_produced_total", topic="entities") == 1


def test_count_counts_a_dead_letter_by_its_reason(make_agent: Callable[..., Parts]) -> None:
    parts = make_agent()
    batch = batch_of(parts, [event(0, b"not json")])
    parts.agent.count(batch.events, batch.outcomes, [], 0.0)
    assert parts.value("newsflow_dead_letters_total", reason="invalid_json") == 1
    assert parts.value("newsflow_articles_enriched_total") == 0


def test_count_counts_an_enriched_article_with_its_entities_and_claims(make_agent: Callable[..., Parts]) -> None:
    parts = make_agent()
    batch = batch_of(parts, [event(0, orjson.dumps({"id": "t1", "body": BODY}))])
    [article] = [o.article for o in batch.outcomes]
    assert article is not None and article.entities and article.claims
    parts.agent.count(batch.events, batch.outcomes, [], 0.0)
    assert parts.value("newsflow_articles_enriched_total") == 1
    assert parts.value("newsflow_article_entities_sum") == len(article.entities)
    assert parts.value("newsflow_article_claims_sum") == len(article.claims)
    assert parts.value("newsflow_dead_letters_total", reason="invalid_json") == 0


def test_count_observes_the_latency_from_the_input_s_timestamp(make_agent: Callable[..., Parts]) -> None:
    parts = make_agent()
    batch = batch_of(parts, [event(0, b"not json", timestamp=100.0), event(1, b"not json")])
    parts.agent.count(batch.events, batch.outcomes, [], 102.5)
    # Only the input with a timestamp is observed.
    assert parts.value("newsflow_end_to_end_latency_seconds_count") == 1
    assert parts.value("newsflow_end_to_end_latency_seconds_sum") == 2.5


def test_count_sets_the_time_the_batch_was_published(make_agent: Callable[..., Parts]) -> None:
    parts = make_agent()
    parts.agent.count([], [], [], 1234.5)
    assert parts.value("newsflow_last_processed_timestamp_seconds") == 1234.5

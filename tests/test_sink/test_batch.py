"""Consumed records into a batch, without Kafka or a database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson

from workers.sink.batch import make_batch, rejected_batch
from workers.sink.samples import dead_letter_event, renumbered
from workers.sink.store import OffsetRange

NOW = datetime(2024, 12, 5, tzinfo=UTC)
DLQ = "articles.dlq"


@dataclass(frozen=True)
class FakeRecord:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None


def record(event: dict[str, Any], partition: int, offset: int, topic: str = "articles.enriched") -> FakeRecord:
    return FakeRecord(topic, partition, offset, event["id"].encode(), orjson.dumps(event))


def test_a_batch_stores_per_partition_the_offset_after_its_last_record(seed_events: list[dict[str, Any]]) -> None:
    records = [record(renumbered(seed_events[0], f"a{i}"), i % 2, 10 + i) for i in range(5)]
    expected = {("articles.enriched", 0): 10, ("articles.enriched", 1): None}
    batch = make_batch(records, expected, dlq_topic=DLQ, now=NOW)
    assert sorted(batch.offsets, key=lambda o: o.partition) == [
        OffsetRange("articles.enriched", 0, 10, 15),
        OffsetRange("articles.enriched", 1, None, 14),
    ]
    assert [r.article_id for r in batch.articles] == ["a0", "a1", "a2", "a3", "a4"]


def test_a_record_that_is_no_event_becomes_a_dead_letter_row_in_the_batch(seed_events: list[dict[str, Any]]) -> None:
    good = record(seed_events[0], 0, 0)
    bad = FakeRecord("articles.enriched", 0, 1, b"k", b"{broken")
    batch = make_batch([good, bad], {("articles.enriched", 0): None}, dlq_topic=DLQ, now=NOW)
    assert len(batch.articles) == 1
    assert [(d.origin, d.reason, d.read_offset) for d in batch.dead_letters] == [("sink", "invalid_json", 1)]
    assert batch.offsets == [OffsetRange("articles.enriched", 0, None, 2)]


def test_a_dead_letter_topic_record_is_a_worker_dead_letter() -> None:
    event = dead_letter_event(reason="empty_body", error="empty", offset=4, value=b"{}")
    dead = FakeRecord(DLQ, 2, 8, None, orjson.dumps(event))
    batch = make_batch([dead], {(DLQ, 2): 8}, dlq_topic=DLQ, now=NOW)
    assert [(d.origin, d.reason) for d in batch.dead_letters] == [("worker", "empty_body")]


def test_an_article_event_on_the_dead_letter_topic_is_a_sink_dead_letter(seed_events: list[dict[str, Any]]) -> None:
    batch = make_batch([record(seed_events[0], 0, 0, topic=DLQ)], {(DLQ, 0): None}, dlq_topic=DLQ, now=NOW)
    assert not batch.articles and batch.dead_letters[0].reason == "wrong_schema"


def test_a_record_the_database_refused_is_written_as_a_dead_letter_alone(seed_events: list[dict[str, Any]]) -> None:
    batch = rejected_batch(record(seed_events[0], 1, 5), {("articles.enriched", 1): 5}, reason="bad", now=NOW)
    assert not batch.articles
    assert [(d.reason, d.read_offset) for d in batch.dead_letters] == [("database_rejected", 5)]
    assert batch.offsets == [OffsetRange("articles.enriched", 1, 5, 6)]

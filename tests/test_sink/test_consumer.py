"""The sink's Kafka adapter with a fake consumer and a fake store: retries, re-seeks,
bisects, never skips."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import orjson
import pytest
from kafka import TopicPartition
from prometheus_client import CollectorRegistry

from tests.test_sink.stage_events import stage_stream
from tests.test_sink.test_batch import FakeRecord, record
from workers.metrics import SinkMetrics
from workers.positions import Position
from workers.settings import Settings
from workers.sink.consumer import SYSTEMATIC_REFUSALS, SinkConsumer, topic_pattern
from workers.sink.exceptions import DatabaseUnavailable, NewerEvent, RejectedBatch, StaleOffsets, SystematicRefusal
from workers.sink.part_reader import FoundParts
from workers.sink.parts import WantedParts
from workers.sink.retry import backoff_seconds
from workers.sink.rows import article_rows
from workers.sink.samples import renumbered
from workers.sink.store import Batch, WriteResult

TOPIC = "articles.enriched"


class FakeKafka:
    def __init__(self) -> None:
        self.assigned = [TopicPartition(TOPIC, 0), TopicPartition(TOPIC, 1)]
        self.seeks: list[tuple[TopicPartition, int | None]] = []
        self.commits: list[dict[Any, Any]] = []

    def assignment(self) -> set[TopicPartition]:
        return set(self.assigned)

    def seek(self, tp: TopicPartition, offset: int) -> None:
        self.seeks.append((tp, offset))

    def seek_to_beginning(self, tp: TopicPartition) -> None:
        self.seeks.append((tp, None))

    def commit_async(self, offsets: dict[Any, Any]) -> None:
        self.commits.append(offsets)

    def highwater(self, tp: TopicPartition) -> int | None:
        return None


class FakeStore:
    """Fails as told, then records what it wrote."""

    def __init__(self, failures: Sequence[Exception] = (), stored: dict[tuple[str, int], int] | None = None) -> None:
        self.failures = list(failures)
        self.stored = stored or {}
        self.batches: list[Batch] = []
        self.refuse_offsets: set[int] = set()
        #: offset -> signature of a refusal other than the default one
        self.refuse_as: dict[int, str] = {}
        self.probes: list[Batch] = []
        self.read_failures: list[Exception] = []
        self.reads = 0

    def stored_offsets(self, topics: Sequence[str]) -> dict[tuple[str, int], int]:
        self.reads += 1
        if self.read_failures:
            raise self.read_failures.pop(0)
        return dict(self.stored)

    def write(self, batch: Batch) -> WriteResult:
        if self.failures:
            raise self.failures.pop(0)
        self._refuse(batch)
        self.batches.append(batch)
        return WriteResult(new=len(batch.articles))

    def probe(self, batch: Batch) -> WriteResult:
        self.probes.append(batch)
        self._refuse(batch)
        return WriteResult(new=len(batch.articles))

    def _refuse(self, batch: Batch) -> None:
        for r in batch.articles:
            if r.article.kafka_offset in self.refuse_offsets:
                signature = self.refuse_as.get(r.article.kafka_offset, "SQLSTATE 23514 on claims: claims_kind_check")
                raise RejectedBatch("[E915] refused", signature)


def make_sink(store: FakeStore) -> tuple[SinkConsumer, FakeKafka, list[float]]:
    kafka = FakeKafka()
    waits: list[float] = []
    sink = SinkConsumer(
        Settings(data_dir="/tmp/unused"),
        store,  # type: ignore[arg-type]
        SinkMetrics(CollectorRegistry()),
        consumer=kafka,
        sleep=waits.append,
    )
    sink.seek_to_stored(kafka.assigned)
    return sink, kafka, waits


def records(seed_events: list[dict[str, Any]], n: int) -> list[FakeRecord]:
    return [record(renumbered(seed_events[i % len(seed_events)], f"a{i}"), 0, i) for i in range(n)]


def test_assigned_partitions_seek_to_the_stored_offset_or_the_beginning() -> None:
    _, kafka, _ = make_sink(FakeStore(stored={(TOPIC, 0): 42}))
    assert kafka.seeks == [(TopicPartition(TOPIC, 0), 42), (TopicPartition(TOPIC, 1), None)]


def test_the_stored_offsets_are_read_again_while_the_database_is_away() -> None:
    store = FakeStore(stored={(TOPIC, 0): 42})
    store.read_failures = [DatabaseUnavailable("[E910] away")] * 2
    _, kafka, waits = make_sink(store)
    assert waits == [backoff_seconds(0), backoff_seconds(1)]
    assert (TopicPartition(TOPIC, 0), 42) in kafka.seeks


def test_a_stopping_sink_does_not_read_the_stored_offsets() -> None:
    store = FakeStore(stored={(TOPIC, 0): 42})
    sink, kafka, _ = make_sink(store)
    sink.stop.set()
    sink.seek_to_stored(kafka.assigned)
    assert store.reads == 1 and len(kafka.seeks) == 2


def test_the_database_away_retries_the_same_batch_with_growing_waits(seed_events: list[dict[str, Any]]) -> None:
    store = FakeStore([DatabaseUnavailable("[E910] away")] * 3)
    sink, _, waits = make_sink(store)
    assert sink.write(records(seed_events, 4)) == 4
    assert len(store.batches) == 1 and len(store.batches[0].articles) == 4
    assert waits == [backoff_seconds(0), backoff_seconds(1), backoff_seconds(2)] and waits[0] < waits[2]


def test_a_stale_batch_is_dropped_and_the_partitions_seek_to_the_stored_offsets(
    seed_events: list[dict[str, Any]],
) -> None:
    store = FakeStore([StaleOffsets("[E914] moved")])
    sink, kafka, _ = make_sink(store)
    store.stored = {(TOPIC, 0): 3}
    assert sink.write(records(seed_events, 4)) == 0
    assert store.batches == []
    assert (TopicPartition(TOPIC, 0), 3) in kafka.seeks and sink.expected[(TOPIC, 0)] == 3


def test_a_refused_event_is_found_by_halving_and_written_alone_as_a_dead_letter(
    seed_events: list[dict[str, Any]],
) -> None:
    store = FakeStore()
    store.refuse_offsets = {5}
    sink, _, _ = make_sink(store)
    assert sink.write(records(seed_events, 8)) == 8
    written = sorted(r.article.kafka_offset for b in store.batches for r in b.articles)
    dead = [d.read_offset for b in store.batches for d in b.dead_letters]
    assert written == [0, 1, 2, 3, 4, 6, 7] and dead == [5]
    assert store.batches[-1].offsets[-1].next_offset == 8


def test_offsets_move_on_from_batch_to_batch(seed_events: list[dict[str, Any]]) -> None:
    store = FakeStore()
    sink, kafka, _ = make_sink(store)
    sink.write(records(seed_events, 3))
    later = [record(renumbered(seed_events[0], "b"), 0, 3)]
    sink.write(later)
    assert [(o.expected, o.next_offset) for b in store.batches for o in b.offsets] == [(None, 3), (3, 4)]
    assert len(kafka.commits) == 2


def test_a_record_of_a_partition_never_sought_is_not_written(seed_events: list[dict[str, Any]]) -> None:
    store = FakeStore()
    sink, _, _ = make_sink(store)
    stray = FakeRecord(TOPIC, 7, 0, b"k", orjson.dumps(seed_events[0]))
    assert sink.write([stray]) == 0 and store.batches == []


def dead_offsets(store: FakeStore) -> list[int]:
    return [d.read_offset for b in store.batches for d in b.dead_letters]


def test_every_event_refused_for_one_reason_stops_the_sink_with_nothing_dead_lettered(
    seed_events: list[dict[str, Any]],
) -> None:
    store = FakeStore()
    store.refuse_offsets = set(range(40))
    sink, _, _ = make_sink(store)
    with pytest.raises(SystematicRefusal, match=r"\[E918\].*5 consecutive events.*claims_kind_check.*@0 on"):
        sink.write(records(seed_events, 40))
    assert store.batches == [] and sink.expected[(TOPIC, 0)] is None


def test_a_refused_event_among_good_ones_costs_one_rolled_back_try_of_the_next(
    seed_events: list[dict[str, Any]],
) -> None:
    store = FakeStore()
    store.refuse_offsets = {5}
    sink, _, _ = make_sink(store)
    sink.write(records(seed_events, 8))
    assert dead_offsets(store) == [5]
    assert [r.article.kafka_offset for p in store.probes for r in p.articles] == [6]


def test_consecutive_events_refused_for_different_reasons_are_each_dead_lettered(
    seed_events: list[dict[str, Any]],
) -> None:
    store = FakeStore()
    store.refuse_offsets = set(range(8))
    store.refuse_as = {i: f"SQLSTATE 22P02: reason {i}" for i in range(8)}
    sink, _, _ = make_sink(store)
    assert sink.write(records(seed_events, 8)) == 8
    assert dead_offsets(store) == list(range(8))


def test_events_refused_one_poll_at_a_time_stop_the_sink_after_a_bounded_number_of_dead_letters(
    seed_events: list[dict[str, Any]],
) -> None:
    store = FakeStore()
    store.refuse_offsets = set(range(20))
    sink, _, _ = make_sink(store)
    stream = records(seed_events, 20)
    with pytest.raises(SystematicRefusal, match=r"\[E918\].*4 of them dead-lettered"):
        for one in stream:
            sink.write([one])
    assert dead_offsets(store) == list(range(SYSTEMATIC_REFUSALS - 1))


def test_an_event_written_between_two_refusals_ends_the_run(seed_events: list[dict[str, Any]]) -> None:
    store = FakeStore()
    refused = [0, 1, 2, 3, 5, 6, 7, 8]
    store.refuse_offsets = set(refused)
    sink, _, _ = make_sink(store)
    for one in records(seed_events, 9):
        sink.write([one])
    assert dead_offsets(store) == refused


class FakeParts:
    """Hands back the parts it was given, for the article events that ask."""

    def __init__(self, entities: list[dict[str, Any]], claims: list[dict[str, Any]]) -> None:
        self.found = FoundParts(entities, claims)
        self.asked: list[tuple[str, int | None]] = []

    def read(self, wanted: WantedParts, sent_at_ms: int | None) -> FoundParts | None:
        self.asked.append((wanted.article_id, sent_at_ms))
        return self.found


def test_an_article_event_that_left_out_its_parts_is_written_with_them(seed_events: list[dict[str, Any]]) -> None:
    whole = renumbered(seed_events[0], "big")
    cut = {**whole, "body": None, "entities": [], "claims": []}
    cut["flags"] = [*whole["flags"], "body_omitted", "entities_omitted", "claims_omitted"]
    parts = FakeParts(list(reversed(whole["entities"])), whole["claims"])
    store = FakeStore()
    kafka = FakeKafka()
    sink = SinkConsumer(
        Settings(data_dir="/tmp/unused"),
        store,  # type: ignore[arg-type]
        SinkMetrics(CollectorRegistry()),
        consumer=kafka,
        sleep=lambda _: None,
        parts=parts,
    )
    sink.seek_to_stored(kafka.assigned)
    assert sink.write([record(cut, 0, 0), *records(seed_events, 1)]) == 2
    [rows, plain] = store.batches[0].articles
    full = article_rows(whole, Position(TOPIC, 0, 0))
    assert (rows.mentions, rows.claims, rows.article_entities) == (full.mentions, full.claims, full.article_entities)
    assert rows.article.body is None and "entities_omitted" in rows.article.flags
    assert parts.asked == [("big", None)] and plain.mentions


def test_stale_events_are_counted_apart_from_repeats(seed_events: list[dict[str, Any]]) -> None:
    class Leaves(FakeStore):
        def write(self, batch: Batch) -> WriteResult:
            super().write(batch)
            return WriteResult(new=1, duplicates=3, stale=1)  # 2 repeats, 1 older than stored

    store = Leaves()
    sink, _, _ = make_sink(store)
    sink.write(records(seed_events, 4))
    counted = {
        outcome: sink.metrics.registry.get_sample_value("newsflow_sink_events_total", {"outcome": outcome})
        for outcome in ("new", "duplicate", "stale")
    }
    assert counted == {"new": 1, "duplicate": 2, "stale": 1}


def test_the_subscription_pattern_matches_the_sinks_topics_and_no_other() -> None:
    sink, _, _ = make_sink(FakeStore())
    pattern = re.compile(topic_pattern(sink.topics))
    assert sink.topics == ("articles.enriched", "articles.dlq", "stories", "claim-links", "trends") and all(
        pattern.match(t) for t in sink.topics
    )
    assert not [t for t in ("articlesXenriched", "stories-old", "old-trends", "claim-links.v2") if pattern.match(t)]


def test_a_story_event_newer_than_the_sink_reads_stops_it_with_nothing_written(
    seed_events: list[dict[str, Any]],
) -> None:
    store = FakeStore()
    sink, kafka, _ = make_sink(store)
    tp = TopicPartition("stories", 0)
    kafka.assigned.append(tp)
    sink.seek_to_stored([tp])
    newer = {**next(e for kind, e in stage_stream() if kind == "story"), "schema": {"name": "story", "version": 2}}
    with pytest.raises(NewerEvent, match=r"\[E930\] stories\[0\]@0"):
        sink.write([*records(seed_events, 2), FakeRecord("stories", 0, 0, b"s", orjson.dumps(newer))])
    assert store.batches == [] and sink.expected[("stories", 0)] is None

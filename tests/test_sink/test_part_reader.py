"""The sink's reader of left-out parts, on a fake Kafka client: the window it reads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from kafka import TopicPartition
from kafka.structs import OffsetAndTimestamp

from workers.ids import stable_id
from workers.settings import Settings
from workers.sink.part_reader import PartReader
from workers.sink.parts import WantedParts

SETTINGS = Settings(data_dir="/tmp/unused")
ENTITIES, CLAIMS = SETTINGS.topic_entities, SETTINGS.topic_claims
PROCESSED = "2024-12-05T12:00:00.000Z"
T0 = int(datetime.fromisoformat(PROCESSED).timestamp() * 1000)
WANTED = WantedParts("big", "ev-big", PROCESSED, True, True)
MINUTE = 60_000


@dataclass(frozen=True)
class Rec:
    offset: int
    timestamp: int
    value: bytes


def entity(article: str, name: str, processed_at: str = PROCESSED, event_of: str = "ev-big") -> bytes:
    return orjson.dumps(
        {
            "event_id": stable_id(event_of, name, length=24),
            "article": {"id": article},
            "entity": {"id": name, "mentions": [{"start": 0, "end": 1}]},
            "processed_at": processed_at,
        }
    )


class FakeLog:
    """Two topics of one partition each; poll hands out up to 3 records a partition."""

    def __init__(self, logs: dict[str, list[Rec]]) -> None:
        self.logs = {TopicPartition(t, 0): recs for t, recs in logs.items()}
        self.position: dict[TopicPartition, int] = {}
        self.paused: set[TopicPartition] = set()
        self.polled = 0

    def partitions_for_topic(self, topic: str) -> set[int]:
        return {0}

    def assign(self, partitions: list[TopicPartition]) -> None:
        pass

    def offsets_for_times(self, times: dict[TopicPartition, int]) -> dict[TopicPartition, Any]:
        out: dict[TopicPartition, Any] = {}
        for tp, ms in times.items():
            first = next((r for r in self.logs[tp] if r.timestamp >= ms), None)
            out[tp] = None if first is None else OffsetAndTimestamp(first.offset, first.timestamp, None)
        return out

    def end_offsets(self, partitions: list[TopicPartition]) -> dict[TopicPartition, int]:
        return {tp: len(self.logs[tp]) for tp in partitions}

    def seek(self, tp: TopicPartition, offset: int) -> None:
        self.position[tp] = offset

    def pause(self, *tps: TopicPartition) -> None:
        self.paused.update(tps)

    def resume(self, *tps: TopicPartition) -> None:
        self.paused.difference_update(tps)

    def poll(self, timeout_ms: int, max_records: int) -> dict[TopicPartition, list[Rec]]:
        self.polled += 1
        out = {}
        for tp, at in self.position.items():
            if tp in self.paused:
                continue
            batch = self.logs[tp][at : at + 3]
            if batch:
                out[tp] = batch
                self.position[tp] = at + len(batch)
        return out

    def close(self) -> None:
        pass


def log_of(values: list[tuple[int, bytes]]) -> list[Rec]:
    return [Rec(i, ts, v) for i, (ts, v) in enumerate(values)]


def test_the_parts_of_the_article_are_read_from_its_window_and_nothing_else_is_kept() -> None:
    entities = log_of(
        [
            (T0 - 20 * MINUTE, entity("big", "gpe:old")),  # long before it was enriched
            (T0 - MINUTE, entity("other", "person:x")),
            (T0 + 1000, entity("big", "person:a")),
            (T0 + 1100, entity("big", "person:b", processed_at="2024-12-05T11:00:00.000Z")),  # another enrichment
            (T0 + 1200, entity("other", "gpe:y")),
            (T0 + 1300, entity("big", "gpe:c")),
            (T0 + 1300, entity("big", "gpe:d", event_of="ev-older-content")),
            (T0 + 1400, entity("big", "gpe:e")),
        ]
    )
    fake = FakeLog({ENTITIES: entities, CLAIMS: []})
    found = PartReader(SETTINGS, consumer=fake).read(WANTED, T0 + 2000)
    assert found is not None
    assert [e["id"] for e in found.entities] == ["person:a", "gpe:c", "gpe:e"]
    assert found.scanned == 7  # from T0 - 5 min on: the first record is outside the window


def test_the_read_stops_at_records_stamped_well_after_the_article_event() -> None:
    later = [(T0 + 30 * MINUTE + i, entity("big", f"gpe:late{i}")) for i in range(30)]
    fake = FakeLog({ENTITIES: log_of([(T0 + 1000, entity("big", "person:a")), *later]), CLAIMS: []})
    found = PartReader(SETTINGS, consumer=fake).read(WANTED, T0 + 2000)
    assert found is not None and [e["id"] for e in found.entities] == ["person:a"]
    assert found.scanned == 1 and fake.polled <= 2


def test_without_the_article_events_time_the_read_goes_to_the_partitions_ends() -> None:
    later = [(T0 + 30 * MINUTE + i, entity("big", f"gpe:late{i}")) for i in range(4)]
    fake = FakeLog({ENTITIES: log_of(later), CLAIMS: []})
    found = PartReader(SETTINGS, consumer=fake).read(WANTED, None)
    assert found is not None and len(found.entities) == 4

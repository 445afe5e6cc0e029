"""Placing one input record: the outputs, and a dead letter for an unreadable one."""

from __future__ import annotations

from dataclasses import dataclass

import orjson

from tests.test_stories.events import enriched
from workers.stories.assign import StoryAssigner, story_id
from workers.stories.stage.place import Placer
from workers.stories.trends import TrendDetector


@dataclass
class Record:
    value: bytes | None
    key: bytes | None = b"k"
    topic: str = "articles.enriched"
    partition: int = 2
    offset: int = 41
    timestamp: int = 1_700_000_000_000


def placer() -> Placer:
    return Placer(
        StoryAssigner(), "v1", "stories", "claim-links", "trends", "articles.dlq", TrendDetector(version="v1")
    )


def test_an_article_opens_a_story_keyed_by_its_id_on_the_stories_topic() -> None:
    placed = placer().place(Record(orjson.dumps(enriched("a1", "Floods hit Valencia.", entities={"GPE:Valencia": 1}))))
    ((topic, key, value),) = placed.records
    assert (placed.outcome, topic, key) == ("new", "stories", story_id("a1").encode())
    assert orjson.loads(value)["article_id"] == "a1" and orjson.loads(value)["version"] == "v1"


def test_an_event_without_a_time_is_dead_lettered_naming_the_stage_and_the_input() -> None:
    event = enriched("a1", "Floods hit Valencia.")
    event["published_at"] = None
    event["processing"] = {}
    placed = placer().place(Record(orjson.dumps(event)))
    ((topic, key, value),) = placed.records
    letter = orjson.loads(value)
    assert (placed.outcome, topic, key) == ("dead_lettered", "articles.dlq", b"k")
    assert letter["reason"] == "invalid_published_at" and letter["error"].startswith("[E310] stories stage")
    assert (letter["topic"], letter["partition"], letter["offset"], letter["article_id"]) == (
        "articles.enriched",
        2,
        41,
        "a1",
    )
    assert letter["failed_at"] == "2023-11-14T22:13:20.000Z"  # the input's time: a replay makes the same letter


def test_a_value_that_is_no_json_object_is_dead_lettered_and_the_next_one_placed() -> None:
    p = placer()
    assert p.place(Record(b"[1, 2]")).outcome == "dead_lettered"
    assert orjson.loads(p.place(Record(b"{not json")).records[0][2])["reason"] == "invalid_json"
    assert p.place(Record(orjson.dumps(enriched("a2", "Floods.")))).outcome == "new"


def test_an_article_that_sets_off_a_trend_publishes_it_keyed_by_the_entity() -> None:
    p = placer()
    quiet = [
        enriched(f"b{h}", "The Hague budget.", at=f"2024-03-01T{h:02d}:10:00Z", entities={"GPE:The Hague": 0.9})
        for h in range(24)
    ]
    surge = [
        enriched(f"q{k}", "Quake in Chile.", at=f"2024-03-02T00:{10 + k:02d}:00Z", entities={"GPE:Chile": 0.9})
        for k in range(5)
    ]
    placed = [p.place(Record(orjson.dumps(event))) for event in [*quiet, *surge]]
    fired = [(i, record) for i, one in enumerate(placed) for record in one.records if record[0] == "trends"]
    ((i, (_, key, value)),) = fired
    trend = orjson.loads(value)
    assert (i, key, trend["entity_id"], trend["version"]) == (28, b"gpe:chile", "gpe:chile", "v1")
    assert placed[28].trends == 1 and sum(one.trends for one in placed) == 1

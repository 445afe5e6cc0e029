"""The story stage's events into rows, without a database."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson
import pytest

from tests.checks import assert_valid_event
from tests.test_sink.stage_events import stage_stream, trend_event
from tests.test_sink.test_batch import FakeRecord
from workers.models import SchemaRef
from workers.positions import Position
from workers.schemas import validator_for
from workers.sink.batch import make_batch
from workers.sink.exceptions import NewerEvent, UnreadableEvent
from workers.sink.story_rows import StageSchema, stage_rows
from workers.sink.tables import ClaimLinkRow, StoryEventRows, TrendRow

HERE = Position("stories", 0, 7)
STAGE: dict[str, StageSchema] = {"stories": "story", "claim-links": "claim-link", "trends": "trend"}
TOPIC_OF = {schema: topic for topic, schema in STAGE.items()}


def _first(schema: StageSchema) -> dict[str, Any]:
    return next(event for kind, event in stage_stream() if kind == schema)


def test_the_fixture_events_validate_against_their_schemas() -> None:
    for _, event in stage_stream():
        assert_valid_event(event)
    assert not list(validator_for(SchemaRef("trend", 1)).iter_errors(trend_event()))


def test_a_story_event_gives_the_story_as_it_stands_and_the_articles_membership() -> None:
    event = _first("story")
    rows = stage_rows(event, "story", HERE)
    assert isinstance(rows, StoryEventRows)
    assert (rows.member.article_id, rows.member.story_id, rows.member.matched) == ("dam-1", event["story_id"], "new")
    assert rows.member.at == datetime(2024, 3, 1, 8, tzinfo=UTC)
    assert (rows.story.size, rows.story.sources, rows.story.label) == (1, ["wire"], event["label"])
    assert rows.story.entities == event["entities"] and rows.story.version == rows.member.version == event["version"]


def test_a_claim_link_event_flattens_both_sides() -> None:
    event = _first("claim-link")
    row = stage_rows(event, "claim-link", HERE)
    assert isinstance(row, ClaimLinkRow)
    assert (row.claim_id, row.claim_polarity, row.other_id, row.other_polarity) == (
        event["claim"]["id"],
        event["claim"]["polarity"],
        event["other"]["id"],
        event["other"]["polarity"],
    )
    assert (row.other_start, row.other_end, row.other_text) == (
        event["other"]["start"],
        event["other"]["end"],
        event["other"]["text"],
    )


def test_a_trend_event_gives_its_row() -> None:
    row = stage_rows(trend_event(count=5), "trend", HERE)
    assert isinstance(row, TrendRow)
    assert (row.entity_key, row.count, row.window_end) == ("fac:kariba", 5, datetime(2024, 3, 1, 12, tzinfo=UTC))


@pytest.mark.parametrize(
    ("schema", "change"),
    [
        ("story", {"matched": "guessed"}),
        ("story", {"at": "yesterday"}),
        ("story", {"size": 0}),
        ("story", {"score": 1.5}),
        ("claim-link", {"kind": "refutes"}),
        ("claim-link", {"link_id": ""}),
        ("trend", {"count": "many"}),
    ],
)
def test_a_malformed_event_is_unreadable(schema: StageSchema, change: dict[str, Any]) -> None:
    event = trend_event() if schema == "trend" else _first(schema)
    with pytest.raises(UnreadableEvent) as caught:
        stage_rows({**event, **change}, schema, HERE)
    assert caught.value.reason == "invalid_event"


def test_a_link_side_whose_polarity_is_unknown_is_unreadable() -> None:
    event = _first("claim-link")
    event["other"] = {**event["other"], "polarity": "doubts"}
    with pytest.raises(UnreadableEvent, match="polarity"):
        stage_rows(event, "claim-link", HERE)


def test_an_event_of_another_schema_on_a_stage_topic_is_unreadable() -> None:
    with pytest.raises(UnreadableEvent) as caught:
        stage_rows(_first("story"), "trend", HERE)
    assert caught.value.reason == "wrong_schema"


def test_a_newer_version_of_the_topics_schema_stops_the_sink_naming_where_it_was_read() -> None:
    event = {**_first("story"), "schema": {"name": "story", "version": 2}}
    with pytest.raises(NewerEvent, match=r"^\[E930\] stories\[0\]@7 is a story v2 event"):
        stage_rows(event, "story", HERE)


def _record(schema: StageSchema, event: Any, offset: int) -> FakeRecord:
    return FakeRecord(TOPIC_OF[schema], 0, offset, b"k", event if isinstance(event, bytes) else orjson.dumps(event))


def test_a_batch_reads_each_stage_topic_as_its_schema_and_dead_letters_the_unreadable() -> None:
    records = [_record(schema, event, i) for i, (schema, event) in enumerate(stage_stream())]
    records.append(_record("trend", trend_event(), len(records)))
    records.append(_record("trend", b"{not json", len(records)))
    expected = {(t, 0): None for t in STAGE}
    batch = make_batch(records, expected, dlq_topic="articles.dlq", now=datetime.now(UTC), stage=STAGE)
    kinds = [type(r).__name__ for r in batch.stage]
    assert kinds.count("StoryEventRows") == 4 and kinds.count("ClaimLinkRow") == 3 and kinds[-1] == "TrendRow"
    assert not batch.articles and [d.reason for d in batch.dead_letters] == ["invalid_json"]
    assert {(o.topic, o.next_offset) for o in batch.offsets} >= {("trends", len(records))}

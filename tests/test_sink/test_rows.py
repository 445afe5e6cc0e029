"""Rows from events, without a database."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson
import pytest

from workers.positions import Position
from workers.sink.exceptions import UnreadableEvent
from workers.sink.rows import (
    article_rows,
    dead_letter_row,
    parse_event,
    unreadable_row,
)
from workers.sink.samples import dead_letter_event, renumbered

AT = Position("articles.enriched", 2, 41)


def test_an_article_gives_one_mention_row_per_mention_and_one_claim_row_per_claim(
    seed_events: list[dict[str, Any]],
) -> None:
    for event in seed_events:
        rows = article_rows(event, AT)
        assert len(rows.mentions) == sum(len(e["mentions"]) for e in event["entities"])
        assert [c.claim_id for c in rows.claims] == [c["id"] for c in event["claims"]]
        assert rows.article.entity_count == len({e["id"] for e in event["entities"]})


def test_mention_and_claim_spans_quote_the_body(seed_events: list[dict[str, Any]]) -> None:
    event = max(seed_events, key=lambda e: len(e["claims"]))
    rows = article_rows(event, AT)
    body = rows.article.body
    assert body is not None and rows.claims
    for m in rows.mentions:
        assert body[m.start_offset : m.end_offset] == m.text
    for c in rows.claims:
        assert body[c.content_start : c.content_end] == c.content
        assert body[c.cue_start : c.cue_end] == c.cue_text


def test_the_article_row_carries_identity_version_and_where_it_was_read(seed_events: list[dict[str, Any]]) -> None:
    event = seed_events[0]
    article = article_rows(event, AT).article
    assert (article.article_id, article.event_id) == (event["id"], event["event_id"])
    assert article.pipeline_version == event["processing"]["pipeline_version"]
    assert article.processed_at == datetime(2024, 12, 5, 12, 0, tzinfo=UTC)
    assert (article.kafka_topic, article.kafka_partition, article.kafka_offset) == ("articles.enriched", 2, 41)
    assert article.content_hash is not None


def test_entities_are_keyed_by_their_global_id_with_their_place_data(seed_events: list[dict[str, Any]]) -> None:
    events = [e for e in seed_events if any(x.get("geo") for x in e["entities"])]
    assert events, "a seed article names a place in the gazetteer"
    entity = next(x for x in events[0]["entities"] if x.get("geo"))
    row = next(r for r in article_rows(events[0], AT).entities if r.entity_key == entity["id"])
    assert (row.name, row.label, row.geonames_id) == (entity["name"], entity["label"], entity["geo"]["geonames_id"])
    assert row.country_code == entity["geo"].get("country_code")


def test_a_renumbered_copy_has_other_ids_and_the_same_rows_otherwise(seed_events: list[dict[str, Any]]) -> None:
    event = seed_events[0]
    copy = article_rows(renumbered(event, "copy-1"), AT)
    original = article_rows(event, AT)
    assert copy.article_id == "copy-1" and copy.article.event_id != original.article.event_id
    assert {c.claim_id for c in copy.claims}.isdisjoint({c.claim_id for c in original.claims})
    assert [m[1:] for m in copy.mentions] == [m[1:] for m in original.mentions]


def test_the_same_event_has_the_same_version_and_a_new_pipeline_another(seed_events: list[dict[str, Any]]) -> None:
    event = seed_events[0]
    assert article_rows(event, AT).version == article_rows(dict(event), AT).version
    assert (
        article_rows(renumbered(event, event["id"], pipeline_version="9.9"), AT).version
        != article_rows(event, AT).version
    )


def test_an_omitted_body_has_no_content_hash(seed_events: list[dict[str, Any]]) -> None:
    event = {**seed_events[0], "body": None, "flags": ["body_omitted"]}
    article = article_rows(event, AT).article
    assert article.body is None and article.content_hash is None and article.flags == ["body_omitted"]


def test_nul_characters_become_replacement_characters_of_the_same_length(seed_events: list[dict[str, Any]]) -> None:
    event = {**seed_events[0], "title": "a\x00b"}
    assert article_rows(event, AT).article.title == "a\ufffdb"


def test_a_published_at_that_is_no_timestamp_is_kept_as_text_only(seed_events: list[dict[str, Any]]) -> None:
    event = {**seed_events[0], "published_at": "last Tuesday"}
    article = article_rows(event, AT).article
    assert (article.published_at, article.published_at_text) == (None, "last Tuesday")


def test_a_published_at_without_zone_is_utc(seed_events: list[dict[str, Any]]) -> None:
    event = {**seed_events[0], "published_at": "2024-03-01T10:00:00"}
    assert article_rows(event, AT).article.published_at == datetime(2024, 3, 1, 10, tzinfo=UTC)


def test_an_event_of_another_schema_is_unreadable(seed_events: list[dict[str, Any]]) -> None:
    event = {**seed_events[0], "schema": {"name": "claim", "version": 1}}
    with pytest.raises(UnreadableEvent, match=r"\[E912\] wrong_schema"):
        article_rows(event, AT)


def test_a_field_of_the_wrong_type_is_unreadable_not_a_crash(seed_events: list[dict[str, Any]]) -> None:
    event = {**seed_events[0], "entities": [{"id": 3}]}
    with pytest.raises(UnreadableEvent, match=r"invalid_event"):
        article_rows(event, AT)


def test_an_offset_beyond_a_postgres_integer_is_unreadable(seed_events: list[dict[str, Any]]) -> None:
    event = orjson.loads(orjson.dumps(seed_events[0]))
    event["entities"][0]["mentions"][0]["start"] = 2**40
    with pytest.raises(UnreadableEvent, match=r"out of range"):
        article_rows(event, AT)


@pytest.mark.parametrize(
    ("value", "reason"), [(None, "empty_value"), (b"{not json", "invalid_json"), (b"[1, 2]", "not_an_object")]
)
def test_a_value_that_is_no_json_object_is_unreadable_with_its_reason(value: bytes | None, reason: str) -> None:
    with pytest.raises(UnreadableEvent) as caught:
        parse_event(value)
    assert caught.value.reason == reason


def test_a_dead_letter_event_becomes_a_worker_dead_letter_row() -> None:
    event = dead_letter_event(partition=1, offset=7)
    row = dead_letter_row(event, Position("articles.dlq", 0, 3))
    assert (row.origin, row.reason, row.topic, row.offset, row.read_offset) == (
        "worker",
        "invalid_json",
        "articles.raw",
        7,
        3,
    )


def test_an_unreadable_record_becomes_a_sink_dead_letter_row_keeping_its_bytes() -> None:
    error = UnreadableEvent("invalid_json", "the value is not JSON")
    row = unreadable_row(error, AT, b"k", b"\xff\xfe", datetime(2024, 1, 1, tzinfo=UTC))
    assert (row.origin, row.reason, row.value_encoding, row.value) == ("sink", "invalid_json", "base64", "//4=")
    assert (row.topic, row.partition, row.offset) == ("articles.enriched", 2, 41)

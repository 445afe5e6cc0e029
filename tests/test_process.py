from __future__ import annotations

from collections.abc import Callable

import orjson
import pytest

from tests.checks import assert_valid_event
from workers.enrich import Enricher
from workers.process import InputRecord, RecordProcessor
from workers.settings import Settings

TEXT = "The mayor of Boston said on Monday that the bridge would reopen. Critics denied it."


def record(value: bytes | None, key: bytes | None = None) -> InputRecord:
    return InputRecord("articles.raw", 2, 41, key, value)


@pytest.fixture
def processor(enricher: Enricher, make_settings: Callable[..., Settings]) -> RecordProcessor:
    return RecordProcessor(enricher, make_settings(max_body_bytes=10_000), clock=lambda: "2024-12-05T12:00:00Z")


def test_valid_article_fans_out_to_every_output_topic_article_last(processor: RecordProcessor) -> None:
    outcome = processor(record(orjson.dumps({"id": "a1", "body": TEXT})))
    topics = [r.topic for r in outcome.records]
    assert outcome.status == "enriched" and outcome.article_id == "a1"
    assert topics[-1] == "articles.enriched"
    assert topics.count("claims") == outcome.claims >= 1
    assert topics.count("entities") == outcome.entities >= 1
    for out in outcome.records:
        assert_valid_event(orjson.loads(out.value))


def test_invalid_article_becomes_exactly_one_dead_letter(processor: RecordProcessor) -> None:
    outcome = processor(record(b'{"body": 5}', key=b"k"))
    assert outcome.status == "dead_letter" and outcome.reason == "invalid_field"
    [out] = outcome.records
    letter = orjson.loads(out.value)
    assert_valid_event(letter)
    assert (out.topic, out.key) == ("articles.dlq", b"k")
    assert (letter["partition"], letter["offset"], letter["value"]) == (2, 41, '{"body": 5}')


def test_enrichment_crash_becomes_a_dead_letter_not_an_exception(
    processor: RecordProcessor, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(article: object) -> None:
        raise RuntimeError("model exploded")

    monkeypatch.setattr(processor, "enricher", explode)
    outcome = processor(record(orjson.dumps({"id": "a2", "body": TEXT})))
    assert (outcome.status, outcome.reason, outcome.article_id) == ("dead_letter", "enrichment_failed", "a2")
    assert "model exploded" in orjson.loads(outcome.records[0].value)["error"]


def test_same_input_gives_the_same_event_ids(processor: RecordProcessor) -> None:
    value = orjson.dumps({"id": "a3", "body": TEXT})
    first = [orjson.loads(r.value)["event_id"] for r in processor(record(value)).records]
    second = [orjson.loads(r.value)["event_id"] for r in processor(record(value)).records]
    assert first == second and len(set(first)) == len(first)

"""An article event that left out its entities and claims, joined back with them."""

from __future__ import annotations

import random
from typing import Any

import orjson
import pytest

from tests.conftest import SEEDS
from workers.inputs.corpus import seed_articles
from workers.models import EnrichedArticle
from workers.pipeline.enrich import Enricher
from workers.pipeline.events import OutputLimits, article_records
from workers.positions import Position
from workers.settings import Settings
from workers.sink.parts import WantedParts, join_parts, omits_parts
from workers.sink.rows import article_rows

SETTINGS = Settings(data_dir="/tmp/unused")
HERE = Position("articles.enriched", 0, 0)


@pytest.fixture(scope="module")
def enriched(enricher: Enricher) -> EnrichedArticle:
    return enricher(seed_articles([str(SEEDS / "wikinews")])[0])


def split(article: EnrichedArticle) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    """The article event cut to fit 1,500 bytes, and its entity and claim events."""
    limits = OutputLimits(10**7, {SETTINGS.topic_enriched: 1500})
    records = article_records(article, SETTINGS, limits)
    events = [(r.topic, orjson.loads(r.value)) for r in records]
    event = events[-1][1]
    assert {"entities_omitted", "claims_omitted"} <= set(event["flags"])
    entities = [e for t, e in events if t == SETTINGS.topic_entities]
    claims = [e for t, e in events if t == SETTINGS.topic_claims]
    return event, entities, claims


def mention_and_claim_rows(event: dict[str, Any]) -> tuple[Any, Any, Any]:
    rows = article_rows(event, HERE)
    return rows.mentions, rows.claims, rows.article_entities


def test_the_parts_put_back_in_any_order_give_the_rows_of_the_whole_event(enriched: EnrichedArticle) -> None:
    event, entities, claims = split(enriched)
    wanted = WantedParts.of(event)
    parts_e = [wanted.entity(e) for e in entities]
    parts_c = [wanted.claim(c) for c in claims]
    assert None not in parts_e and None not in parts_c
    random.Random(7).shuffle(parts_e)
    random.Random(8).shuffle(parts_c)
    joined = join_parts(event, [*parts_e, *parts_e[:3]], parts_c)  # a part read twice is one part
    whole = orjson.loads(orjson.dumps(enriched))
    assert mention_and_claim_rows(joined) == mention_and_claim_rows(whole)
    assert len(article_rows(joined, HERE).mentions) > 20


def test_parts_of_another_enrichment_or_article_are_not_taken(enriched: EnrichedArticle) -> None:
    event, entities, claims = split(enriched)
    wanted = WantedParts.of(event)
    earlier = {**entities[0], "processed_at": "2020-01-01T00:00:00.000Z"}
    other_article = {**entities[0], "article": {**entities[0]["article"], "id": "another"}}
    other_content = {**claims[0], "event_id": "0" * 24}
    assert wanted.entity(earlier) is None and wanted.entity(other_article) is None
    assert wanted.claim(other_content) is None
    assert wanted.claim(entities[0]) is None and wanted.entity(claims[0]) is None


def test_only_article_events_that_left_out_parts_are_parsed_and_returned(enriched: EnrichedArticle) -> None:
    event = split(enriched)[0]
    assert omits_parts(orjson.dumps(event)) == event
    whole = article_records(enriched, SETTINGS)[-1].value
    assert omits_parts(whole) is None
    assert omits_parts(b'{"broken "entities_omitted"') is None
    assert omits_parts(None) is None

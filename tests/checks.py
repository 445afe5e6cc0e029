"""Assertions shared by unit and integration tests: schema validity and exact spans."""

from __future__ import annotations

from typing import Any

from workers.models import ARTICLE_SCHEMA, CLAIM_SCHEMA, DEAD_LETTER_SCHEMA, ENTITY_SCHEMA, SchemaRef
from workers.schemas import validator_for
from workers.stories.events import CLAIM_LINK_SCHEMA, STORY_SCHEMA, TREND_SCHEMA

SCHEMA_BY_NAME: dict[str, SchemaRef] = {
    ref.name: ref
    for ref in (
        ARTICLE_SCHEMA,
        CLAIM_SCHEMA,
        ENTITY_SCHEMA,
        DEAD_LETTER_SCHEMA,
        STORY_SCHEMA,
        CLAIM_LINK_SCHEMA,
        TREND_SCHEMA,
    )
}


def assert_valid_event(value: dict[str, Any]) -> None:
    """The event validates against the schema it names."""
    ref = SCHEMA_BY_NAME[value["schema"]["name"]]
    errors = sorted(validator_for(ref).iter_errors(value), key=str)
    assert not errors, f"{ref.name} event invalid: {errors[0]}"


def assert_spans_index_body(article: dict[str, Any]) -> None:
    """Every span of an enriched article satisfies ``body[start:end] == text``."""
    body = article["body"]
    spans = [m for e in article["entities"] for m in e["mentions"]]
    for claim in article["claims"]:
        spans += [claim["cue"], claim["content"]]
        if claim["claimant"]:
            spans.append(claim["claimant"])
    for span in spans:
        assert body[span["start"] : span["end"]] == span["text"], span


def assert_claim_or_entity_spans(event: dict[str, Any], body: str) -> None:
    """Spans of a ``claims`` or ``entities`` event index the article's body."""
    if "claim" in event:
        claim = event["claim"]
        spans = [claim["cue"], claim["content"]] + ([claim["claimant"]] if claim["claimant"] else [])
    else:
        spans = event["entity"]["mentions"]
    for span in spans:
        assert body[span["start"] : span["end"]] == span["text"], span

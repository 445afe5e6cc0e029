"""Property: whatever arrives on articles.raw, processing never raises and every input
has exactly one outcome, valid against its schema; an input that satisfies the
raw-article contract is enriched, not dead-lettered."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.checks import assert_spans_index_body, assert_valid_event
from workers.models import RAW_ARTICLE_SCHEMA
from workers.pipeline.enrich import Enricher
from workers.pipeline.process import InputRecord, Outcome, RecordProcessor
from workers.schemas import validator_for
from workers.settings import Settings

json_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=50)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
article_like = st.fixed_dictionaries(
    {"body": st.text(max_size=400) | json_values},
    optional={
        "id": st.text(max_size=20) | json_scalars,
        "title": st.text(max_size=40) | json_scalars,
        "published_at": st.sampled_from(["2024-12-05T10:00:00Z", "2024-12-05", "yesterday", ""]) | json_scalars,
        "language": st.sampled_from(["en", "de", "en-GB", None]),
    },
)
PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture
def processor(enricher: Enricher, make_settings: Callable[..., Settings]) -> RecordProcessor:
    return RecordProcessor(enricher, make_settings(max_body_bytes=2_000))


def check_outcome(value: bytes, outcome: Outcome) -> None:
    assert outcome.status in ("enriched", "dead_letter")
    events = [orjson.loads(r.value) for r in outcome.outputs]
    for event in events:
        assert_valid_event(event)
    if outcome.status == "dead_letter":
        [letter] = events
        original = (
            letter["value"].encode() if letter["value_encoding"] == "utf-8" else base64.b64decode(letter["value"])
        )
        assert original == value, "a dead letter keeps the input whole"
    else:
        article = events[-1]
        assert article["schema"]["name"] == "enriched-article"
        assert_spans_index_body(article)


def run_batch(processor: RecordProcessor, values: list[bytes]) -> list[Outcome]:
    records = [InputRecord("articles.raw", 0, offset, None, v) for offset, v in enumerate(values)]
    outcomes = processor.process_batch(records)
    assert len(outcomes) == len(values)
    return outcomes


@PROPERTY
@given(st.lists(st.binary(max_size=300), min_size=1, max_size=4))
def test_arbitrary_bytes_each_get_exactly_one_outcome(processor: RecordProcessor, values: list[bytes]) -> None:
    for value, outcome in zip(values, run_batch(processor, values), strict=True):
        check_outcome(value, outcome)


@PROPERTY
@given(st.lists(json_values, min_size=1, max_size=4))
def test_arbitrary_json_each_get_exactly_one_outcome(processor: RecordProcessor, values: list[Any]) -> None:
    encoded = [json.dumps(v).encode() for v in values]  # stdlib: big ints too, as producers may send
    for value, outcome in zip(encoded, run_batch(processor, encoded), strict=True):
        check_outcome(value, outcome)


def satisfies_the_contract(value: dict[str, Any]) -> bool:
    """The input is a raw article the docs promise to enrich: schema-valid, no NUL in the body.

    (Bodies here stay far under the processor's size limit.)
    """
    valid = not any(validator_for(RAW_ARTICLE_SCHEMA).iter_errors(value))
    return valid and "\x00" not in value["body"]


@PROPERTY
@given(st.lists(article_like, min_size=1, max_size=4))
def test_article_shaped_json_is_enriched_when_valid_and_dead_lettered_otherwise(
    processor: RecordProcessor, values: list[dict[str, Any]]
) -> None:
    encoded = [json.dumps(v).encode() for v in values]  # stdlib: big ints too, as producers may send
    for data, value, outcome in zip(values, encoded, run_batch(processor, encoded), strict=True):
        check_outcome(value, outcome)
        expected = "enriched" if satisfies_the_contract(data) else "dead_letter"
        assert outcome.status == expected, (outcome.reason, data)


#: Articles that satisfy the raw-article schema: a body with a visible character,
#: optional metadata of the right types.
valid_article = st.fixed_dictionaries(
    {"body": st.text(max_size=400).map(lambda body: body.replace("\x00", "") + " Text.")},
    optional={
        "id": st.text(min_size=1, max_size=20),
        "title": st.text(max_size=40),
        "published_at": st.sampled_from(["2024-12-05T10:00:00Z", "2024-12-05", "2024-12-05T10:00:00.5+01:00"]),
        "language": st.sampled_from(["en", "de", "en-GB"]),
    },
)


@PROPERTY
@given(st.lists(valid_article, min_size=1, max_size=4))
def test_valid_articles_are_all_enriched(processor: RecordProcessor, values: list[dict[str, Any]]) -> None:
    encoded = [orjson.dumps(v) for v in values]
    for data, value, outcome in zip(values, encoded, run_batch(processor, encoded), strict=True):
        assert satisfies_the_contract(data), data  # the strategy makes only valid articles
        assert (outcome.status, outcome.reason) == ("enriched", None), data
        check_outcome(value, outcome)

from __future__ import annotations

from collections.abc import Callable

import orjson
import pytest

from tests.checks import assert_valid_event
from workers.exceptions import InvalidArticle
from workers.models import RAW_ARTICLE_SCHEMA
from workers.pipeline.decode import _ID_MAX, _OPTIONAL_TEXT, decode_article, derive_article_id, plainly_valid
from workers.pipeline.enrich import Enricher
from workers.pipeline.process import InputRecord, RecordProcessor
from workers.schemas import load_schema, validator_for
from workers.settings import Settings

LIMIT = 1000


def reason_of(value: bytes, limit: int = LIMIT) -> str:
    with pytest.raises(InvalidArticle) as info:
        decode_article(value, max_body_bytes=limit)
    return info.value.reason


def test_valid_article_keeps_its_fields() -> None:
    article = decode_article(
        b'{"id": "a1", "body": "Text.", "title": "T", "url": "u", "source": "s", '
        b'"published_at": "2024-12-05T10:00:00+01:00", "language": "en"}',
        max_body_bytes=LIMIT,
    )
    assert (article.id, article.body, article.title, article.published_at, article.language) == (
        "a1",
        "Text.",
        "T",
        "2024-12-05T10:00:00+01:00",
        "en",
    )


def test_missing_id_is_derived_from_content_deterministically() -> None:
    first = decode_article(b'{"body": "Same text."}', max_body_bytes=LIMIT)
    second = decode_article(b'{"body": "Same text.", "extra": 1}', max_body_bytes=LIMIT)
    other = decode_article(b'{"body": "Other text."}', max_body_bytes=LIMIT)
    assert first.id == second.id == derive_article_id("Same text.")
    assert other.id != first.id


def test_date_only_published_at_is_accepted() -> None:
    assert (
        decode_article(b'{"body": "x", "published_at": "2015-08-02"}', max_body_bytes=LIMIT).published_at
        == "2015-08-02"
    )


def test_unknown_fields_are_ignored() -> None:
    assert decode_article(b'{"body": "x", "tags": ["a"]}', max_body_bytes=LIMIT).body == "x"


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (b"{not json", "invalid_json"),
        (b"[1, 2]", "not_an_object"),
        (b'"just a string"', "not_an_object"),
        (b'{"title": "no body"}', "missing_body"),
        (b'{"body": ""}', "empty_body"),
        (b'{"body": " \\n\\t "}', "empty_body"),
        (b'{"body": 42}', "invalid_field"),
        (b'{"body": "x", "title": 7}', "invalid_field"),
        (b'{"body": "x", "id": ""}', "invalid_field"),
        (orjson.dumps({"body": "x", "title": "t" * 2001}), "invalid_field"),
        (orjson.dumps({"body": "x", "url": "u" * 8193}), "invalid_field"),
        (orjson.dumps({"body": "x", "source": "s" * 513}), "invalid_field"),
        (b'{"body": "x", "published_at": "last Tuesday"}', "invalid_published_at"),
        (b'{"body": "x", "published_at": "2024-13-45T10:00:00Z"}', "invalid_published_at"),
        (b'{"body": "x", "published_at": "2024-02-30"}', "invalid_published_at"),
        (b'{"body": "x", "published_at": 20240230}', "invalid_published_at"),
        (b'{"body": "before\\u0000after"}', "invalid_body"),
        (b'{"body": "\\u0000"}', "invalid_body"),
        (b"\xff\xfe\x00garbage", "invalid_utf8"),
        (b"[" * 5000 + b"]" * 5000, "invalid_json"),
    ],
)
def test_invalid_input_is_rejected_with_its_reason(value: bytes, reason: str) -> None:
    assert reason_of(value) == reason


def test_tombstone_is_rejected() -> None:
    with pytest.raises(InvalidArticle):
        decode_article(None, max_body_bytes=LIMIT)


def test_body_over_the_limit_is_rejected() -> None:
    assert reason_of(b'{"body": "' + b"a" * 11 + b'"}', limit=10) == "body_too_large"


def test_limit_counts_utf8_bytes_not_characters() -> None:
    assert reason_of('{"body": "ééééé!"}'.encode(), limit=10) == "body_too_large"


def test_oversized_record_is_refused_before_parsing() -> None:
    assert reason_of(b"x" * (LIMIT + 70_000)) == "body_too_large"


def test_nul_in_the_body_is_dead_lettered_by_the_processor_with_the_value_kept(
    enricher: Enricher, make_settings: Callable[..., Settings]
) -> None:
    value = b'{"id": "nul-1", "body": "A mayor said\\u0000 the bridge would reopen."}'
    outcome = RecordProcessor(enricher, make_settings())(InputRecord("articles.raw", 1, 7, b"nul-1", value))
    assert (outcome.status, outcome.reason) == ("dead_letter", "invalid_body")
    [out] = outcome.outputs
    letter = orjson.loads(out.value)
    assert_valid_event(letter)
    assert (out.topic, letter["reason"], letter["value_encoding"]) == ("articles.dlq", "invalid_body", "utf-8")
    assert (letter["partition"], letter["offset"], letter["key"]) == (1, 7, "nul-1")
    assert letter["value"].encode() == value


def message_of(value: bytes, limit: int = LIMIT) -> str:
    with pytest.raises(InvalidArticle) as info:
        decode_article(value, max_body_bytes=limit)
    return info.value.message


def test_too_large_body_message_names_the_setting_and_both_sizes() -> None:
    message = message_of(b'{"body": "' + b"a" * 11 + b'"}', limit=10)
    assert "11 bytes" in message and "10 bytes" in message and "NEWSFLOW_MAX_BODY_BYTES" in message


def test_oversized_record_message_names_the_setting() -> None:
    assert "NEWSFLOW_MAX_BODY_BYTES" in message_of(b"x" * (LIMIT + 70_000))


def test_empty_body_message_says_empty_body_not_the_schema_pattern() -> None:
    message = message_of(b'{"body": " "}')
    assert message.startswith("empty body") and "\\S" not in message


def test_not_utf8_message_gives_the_byte_and_its_offset() -> None:
    assert message_of(b'{"body": "caf\xe9"}') == "not UTF-8 text: byte 0xe9 at offset 13"


def schema_errors(data: object) -> list[str]:
    return [e.message for e in validator_for(RAW_ARTICLE_SCHEMA).iter_errors(data)]


PLAIN_CASES: list[object] = [
    {"body": "x"},
    {"body": "Text.", "id": "a1", "title": "T", "url": "u", "source": "s", "language": "en"},
    {"body": "x", "published_at": "2024-12-05T10:00:00+01:00"},
    {"body": "x", "published_at": "2024-12-05t10:00:00z"},
    {"body": "x", "published_at": "2024-12-05 10:00:00Z"},
    {"body": "x", "published_at": "2024-12-05"},
    {"body": "x", "published_at": "2024-02-30"},
    {"body": "x", "published_at": "2024-12-05\n"},
    {"body": "x", "published_at": "\u0662024-12-05"},
    {"body": "x", "published_at": "2024-12-5"},
    {"body": "x", "published_at": "2024-13-45T10:00:00Z"},
    {"body": "x", "published_at": "2024-12-05T10:00:00"},
    {"body": "x", "published_at": "T"},
    {"body": "x", "published_at": None, "title": None, "url": None, "source": None, "language": None},
    {"body": "x", "id": None},
    {"body": "x", "id": ""},
    {"body": "x", "id": "i" * 512},
    {"body": "x", "id": "i" * 513},
    {"body": "x", "id": 7},
    {"body": "x", "title": "t" * 2000},
    {"body": "x", "title": "t" * 2001},
    {"body": "x", "url": "u" * 8193},
    {"body": "x", "source": "s" * 513},
    {"body": "x", "language": 5},
    {"body": "x", "title": True},
    {"body": "\u3000x"},
    {"body": "\u3000\u2028 "},
    {"body": ""},
    {"body": None},
    {"body": ["x"]},
    {"title": "no body"},
    {"body": "x", "tags": ["a"], "extra": {"nested": 1}},
]


@pytest.mark.parametrize("data", PLAIN_CASES)
def test_plainly_valid_never_passes_what_the_schema_rejects(data: dict[str, object]) -> None:
    if plainly_valid(data):
        assert schema_errors(data) == []


@pytest.mark.parametrize(
    "data",
    [
        {"body": "x"},
        {"body": "Text.", "id": "a1", "title": "T", "url": "u", "source": "s", "language": "en"},
        {"body": "x", "published_at": "2024-12-05T10:00:00+01:00", "title": None},
        {"body": "x", "published_at": "2015-05-18", "source": "Wikinews"},
    ],
)
def test_plain_articles_skip_the_schema_validator(data: dict[str, object]) -> None:
    assert plainly_valid(data)


def test_plainly_valid_knows_every_field_of_the_schema_and_its_limits() -> None:
    schema = load_schema(RAW_ARTICLE_SCHEMA)
    properties = schema["properties"]
    assert set(properties) == {"id", "body", *_OPTIONAL_TEXT, "published_at"}
    assert schema["required"] == ["body"] and properties["body"]["pattern"] == r"\S"
    assert (properties["id"]["minLength"], properties["id"]["maxLength"]) == (1, _ID_MAX)
    for name, limit in _OPTIONAL_TEXT.items():
        assert properties[name]["type"] == ["string", "null"]
        assert properties[name].get("maxLength") == limit
    assert set(schema) <= {"$schema", "$id", "title", "description", "type", "required", "properties"}

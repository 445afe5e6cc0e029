"""Stored articles as raw inputs again (no database needed)."""

from __future__ import annotations

import orjson

from workers.pipeline.decode import decode_article
from workers.sink.reprocess import StoredArticle, raw_input

STORED = StoredArticle(
    article_id="a-1",
    title="Talks resume",
    body="The minister said the talks would resume.",
    source="wire",
    url="https://example.org/a-1",
    published_at="2024-12-05",
    language="en",
    pipeline_version="0.1.0+aaaaaaaaaaaa",
)


def test_a_stored_article_becomes_its_raw_input_keyed_by_its_id() -> None:
    record = raw_input(STORED)
    assert record is not None
    assert record.key == b"a-1"
    assert orjson.loads(record.value) == {
        "id": "a-1",
        "title": "Talks resume",
        "body": "The minister said the talks would resume.",
        "source": "wire",
        "url": "https://example.org/a-1",
        "published_at": "2024-12-05",
    }


def test_the_raw_input_is_valid_on_the_input_topic() -> None:
    record = raw_input(STORED)
    assert record is not None
    article = decode_article(record.value, max_body_bytes=1_000_000)
    assert article.id == "a-1"
    assert article.body == STORED.body


def test_a_language_other_than_the_derived_en_is_kept() -> None:
    record = raw_input(StoredArticle(**{**_fields(STORED), "language": "de"}))
    assert record is not None
    assert orjson.loads(record.value)["language"] == "de"


def test_absent_fields_are_left_out() -> None:
    bare = StoredArticle("a-2", None, "Body.", None, None, None, None, "v")
    record = raw_input(bare)
    assert record is not None
    assert orjson.loads(record.value) == {"id": "a-2", "body": "Body."}


def test_an_article_stored_without_its_body_cannot_be_re_fed() -> None:
    assert raw_input(StoredArticle(**{**_fields(STORED), "body": None})) is None


def _fields(article: StoredArticle) -> dict[str, object]:
    return {name: getattr(article, name) for name in StoredArticle.__slots__}

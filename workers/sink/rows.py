"""The table rows of one event: pure, no database, no Kafka.

:func:`article_rows` turns an ``articles.enriched`` event (its JSON, parsed) into the rows
of ``articles``, ``entities``, ``article_entities``, ``mentions`` and ``claims``;
:func:`dead_letter_row` an ``articles.dlq`` event into a ``dead_letters`` row, and
:func:`unreadable_row` a record the sink cannot read into one too.

Rows are the ``NamedTuple``s of :mod:`workers.sink.tables`, whose
fields are the table's columns in order: the store hands them to ``COPY`` as they are. Every value is made one that
PostgreSQL accepts (timestamps parsed here, NUL characters, which ``text`` cannot hold,
replaced by U+FFFD so offsets still count code points): a row the database refused would
stop its partition, since the sink never skips a batch.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import orjson

from workers.ids import content_hash
from workers.positions import Positioned
from workers.sink.exceptions import UnreadableEvent
from workers.sink.tables import (
    ArticleEntityRow,
    ArticleRow,
    ArticleRows,
    ClaimRow,
    DeadLetterRow,
    EntityRow,
    MentionRow,
)

__all__ = ["article_rows", "dead_letter_row", "parse_event", "unreadable_row"]

_KINDS = frozenset({"direct", "indirect", "mixed", "belief"})
#: Offsets are PostgreSQL integers.
_INT_LIMIT = 2**31


def parse_event(value: bytes | None) -> dict[str, Any]:
    """The JSON object in a record's value.

    Raises:
        UnreadableEvent: no value, not JSON, or not an object.
    """
    if value is None:
        raise UnreadableEvent("empty_value", "the record has no value (a tombstone?)")
    try:
        data = orjson.loads(value)
    except orjson.JSONDecodeError as error:
        raise UnreadableEvent("invalid_json", f"the value is not JSON: {error}") from error
    if not isinstance(data, dict):
        raise UnreadableEvent("not_an_object", f"the value is JSON {type(data).__name__}, not an object")
    return data


def article_rows(event: Mapping[str, Any], position: Positioned) -> ArticleRows:
    """The rows of an ``enriched-article`` v1 event read at ``position``.

    Raises:
        UnreadableEvent: it is not an enriched-article v1 event, or a field has the wrong type.
    """
    _expect_schema(event, "enriched-article")
    try:
        return _article_rows(event, position)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise UnreadableEvent("invalid_event", f"enriched-article event: {type(error).__name__}: {error}") from error


def _article_rows(event: Mapping[str, Any], position: Positioned) -> ArticleRows:
    article_id = _text(event["id"])
    processing = event["processing"]
    processed_at = _timestamp(processing["processed_at"])
    if processed_at is None:
        raise ValueError(f"processing.processed_at is not a timestamp: {processing['processed_at']!r}")
    body = _opt_text(event["body"])
    duplicate = event.get("duplicate_of") or {}
    entities: dict[str, EntityRow] = {}
    links: dict[str, ArticleEntityRow] = {}
    mentions: list[MentionRow] = []
    for entity in event["entities"]:
        key = _text(entity["id"])
        name, label = _text(entity["name"]), _text(entity["label"])
        geo = entity.get("geo") or {}
        # An id twice in one article would break the primary key: the first one stands.
        entities.setdefault(
            key,
            EntityRow(
                key,
                name,
                label,
                _opt_int(geo.get("geonames_id")),
                _opt_text(geo.get("name")),
                _opt_text(geo.get("feature_class")),
                _opt_text(geo.get("country_code")),
                _opt_float(geo.get("latitude")),
                _opt_float(geo.get("longitude")),
                processed_at,
                processed_at,
            ),
        )
        # The bulk of the rows (a hundred an article): checked inline, without a call per field.
        count = 0
        for mention in entity["mentions"]:
            start, end, text, title = mention["start"], mention["end"], mention["text"], mention.get("title")
            if not (type(start) is int and type(end) is int and 0 <= start <= end < _INT_LIMIT):
                raise ValueError(f"mention span {start!r}..{end!r}: not offsets, or out of range")
            if type(text) is not str or "\x00" in text or not (title is None or type(title) is str):
                text, title = _text(text), _opt_text(title)
            # _make is tuple.__new__: a NamedTuple's own __new__ costs a Python call per row
            mentions.append(MentionRow._make((article_id, len(mentions), key, start, end, text, title)))
            count += 1
        previous = links.get(key)
        links[key] = ArticleEntityRow(
            article_id,
            key,
            name,
            label,
            _opt_float(entity.get("salience")),
            _opt_text(entity.get("date")),
            count + (previous.mention_count if previous else 0),
        )
    claims: dict[str, ClaimRow] = {}
    for claim in event["claims"]:
        row = _claim_row(article_id, len(claims), claim)
        claims.setdefault(row.claim_id, row)
    article = ArticleRow(
        article_id=article_id,
        event_id=_text(event["event_id"]),
        content_hash=None if body is None else content_hash(body),
        pipeline_version=_text(processing["pipeline_version"]),
        model=_text(processing["model"]),
        model_version=_text(processing["model_version"]),
        processed_at=processed_at,
        title=_opt_text(event.get("title")),
        body=body,
        source=_opt_text(event.get("source")),
        url=_opt_text(event.get("url")),
        language=_opt_text(event.get("language")),
        detected_language=_opt_text(event.get("detected_language")),
        language_confidence=_opt_float(event.get("language_confidence")),
        published_at=_timestamp(event.get("published_at")),
        published_at_text=_opt_text(event.get("published_at")),
        flags=[_text(f) for f in event["flags"]],
        duplicate_of=_opt_text(duplicate.get("id")),
        duplicate_kind=duplicate.get("kind") if duplicate.get("kind") in ("exact", "near") else None,
        duplicate_similarity=_opt_float(duplicate.get("similarity")),
        entity_count=len(links),
        claim_count=len(claims),
        kafka_topic=position.topic,
        kafka_partition=position.partition,
        kafka_offset=position.offset,
    )
    return ArticleRows(
        article, tuple(entities.values()), tuple(links.values()), tuple(mentions), tuple(claims.values())
    )


def _claim_row(article_id: str, ordinal: int, claim: Mapping[str, Any]) -> ClaimRow:
    claimant = claim.get("claimant") or {}
    cue, content = claim["cue"], claim["content"]
    channel = claim.get("channel") or {}
    recipient = claim.get("recipient") or {}
    speaker = claim.get("original_speaker") or {}
    kind = _text(claim["kind"])
    if kind not in _KINDS:
        raise ValueError(f"claim kind {kind!r} is none of {sorted(_KINDS)}")
    return ClaimRow(
        claim_id=_text(claim["id"]),
        article_id=article_id,
        ordinal=ordinal,
        claimant_key=_opt_text(claimant.get("entity_id")),
        claimant_text=_opt_text(claimant.get("text")),
        claimant_start=_opt_int(claimant.get("start")),
        claimant_end=_opt_int(claimant.get("end")),
        cue_text=_text(cue["text"]),
        cue_lemma=_text(cue["lemma"]),
        cue_start=_int(cue["start"]),
        cue_end=_int(cue["end"]),
        content=_text(content["text"]),
        content_start=_int(content["start"]),
        content_end=_int(content["end"]),
        kind=kind,
        stance=_text(claim["stance"]),
        channel=_opt_text(channel.get("text")),
        channel_start=_opt_int(channel.get("start")),
        channel_end=_opt_int(channel.get("end")),
        recipient=_opt_text(recipient.get("text")),
        original_speaker_key=_opt_text(speaker.get("entity_id")),
        original_speaker_text=_opt_text(speaker.get("text")),
        broad=bool(claim.get("broad", False)),
    )


def dead_letter_row(event: Mapping[str, Any], position: Positioned) -> DeadLetterRow:
    """The row of a ``dead-letter`` v1 event read at ``position``.

    Raises:
        UnreadableEvent: it is not a dead-letter v1 event, or a field has the wrong type.
    """
    _expect_schema(event, "dead-letter")
    try:
        return DeadLetterRow(
            read_topic=position.topic,
            read_partition=position.partition,
            read_offset=position.offset,
            origin="worker",
            reason=_text(event["reason"]),
            error=_text(event["error"]),
            topic=_opt_text(event.get("topic")),
            partition=_opt_int(event.get("partition")),
            offset=_opt_int(event.get("offset"), bits=63),
            key=_opt_text(event.get("key")),
            value=_opt_text(event.get("value")),
            value_encoding=_opt_text(event.get("value_encoding")),
            failed_at=_timestamp(event.get("failed_at")),
            article_id=_opt_text(event.get("article_id")),
            replays=_opt_int(event.get("replays")) or 0,
            attempts=_opt_int(event.get("attempts")) or 0,
            value_omitted=bool(event.get("value_omitted", False)),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise UnreadableEvent("invalid_event", f"dead-letter event: {type(error).__name__}: {error}") from error


def unreadable_row(
    error: UnreadableEvent, position: Positioned, key: bytes | None, value: bytes | None, failed_at: datetime
) -> DeadLetterRow:
    """A ``dead_letters`` row (origin ``sink``) for a record the sink could not read."""
    text, encoding = _value_text(value)
    return DeadLetterRow(
        read_topic=position.topic,
        read_partition=position.partition,
        read_offset=position.offset,
        origin="sink",
        reason=error.reason,
        error=_clean(str(error)),
        topic=position.topic,
        partition=position.partition,
        offset=position.offset,
        key=None if key is None else _value_text(key)[0],
        value=text,
        value_encoding=encoding,
        failed_at=failed_at,
        article_id=None,
        replays=0,
        attempts=0,
        value_omitted=False,
    )


def _expect_schema(event: Mapping[str, Any], name: str) -> None:
    schema = event.get("schema")
    if not isinstance(schema, dict) or schema.get("name") != name or schema.get("version") != 1:
        raise UnreadableEvent("wrong_schema", f"expected a {name} v1 event, got schema {schema!r}")


def _value_text(value: bytes | None) -> tuple[str | None, str | None]:
    if value is None:
        return None, None
    try:
        return _clean(value.decode("utf-8")), "utf-8"
    except UnicodeDecodeError:
        return base64.b64encode(value).decode("ascii"), "base64"


def _clean(text: str) -> str:
    # text columns cannot hold NUL; U+FFFD keeps the length, so offsets still hold
    return text.replace("\x00", "\ufffd") if "\x00" in text else text


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {type(value).__name__}")
    return _clean(value)


def _opt_text(value: object) -> str | None:
    return None if value is None else _text(value)


def _int(value: object, bits: int = 31) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"expected an integer, got {type(value).__name__}")
    if not -(2**bits) <= value < 2**bits:
        raise ValueError(f"{value} is out of range")
    return value


def _opt_int(value: object, bits: int = 31) -> int | None:
    return None if value is None else _int(value, bits)


def _opt_float(value: object) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"expected a number, got {type(value).__name__}")
    return float(value)


def _timestamp(value: object) -> datetime | None:
    """``value`` as an aware datetime (UTC when it names no zone), None if it is none."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)

"""The table rows of one event of the story stage: pure, no database, no Kafka.

:func:`stage_rows` turns a ``stories`` event into the rows of ``stories`` and
``story_articles`` (:class:`~workers.sink.tables.StoryEventRows`), a ``claim-links``
event into a ``claim_links`` row and a ``trends`` event into a ``trends`` row
(``schemas/story.v1.json``, ``claim-link.v1.json``, ``trend.v1.json``;
``migrations/0005_stories.sql``). Which topic carries which event is the consumer's to
say (:data:`STAGE_SCHEMAS`).

As for articles (:mod:`workers.sink.rows`), every value is made one PostgreSQL takes or
the event is refused here: a malformed event (a missing field, a wrong type, a value a
``CHECK`` would refuse, a time that is not one) raises
:class:`~workers.sink.exceptions.UnreadableEvent` and becomes a dead-letter row. An event
of a **newer** schema version than v1 is no bad event but a stage upgraded before the
sink: :class:`~workers.sink.exceptions.NewerEvent` [E930] stops the sink instead of
dead-lettering the stream.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final, Literal

from workers.positions import Positioned
from workers.sink.exceptions import NewerEvent, UnreadableEvent

# The article rows' value checks, shared so that both kinds of events clean text alike.
from workers.sink.rows import _expect_schema, _int, _opt_text, _text, _timestamp
from workers.sink.tables import ClaimLinkRow, StageRows, StoryArticleRow, StoryEventRows, StoryRow, TrendRow

__all__ = ["READ_VERSION", "STAGE_SCHEMAS", "StageSchema", "stage_rows"]

#: The story stage's event schemas, by name.
StageSchema = Literal["story", "claim-link", "trend"]
STAGE_SCHEMAS: Final[tuple[StageSchema, ...]] = ("story", "claim-link", "trend")
#: The schema version of the story stage's events this sink reads.
READ_VERSION: Final = 1

_MATCHED: Final = frozenset({"new", "entities_and_text", "duplicate"})
_LINK_KINDS: Final = frozenset({"contradicts", "corroborates"})
_POLARITIES: Final = frozenset({"asserts", "denies"})


def stage_rows(event: Mapping[str, Any], schema: StageSchema, position: Positioned) -> StageRows:
    """The rows of a story-stage event of ``schema``, read at ``position``.

    Raises:
        NewerEvent: [E930] the event is of ``schema`` in a version newer than v1.
        UnreadableEvent: it is not a ``schema`` v1 event, or a field is missing or wrong.
    """
    _refuse_newer(event, schema, position)
    _expect_schema(event, schema)
    try:
        if schema == "story":
            return _story_rows(event)
        if schema == "claim-link":
            return _claim_link_row(event)
        return _trend_row(event)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise UnreadableEvent("invalid_event", f"{schema} event: {type(error).__name__}: {error}") from error


def _refuse_newer(event: Mapping[str, Any], schema: StageSchema, position: Positioned) -> None:
    declared = event.get("schema")
    if not isinstance(declared, dict) or declared.get("name") != schema:
        return
    version = declared.get("version")
    if isinstance(version, int) and not isinstance(version, bool) and version > READ_VERSION:
        raise NewerEvent(
            f"[E930] {position.topic}[{position.partition}]@{position.offset} is a {schema} v{version} event; this "
            f"sink reads {schema} v{READ_VERSION}: the story stage runs a newer newsflow than the sink. The sink "
            "stops instead of dead-lettering the stage's stream, its offsets where they were (nothing of this "
            "batch written): run the sink of the stage's version, it reads on from there"
        )


def _story_rows(event: Mapping[str, Any]) -> StoryEventRows:
    story_id, version = _name(event["story_id"]), _name(event["version"])
    matched = _text(event["matched"])
    if matched not in _MATCHED:
        raise ValueError(f"matched {matched!r} is none of {sorted(_MATCHED)}")
    size = _int(event["size"])
    if size < 1:
        raise ValueError(f"size {size} is below 1")
    entities = [
        {"id": _text(e["id"]), "name": _text(e["name"]), "weight": _share(e["weight"], "entity weight")}
        for e in _list(event["entities"])
    ]
    story = StoryRow(
        story_id=story_id,
        label=_text(event["label"]),
        size=size,
        sources=_texts(event["sources"]),
        first_seen=_time(event["first_seen"], "first_seen"),
        last_seen=_time(event["last_seen"], "last_seen"),
        entities=entities,
        version=version,
    )
    member = StoryArticleRow(
        article_id=_name(event["article_id"]),
        story_id=story_id,
        matched=matched,
        score=_share(event["score"], "score"),
        at=_time(event["at"], "at"),
        source=_opt_text(event["source"]),
        version=version,
    )
    return StoryEventRows(story, member)


def _claim_link_row(event: Mapping[str, Any]) -> ClaimLinkRow:
    kind = _text(event["kind"])
    if kind not in _LINK_KINDS:
        raise ValueError(f"kind {kind!r} is none of {sorted(_LINK_KINDS)}")
    claim, other = _side(event["claim"], "claim"), _side(event["other"], "other")
    return ClaimLinkRow._make(
        (
            _name(event["link_id"]),
            _name(event["story_id"]),
            _name(event["proposition"]),
            kind,
            *claim,
            *other,
            _share(event["similarity"], "similarity"),
            _texts(event["shared_entities"]),
            _name(event["version"]),
        )
    )


def _side(side: Mapping[str, Any], which: str) -> tuple[Any, ...]:
    """A link's side as its eight columns: id, article id, claimant, stance, polarity, text, start, end."""
    polarity = _text(side["polarity"])
    if polarity not in _POLARITIES:
        raise ValueError(f"{which}.polarity {polarity!r} is none of {sorted(_POLARITIES)}")
    start, end = _int(side["start"]), _int(side["end"])
    if not 0 <= start <= end:
        raise ValueError(f"{which} span {start}..{end}: not offsets")
    return (
        _text(side["id"]),
        _text(side["article_id"]),
        _opt_text(side["claimant"]),
        _text(side["stance"]),
        polarity,
        _text(side["text"]),
        start,
        end,
    )


def _trend_row(event: Mapping[str, Any]) -> TrendRow:
    count = _int(event["count"])
    if count < 0:
        raise ValueError(f"count {count} is negative")
    baseline = _number(event["baseline"])
    if baseline < 0:
        raise ValueError(f"baseline {baseline} is negative")
    return TrendRow(
        trend_id=_name(event["trend_id"]),
        entity_key=_name(event["entity_id"]),
        name=_text(event["name"]),
        label=_text(event["label"]),
        window_start=_time(event["window_start"], "window_start"),
        window_end=_time(event["window_end"], "window_end"),
        count=count,
        baseline=baseline,
        score=_number(event["score"]),
        statistic=_name(event["statistic"]),
        stories=_texts(event["stories"]),
        version=_name(event["version"]),
    )


def _name(value: object) -> str:
    """A non-empty string: an id, a version."""
    text = _text(value)
    if not text:
        raise ValueError("an empty string where an id or a version belongs")
    return text


def _list(value: object) -> list[Any]:
    if not isinstance(value, list):
        raise TypeError(f"expected an array, got {type(value).__name__}")
    return value


def _texts(value: object) -> list[str]:
    return [_text(v) for v in _list(value)]


def _number(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"expected a number, got {type(value).__name__}")
    return float(value)  # finite: orjson refuses NaN and numbers past a double


def _share(value: object, what: str) -> float:
    number = _number(value)
    if not 0 <= number <= 1:
        raise ValueError(f"{what} {number} is outside 0..1")
    return number


def _time(value: object, field: str) -> datetime:
    parsed = _timestamp(value)
    if parsed is None:
        raise ValueError(f"{field} is not a timestamp: {value!r}")
    return parsed

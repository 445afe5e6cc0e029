"""Consumed records into one :class:`~workers.sink.store.Batch`: pure, no Kafka, no database.

A record of the enriched topic gives article rows, one of the dead-letter topic a
dead-letter row, one of a story-stage topic that topic's rows
(:mod:`workers.sink.story_rows`); a record that is not the event its topic carries gives a dead-letter
row of origin ``sink`` (never an exception: one record must not stop a partition; only
a story-stage event newer than this sink reads stops it, [E930], as that is every event
to come, no bad one). The
batch's offsets say, per partition, what the sink expects stored and what to store.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from workers.positions import Positioned
from workers.sink.exceptions import UnreadableEvent
from workers.sink.rows import article_rows, dead_letter_row, parse_event, unreadable_row
from workers.sink.store import Batch, OffsetRange
from workers.sink.story_rows import StageSchema, stage_rows
from workers.sink.tables import ArticleRows, DeadLetterRow, StageRows

__all__ = ["Record", "make_batch", "rejected_batch"]


class Record(Positioned, Protocol):
    """What the sink reads of a consumed record (kafka-python's ``ConsumerRecord`` fits):
    where it was read, its key and its value."""

    @property
    def key(self) -> bytes | None: ...
    @property
    def value(self) -> bytes | None: ...


def make_batch(
    records: Sequence[Record],
    expected: Mapping[tuple[str, int], int | None],
    *,
    dlq_topic: str,
    now: datetime,
    joined: Mapping[tuple[str, int, int], Mapping[str, Any]] | None = None,
    stage: Mapping[str, StageSchema] | None = None,
) -> Batch:
    """The batch that writes ``records`` (in read order).

    Args:
        records: consumed records, of any assigned partitions.
        expected: per (topic, partition), the next offset stored when the reads began
            (None: none stored yet). Every partition of ``records`` must be in it.
        dlq_topic: the dead-letter topic (its records are dead letters, those of the
            ``stage`` topics the story stage's events, every other topic's enriched articles).
        now: when records the sink cannot read failed.
        joined: per (topic, partition, offset), the event to write instead of the
            record's own: an article event with the entities and claims it left out put
            back (:mod:`workers.sink.parts`).
        stage: the story stage's topics, each with the schema of its events.

    Raises:
        NewerEvent: [E930] a story-stage event of a newer schema version than the sink reads.
    """
    articles: list[ArticleRows] = []
    dead: list[DeadLetterRow] = []
    staged: list[StageRows] = []
    for record in records:
        try:
            whole = joined.get((record.topic, record.partition, record.offset)) if joined else None
            event = parse_event(record.value) if whole is None else whole
            schema = stage.get(record.topic) if stage else None
            if record.topic == dlq_topic:
                dead.append(dead_letter_row(event, record))
            elif schema is not None:
                staged.append(stage_rows(event, schema, record))
            else:
                articles.append(article_rows(event, record))
        except UnreadableEvent as error:
            dead.append(unreadable_row(error, record, record.key, record.value, now))
    return Batch(articles, dead, _offsets(records, expected), staged)


def rejected_batch(
    record: Record, expected: Mapping[tuple[str, int], int | None], *, reason: str, now: datetime
) -> Batch:
    """A batch that writes ``record`` as a dead letter (``reason``): the database refused its rows."""
    error = UnreadableEvent("database_rejected", reason)
    row = unreadable_row(error, record, record.key, record.value, now)
    return Batch((), [row], _offsets([record], expected))


def _offsets(records: Sequence[Record], expected: Mapping[tuple[str, int], int | None]) -> list[OffsetRange]:
    last: dict[tuple[str, int], int] = {}
    for record in records:
        key = (record.topic, record.partition)
        last[key] = max(last.get(key, -1), record.offset)
    return [
        OffsetRange(topic, partition, expected[(topic, partition)], end + 1) for (topic, partition), end in last.items()
    ]

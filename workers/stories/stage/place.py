"""One input record of the story stage in, its output records out. No Kafka.

The stage's only decision-making code: decode the ``articles.enriched`` value, place the
article with the assigner, and make the ``stories``, ``claim-links`` and ``trends``
events (the same :func:`~workers.stories.events.story_event`,
:func:`~workers.stories.events.link_events` and
:class:`~workers.stories.trends.TrendDetector` as ``newsflow stories FILE``). An event the
stage cannot read becomes a dead letter for ``articles.dlq``, naming the stage in its
error ([E310]) and the input's topic, partition and offset; its ``failed_at`` is the
input's own timestamp, so a replay after a crash makes the same letter.

Everything here depends on the assigner's state and the record only: no clock, no
randomness, so a replayed batch gives the same events byte for byte.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

import orjson

from workers.exceptions import Reason
from workers.pipeline.dlq import dead_letter
from workers.pipeline.events import encode
from workers.stories.article import story_article
from workers.stories.assign import StoryAssigner
from workers.stories.events import link_events, story_event
from workers.stories.trends import TrendDetector

__all__ = ["InputRecord", "OutputRecord", "Placed", "Placer"]

#: (topic, key, value) of one output record.
OutputRecord = tuple[str, bytes | None, bytes]


class InputRecord(Protocol):
    """What the stage reads of a consumed record (kafka-python's ``ConsumerRecord``)."""

    topic: str
    partition: int
    offset: int
    timestamp: int
    key: bytes | None
    value: bytes | None


@dataclass(frozen=True, slots=True)
class Placed:
    """What became of one input: its outcome and the records to publish."""

    outcome: str
    records: list[OutputRecord]
    link_kinds: list[str] = field(default_factory=list)
    trends: int = 0


@dataclass(slots=True)
class Placer:
    """Places records with ``assigner`` and tells ``trends`` of each placed article;
    events name ``version``.

    Args:
        topics: the ``stories``, ``claim-links``, ``trends`` and dead-letter topics.
        trends: the trend detector (its events name its own version: the stage's).
    """

    assigner: StoryAssigner
    version: str
    stories_topic: str
    links_topic: str
    trends_topic: str
    dlq_topic: str
    trends: TrendDetector

    def place(self, record: InputRecord) -> Placed:
        """The outputs of one ``articles.enriched`` record."""
        event: Any = None
        try:
            event = orjson.loads(record.value or b"")
            if not isinstance(event, dict):
                raise TypeError(f"a JSON {type(event).__name__}, not an object")
            article = story_article(event)
        except (ValueError, KeyError, TypeError) as exc:
            return self._dead_letter(record, event, exc)
        assignment = self.assigner.assign(article)
        story_id = assignment.story.id
        key = story_id.encode()
        links = link_events(assignment, self.version)
        records: list[OutputRecord] = [(self.stories_topic, key, encode(story_event(assignment, self.version)))]
        records += [(self.links_topic, key, encode(link)) for link in links]
        trends = self.trends.observe(article, story_id)
        records += [(self.trends_topic, t.entity_id.encode(), encode(t)) for t in trends]
        outcome = {"new": "new", "duplicate": "duplicate"}.get(assignment.matched, "joined")
        return Placed(outcome, records, [link.kind for link in links], len(trends))

    def _dead_letter(self, record: InputRecord, event: Any, exc: Exception) -> Placed:
        reason: Reason
        if not isinstance(event, dict):
            reason = "not_an_object" if event is not None else "invalid_json"
        elif "published_at" in str(exc):
            reason = "invalid_published_at"
        else:
            reason = "invalid_field"
        article_id = event.get("id") if isinstance(event, dict) else None
        letter = dead_letter(
            reason=reason,
            error=f"[E310] stories stage: not an enriched article the stories stage can read: {exc!r}",
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            key=record.key,
            value=record.value,
            failed_at=_iso_ms(record.timestamp),
            article_id=str(article_id) if isinstance(article_id, str) else None,
        )
        return Placed("dead_lettered", [(self.dlq_topic, record.key, encode(letter))])


def _iso_ms(timestamp_ms: int) -> str:
    at = datetime.fromtimestamp(max(0, timestamp_ms) / 1000, tz=UTC)
    return at.isoformat(timespec="milliseconds").replace("+00:00", "Z")

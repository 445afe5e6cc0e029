"""Fan one enriched article out into the records of every output topic, each within
the size its topic takes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import orjson

from workers.exceptions import OutputTooLarge
from workers.ids import stable_id
from workers.models import ArticleRef, ClaimEvent, EnrichedArticle, EntityEvent
from workers.settings import Settings

__all__ = ["RECORD_OVERHEAD_BYTES", "OutputLimits", "OutputRecord", "article_records", "encode"]

#: What a record costs in a batch besides its key and value (record and batch headers),
#: rounded up: a record fits a topic when key + value + this <= its max.message.bytes.
RECORD_OVERHEAD_BYTES = 128


@dataclass(frozen=True, slots=True)
class OutputRecord:
    """One record to publish: topic, key and serialized value (None: a tombstone, on a
    changelog only)."""

    topic: str
    key: bytes
    value: bytes | None


@dataclass(frozen=True, slots=True)
class OutputLimits:
    """The largest record each output topic takes, in bytes.

    Args:
        default: the worker's own limit (``Settings.max_message_bytes``).
        topics: lower limits of single topics (their ``max.message.bytes``, read by the
            worker at start).
    """

    default: int
    topics: Mapping[str, int] = field(default_factory=dict)

    def fits(self, record: OutputRecord) -> bool:
        """Whether ``record`` is within its topic's limit."""
        return self.size(record) <= self.limit(record.topic)

    def limit(self, topic: str) -> int:
        return min(self.default, self.topics.get(topic, self.default))

    @staticmethod
    def size(record: OutputRecord) -> int:
        return len(record.key) + len(record.value or b"") + RECORD_OVERHEAD_BYTES

    def check(self, record: OutputRecord) -> OutputRecord:
        """``record`` itself.

        Raises:
            OutputTooLarge: it is over its topic's limit.
        """
        if not self.fits(record):
            raise OutputTooLarge(record.topic, self.size(record), self.limit(record.topic))
        return record


def encode(event: object) -> bytes:
    """Serialize a model (a dataclass) to compact JSON."""
    return orjson.dumps(event)


def article_records(
    article: EnrichedArticle, settings: Settings, limits: OutputLimits | None = None
) -> list[OutputRecord]:
    """The records one enriched article produces, the article event last.

    The article event goes last so that a consumer that sees it knows the article's
    claims and entities were published before it.

    Keys: the article id on ``articles.enriched``; the entity id on ``entities``; the
    claimant's entity id on ``claims`` (the article id when the claimant is unknown, so
    that claims without a resolved claimant still stay in order per article).

    Every record is within ``limits`` (by default ``settings.max_message_bytes``). An
    article event over its limit leaves out the body (flag ``body_omitted``: consumers
    join it from ``articles.raw`` by id), and if that is not enough its entities and
    claims too (flags ``entities_omitted``, ``claims_omitted``: they are on their own
    topics).

    Raises:
        OutputTooLarge: an entity or claim event, or the article event with all of
            the above left out, is still over its topic's limit.
    """
    limits = limits or OutputLimits(settings.max_message_bytes)
    ref = ArticleRef(article.id, article.title, article.url, article.source, article.published_at)
    processed_at, version = article.processing.processed_at, article.processing.pipeline_version
    records = [
        limits.check(
            OutputRecord(
                settings.topic_entities,
                entity.id.encode(),
                encode(
                    EntityEvent(stable_id(article.event_id, entity.id, length=24), ref, entity, processed_at, version)
                ),
            )
        )
        for entity in article.entities
    ]
    for claim in article.claims:
        key = claim.claimant.entity_id if claim.claimant and claim.claimant.entity_id else article.id
        event = ClaimEvent(stable_id(article.event_id, claim.id, length=24), ref, claim, processed_at, version)
        records.append(limits.check(OutputRecord(settings.topic_claims, key.encode(), encode(event))))
    records.append(_article_record(article, settings.topic_enriched, limits))
    return records


def _article_record(article: EnrichedArticle, topic: str, limits: OutputLimits) -> OutputRecord:
    """The article event, with as much left out as it takes to fit ``topic``."""
    key = article.id.encode()
    record = OutputRecord(topic, key, encode(article))
    if limits.fits(record):
        return record
    article = replace(article, body=None, flags=(*article.flags, "body_omitted"))
    record = OutputRecord(topic, key, encode(article))
    if limits.fits(record):
        return record
    article = replace(article, entities=(), claims=(), flags=(*article.flags, "entities_omitted", "claims_omitted"))
    return limits.check(OutputRecord(topic, key, encode(article)))

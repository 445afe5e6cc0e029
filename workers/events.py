"""Fan one enriched article out into the records of every output topic."""

from __future__ import annotations

from dataclasses import dataclass

import orjson

from workers.ids import stable_id
from workers.models import ArticleRef, ClaimEvent, EnrichedArticle, EntityEvent
from workers.settings import Settings

__all__ = ["OutputRecord", "article_records", "encode"]


@dataclass(frozen=True, slots=True)
class OutputRecord:
    """One record to publish: topic, key and serialized value."""

    topic: str
    key: bytes
    value: bytes


def encode(event: object) -> bytes:
    """Serialize a model (a dataclass) to compact JSON."""
    return orjson.dumps(event)


def article_records(article: EnrichedArticle, settings: Settings) -> list[OutputRecord]:
    """The records one enriched article produces, the article event last.

    The article event goes last so that a consumer that sees it knows the article's
    claims and entities were published before it.

    Keys: the article id on ``articles.enriched``; the entity id on ``entities``; the
    claimant's entity id on ``claims`` (the article id when the claimant is unknown, so
    that claims without a resolved claimant still stay in order per article).
    """
    ref = ArticleRef(article.id, article.title, article.url, article.source, article.published_at)
    processed_at = article.processing.processed_at
    records = [
        OutputRecord(
            settings.topic_entities,
            entity.id.encode(),
            encode(EntityEvent(stable_id(article.event_id, entity.id, length=24), ref, entity, processed_at)),
        )
        for entity in article.entities
    ]
    for claim in article.claims:
        key = claim.claimant.entity_id if claim.claimant and claim.claimant.entity_id else article.id
        event = ClaimEvent(stable_id(article.event_id, claim.id, length=24), ref, claim, processed_at)
        records.append(OutputRecord(settings.topic_claims, key.encode(), encode(event)))
    records.append(OutputRecord(settings.topic_enriched, article.id.encode(), encode(article)))
    return records

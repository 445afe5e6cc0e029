"""One input record in, its output records out: enriched events or one dead letter.

This is the whole per-record decision of the stream worker, kept free of Faust so it
can be tested directly; the agent only moves bytes in and out of Kafka.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from workers.decode import decode_article
from workers.dlq import dead_letter
from workers.enrich import Enricher, utc_now
from workers.events import OutputRecord, article_records, encode
from workers.exceptions import InvalidArticle, Reason
from workers.settings import Settings

__all__ = ["InputRecord", "Outcome", "RecordProcessor"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class InputRecord:
    """A record as read from the input topic."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of one input: every record to publish for it."""

    status: Literal["enriched", "dead_letter"]
    records: list[OutputRecord]
    article_id: str | None = None
    reason: Reason | None = None
    entities: int = 0
    claims: int = 0


class RecordProcessor:
    """Decides the outputs of one input record; never raises for a bad input.

    Args:
        enricher: the enrichment core.
        settings: topic names and limits.
        clock: timestamps for dead letters; injectable for tests.
    """

    def __init__(self, enricher: Enricher, settings: Settings, *, clock: Callable[[], str] = utc_now) -> None:
        self.enricher = enricher
        self.settings = settings
        self._clock = clock

    def __call__(self, record: InputRecord) -> Outcome:
        article_id = None
        try:
            article = decode_article(record.value, max_body_bytes=self.settings.max_body_bytes)
            article_id = article.id
            enriched = self.enricher(article)
        except InvalidArticle as exc:
            return self._dead(record, exc.reason, exc.message, article_id)
        except Exception as exc:  # noqa: BLE001 - one bad article must not stop the stream
            log.exception("enrichment failed at %s[%d]@%d", record.topic, record.partition, record.offset)
            return self._dead(record, "enrichment_failed", f"{type(exc).__name__}: {exc}", article_id)
        return Outcome(
            status="enriched",
            records=article_records(enriched, self.settings),
            article_id=article.id,
            entities=len(enriched.entities),
            claims=len(enriched.claims),
        )

    def _dead(self, record: InputRecord, reason: Reason, error: str, article_id: str | None) -> Outcome:
        letter = dead_letter(
            reason=reason,
            error=error,
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            key=record.key,
            value=record.value,
            failed_at=self._clock(),
            article_id=article_id,
        )
        key = record.key if record.key is not None else f"{record.topic}:{record.partition}:{record.offset}".encode()
        return Outcome(
            status="dead_letter",
            records=[OutputRecord(self.settings.topic_dlq, key, encode(letter))],
            article_id=article_id,
            reason=reason,
        )

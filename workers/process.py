"""One input record in, its output records out: enriched events or one dead letter.

This is the whole per-record decision of the stream worker, kept free of Faust so it
can be tested directly; the agent only moves bytes in and out of Kafka.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from workers.decode import decode_article
from workers.dedup import DuplicateIndex, fingerprint
from workers.dlq import dead_letter, replays_of
from workers.enrich import Enricher, utc_now
from workers.events import OutputRecord, article_records, encode
from workers.exceptions import InvalidArticle, Reason
from workers.models import EnrichedArticle, RawArticle
from workers.settings import Settings
from workers.timing import StageTimer, no_timing

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
    headers: tuple[tuple[str, bytes | None], ...] = ()


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of one input: an enriched article, or one dead letter.

    ``dedup_failed``: the duplicate check raised; the article goes out without it.
    """

    status: Literal["enriched", "dead_letter"]
    article_id: str | None = None
    article: EnrichedArticle | None = None
    dead_letter: OutputRecord | None = None
    reason: Reason | None = None
    dedup_failed: bool = False

    def records(self, settings: Settings) -> list[OutputRecord]:
        """Every record to publish for this input, the article event last."""
        if self.article is not None:
            return article_records(self.article, settings)
        assert self.dead_letter is not None
        return [self.dead_letter]


class RecordProcessor:
    """Decides the outputs of input records; never raises for a bad input.

    Args:
        enricher: the enrichment core.
        settings: topic names and limits.
        clock: timestamps for dead letters; injectable for tests.
        timer: reports stage durations (decode and dedup here; the enricher its own).
        index: flag each enriched article that duplicates an earlier one
            (``duplicate_of``), and remember the ones that do not.
    """

    def __init__(
        self,
        enricher: Enricher,
        settings: Settings,
        *,
        clock: Callable[[], str] = utc_now,
        timer: StageTimer = no_timing,
        index: DuplicateIndex | None = None,
    ) -> None:
        self.enricher = enricher
        self.settings = settings
        self._clock = clock
        self._timer = timer
        self.index = index

    def __call__(self, record: InputRecord) -> Outcome:
        """The outcome of one record."""
        return self.process_batch([record])[0]

    def process_batch(self, records: Sequence[InputRecord]) -> list[Outcome]:
        """One outcome per record, in order; valid articles go through the NLP together."""
        outcomes: list[Outcome | None] = [None] * len(records)
        valid: list[tuple[int, RawArticle]] = []
        for i, record in enumerate(records):
            try:
                with self._timer("decode"):
                    article = decode_article(record.value, max_body_bytes=self.settings.max_body_bytes)
            except InvalidArticle as exc:
                outcomes[i] = self._dead(record, exc.reason, exc.message, None)
            else:
                valid.append((i, article))
        results = self.enricher.enrich_batch([article for _, article in valid])
        for (i, article), result in zip(valid, results, strict=True):
            if isinstance(result, Exception):
                log.error(
                    "enrichment failed at %s[%d]@%d: %r",
                    records[i].topic,
                    records[i].partition,
                    records[i].offset,
                    result,
                    exc_info=result,
                )
                error = f"{type(result).__name__}: {result}"
                outcomes[i] = self._dead(records[i], "enrichment_failed", error, article.id)
            else:
                outcomes[i] = self._check_duplicate(Outcome(status="enriched", article_id=article.id, article=result))
        return [outcome for outcome in outcomes if outcome is not None]

    def _check_duplicate(self, outcome: Outcome) -> Outcome:
        """Mark the article with ``duplicate_of`` if the index knows its content."""
        if self.index is None or outcome.article is None:
            return outcome
        article = outcome.article
        try:
            with self._timer("dedup"):
                duplicate = self.index.check_and_remember(article.id, fingerprint(article.body))
        except Exception:
            # Flagging is a service to consumers; an article is not lost for it.
            log.exception("duplicate check failed for %s; published without it", article.id)
            return replace(outcome, dedup_failed=True)
        if duplicate is None:
            return outcome
        return replace(outcome, article=replace(article, duplicate_of=duplicate))

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
            replays=replays_of(record.headers),
        )
        key = record.key if record.key is not None else f"{record.topic}:{record.partition}:{record.offset}".encode()
        return Outcome(
            status="dead_letter",
            article_id=article_id,
            dead_letter=OutputRecord(self.settings.topic_dlq, key, encode(letter)),
            reason=reason,
        )

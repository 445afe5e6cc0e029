"""One input record in, its output records out: enriched events or one dead letter.

This is the whole per-record decision of the stream worker, kept free of Faust so it
can be tested directly; the agent only moves bytes in and out of Kafka.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Literal

from workers.exceptions import InvalidArticle, OutputTooLarge, Reason
from workers.models import DeadLetter, EnrichedArticle, RawArticle
from workers.pipeline.decode import decode_article
from workers.pipeline.dedup import DuplicateIndex, fingerprint, index_time
from workers.pipeline.dlq import dead_letter, replays_of
from workers.pipeline.enrich import Enricher, utc_now
from workers.pipeline.events import OutputLimits, OutputRecord, article_records, encode
from workers.pipeline.inflight import InFlightGuard
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

    ``outputs``: every record to publish for it, each within its topic's limit, the
    article event last. ``dedup_failed``: the duplicate check raised; the article goes
    out without it.
    """

    status: Literal["enriched", "dead_letter"]
    outputs: tuple[OutputRecord, ...]
    article_id: str | None = None
    article: EnrichedArticle | None = None
    letter: DeadLetter | None = None
    reason: Reason | None = None
    dedup_failed: bool = False


class RecordProcessor:
    """Decides the outputs of input records; never raises for a bad input.

    Args:
        enricher: the enrichment core.
        settings: topic names and limits.
        clock: timestamps for dead letters; injectable for tests.
        timer: reports stage durations (decode and dedup here; the enricher its own).
        index: flag each enriched article that duplicates an earlier one
            (``duplicate_of``), and remember the ones that do not.
        limits: the size each output topic takes (default: ``max_message_bytes``).
        in_flight: the poison-pill guard: inputs are marked in flight (where every
            worker of the group sees it) before they are processed; one a worker died
            on is processed alone, and one workers died on ``poison_attempts`` times in
            all is dead-lettered as ``poison``.
        before_enrich: called with each article just before its NLP (fault injection).
    """

    def __init__(
        self,
        enricher: Enricher,
        settings: Settings,
        *,
        clock: Callable[[], str] = utc_now,
        timer: StageTimer = no_timing,
        index: DuplicateIndex | None = None,
        limits: OutputLimits | None = None,
        in_flight: InFlightGuard | None = None,
        before_enrich: Callable[[RawArticle], None] | None = None,
    ) -> None:
        self.enricher = enricher
        self.settings = settings
        self.limits = limits or OutputLimits(settings.max_message_bytes)
        self._clock = clock
        self._timer = timer
        self.index = index
        self.in_flight = in_flight
        self._before_enrich = before_enrich

    def __call__(self, record: InputRecord) -> Outcome:
        """The outcome of one record."""
        return self.process_batch([record])[0]

    def process_batch(self, records: Sequence[InputRecord]) -> list[Outcome]:
        """One outcome per record, in order; valid articles go through the NLP together,
        except suspects of a worker's death, which go alone."""
        outcomes: dict[int, Outcome] = {}
        clean: list[int] = []
        suspects: list[int] = []
        for i, record in enumerate(records):
            deaths = self.in_flight.deaths(record) if self.in_flight is not None else 0
            if deaths >= self.settings.poison_attempts:
                error = f"workers died {deaths} times while processing this input; not processed again"
                outcomes[i] = self._dead(record, "poison", error, None, attempts=deaths)
                log.error("poison pill at %s[%d]@%d: %s", record.topic, record.partition, record.offset, error)
            elif deaths:
                suspects.append(i)
            else:
                clean.append(i)
        if self.in_flight is not None and outcomes:
            self.in_flight.forget(records[i] for i in outcomes)
        for group in [clean, *([i] for i in suspects)]:
            if group:
                with self._guarded([records[i] for i in group]):
                    outcomes.update(zip(group, self._process([records[i] for i in group]), strict=True))
        return [outcomes[i] for i in range(len(records))]

    def output_failed(
        self, record: InputRecord, outcome: Outcome, failed: OutputRecord, reason: Reason, error: str
    ) -> Outcome | None:
        """What to publish instead when Kafka refused ``failed`` for good.

        An enriched article's record refused: its input is dead-lettered with
        ``reason`` (``output_too_large`` or ``output_rejected``). A dead letter
        refused: its smallest form, without the input's value and key.

        Returns:
            The outcome to publish instead, or None when nothing smaller is left to try.
        """
        if outcome.letter is None or outcome.reason is None:
            return self._dead(record, reason, f"{failed.topic} refused a record: {error}", outcome.article_id)
        if outcome.letter.value_omitted and outcome.letter.key is None:
            return None
        return self._letter_outcome(record, _smallest(outcome.letter), outcome.reason, keyed=False)

    @contextmanager
    def _guarded(self, records: list[InputRecord]) -> Iterator[None]:
        if self.in_flight is None:
            yield
            return
        self.in_flight.begin(records)
        yield
        self.in_flight.done(records)

    def _process(self, records: Sequence[InputRecord]) -> list[Outcome]:
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
        if self._before_enrich is not None:
            for _, article in valid:
                self._before_enrich(article)
        results = self.enricher.enrich_batch([article for _, article in valid])
        for (i, article), result in zip(valid, results, strict=True):
            record = records[i]
            if isinstance(result, Exception):
                log.error(
                    "enrichment failed at %s[%d]@%d: %r",
                    record.topic,
                    record.partition,
                    record.offset,
                    result,
                    exc_info=result,
                )
                error = f"{type(result).__name__}: {result}"
                outcomes[i] = self._dead(record, "enrichment_failed", error, article.id)
                continue
            result, dedup_failed = self._check_duplicate(result)
            try:
                outputs = article_records(result, self.settings, self.limits)
            except OutputTooLarge as exc:
                outcomes[i] = self._dead(record, "output_too_large", str(exc), article.id)
                continue
            outcomes[i] = Outcome(
                "enriched", tuple(outputs), article_id=article.id, article=result, dedup_failed=dedup_failed
            )
        return [outcome for outcome in outcomes if outcome is not None]

    def _check_duplicate(self, article: EnrichedArticle) -> tuple[EnrichedArticle, bool]:
        """``article`` marked with ``duplicate_of`` if the index knows its content, and
        whether the check failed."""
        if self.index is None or article.body is None:
            return article, False
        try:
            with self._timer("dedup"):
                at = index_time(article) if self.index.window is not None else None
                duplicate = self.index.check_and_remember(article.id, fingerprint(article.body), at)
        except Exception:
            # Flagging is a service to consumers; an article is not lost for it.
            log.exception("duplicate check failed for %s; published without it", article.id)
            return article, True
        if duplicate is None:
            return article, False
        return replace(article, duplicate_of=duplicate), False

    def _dead(
        self, record: InputRecord, reason: Reason, error: str, article_id: str | None, *, attempts: int = 0
    ) -> Outcome:
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
            attempts=attempts,
        )
        return self._letter_outcome(record, letter, reason)

    def _letter_outcome(
        self, record: InputRecord, letter: DeadLetter, reason: Reason, *, keyed: bool = True
    ) -> Outcome:
        """The outcome that publishes ``letter``, keyed by the input's key; in its
        smallest form, keyed by the input's position, if the dead-letter topic would
        not take it whole (a value near the size limit, or a huge key)."""
        position = f"{record.topic}:{record.partition}:{record.offset}".encode()
        out = OutputRecord(
            self.settings.topic_dlq, record.key if keyed and record.key is not None else position, encode(letter)
        )
        if not self.limits.fits(out):
            letter = _smallest(letter)
            out = OutputRecord(self.settings.topic_dlq, position, encode(letter))
        return Outcome("dead_letter", (out,), article_id=letter.article_id, letter=letter, reason=reason)


def _smallest(letter: DeadLetter) -> DeadLetter:
    """``letter`` without the input's value and key (``value_omitted``): the input is
    still at its topic, partition and offset."""
    return replace(letter, value="", key=None, value_omitted=True)

"""Sample events for the sink's tests and benchmark: real enrichment, many ids.

Enriching is slow (a few articles a second), so tests and the benchmark enrich a few
seed articles once and :func:`renumbered` makes as many distinct articles of them as
they need: another article id, and the ids derived from it (event id, claim ids) made
the way the enrichment makes them, so each copy is what the worker would have sent
for an article of that id.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import orjson

from workers.exceptions import Reason
from workers.ids import content_hash, stable_id
from workers.models import RawArticle
from workers.pipeline.dlq import dead_letter
from workers.pipeline.events import encode

__all__ = ["dead_letter_event", "enriched_events", "renumbered", "sample_stream"]


def enriched_events(articles: Sequence[RawArticle], enrich: Any) -> list[dict[str, Any]]:
    """The ``articles.enriched`` events (parsed JSON) of ``articles``.

    Args:
        articles: raw articles (e.g. :func:`workers.inputs.corpus.seed_articles`).
        enrich: a :class:`workers.pipeline.enrich.Enricher` (called on one article).
    """
    return [orjson.loads(encode(enrich(article))) for article in articles]


def renumbered(
    event: dict[str, Any], article_id: str, *, pipeline_version: str | None = None, processed_at: str | None = None
) -> dict[str, Any]:
    """``event`` as if enriched for an article with id ``article_id`` (a deep copy).

    Args:
        event: an ``articles.enriched`` event.
        article_id: the new id.
        pipeline_version: also pretend another pipeline version enriched it.
        processed_at: also pretend it was enriched at this time (RFC 3339).
    """
    copy: dict[str, Any] = orjson.loads(orjson.dumps(event))
    copy["id"] = article_id
    body = copy["body"] or ""
    copy["event_id"] = stable_id(article_id, content_hash(body), length=24)
    for claim in copy["claims"]:
        claim["id"] = stable_id(article_id, claim["cue"]["start"], claim["content"]["start"], claim["content"]["end"])
    if pipeline_version is not None:
        copy["processing"]["pipeline_version"] = pipeline_version
    if processed_at is not None:
        copy["processing"]["processed_at"] = processed_at
    return copy


def sample_stream(events: Sequence[dict[str, Any]], n: int, *, prefix: str = "sample") -> Iterator[dict[str, Any]]:
    """``n`` distinct article events cycling through ``events`` (ids ``<prefix>-<i>``)."""
    for i in range(n):
        yield renumbered(events[i % len(events)], f"{prefix}-{i:06d}")


def dead_letter_event(
    *,
    reason: Reason = "invalid_json",
    error: str = "not JSON",
    partition: int = 0,
    offset: int = 0,
    value: bytes = b"{oops",
) -> dict[str, Any]:
    """An ``articles.dlq`` event (parsed JSON) as the worker publishes it for an input of
    ``articles.raw`` at ``partition``/``offset`` (made by :func:`workers.pipeline.dlq.dead_letter`)."""
    letter = dead_letter(
        reason=reason,
        error=error,
        topic="articles.raw",
        partition=partition,
        offset=offset,
        key=None,
        value=value,
        failed_at="2024-12-05T12:00:00.000Z",
    )
    event: dict[str, Any] = orjson.loads(encode(letter))
    return event

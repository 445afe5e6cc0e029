"""An article's entities and claims that its event left out, joined back: pure, no Kafka.

An ``articles.enriched`` event over its topic's size leaves out its entities and claims
(flags ``entities_omitted``, ``claims_omitted``); they are on the ``entities`` and
``claims`` topics, one event each, keyed by entity or claimant id, so on any partition.
The worker sends the article event only once all of them are acknowledged
(docs/reliability.md), so they lie in those topics between the time the article was
enriched (``processing.processed_at``, stamped before any of them is sent) and the time
its event was sent. :class:`~workers.sink.part_reader.PartReader` reads that window;
this module says which events of it belong to the article and puts them back into its
event, in the order the pipeline gives them (entities by first mention, then id; claims
by content span, then cue), so that the rows are those of the whole event.

A part belongs to the article when it names the article's id and the very processing
(``processed_at``), and its event id is the one the worker derives from the article's
event id (``workers.pipeline.events``): a part of an earlier enrichment of the article,
or of other content under the same id, is not taken.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

from workers.ids import stable_id

__all__ = ["OMITTED_FLAGS", "WantedParts", "join_parts", "omits_parts"]

#: The flags of an article event that left out its entities or claims.
OMITTED_FLAGS = frozenset({"entities_omitted", "claims_omitted"})
_MARKERS = (b'"entities_omitted"', b'"claims_omitted"')


def omits_parts(value: bytes | None) -> dict[str, Any] | None:
    """The event in ``value`` when it is an article event that left out its entities or
    claims; None otherwise (also when it is no event at all: the batch deals with that).

    Cheap for the usual event: it is parsed only when one of the flags' names is in it.
    """
    if value is None or not any(marker in value for marker in _MARKERS):
        return None
    try:
        event = orjson.loads(value)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(event, dict) or not isinstance(event.get("flags"), list):
        return None
    return event if OMITTED_FLAGS & set(map(str, event["flags"])) else None


@dataclass(frozen=True, slots=True)
class WantedParts:
    """What identifies the parts of one article event.

    Args:
        article_id: the article's id.
        event_id: the article event's id (the parts' ids derive from it).
        processed_at: the processing's timestamp, as in the events (text).
        entities, claims: whether the event left out its entities, its claims.
    """

    article_id: str
    event_id: str
    processed_at: str
    entities: bool
    claims: bool

    @classmethod
    def of(cls, event: Mapping[str, Any]) -> WantedParts:
        """The parts ``event`` (an article event that left them out) needs.

        Raises:
            KeyError, TypeError, ValueError: the event lacks an id, event id or
                processing time, or that time is no ISO 8601 time.
        """
        flags = set(map(str, event["flags"]))
        datetime.fromisoformat(event["processing"]["processed_at"])
        return cls(
            str(event["id"]),
            str(event["event_id"]),
            str(event["processing"]["processed_at"]),
            "entities_omitted" in flags,
            "claims_omitted" in flags,
        )

    @property
    def since(self) -> datetime:
        """When the article was enriched: none of its parts was sent before."""
        return datetime.fromisoformat(self.processed_at)

    def entity(self, event: Mapping[str, Any]) -> dict[str, Any] | None:
        """The entity of ``event`` (an ``entities`` event) if it is one of the article's."""
        if not self.entities or not self._ours(event):
            return None
        entity = event.get("entity")
        if not isinstance(entity, dict) or event.get("event_id") != stable_id(
            self.event_id, entity.get("id"), length=24
        ):
            return None
        return entity

    def claim(self, event: Mapping[str, Any]) -> dict[str, Any] | None:
        """The claim of ``event`` (a ``claims`` event) if it is one of the article's."""
        if not self.claims or not self._ours(event):
            return None
        claim = event.get("claim")
        if not isinstance(claim, dict) or event.get("event_id") != stable_id(self.event_id, claim.get("id"), length=24):
            return None
        return claim

    def _ours(self, event: Mapping[str, Any]) -> bool:
        article = event.get("article")
        return (
            isinstance(article, dict)
            and article.get("id") == self.article_id
            and event.get("processed_at") == self.processed_at
        )


def join_parts(
    event: Mapping[str, Any], entities: Iterable[Mapping[str, Any]], claims: Iterable[Mapping[str, Any]]
) -> dict[str, Any]:
    """``event`` with ``entities`` and ``claims`` (the ones it left out) put back.

    Each is taken once by id (a part sent twice is one part), in the pipeline's order.
    What the event did not leave out stays as it is.
    """
    wanted = WantedParts.of(event)
    joined = dict(event)
    if wanted.entities:
        by_id = {str(e["id"]): e for e in entities}
        joined["entities"] = sorted(by_id.values(), key=_entity_order)
    if wanted.claims:
        claim_by_id = {str(c["id"]): c for c in claims}
        joined["claims"] = sorted(claim_by_id.values(), key=_claim_order)
    return joined


def _entity_order(entity: Mapping[str, Any]) -> tuple[int, int, str]:
    # workers/nlp/entities.py: entities sorted by their first mention, then id
    mentions = entity.get("mentions") or [{}]
    first = mentions[0]
    return (int(first.get("start", 0)), int(first.get("end", 0)), str(entity["id"]))


def _claim_order(claim: Mapping[str, Any]) -> tuple[int, int, int, str]:
    # workers/nlp/claims.py: claims sorted by content span, then cue start
    content, cue = claim.get("content") or {}, claim.get("cue") or {}
    return (int(content.get("start", 0)), int(content.get("end", 0)), int(cue.get("start", 0)), str(claim["id"]))

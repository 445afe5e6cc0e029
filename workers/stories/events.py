"""The stage's outputs as typed events: ``stories`` and ``claim-links`` values.

- ``stories`` (keyed by story id): one event each time an article joins or opens a
  story: which article, how it matched and how strongly, and the story as it stands
  (size, sources, first and last seen, leading entities, a label built from them);
- ``claim-links`` (keyed by story id): one event per pair of claims of a story that
  different claimants make about one proposition, ``contradicts`` or ``corroborates``,
  with both claims' ids, spans and the evidence;
- ``trends`` (keyed by entity id): one event when an entity's mentions in a window are
  far above its own baseline (:mod:`workers.stories.trends` finds them).

Schemas: ``schemas/story.v1.json``, ``schemas/claim-link.v1.json`` and
``schemas/trend.v1.json``. The events are dataclasses that orjson serialises as those
objects (``workers.pipeline.events.encode``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from workers.models import SchemaRef
from workers.stories.article import StoryClaim
from workers.stories.assign import Assignment
from workers.stories.links import ClaimLink, polarity

__all__ = [
    "CLAIM_LINK_SCHEMA",
    "STORY_SCHEMA",
    "TREND_SCHEMA",
    "ClaimLinkEvent",
    "LinkedClaim",
    "StoryEntity",
    "StoryEvent",
    "TrendEvent",
    "link_events",
    "link_id",
    "story_event",
    "trend_event",
    "trend_id",
]

STORY_SCHEMA = SchemaRef("story", 1)
CLAIM_LINK_SCHEMA = SchemaRef("claim-link", 1)
TREND_SCHEMA = SchemaRef("trend", 1)


@dataclass(frozen=True, slots=True)
class StoryEntity:
    """A leading entity of a story and its share of the story's entity weight."""

    id: str
    name: str
    weight: float


@dataclass(frozen=True, slots=True)
class StoryEvent:
    """The value on ``stories``: an article joined (or opened) a story."""

    story_id: str
    article_id: str
    at: str
    source: str | None
    matched: str
    score: float
    size: int
    sources: list[str]
    first_seen: str
    last_seen: str
    label: str
    entities: list[StoryEntity]
    version: str
    schema: SchemaRef = STORY_SCHEMA


@dataclass(frozen=True, slots=True)
class LinkedClaim:
    """One side of a claim link: the claim, its article, who made it and where."""

    id: str
    article_id: str
    claimant: str | None
    stance: str
    #: What the claim holds of the proposition linked (its content, or the sentence or
    #: clause of it that was compared): ``asserts`` it, or ``denies`` it (a denial, or a
    #: proposition that negates).
    polarity: str
    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class ClaimLinkEvent:
    """The value on ``claim-links``: two claims of one story about one proposition."""

    link_id: str
    story_id: str
    proposition: str
    kind: str
    claim: LinkedClaim
    other: LinkedClaim
    similarity: float
    shared_entities: list[str]
    version: str
    schema: SchemaRef = CLAIM_LINK_SCHEMA


@dataclass(frozen=True, slots=True)
class TrendEvent:
    """The value on ``trends``: an entity named far more often in one window than its
    baseline (``score`` is ``statistic``'s value; docs/stories.md states it)."""

    trend_id: str
    entity_id: str
    name: str
    label: str
    window_start: str
    window_end: str
    count: int
    baseline: float
    score: float
    statistic: str
    stories: list[str]
    version: str
    schema: SchemaRef = TREND_SCHEMA


def story_event(assignment: Assignment, version: str) -> StoryEvent:
    """The ``stories`` event of one assignment, made by the stage of ``version``."""
    story = assignment.story
    return StoryEvent(
        story_id=story.id,
        article_id=assignment.article_id,
        at=_iso(assignment.at),
        source=assignment.source,
        matched=assignment.matched,
        score=assignment.score,
        size=story.size,
        sources=sorted(story.sources),
        first_seen=_iso(story.first_seen),
        last_seen=_iso(story.last_seen),
        label=story.label,
        entities=[StoryEntity(e, name, w) for e, name, w in story.leading()],
        version=version,
    )


def link_events(assignment: Assignment, version: str) -> list[ClaimLinkEvent]:
    """The ``claim-links`` events of one assignment, in the order they were found."""
    return [_link_event(assignment.story.id, link, version) for link in assignment.links]


def link_id(claim_id: str, other_id: str) -> str:
    """The id of the link between two claims, whichever of them came first."""
    first, second = sorted((claim_id, other_id))
    return "l-" + hashlib.blake2b(f"{first}\0{second}".encode(), digest_size=8).hexdigest()


def trend_id(entity_id: str, window_start: datetime) -> str:
    """The id of the trend of ``entity_id`` in the window that starts at ``window_start``."""
    return "t-" + hashlib.blake2b(f"{entity_id}\0{_iso(window_start)}".encode(), digest_size=8).hexdigest()


def trend_event(
    *,
    entity_id: str,
    name: str,
    label: str,
    window: tuple[datetime, datetime],
    count: int,
    baseline: float,
    score: float,
    statistic: str,
    stories: list[str],
    version: str,
) -> TrendEvent:
    """The ``trends`` event of ``entity_id`` in ``window`` (start, end), made by the stage
    of ``version``; its id depends on the entity and the window's start only, so a replay
    of the same window repeats it."""
    start, end = window
    return TrendEvent(
        trend_id(entity_id, start),
        entity_id,
        name,
        label,
        _iso(start),
        _iso(end),
        count,
        round(baseline, 4),
        round(score, 4),
        statistic,
        stories,
        version,
    )


def _link_event(story_id: str, link: ClaimLink, version: str) -> ClaimLinkEvent:
    return ClaimLinkEvent(
        link_id=link_id(link.claim.id, link.other.id),
        story_id=story_id,
        proposition=link.proposition,
        kind=link.kind,
        claim=_linked(link.claim),
        other=_linked(link.other),
        similarity=link.similarity,
        shared_entities=list(link.shared_entities),
        version=version,
    )


def _linked(claim: StoryClaim) -> LinkedClaim:
    return LinkedClaim(
        claim.id,
        claim.article_id,
        claim.claimant_text,
        claim.stance,
        "asserts" if polarity(claim) > 0 else "denies",
        claim.content,
        claim.content_span[0],
        claim.content_span[1],
    )


def _iso(at: datetime) -> str:
    return at.isoformat().replace("+00:00", "Z")

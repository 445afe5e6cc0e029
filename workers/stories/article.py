"""What the stories stage reads of an enriched article: when, from whom, about what.

The stage sees each article through its ``articles.enriched`` event, never its parse:
the entities the enrichment grouped (one per real-world thing, their ids shared by
every article that names the thing), the claims, the text, the source and the time.
Only names say what a story is about; dates, numbers and amounts are left out of the
entities it compares (every story has a Tuesday).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Final

__all__ = ["NAMED_LABELS", "StoryArticle", "StoryClaim", "propositions", "story_article"]

#: The entity labels that name things; the rest (DATE, TIME, CARDINAL, MONEY, ...) do not.
NAMED_LABELS: Final = frozenset(
    {"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "PRODUCT", "WORK_OF_ART", "LAW"}
)

#: Where one proposition of a content ends and the next begins: between sentences (the
#: break is the space after the stop), and at "and that" joining two complement clauses
#: of one cue (the words dropped).
_PROPOSITION_BREAK: Final = re.compile(
    r"(?:(?<=[.!?])|(?<=[.!?][\"\u201d']))\s+(?=[\"\u201c']?[A-Z])|,?\s+and\s+that\s+"
)
#: Fewer words than this are no proposition of their own ("Yes.", "He did.").
_LEAST_WORDS: Final = 3


@dataclass(frozen=True, slots=True)
class StoryClaim:
    """One claim of an article, as the claim links compare it."""

    id: str
    article_id: str
    #: Who made it: the claimant's entity id, else its folded text; None when unnamed.
    claimant: str | None
    claimant_text: str | None
    cue: str
    stance: str
    content: str
    content_span: tuple[int, int]
    #: Named entities mentioned inside ``part``.
    entities: frozenset[str]
    broad: bool
    #: The proposition of the content this claim stands for, compared with others':
    #: the content itself when it states one (:func:`propositions`).
    part: str = ""

    def __post_init__(self) -> None:
        if not self.part:
            object.__setattr__(self, "part", self.content)


@dataclass(frozen=True, slots=True)
class StoryArticle:
    """One enriched article as the stories stage sees it."""

    id: str
    source: str | None
    at: datetime
    title: str | None
    #: Named entities (id -> salience in [0, 1]).
    entities: Mapping[str, float]
    #: Display names of those entities (id -> name).
    names: Mapping[str, str]
    #: The words the text similarity reads: title and body, or title and claims when
    #: the event left the body out.
    text: str
    claims: tuple[StoryClaim, ...]
    #: The article this one copies (exact or near), as the duplicate index flagged it.
    duplicate_of: str | None


def story_article(event: Mapping[str, Any]) -> StoryArticle:
    """The stage's view of one ``articles.enriched`` event (a decoded JSON object).

    Raises:
        KeyError, ValueError, TypeError: the event lacks what every enriched event has.
    """
    named = [e for e in event.get("entities") or () if e.get("label") in NAMED_LABELS]
    # Every named mention by where it starts, once: a claim then finds its own by bisection.
    mentions = sorted((int(m["start"]), str(e["id"])) for e in named for m in e.get("mentions") or ())
    starts = [start for start, _ in mentions]
    claims = tuple(
        part
        for c in event.get("claims") or ()
        if c.get("content", {}).get("text")
        for part in _claim_parts(c, str(event["id"]), mentions, starts)
    )
    body = event.get("body") or ""
    title = event.get("title") or ""
    text = f"{title}\n{body}" if body else "\n".join([title, *dict.fromkeys(c.content for c in claims)])
    duplicate = event.get("duplicate_of") or {}
    return StoryArticle(
        id=str(event["id"]),
        source=event.get("source") or None,
        at=_time(event),
        title=event.get("title"),
        entities={str(e["id"]): float(e.get("salience") or 0.0) for e in named},
        names={str(e["id"]): str(e["name"]) for e in named},
        text=text,
        claims=claims,
        duplicate_of=str(duplicate["id"]) if duplicate.get("id") else None,
    )


def _time(event: Mapping[str, Any]) -> datetime:
    """When the article happened for the stage: its publication time, else when it was
    enriched (an article without a date is news now)."""
    for value in (event.get("published_at"), (event.get("processing") or {}).get("processed_at")):
        if value:
            at = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
            return at if at.tzinfo else at.replace(tzinfo=UTC)
    raise ValueError("the event has neither published_at nor processing.processed_at")


def _claim_parts(
    claim: Mapping[str, Any], article_id: str, mentions: list[tuple[int, str]], starts: list[int]
) -> list[StoryClaim]:
    """One claim as the propositions its content states (:func:`propositions`): each a
    :class:`StoryClaim` with the claim's id, content and span, its own ``part`` and the
    entities the part names. ``mentions`` are the article's named mentions as (start,
    entity id), sorted, and ``starts`` their starts alone."""
    content = claim["content"]
    start, whole = int(content["start"]), str(content["text"])
    claimant = claim.get("claimant") or {}
    text = claimant.get("text")
    one = StoryClaim(
        id=str(claim["id"]),
        article_id=article_id,
        claimant=claimant.get("entity_id") or (" ".join(str(text).lower().split()) if text else None),
        claimant_text=text,
        cue=str((claim.get("cue") or {}).get("lemma") or ""),
        stance=str(claim.get("stance") or "assert"),
        content=whole,
        content_span=(start, int(content["end"])),
        entities=frozenset(),
        broad=bool(claim.get("broad")),
    )
    parts = []
    for offset, part in propositions(whole):
        begin, end = start + offset, start + offset + len(part)
        inside = frozenset(e for _, e in mentions[bisect_left(starts, begin) : bisect_left(starts, end)])
        parts.append(replace(one, part=part, entities=inside))
    return parts


def propositions(content: str) -> list[tuple[int, str]]:
    """The propositions a claim's content states, as (offset in ``content``, text): its
    sentences ("Lana did not collapse. She finished the show"), and in each the
    complement clauses one cue governs together ("no decision had been taken *and that*
    the offer stood"). Each is true or false on its own, and is linked on its own. A
    piece of fewer than :data:`_LEAST_WORDS` words stays with its neighbour."""
    pieces: list[tuple[int, int]] = []
    begin = 0
    for found in _PROPOSITION_BREAK.finditer(content):
        pieces.append((begin, found.start()))
        begin = found.end()
    pieces.append((begin, len(content)))
    merged: list[tuple[int, int]] = []
    for begin, end in pieces:
        short = len(content[begin:end].split()) < _LEAST_WORDS
        if merged and (short or len(content[slice(*merged[-1])].split()) < _LEAST_WORDS):
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((begin, end))
    return [(begin, content[begin:end]) for begin, end in merged]

"""The story page's view model (issue #22): pure, no database, no HTTP.

A story page shows the story's sizes, its articles by time with each copy under its
original, its leading entities, and its claims ledger: for each proposition the
claims that assert it beside those that deny it, so a contradiction reads side by side.
As everywhere in the explorer, every string is untrusted and escaped by the template.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from workers.web.highlight import LABELS
from workers.web.source import LedgerClaim, StoryMember, StorySummary
from workers.web.views import STANCES, CopyItem, EntityLink, StoryItem, article_href, entity_href, story_item

__all__ = [
    "LedgerSide",
    "MemberView",
    "PropositionView",
    "StoryListPage",
    "StoryPage",
    "proposition_views",
    "story_list_page",
    "story_members",
    "story_page",
]


def _when(moment: datetime | None) -> str:
    return "" if moment is None else moment.strftime("%Y-%m-%d %H:%M")


@dataclass(frozen=True)
class MemberView:
    """One original article of a story, with the copies of it the story holds.

    ``href`` is None while the sink has not written the article (the story stage saw it
    first); ``heading`` is then its id.
    """

    id: str
    href: str | None
    heading: str
    source: str
    at: str
    copies: tuple[CopyItem, ...]


def story_members(members: Sequence[StoryMember]) -> tuple[MemberView, ...]:
    """A story's articles by time, each copy (``duplicate_of`` an article of the story)
    under its original instead of a row of its own."""
    ids = {m.article_id for m in members}
    copies: dict[str, list[StoryMember]] = {}
    for m in members:
        if m.duplicate_of and m.duplicate_of in ids and m.duplicate_of != m.article_id:
            copies.setdefault(m.duplicate_of, []).append(m)
    return tuple(
        MemberView(
            id=m.article_id,
            href=article_href(m.article_id) if m.stored else None,
            heading=(m.title or "").strip() or m.article_id,
            source=m.source or "",
            at=_when(m.at),
            copies=tuple(CopyItem(article_href(c.article_id), c.source or "") for c in copies.get(m.article_id, ())),
        )
        for m in members
        if not (m.duplicate_of and m.duplicate_of in ids and m.duplicate_of != m.article_id)
    )


@dataclass(frozen=True)
class LedgerSide:
    """One claim in the ledger: who, with what stance, and the span it quotes (linked
    to the claim in its article)."""

    claim_id: str
    claimant: str
    stance: str
    stance_class: str
    text: str
    href: str


@dataclass(frozen=True)
class PropositionView:
    """One proposition of the ledger: the claims asserting it beside those denying it."""

    id: str
    statement: str
    contradicted: bool
    asserting: tuple[LedgerSide, ...]
    denying: tuple[LedgerSide, ...]


def _side(claim: LedgerClaim) -> LedgerSide:
    stance = claim.stance if claim.stance in STANCES else "unknown"
    return LedgerSide(
        claim_id=claim.claim_id,
        claimant=(claim.claimant or "").strip() or "(no claimant)",
        stance=claim.stance,
        stance_class=f"stance-{stance}",
        text=claim.text,
        href=f"{article_href(claim.article_id)}#claim-{quote(claim.claim_id, safe='')}",
    )


def proposition_views(ledger: Sequence[LedgerClaim]) -> tuple[PropositionView, ...]:
    """The ledger by proposition, contradicted ones first, then the most claims.

    A proposition is stated by its first claim (the one whose id names it) or, when
    that is not in the ledger, by its first asserting claim.
    """
    groups: dict[str, list[LedgerClaim]] = {}
    for claim in ledger:
        groups.setdefault(claim.proposition, []).append(claim)
    views = []
    for proposition, claims in groups.items():
        asserting = tuple(_side(c) for c in claims if c.polarity == "asserts")
        denying = tuple(_side(c) for c in claims if c.polarity != "asserts")
        first = next((c for c in claims if c.claim_id == proposition), None) or next(
            (c for c in claims if c.polarity == "asserts"), claims[0]
        )
        views.append(
            PropositionView(
                id=proposition,
                statement=first.text,
                contradicted=bool(asserting and denying),
                asserting=asserting,
                denying=denying,
            )
        )
    views.sort(key=lambda v: (not v.contradicted, -(len(v.asserting) + len(v.denying)), v.id))
    return tuple(views)


@dataclass(frozen=True)
class StoryPage:
    """One story: sizes, articles by time (copies collapsed), leading entities, ledger."""

    story: StoryItem
    members: tuple[MemberView, ...]
    entities: tuple[EntityLink, ...]
    propositions: tuple[PropositionView, ...]
    contradictions: int


def _entity_link(entity_id: str, name: str) -> EntityLink:
    # an entity id starts with its label (workers.ids.entity_id); the class needs a schema label
    prefix = entity_id.split(":", 1)[0].upper()
    label = prefix if prefix in LABELS else ""
    return EntityLink(entity_id, entity_href(entity_id), name, label)


def story_page(story: StorySummary, members: Sequence[StoryMember], ledger: Sequence[LedgerClaim]) -> StoryPage:
    """The story page's model."""
    propositions = proposition_views(ledger)
    return StoryPage(
        story=story_item(story),
        members=story_members(members),
        entities=tuple(_entity_link(e.id, e.name) for e in story.entities),
        propositions=propositions,
        contradictions=sum(p.contradicted for p in propositions),
    )


@dataclass(frozen=True)
class StoryListPage:
    """``/stories``: the stories of the last day, and the latest seen."""

    active: tuple[StoryItem, ...]
    recent: tuple[StoryItem, ...]


def story_list_page(active: Sequence[StorySummary], recent: Sequence[StorySummary]) -> StoryListPage:
    """The story list's model (a story active today is not repeated among the recent)."""
    shown = {s.id for s in active}
    return StoryListPage(
        active=tuple(story_item(s) for s in active),
        recent=tuple(story_item(s) for s in recent if s.id not in shown),
    )

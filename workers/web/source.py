"""What the explorer reads from the store: plain records, and the protocol that gives them.

These are the read side: ``Stored*`` records are what a query gives back (an entity
with its counts and place, a claim with its article's title), not the sink's rows of
:mod:`workers.sink` (``ArticleRow``, ``ClaimRow`` ...), which are what it writes.
The pages are built from these records by :mod:`workers.web.views` without a database;
:mod:`workers.web.postgres` is the adapter that reads them from PostgreSQL, and the
tests use an in-memory source with the same methods.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

__all__ = [
    "ArticleSummary",
    "DayCount",
    "Neighbour",
    "RowSource",
    "StoredArticle",
    "StoredClaim",
    "StoredEntity",
    "StoredMention",
]


@dataclass(frozen=True)
class ArticleSummary:
    """One line of the article list.

    Args:
        id: the article id.
        title: its title, if it had one.
        source: the publisher, if given.
        published_at: when it was published, if given.
        stored_at: when the sink stored it (orders the list and the live feed).
        snippet: the start of the body, for articles without a title.
        cursor: the store's position of this row (an integer that orders the rows as
            the live feed sends them); the feed asks for rows after it.
    """

    id: str
    title: str | None
    source: str | None
    published_at: datetime | None
    stored_at: datetime | None
    snippet: str
    cursor: int


@dataclass(frozen=True)
class StoredArticle:
    """One article as stored (body may be missing when the event omitted it)."""

    id: str
    title: str | None
    url: str | None
    source: str | None
    published_at: datetime | None
    body: str | None
    language: str | None
    flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class StoredMention:
    """One mention of an entity in an article: ``body[start:end] == text``."""

    entity_id: str
    name: str
    label: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class StoredClaim:
    """One claim, with the article it was made in.

    Offsets index the article body; ``claimant_*`` are None for a claim without one.
    """

    id: str
    article_id: str
    article_title: str | None
    claimant_text: str | None
    claimant_entity_id: str | None
    cue_text: str
    cue_lemma: str
    content_text: str
    content_start: int
    content_end: int
    kind: str
    stance: str
    broad: bool = False


@dataclass(frozen=True)
class StoredEntity:
    """One entity, with its place when it was geocoded."""

    id: str
    name: str
    label: str
    mentions: int
    articles: int
    place_name: str | None = None
    country_code: str | None = None
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True)
class DayCount:
    """How many times an entity was mentioned in articles of one day."""

    day: date
    mentions: int


@dataclass(frozen=True)
class Neighbour:
    """An entity that appears in the same articles as another, and in how many."""

    entity_id: str
    name: str
    label: str
    articles: int


class RowSource(Protocol):
    """Reads the store. Every method takes its inputs as query parameters, never as SQL.

    Raises (every method):
        StoreUnavailable: the store cannot be read.
    """

    def latest_articles(self, query: str | None, limit: int) -> list[ArticleSummary]:
        """The newest articles, those whose title or body holds ``query`` when given."""
        ...

    def articles_after(self, cursor: int, limit: int) -> list[ArticleSummary]:
        """The oldest ``limit`` articles stored after ``cursor``, oldest first: a page
        of the feed. The feed asks again from the last one's cursor until a page comes
        back short, so a burst larger than a page arrives whole, each article once.
        An article never appears after the feed has passed a cursor above its own."""
        ...

    def newest_cursor(self) -> int:
        """The cursor the live feed starts from: every article after it is yet to be
        sent (0 when there is none)."""
        ...

    def article(self, article_id: str) -> StoredArticle | None:
        """One article, or None."""
        ...

    def mentions(self, article_id: str) -> list[StoredMention]:
        """Every entity mention in one article."""
        ...

    def claims_in(self, article_id: str) -> list[StoredClaim]:
        """Every claim made in one article."""
        ...

    def entity(self, entity_id: str) -> StoredEntity | None:
        """One entity, or None."""
        ...

    def mentions_per_day(self, entity_id: str) -> list[DayCount]:
        """An entity's mentions counted per day of publication (storage when unknown)."""
        ...

    def claims_by(self, entity_id: str, limit: int) -> list[StoredClaim]:
        """Claims whose claimant is the entity, newest first."""
        ...

    def claims_about(self, entity_id: str, limit: int) -> list[StoredClaim]:
        """Claims whose content mentions the entity, newest first."""
        ...

    def neighbours(self, entity_id: str, limit: int) -> list[Neighbour]:
        """Entities that appear in the same articles, most shared articles first."""
        ...

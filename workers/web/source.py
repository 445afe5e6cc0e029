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
    "NUMERIC_LABELS",
    "ArticleSummary",
    "CopyRef",
    "DayCount",
    "LedgerClaim",
    "Neighbour",
    "RowSource",
    "StoredArticle",
    "StoredClaim",
    "StoredEntity",
    "StoredMention",
    "StoryEntity",
    "StoryMember",
    "StorySummary",
]

#: Labels of dates, times and numbers: left out of "appears with" unless asked for
#: (every article of a day names that day; it says nothing about the entity).
NUMERIC_LABELS = ("DATE", "TIME", "CARDINAL", "ORDINAL", "QUANTITY", "MONEY", "PERCENT")


@dataclass(frozen=True)
class CopyRef:
    """An article the duplicate index flagged as a copy of another (``duplicate_of``)."""

    id: str
    source: str | None


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
        copies: how many stored articles are copies of this one (``duplicate_of``).
        copy_refs: some of them (at most a page), oldest first.
    """

    id: str
    title: str | None
    source: str | None
    published_at: datetime | None
    stored_at: datetime | None
    snippet: str
    cursor: int
    copies: int = 0
    copy_refs: tuple[CopyRef, ...] = ()


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
    """One entity, with its counts and its place when it was geocoded.

    An original and its stored copies (``articles.duplicate_of``) count once:
    ``articles`` counts originals naming it, ``mentions`` their mentions;
    ``with_copies`` counts every article naming it, ``sources`` their distinct
    sources (copies included: a copy is another outlet carrying the story), and
    ``stories`` the stories of those articles (0 without the story stage).
    """

    id: str
    name: str
    label: str
    mentions: int
    articles: int
    with_copies: int = 0
    sources: int = 0
    stories: int = 0
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


@dataclass(frozen=True)
class StoryEntity:
    """One of a story's leading entities, as the story stage weighed it."""

    id: str
    name: str
    weight: float


@dataclass(frozen=True)
class StorySummary:
    """A story as its members count it: ``articles`` with copies, ``originals`` without
    them (the story stage's ``matched = 'duplicate'`` left out), distinct ``sources``."""

    id: str
    label: str
    first_seen: datetime
    last_seen: datetime
    articles: int
    originals: int
    sources: int
    entities: tuple[StoryEntity, ...] = ()


@dataclass(frozen=True)
class StoryMember:
    """One article of a story, with what the articles table holds of it (``title`` and
    ``duplicate_of`` None, ``stored`` False until the sink has written the article)."""

    article_id: str
    at: datetime
    source: str | None
    matched: str
    title: str | None
    duplicate_of: str | None
    stored: bool


@dataclass(frozen=True)
class LedgerClaim:
    """One claim of a story's claims ledger: where it stands on its proposition
    (``polarity`` "asserts" or "denies"), with the span of the article it quotes."""

    proposition: str
    claim_id: str
    article_id: str
    claimant: str | None
    stance: str
    polarity: str
    text: str
    start: int
    end: int


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

    def neighbours(self, entity_id: str, limit: int, exclude_labels: tuple[str, ...] = ()) -> list[Neighbour]:
        """Entities that appear in the same originals, most shared first, none of whose
        label is in ``exclude_labels``."""
        ...

    def active_stories(self, limit: int) -> list[StorySummary]:
        """The stories of the stream's last day, most originals first, then sources
        (none when the store has no story tables)."""
        ...

    def recent_stories(self, limit: int) -> list[StorySummary]:
        """Stories, the latest seen first."""
        ...

    def story(self, story_id: str) -> StorySummary | None:
        """One story, or None."""
        ...

    def story_members(self, story_id: str) -> list[StoryMember]:
        """A story's articles by their time in the stream."""
        ...

    def story_ledger(self, story_id: str) -> list[LedgerClaim]:
        """A story's linked claims, each once per proposition."""
        ...

    def story_of(self, article_id: str) -> StorySummary | None:
        """The story an article is in, or None."""
        ...

    def entity_stories(self, entity_id: str, limit: int) -> list[StorySummary]:
        """Stories with an article naming the entity, the latest seen first."""
        ...

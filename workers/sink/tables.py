"""The sink's rows, one type per table: ``NamedTuple``s whose fields are the table's
columns in order (``migrations/0001_init.sql``; the story stage's tables
``migrations/0005_stories.sql``, without their ``written_at``), so ``COPY`` and
``INSERT`` take them as they are.

Made from events by :mod:`workers.sink.rows`; written by :mod:`workers.sink.store`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

__all__ = [
    "ArticleEntityRow",
    "ArticleRow",
    "ArticleRows",
    "ClaimLinkRow",
    "ClaimRow",
    "DeadLetterRow",
    "EntityRow",
    "MentionRow",
    "StageRows",
    "StoryArticleRow",
    "StoryEventRows",
    "StoryRow",
    "TrendRow",
]


class ArticleRow(NamedTuple):
    article_id: str
    event_id: str
    content_hash: str | None
    pipeline_version: str
    model: str
    model_version: str
    processed_at: datetime
    title: str | None
    body: str | None
    source: str | None
    url: str | None
    language: str | None
    detected_language: str | None
    language_confidence: float | None
    published_at: datetime | None
    published_at_text: str | None
    flags: list[str]
    duplicate_of: str | None
    duplicate_kind: str | None
    duplicate_similarity: float | None
    entity_count: int
    claim_count: int
    kafka_topic: str
    kafka_partition: int
    kafka_offset: int


class EntityRow(NamedTuple):
    entity_key: str
    name: str
    label: str
    geonames_id: int | None
    geo_name: str | None
    feature_class: str | None
    country_code: str | None
    latitude: float | None
    longitude: float | None
    first_seen_at: datetime
    last_seen_at: datetime


class ArticleEntityRow(NamedTuple):
    article_id: str
    entity_key: str
    name: str
    label: str
    salience: float | None
    date: str | None
    mention_count: int


class MentionRow(NamedTuple):
    article_id: str
    ordinal: int
    entity_key: str
    start_offset: int
    end_offset: int
    text: str
    title: str | None


class ClaimRow(NamedTuple):
    claim_id: str
    article_id: str
    ordinal: int
    claimant_key: str | None
    claimant_text: str | None
    claimant_start: int | None
    claimant_end: int | None
    cue_text: str
    cue_lemma: str
    cue_start: int
    cue_end: int
    content: str
    content_start: int
    content_end: int
    kind: str
    stance: str
    channel: str | None
    channel_start: int | None
    channel_end: int | None
    recipient: str | None
    original_speaker_key: str | None
    original_speaker_text: str | None
    broad: bool


class DeadLetterRow(NamedTuple):
    read_topic: str
    read_partition: int
    read_offset: int
    origin: str
    reason: str
    error: str
    topic: str | None
    partition: int | None
    offset: int | None
    key: str | None
    value: str | None
    value_encoding: str | None
    failed_at: datetime | None
    article_id: str | None
    replays: int
    attempts: int
    value_omitted: bool


@dataclass(frozen=True, slots=True)
class ArticleRows:
    """Everything one article event writes."""

    article: ArticleRow
    entities: tuple[EntityRow, ...]
    article_entities: tuple[ArticleEntityRow, ...]
    mentions: tuple[MentionRow, ...]
    claims: tuple[ClaimRow, ...]

    @property
    def article_id(self) -> str:
        return self.article.article_id

    @property
    def version(self) -> tuple[str, str]:
        """What makes two events of one article the same: event id (content) and pipeline."""
        return (self.article.event_id, self.article.pipeline_version)


class StoryRow(NamedTuple):
    story_id: str
    label: str
    size: int
    sources: list[str]
    first_seen: datetime
    last_seen: datetime
    entities: list[dict[str, Any]]
    version: str


class StoryArticleRow(NamedTuple):
    article_id: str
    story_id: str
    matched: str
    score: float
    at: datetime
    source: str | None
    version: str


class ClaimLinkRow(NamedTuple):
    link_id: str
    story_id: str
    proposition: str
    kind: str
    claim_id: str
    claim_article_id: str
    claim_claimant: str | None
    claim_stance: str
    claim_polarity: str
    claim_text: str
    claim_start: int
    claim_end: int
    other_id: str
    other_article_id: str
    other_claimant: str | None
    other_stance: str
    other_polarity: str
    other_text: str
    other_start: int
    other_end: int
    similarity: float
    shared_entities: list[str]
    version: str


class TrendRow(NamedTuple):
    trend_id: str
    entity_key: str
    name: str
    label: str
    window_start: datetime
    window_end: datetime
    count: int  # type: ignore[assignment]  # the table's column; shadows tuple.count, never called on a row
    baseline: float
    score: float
    statistic: str
    stories: list[str]
    version: str


@dataclass(frozen=True, slots=True)
class StoryEventRows:
    """Everything one ``stories`` event writes: the story as it stands, and the
    article's membership."""

    story: StoryRow
    member: StoryArticleRow


#: The rows of one event of the story stage, in the order the sink read them.
StageRows = StoryEventRows | ClaimLinkRow | TrendRow

"""Typed models for every message that crosses Kafka.

Each model has a JSON Schema in ``schemas/`` (the file name carries the version), and
the tests validate real output against it. The models are frozen dataclasses rather
than ``faust.Record``: the enrichment core must not depend on Kafka or Faust, and orjson
serializes dataclasses natively (field order is the wire order).

Offsets everywhere are Unicode code-point offsets into ``RawArticle.body`` exactly as
received, end exclusive, so ``body[start:end] == text`` holds for every span.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

__all__ = [
    "ARTICLE_SCHEMA",
    "CLAIM_SCHEMA",
    "DEAD_LETTER_SCHEMA",
    "ENTITY_SCHEMA",
    "RAW_ARTICLE_SCHEMA",
    "ArticleRef",
    "Claim",
    "ClaimEvent",
    "ClaimKind",
    "Claimant",
    "Cue",
    "DeadLetter",
    "DuplicateOf",
    "EnrichedArticle",
    "Entity",
    "EntityEvent",
    "Geo",
    "Mention",
    "Processing",
    "RawArticle",
    "SchemaRef",
    "Span",
    "Stance",
]

#: How the content is given: a quotation, reported speech, reported speech holding a
#: quoted fragment, or a belief attributed to the claimant (whatever its form).
ClaimKind = Literal["direct", "indirect", "mixed", "belief"]
#: What the cue says about the claimant's position; "assert" is the neutral default.
Stance = Literal["assert", "confirm", "deny", "accuse", "warn", "promise", "question"]


@dataclass(frozen=True, slots=True)
class SchemaRef:
    """Names the JSON Schema an event conforms to (``schemas/<name>.v<version>.json``)."""

    name: str
    version: int


RAW_ARTICLE_SCHEMA = SchemaRef("raw-article", 1)
ARTICLE_SCHEMA = SchemaRef("enriched-article", 1)
#: Version 2 of the claim and entity events adds ``pipeline_version`` (issue #20).
CLAIM_SCHEMA = SchemaRef("claim", 2)
ENTITY_SCHEMA = SchemaRef("entity", 2)
DEAD_LETTER_SCHEMA = SchemaRef("dead-letter", 1)


@dataclass(frozen=True, slots=True)
class RawArticle:
    """The value on ``articles.raw`` after validation; ``id`` is always set."""

    id: str
    body: str
    title: str | None = None
    url: str | None = None
    source: str | None = None
    published_at: str | None = None
    language: str | None = None


@dataclass(frozen=True, slots=True)
class Span:
    """A stretch of the body: ``body[start:end] == text``."""

    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Mention:
    """One occurrence of an entity in the body: the name as written.

    A title written before a person's name ("Mr", "President", "Major") is not part
    of the span (nor of the entity's name) but is kept here as written.
    """

    text: str
    start: int
    end: int
    title: str | None = None


@dataclass(frozen=True, slots=True)
class Geo:
    """Where a place is, from the GeoNames gazetteer (https://www.geonames.org/).

    ``feature_class`` is GeoNames' one-letter class: "P" a populated place, "A" a
    country, state or region, "L" a continent or area. Coordinates are absent for the
    kinds the packaged gazetteer gives no point for (countries and US states).
    """

    geonames_id: int
    name: str
    feature_class: str
    country_code: str | None = None
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True, slots=True)
class Entity:
    """One real-world thing named in an article, with all of its mentions.

    ``id`` is derived from the label and canonical name, so it is stable within an
    article and the same thing gets the same id across articles.
    """

    id: str
    name: str
    label: str
    mentions: tuple[Mention, ...]
    #: How central the entity is to the article, 0..1 (mentions, position, title).
    salience: float | None = None
    #: For a place found in the gazetteer: where it is. Unknown places have none.
    geo: Geo | None = None
    #: For a DATE that names a calendar day, month or year: it as ISO 8601
    #: ("2024-11-28", "2011-03", "2016"), relative dates resolved by ``published_at``.
    date: str | None = None


@dataclass(frozen=True, slots=True)
class Claimant:
    """Who made a claim, as written; ``entity_id`` links it to an ``Entity``."""

    text: str
    start: int
    end: int
    entity_id: str | None = None


@dataclass(frozen=True, slots=True)
class Cue:
    """The word or phrase that attributes a claim ("said", "according to")."""

    text: str
    lemma: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Claim:
    """An attributed statement: ``claimant -[cue]-> content``."""

    id: str
    claimant: Claimant | None
    cue: Cue
    content: Span
    kind: ClaimKind
    stance: Stance
    #: Where the claim was made: "on Telegram", "in a statement", "told The Associated Press".
    channel: Span | None = None
    #: Whom the claimant addressed: "told reporters", "told The Associated Press".
    recipient: Span | None = None
    #: Whom the claimant was quoting: "..., quoting a local commander, Major X".
    original_speaker: Claimant | None = None
    #: Only a broad attribution scheme counts this claim: its content is not a
    #: statement given as uttered or written (a belief, evidence from a document or
    #: data, a position, a request's act, a nominal report, a naming); see
    #: ``workers.nlp.cues``. Consumers that want reported speech only drop these.
    broad: bool = False


@dataclass(frozen=True, slots=True)
class DuplicateOf:
    """An earlier article with the same (``exact``) or nearly the same (``near``) text."""

    id: str
    kind: Literal["exact", "near"]
    similarity: float


@dataclass(frozen=True, slots=True)
class Processing:
    """How and when an article was enriched."""

    pipeline_version: str
    model: str
    model_version: str
    processed_at: str


@dataclass(frozen=True, slots=True)
class EnrichedArticle:
    """The value on ``articles.enriched``: one event per input article."""

    event_id: str
    id: str
    #: None only when the event would have been too large for its topic (flag
    #: ``body_omitted``); the body is then on ``articles.raw`` under the same id.
    body: str | None
    title: str | None
    url: str | None
    source: str | None
    published_at: str | None
    language: str | None
    entities: tuple[Entity, ...]
    claims: tuple[Claim, ...]
    #: What screening noticed: "html" (tags were blanked for the NLP), "non_english"
    #: (not enriched: the model is English), "no_sentence_punctuation".
    flags: tuple[str, ...]
    processing: Processing
    #: Set by the stream worker's duplicate index; offline enrichment leaves it None.
    duplicate_of: DuplicateOf | None = None
    #: The language detected on the body's prose (CLD2's code: "en", "de", "zh-Hant"),
    #: whatever ``language`` was declared; None when there was too little prose to tell.
    detected_language: str | None = None
    #: The detector's confidence in ``detected_language``, 0..1 (CLD2's share of the
    #: prose in that language, halved when CLD2 calls it unreliable); None when not asked.
    language_confidence: float | None = None
    schema: SchemaRef = ARTICLE_SCHEMA


@dataclass(frozen=True, slots=True)
class ArticleRef:
    """Enough of the source article for a consumer of a derived topic to find it."""

    id: str
    title: str | None
    url: str | None
    source: str | None
    published_at: str | None


@dataclass(frozen=True, slots=True)
class ClaimEvent:
    """The value on ``claims``: one event per claim, keyed by the claimant's entity id."""

    event_id: str
    article: ArticleRef
    claim: Claim
    processed_at: str
    #: The article event's ``processing.pipeline_version``: what made this claim.
    pipeline_version: str
    schema: SchemaRef = CLAIM_SCHEMA


@dataclass(frozen=True, slots=True)
class EntityEvent:
    """The value on ``entities``: one event per distinct entity per article."""

    event_id: str
    article: ArticleRef
    entity: Entity
    processed_at: str
    #: The article event's ``processing.pipeline_version``: what made this entity event.
    pipeline_version: str
    schema: SchemaRef = ENTITY_SCHEMA


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """The value on ``articles.dlq``: an input that could not be enriched.

    ``value`` is the original bytes as text when they are valid UTF-8, else base64
    (``value_encoding`` says which), so nothing about the input is lost.
    """

    reason: str
    error: str
    topic: str
    partition: int
    offset: int
    key: str | None
    value: str
    value_encoding: Literal["utf-8", "base64"]
    failed_at: str
    article_id: str | None = None
    #: How often the input had been replayed from this topic before it failed again
    #: (the ``newsflow-replays`` header; ``newsflow dlq replay`` stops at a limit).
    replays: int = 0
    #: For ``poison``: how many workers died while the input was in flight.
    attempts: int = 0
    #: The dead letter would have been too large for the dead-letter topic, so it
    #: leaves the value out (``value`` is empty); the input is still at
    #: ``topic``/``partition``/``offset`` for as long as that topic keeps it.
    value_omitted: bool = False
    schema: SchemaRef = field(default=DEAD_LETTER_SCHEMA)

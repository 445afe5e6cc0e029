"""Assign a stream of enriched articles to stories, online and in one pass.

Each article is compared with the stories that are still open (stream time: the
newest article time seen, minus ``idle``) and whose time span, widened by ``idle`` on
either side, holds the article's time: an article late in the stream (a re-feed, a
backlog) joins only stories of its own days. The match
of an article and a story is

    score = entity_weight * cos(entities) + (1 - entity_weight) * cos(text)

where ``cos(entities)`` compares the article's named entities, weighted by salience,
with the sum of the story's, and ``cos(text)`` the article's TF-IDF vector with the sum
of the story's (:mod:`workers.stories.text`). The article joins the best story scoring
at least ``threshold``, or opens a new one. When entities count (``entity_weight``
above 0), an article and a story that both name entities but none in common are not
matched at all, however alike their words: two earthquakes in two countries. An article the duplicate index flagged as a
copy joins its original's story without being compared (``matched="duplicate"``). Only
stories sharing a named entity or one of the article's leading words with it are
scored, so the cost of an article grows with the stories it could join, not with all.

A story closes when no article joined it for ``idle``: its state is dropped, so the
state is bounded by the articles of one ``idle`` window. The ids are deterministic
(the story of an article is named after the article that opened it), so the same
stream gives the same stories, offline or in the stage.

When an article joins, each of its claims is compared with the claims the story holds
(at most ``claims_kept``, the newest) and with the article's other claims
(:mod:`workers.stories.links`); the entities of the story's label are its topic, and
do not count as an entity two claims share.
"""

from __future__ import annotations

import hashlib
import math
from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Final, Literal, TypeVar

import numpy as np
from scipy import sparse

from workers.stories.article import StoryArticle, StoryClaim
from workers.stories.links import ClaimLink, link
from workers.stories.text import TextModel, cosine

__all__ = ["Assignment", "Story", "StoryAssigner", "StoryParams", "story_id"]

Matched = Literal["new", "entities_and_text", "duplicate"]
K = TypeVar("K")

#: Leading words of an article that index the stories it could join.
_INDEX_TERMS: Final = 12
#: Named entities of a story shown as what it is about, and that make its label.
_LEADING: Final = 5
#: Leading entities of a story that are its topic (those of its label): two claims
#: naming one of them are not thereby about one proposition.
_TOPIC: Final = 3


@dataclass(frozen=True, slots=True)
class StoryParams:
    """How articles are matched to stories and claims to each other."""

    #: Least score to join a story (chosen on the development stream: docs/stories.md).
    threshold: float = 0.2
    #: Share of the score from the entities (the rest from the text).
    entity_weight: float = 0.5
    #: A story closes when no article joined it for this long (stream time).
    idle: timedelta = timedelta(days=3)
    #: Claims of a story kept for linking (the newest).
    claims_kept: int = 200
    #: Least content cosine of two claims about one proposition (chosen on the
    #: development stream: docs/stories.md).
    link_threshold: float = 0.3
    #: The same, when the two contents name a common entity.
    link_shared_threshold: float = 0.25


def story_id(article_id: str) -> str:
    """The id of the story the article ``article_id`` opened."""
    return "s-" + hashlib.blake2b(article_id.encode(), digest_size=8).hexdigest()


@dataclass(slots=True)
class Story:
    """An open story: what its articles have in common so far."""

    id: str
    first_seen: datetime
    last_seen: datetime
    size: int = 0
    sources: set[str] = field(default_factory=set)
    entities: dict[str, float] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    text: sparse.csr_matrix | None = None
    terms: set[int] = field(default_factory=set)
    claims: deque[tuple[StoryClaim, sparse.csr_matrix]] = field(default_factory=deque)
    articles: set[str] = field(default_factory=set)

    def leading(self, n: int = _LEADING) -> list[tuple[str, str, float]]:
        """The story's ``n`` leading entities: (id, name, share of the entity weight)."""
        total = sum(self.entities.values()) or 1.0
        ranked = sorted(self.entities.items(), key=lambda kv: (-kv[1], kv[0]))[:n]
        return [(e, self.names.get(e, e), round(w / total, 4)) for e, w in ranked]

    @property
    def label(self) -> str:
        """A label built from the leading entities ("Hama / Syria / insurgents")."""
        return " / ".join(name for _, name, _ in self.leading(3)) or "(no named entity)"


@dataclass(frozen=True, slots=True)
class Assignment:
    """Where an article went: its story (after it joined), how and how strongly, and
    the claim links it made."""

    article_id: str
    story: Story
    matched: Matched
    score: float
    links: tuple[ClaimLink, ...]


class StoryAssigner:
    """Assigns articles to stories in the order given; see the module docstring.

    Args:
        params: thresholds, weights and the idle time.
        text: the TF-IDF model (shared, so its document counts grow with the stream).
    """

    def __init__(self, params: StoryParams | None = None, text: TextModel | None = None) -> None:
        self.params = params or StoryParams()
        self.text = text or TextModel()
        self.stories: dict[str, Story] = {}
        self._story_of: dict[str, str] = {}
        self._by_entity: dict[str, set[str]] = {}
        self._by_term: dict[int, set[str]] = {}
        self._now: datetime | None = None

    def assign(self, article: StoryArticle) -> Assignment:
        """Put ``article`` in a story (an open one or a new one) and link its claims."""
        self._advance(article.at)
        counts = self.text.counts(article.text)
        self.text.observe(counts)
        vector = self.text.vector(counts)
        matched: Matched = "entities_and_text"
        original = self._story_of.get(article.duplicate_of or "")
        found = self.stories.get(original) if original is not None else None
        if found is not None:
            story, matched, score = found, "duplicate", 1.0
        else:
            best, score = self._best(article, vector)
            if best is None:
                best = Story(story_id(article.id), article.at, article.at)
                self.stories[best.id] = best
                matched, score = "new", 0.0
            story = best
        links = self._link(article, story)
        self._add(story, article, vector)
        return Assignment(article.id, story, matched, round(score, 4), tuple(links))

    def __iter__(self) -> Iterator[Story]:
        return iter(self.stories.values())

    def _advance(self, at: datetime) -> None:
        """Move stream time to ``at`` (never back) and close the stories idle since."""
        if self._now is not None and at <= self._now:
            return
        self._now = at
        cutoff = at - self.params.idle
        for story in [s for s in self.stories.values() if s.last_seen < cutoff]:
            self._close(story)

    def _close(self, story: Story) -> None:
        del self.stories[story.id]
        for article_id in story.articles:
            self._story_of.pop(article_id, None)
        for entity in story.entities:
            _discard(self._by_entity, entity, story.id)
        for term in story.terms:
            _discard(self._by_term, term, story.id)

    def _candidates(self, article: StoryArticle, vector: sparse.csr_matrix) -> set[str]:
        found: set[str] = set()
        for entity in article.entities:
            found |= self._by_entity.get(entity, set())
        for term in _leading_terms(vector):
            found |= self._by_term.get(term, set())
        return found

    def _best(self, article: StoryArticle, vector: sparse.csr_matrix) -> tuple[Story | None, float]:
        best: Story | None = None
        best_score = self.params.threshold
        w = self.params.entity_weight
        idle = self.params.idle
        for sid in sorted(self._candidates(article, vector)):
            story = self.stories[sid]
            if not story.first_seen - idle <= article.at <= story.last_seen + idle:
                continue  # a late article from before the story, or one long after it
            entities = _entity_cosine(article.entities, story.entities)
            if w and not entities and article.entities and story.entities:
                continue  # both name who and where, and none in common: another event
            score = w * entities + (1 - w) * cosine(vector, story.text)
            if score >= best_score and (best is None or score > best_score):
                best, best_score = story, score
        return (best, best_score) if best is not None else (None, 0.0)

    def _link(self, article: StoryArticle, story: Story) -> list[ClaimLink]:
        p = self.params
        names = {**story.names, **article.names}
        earlier = list(story.claims)
        topic = frozenset(e for e, _, _ in story.leading(_TOPIC)) if story.size else frozenset()
        links: list[ClaimLink] = []
        for claim in article.claims:
            vector = self.text.vector(self.text.counts(claim.content))
            links += link(
                claim,
                vector,
                earlier,
                same_threshold=p.link_threshold,
                shared_threshold=p.link_shared_threshold,
                names=names,
                topic=topic,
            )
            earlier.append((claim, vector))
        return links

    def _add(self, story: Story, article: StoryArticle, vector: sparse.csr_matrix) -> None:
        story.size += 1
        story.last_seen = max(story.last_seen, article.at)
        story.first_seen = min(story.first_seen, article.at)
        story.articles.add(article.id)
        self._story_of[article.id] = story.id
        if article.source:
            story.sources.add(article.source)
        for entity, salience in article.entities.items():
            story.entities[entity] = story.entities.get(entity, 0.0) + salience
            self._by_entity.setdefault(entity, set()).add(story.id)
        story.names.update(article.names)
        story.text = vector if story.text is None else story.text + vector
        for term in _leading_terms(vector):
            story.terms.add(term)
            self._by_term.setdefault(term, set()).add(story.id)
        for claim in article.claims:
            story.claims.append((claim, self.text.vector(self.text.counts(claim.content))))
        while len(story.claims) > self.params.claims_kept:
            story.claims.popleft()


def _leading_terms(vector: sparse.csr_matrix) -> list[int]:
    if vector.nnz <= _INDEX_TERMS:
        return [int(i) for i in vector.indices]
    top = np.argpartition(-vector.data, _INDEX_TERMS)[:_INDEX_TERMS]
    return [int(i) for i in vector.indices[top]]


def _entity_cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    dot = sum(w * b.get(e, 0.0) for e, w in a.items())
    if not dot:
        return 0.0
    na = math.sqrt(sum(w * w for w in a.values()))
    nb = math.sqrt(sum(w * w for w in b.values()))
    return dot / (na * nb) if na and nb else 0.0


def _discard(index: dict[K, set[str]], key: K, sid: str) -> None:
    ids = index.get(key)
    if ids is not None:
        ids.discard(sid)
        if not ids:
            del index[key]

"""Assign a stream of enriched articles to stories, online and in one pass.

Each article is compared with the stories that are still open (stream time: the
newest article time seen, minus ``idle``) and whose time span, widened by ``idle`` on
either side, holds the article's time: an article late in the stream (a re-feed, a
backlog) joins only stories of its own days. The match
of an article and a story is

    score = entity_weight * cos(entities) + (1 - entity_weight) * cos(text)

where ``cos(entities)`` compares the article's named entities, weighted by salience,
with the sum of the story's, each entity by its name whatever its label (an entity id
is its label and name: "Leeds" tagged a place in one article and an organisation in
the next is one city to the story, :func:`thing`), and ``cos(text)`` the article's TF-IDF vector with the sum
of the story's (:mod:`workers.stories.text`). The article joins the best story scoring
at least ``threshold``, or opens a new one. When entities count (``entity_weight``
above 0), an article and a story that both name entities but none in common are not
matched at all, however alike their words: two earthquakes in two countries. An
article the duplicate index flagged as a
copy joins its original's story without being compared (``matched="duplicate"``). Only
stories sharing a named entity or one of the article's leading words with it are
scored, so the cost of an article grows with the stories it could join, not with all.

A story closes when no article joined it for ``idle``: its state is dropped. A story
that never goes quiet is bounded too: it keeps its ``story_terms`` heaviest words, its
``story_entities`` heaviest entities, its ``claims_kept`` newest claims and the words
that index it from its newest articles only, and the copies' lookup (article id ->
story) holds the articles of the last ``idle``. So the state is bounded by the open
stories, whatever their age. The ids are deterministic
(the story of an article is named after the article that opened it), so the same
stream gives the same stories, offline or in the stage.

When an article joins, each of its claims is compared with the claims the story holds
(at most ``claims_kept``, the newest) and with the article's other claims, all at once
as one product of their TF-IDF matrices, the words of the story's topic (the names of
its leading entities) left out (:mod:`workers.stories.links`). A copy's claims
are neither linked nor kept: they say again what its original said.
"""

from __future__ import annotations

import hashlib
import math
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Final, Literal, TypeVar

import numpy as np

from workers.stories.article import StoryArticle, StoryClaim
from workers.stories.links import ClaimLink, link
from workers.stories.text import SparseVector, TextModel, add, cosines, norm, row_dot

__all__ = ["Assignment", "Story", "StoryAssigner", "StoryParams", "story_id", "thing", "things"]

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
    #: Words of a story's text kept (the heaviest), and named entities.
    story_terms: int = 1000
    story_entities: int = 200
    #: Words indexing a story for candidate lookup (from its newest articles).
    index_terms: int = 240
    #: Least content cosine of two claims about one proposition (chosen on the
    #: development stream: docs/stories.md).
    link_threshold: float = 0.3
    #: The same, when the two contents name a common entity.
    link_shared_threshold: float = 0.25
    #: Least content cosine of a corroboration with no anchor (no common non-topic
    #: entity, no common number): docs/stories.md.
    link_agree_threshold: float = 0.6


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
    text: SparseVector | None = None
    #: The norm of ``text`` (a sum of unit vectors), for its cosine.
    text_norm: float = 0.0
    #: Index words, newest last (each indexes the story in the assigner).
    terms: deque[int] = field(default_factory=deque)
    #: The newest claims, and their content vectors (in the same order).
    claims: list[StoryClaim] = field(default_factory=list)
    claim_vectors: list[SparseVector] = field(default_factory=list)
    #: Claim id -> the proposition it states (the id of the proposition's first claim),
    #: for the linked claims among ``claims``.
    propositions: dict[str, str] = field(default_factory=dict)
    #: ``entities`` by name (:func:`things`), made when first asked for after a change.
    matching: dict[str, float] | None = field(default=None, repr=False, compare=False)

    def things(self) -> dict[str, float]:
        """The story's entity weights by name, whatever their labels (:func:`thing`)."""
        if self.matching is None:
            self.matching = things(self.entities)
        return self.matching

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
    #: The article's time in the stream and its source.
    at: datetime
    source: str | None
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
        #: Article id -> story, for copies; with the arrival order to expire it.
        self._story_of: dict[str, str] = {}
        self._arrivals: deque[tuple[datetime, str]] = deque()
        self._by_entity: dict[str, set[str]] = {}
        self._by_term: dict[int, set[str]] = {}
        self._now: datetime | None = None
        #: Story id -> its leading names and their word columns (see ``_topic_words``).
        self._topic_columns: dict[str, tuple[tuple[str, ...], np.ndarray]] = {}

    def assign(self, article: StoryArticle) -> Assignment:
        """Put ``article`` in a story (an open one or a new one) and link its claims."""
        self._advance(article.at)
        original = self._story_of.get(article.duplicate_of or "")
        copied = self.stories.get(original) if original is not None else None
        # A copy says again what its original said: its claims add no link and no claim.
        fresh = copied is None and bool(article.claims)
        counts = self.text.counts([article.text, *(c.part for c in article.claims if fresh)])
        self.text.observe(counts[0])
        vector, *claim_vectors = self.text.weigh(counts)
        terms = _leading_terms(vector)
        matched: Matched = "entities_and_text"
        if copied is not None:
            story, matched, score = copied, "duplicate", 1.0
        else:
            best, score = self._best(article, vector, terms)
            if best is None:
                best = Story(story_id(article.id), article.at, article.at)
                self.stories[best.id] = best
                matched, score = "new", 0.0
            story = best
        links = self._link(article, story, claim_vectors) if fresh else []
        self._add(story, article, vector, terms, claim_vectors)
        return Assignment(article.id, article.at, article.source, story, matched, round(score, 4), tuple(links))

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
        while self._arrivals and self._arrivals[0][0] < cutoff:
            self._story_of.pop(self._arrivals.popleft()[1], None)

    def state_size(self) -> dict[str, int]:
        """How much the assigner holds: open stories, and the entries of its lookups."""
        return {
            "stories": len(self.stories),
            "story_terms": sum(len(s.text[0]) for s in self.stories.values() if s.text is not None),
            "story_entities": sum(len(s.entities) for s in self.stories.values()),
            "story_claims": sum(len(s.claims) for s in self.stories.values()),
            "copies_lookup": len(self._story_of),
            "entity_index": sum(len(v) for v in self._by_entity.values()),
            "term_index": sum(len(v) for v in self._by_term.values()),
        }

    def _close(self, story: Story) -> None:
        del self.stories[story.id]
        self._topic_columns.pop(story.id, None)
        for name in story.things():
            _discard(self._by_entity, name, story.id)
        for term in story.terms:
            _discard(self._by_term, term, story.id)

    def _candidates(self, names: Iterable[str], terms: list[int]) -> set[str]:
        """The open stories sharing one of ``names`` (entity names) or ``terms``."""
        found: set[str] = set()
        for name in names:
            found |= self._by_entity.get(name, set())
        for term in terms:
            found |= self._by_term.get(term, set())
        return found

    def _best(self, article: StoryArticle, vector: SparseVector, terms: list[int]) -> tuple[Story | None, float]:
        best: Story | None = None
        best_score = self.params.threshold
        w = self.params.entity_weight
        idle = self.params.idle
        named = things(article.entities)
        for sid in sorted(self._candidates(named, terms)):
            story = self.stories[sid]
            if not story.first_seen - idle <= article.at <= story.last_seen + idle:
                continue  # a late article from before the story, or one long after it
            entities = _entity_cosine(named, story.things())
            if w and not entities and article.entities and story.entities:
                continue  # both name who and where, and none in common: another event
            text = row_dot(vector, story.text) / story.text_norm if story.text is not None else 0.0
            score = w * entities + (1 - w) * text
            if score >= best_score and (best is None or score > best_score):
                best, best_score = story, score
        return (best, best_score) if best is not None else (None, 0.0)

    def _link(self, article: StoryArticle, story: Story, vectors: list[SparseVector]) -> list[ClaimLink]:
        """Each claim of ``article`` against the story's claims and the article's earlier ones."""
        p = self.params
        names = {**story.names, **article.names}
        leading = story.leading(_TOPIC) if story.size else []
        topic = frozenset(e for e, _, _ in leading)
        mine = list(article.claims)
        earlier = story.claims
        # The topic's own words are no sign of one proposition either: they are left out.
        sims = cosines(vectors, [*story.claim_vectors, *vectors], self._topic_words(story.id, leading))
        links: list[ClaimLink] = []
        floor = min(p.link_threshold, p.link_shared_threshold)
        for i, claim in enumerate(mine):
            row = sims[i, : len(earlier) + i]  # the story's claims, then this article's earlier ones
            near = np.flatnonzero(row >= floor)  # the rest can link under no rule
            others = [earlier[k] if k < len(earlier) else mine[k - len(earlier)] for k in near]
            found = link(
                claim,
                others,
                row[near].tolist(),
                same_threshold=p.link_threshold,
                shared_threshold=p.link_shared_threshold,
                names=names,
                topic=topic,
                lead=leading[0][0] if leading else None,
                agree_threshold=p.link_agree_threshold,
            )
            links += found
        # Two propositions of one claim may find one other claim: it is one link, the
        # more similar of the two.
        kept: dict[tuple[str, str], ClaimLink] = {}
        for found_link in links:
            pair = (found_link.claim.id, found_link.other.id)
            if pair not in kept or found_link.similarity > kept[pair].similarity:
                kept[pair] = found_link
        return [self._proposition(story, found_link) for found_link in kept.values()]

    def _topic_words(self, sid: str, leading: list[tuple[str, str, float]]) -> np.ndarray:
        """The columns of the words of the leading entities' names (sorted), kept per
        story while its leading names stay the same (a vectorizer call costs as much as
        the rest of a link round)."""
        names = tuple(name for _, name, _ in leading)
        kept = self._topic_columns.get(sid)
        if kept is None or kept[0] != names:
            kept = self._topic_columns[sid] = (names, np.unique(self.text.counts([" ".join(names)]).indices))
        return kept[1]

    @staticmethod
    def _proposition(story: Story, found: ClaimLink) -> ClaimLink:
        """``found`` with its proposition: the other claim's, else one named after it;
        the claim joins the first proposition it is linked into."""
        proposition = story.propositions.setdefault(found.other.id, found.other.id)
        story.propositions.setdefault(found.claim.id, proposition)
        return replace(found, proposition=proposition)

    def _add(
        self,
        story: Story,
        article: StoryArticle,
        vector: SparseVector,
        terms: list[int],
        claim_vectors: list[SparseVector],
    ) -> None:
        story.size += 1
        story.last_seen = max(story.last_seen, article.at)
        story.first_seen = min(story.first_seen, article.at)
        self._story_of[article.id] = story.id
        self._arrivals.append((article.at, article.id))
        if article.source:
            story.sources.add(article.source)
        for entity, salience in article.entities.items():
            story.entities[entity] = story.entities.get(entity, 0.0) + salience
            self._by_entity.setdefault(thing(entity), set()).add(story.id)
        story.matching = None
        story.names.update(article.names)
        story.text = vector if story.text is None else add(story.text, vector, self.params.story_terms)
        story.text_norm = norm(story.text)
        self._keep_entities(story)
        for term in terms:
            if term in story.terms:
                story.terms.remove(term)  # refreshed: it moves to the newest end
            else:
                self._by_term.setdefault(term, set()).add(story.id)
            story.terms.append(term)
        while len(story.terms) > self.params.index_terms:
            _discard(self._by_term, story.terms.popleft(), story.id)
        if claim_vectors:
            story.claims += article.claims
            story.claim_vectors += claim_vectors
            extra = len(story.claims) - self.params.claims_kept
            if extra > 0:
                for gone in story.claims[:extra]:
                    story.propositions.pop(gone.id, None)
                del story.claims[:extra]
                del story.claim_vectors[:extra]

    def _keep_entities(self, story: Story) -> None:
        """Drop a story's lightest entities past ``story_entities`` (and their names)."""
        extra = len(story.entities) - self.params.story_entities
        if extra <= 0:
            return
        dropped = [entity for entity, _ in sorted(story.entities.items(), key=lambda kv: (kv[1], kv[0]))[:extra]]
        for entity in dropped:
            del story.entities[entity]
            story.names.pop(entity, None)
        story.matching = None
        # A name leaves the index when none of the story's entities has it any more.
        for name in {thing(e) for e in dropped} - set(story.things()):
            _discard(self._by_entity, name, story.id)


def _leading_terms(vector: SparseVector) -> list[int]:
    columns, values = vector
    if len(columns) <= _INDEX_TERMS:
        return [int(i) for i in columns]
    top = np.argpartition(-values, _INDEX_TERMS)[:_INDEX_TERMS]
    return [int(i) for i in columns[top]]


def thing(entity_id: str) -> str:
    """What an entity id names, without its label ("gpe:leeds" and "org:leeds" are both
    "leeds"): the stories compare things by name, the label being the enrichment's
    guess, which can differ from one article to the next."""
    return entity_id.partition(":")[2] or entity_id


def things(entities: Mapping[str, float]) -> dict[str, float]:
    """Entity weights summed by :func:`thing`."""
    found: dict[str, float] = {}
    for entity, weight in entities.items():
        name = thing(entity)
        found[name] = found.get(name, 0.0) + weight
    return found


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

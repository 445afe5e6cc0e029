"""The stories stage run on a story set, with its baselines, and scored.

The articles are enriched once (:func:`workers.evaluation.systems.story_articles`);
then the :class:`~workers.stories.assign.StoryAssigner` runs over them in file order
in several configurations, each scored for clustering
(:mod:`workers.evaluation.clustering`) and claim links
(:mod:`workers.evaluation.story_scoring`):

- ``newsflow``: the stage with its defaults (:class:`~workers.stories.assign.StoryParams`);
- ``newsflow, no time window``: the same with an idle time of a century, so that
  articles years apart are compared too (the set's real near misses, such as two
  disasters at Mecca nine years apart, are otherwise kept apart by time alone);
- ``each article its own story``: the floor every clustering is measured against;
- ``entities only``, ``text only``, ``entities and text``: the assigner with entity
  weight 1, 0, and any weight of :data:`WEIGHTS`, each at the threshold of
  :data:`THRESHOLDS` that scores best on this very set (BCubed F1, then pairwise F1):
  the best each could do here, which flatters it, so compare them with one another,
  not with held-out figures;
- ``links on gold stories``: the claim-link rule given the gold stories, so that its
  errors are told apart from the clustering's.

The whole grid (every weight at every threshold, with and without the time window;
every pair of link thresholds on the gold stories) is kept for ``--story-grid``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Final

from scipy import sparse

from workers.evaluation.clustering import ClusterScores, score_clusters
from workers.evaluation.manifest import Status
from workers.evaluation.story_gold import StorySet
from workers.evaluation.story_scoring import LinkScores, PredictedLink, score_links
from workers.stories.article import StoryArticle
from workers.stories.assign import Assignment, Story, StoryAssigner, StoryParams
from workers.stories.text import SparseVector, TextModel

__all__ = [
    "LINK_SHARED_THRESHOLDS",
    "LINK_THRESHOLDS",
    "NO_WINDOW",
    "THRESHOLDS",
    "WEIGHTS",
    "GoldStoryAssigner",
    "GridPoint",
    "LinkGridPoint",
    "StoryResult",
    "StoryRun",
    "evaluate_story_set",
    "run_assigner",
]

#: Thresholds tried for each entity weight.
THRESHOLDS: Final = tuple(round(0.05 * i, 2) for i in range(1, 15))
#: Entity weights tried (0: text only, 1: entities only).
WEIGHTS: Final = (0.0, 0.25, 0.4, 0.5, 0.6, 0.75, 1.0)
#: Link thresholds tried on the gold stories: content cosine alone, and with a shared entity.
LINK_THRESHOLDS: Final = (0.3, 0.4, 0.5, 0.6, 0.7)
LINK_SHARED_THRESHOLDS: Final = (0.1, 0.15, 0.2, 0.25, 0.3, 0.4)
#: The idle time of the runs without a time window.
NO_WINDOW: Final = timedelta(days=36525)


@dataclass(frozen=True, slots=True)
class StoryRun:
    """One configuration's scores on one story set."""

    name: str
    #: How its parameters were set ("defaults", "best on this set", ...).
    note: str
    entity_weight: float | None
    threshold: float | None
    clusters: ClusterScores
    links: LinkScores


@dataclass(frozen=True, slots=True)
class GridPoint:
    """Clustering scores at one entity weight and threshold, with the time window or not."""

    entity_weight: float
    threshold: float
    clusters: ClusterScores
    window: bool = True


@dataclass(frozen=True, slots=True)
class LinkGridPoint:
    """Claim-link scores on the gold stories at one pair of link thresholds."""

    link_threshold: float
    link_shared_threshold: float
    links: LinkScores


@dataclass(frozen=True, slots=True)
class StoryResult:
    """Everything ``newsflow eval`` reports for one story set."""

    gold: str
    status: Status
    why: str
    articles: int
    composed: int
    gold_stories: int
    gold_links: Mapping[str, int]
    runs: tuple[StoryRun, ...]
    grid: tuple[GridPoint, ...]
    link_grid: tuple[LinkGridPoint, ...]
    params: StoryParams


def run_assigner(
    articles: Sequence[StoryArticle],
    params: StoryParams,
    gold: Mapping[str, str] | None = None,
    counts: dict[tuple[str, ...], sparse.csr_matrix] | None = None,
) -> tuple[dict[str, str], list[PredictedLink]]:
    """Assign ``articles`` in order; the story of each and the claim links made.

    Args:
        gold: article id -> gold story label; when given, each article joins the open
            story holding an earlier article of its gold story (the links on gold stories).
        counts: term counts of texts seen by earlier runs, shared so that a grid of runs
            hashes each text once (the counts depend on the text alone).
    """
    text = _CountsOnce({} if counts is None else counts)
    assigner = StoryAssigner(params, text) if gold is None else GoldStoryAssigner(params, gold, text)
    stories: dict[str, str] = {}
    links: list[PredictedLink] = []
    for article in articles:
        assignment = assigner.assign(article)
        stories[article.id] = assignment.story.id
        links += [
            PredictedLink(
                link.kind,
                link.claim.article_id,
                link.claim.content_span,
                link.other.article_id,
                link.other.content_span,
            )
            for link in assignment.links
        ]
    return stories, links


class GoldStoryAssigner(StoryAssigner):
    """The assigner with the gold stories in place of its matching: everything else
    (text model, time, duplicates, claim links) is the stage's own code."""

    def __init__(self, params: StoryParams, gold: Mapping[str, str], text: TextModel) -> None:
        super().__init__(params, text)
        self._gold = gold
        self._story_of_label: dict[str, str] = {}

    def assign(self, article: StoryArticle) -> Assignment:
        assignment = super().assign(article)
        self._story_of_label[self._gold[article.id]] = assignment.story.id
        return assignment

    def _best(self, article: StoryArticle, vector: SparseVector, terms: list[int]) -> tuple[Story | None, float]:
        story = self.stories.get(self._story_of_label.get(self._gold[article.id], ""))
        return (story, 1.0) if story is not None else (None, 0.0)


class _CountsOnce(TextModel):
    """A fresh text model (its document frequencies start at zero) that takes the term
    counts of texts it was given before from ``cache``."""

    def __init__(self, cache: dict[tuple[str, ...], sparse.csr_matrix]) -> None:
        super().__init__()
        self._cache = cache

    def counts(self, texts: list[str]) -> sparse.csr_matrix:
        key = tuple(texts)
        found = self._cache.get(key)
        if found is None:
            found = self._cache[key] = super().counts(texts)
        return found


def evaluate_story_set(
    gold: StorySet, articles: Sequence[StoryArticle], params: StoryParams | None = None, threshold: float = 0.3
) -> StoryResult:
    """Score the stage and its baselines on ``gold`` (``articles``: its documents as the
    stage sees them, in the same order); ``threshold``: the link-matching overlap."""
    params = params or StoryParams()
    labels = {d.id: d.story for d in gold.documents}
    gold_links = gold.links
    cache: dict[tuple[str, ...], sparse.csr_matrix] = {}

    def run(name: str, note: str, p: StoryParams | None) -> StoryRun:
        predicted: dict[str, str]
        links: list[PredictedLink] = []
        if p is None:
            predicted = {a.id: a.id for a in articles}
        else:
            predicted, links = run_assigner(articles, p, counts=cache)
        return StoryRun(
            name,
            note,
            None if p is None else p.entity_weight,
            None if p is None else p.threshold,
            score_clusters(labels, predicted),
            score_links(gold_links, links, threshold),
        )

    grid = tuple(
        GridPoint(
            w,
            t,
            score_clusters(labels, run_assigner(articles, _at(params, w, t, window), counts=cache)[0]),
            window,
        )
        for window in (True, False)
        for w in WEIGHTS
        for t in THRESHOLDS
    )

    def best(weights: Sequence[float]) -> StoryParams:
        points = [g for g in grid if g.window and g.entity_weight in weights]
        top = max(points, key=lambda g: (round(g.clusters.bcubed_f1, 6), round(g.clusters.pairwise_f1, 6)))
        return _at(params, top.entity_weight, top.threshold)

    runs = [
        run("newsflow", "defaults", params),
        run("newsflow, no time window", "defaults, idle time of a century", replace(params, idle=NO_WINDOW)),
        run("each article its own story", "baseline", None),
        run("entities only", "best threshold on this set", best([1.0])),
        run("text only", "best threshold on this set", best([0.0])),
        run("entities and text", "best weight and threshold on this set", best(WEIGHTS)),
    ]
    on_gold = run_assigner(articles, params, labels, cache)[1]
    runs.append(
        StoryRun(
            "links on gold stories",
            "defaults, gold clustering",
            None,
            None,
            score_clusters(labels, labels),
            score_links(gold_links, on_gold, threshold),
        )
    )
    link_grid = tuple(
        LinkGridPoint(
            same,
            shared,
            score_links(
                gold_links,
                run_assigner(
                    articles, replace(params, link_threshold=same, link_shared_threshold=shared), labels, cache
                )[1],
                threshold,
            ),
        )
        for same in LINK_THRESHOLDS
        for shared in LINK_SHARED_THRESHOLDS
        if shared <= same
    )
    return StoryResult(
        gold=gold.name,
        status=gold.status,
        why=gold.why,
        articles=len(gold.documents),
        composed=sum(d.composed for d in gold.documents),
        gold_stories=len(set(labels.values())),
        gold_links={kind: sum(g.kind == kind for g in gold_links) for kind in ("contradicts", "corroborates")},
        runs=tuple(runs),
        grid=grid,
        link_grid=link_grid,
        params=params,
    )


def _at(params: StoryParams, weight: float, threshold: float, window: bool = True) -> StoryParams:
    at = replace(params, entity_weight=weight, threshold=threshold)
    return at if window else replace(at, idle=NO_WINDOW)

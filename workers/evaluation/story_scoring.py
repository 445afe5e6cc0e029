"""Claim links scored against gold links: precision and recall per kind.

A predicted link joins two claims (a content span in each of two articles); a gold
link two gold contents. They match when they are of the same kind and each gold
content is covered by one of the predicted claims' contents by more than
``threshold`` of its length (|gold ∩ predicted| / |gold|, as claims are matched in
:mod:`workers.evaluation.scoring`), the two claims taken in either order. Each
prediction matches at most one gold link and each gold link one prediction (pairs
taken greedily, the best covered first).

Only links across articles are scored: the gold names an earlier article for every
link, so a predicted link between two claims of one article has nothing to match and
is counted apart (``within_article``). ``any_kind`` counts the same matching with the
kinds ignored: how many gold pairs the system links at all, whatever it calls them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from workers.evaluation.scoring import Counts
from workers.evaluation.story_gold import LINK_KINDS, GoldLink

__all__ = ["LinkScores", "PredictedLink", "score_links"]

Claim = tuple[str, tuple[int, int]]


@dataclass(frozen=True, slots=True)
class PredictedLink:
    """A system's claim link: a claim of ``article`` and one of ``other_article``."""

    kind: str
    article: str
    span: tuple[int, int]
    other_article: str
    other_span: tuple[int, int]


@dataclass(slots=True)
class LinkScores:
    """Link counts per kind, overall, with kinds ignored, and the links left out."""

    by_kind: dict[str, Counts] = field(default_factory=dict)
    overall: Counts = field(default_factory=Counts)
    any_kind: Counts = field(default_factory=Counts)
    within_article: int = 0


def score_links(gold: Sequence[GoldLink], predicted: Iterable[PredictedLink], threshold: float = 0.3) -> LinkScores:
    """Score ``predicted`` links against ``gold`` (see the module docstring)."""
    scores = LinkScores()
    across = []
    for link in predicted:
        if link.article == link.other_article:
            scores.within_article += 1
        else:
            across.append(link)
    for kind in LINK_KINDS:
        counts = Counts(
            tp=_matched([g for g in gold if g.kind == kind], [p for p in across if p.kind == kind], threshold),
            predicted=sum(p.kind == kind for p in across),
            gold=sum(g.kind == kind for g in gold),
        )
        scores.by_kind[kind] = counts
        scores.overall.tp += counts.tp
    scores.overall.predicted, scores.overall.gold = len(across), len(gold)
    scores.any_kind = Counts(_matched(gold, across, threshold), len(across), len(gold))
    return scores


def _matched(gold: Sequence[GoldLink], predicted: Sequence[PredictedLink], threshold: float) -> int:
    """How many one-to-one matches there are, taken greedily, best covered first."""
    candidates = []
    for g, gold_link in enumerate(gold):
        a, b = (gold_link.article, gold_link.span), (gold_link.other_article, gold_link.other_span)
        for p, link in enumerate(predicted):
            x, y = (link.article, link.span), (link.other_article, link.other_span)
            cover = max(min(_covered(a, x), _covered(b, y)), min(_covered(a, y), _covered(b, x)))
            if cover > threshold:
                candidates.append((-cover, g, p))
    used_gold: set[int] = set()
    used_predicted: set[int] = set()
    for _, g, p in sorted(candidates):
        if g not in used_gold and p not in used_predicted:
            used_gold.add(g)
            used_predicted.add(p)
    return len(used_gold)


def _covered(gold: Claim, predicted: Claim) -> float:
    """Share of the gold content the predicted content covers (0 in another article)."""
    (gold_article, (start, end)), (article, (p_start, p_end)) = gold, predicted
    if gold_article != article or end <= start:
        return 0.0
    return max(0, min(end, p_end) - max(start, p_start)) / (end - start)

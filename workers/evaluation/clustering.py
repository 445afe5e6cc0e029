"""Story clustering scored against gold labels: pairwise and BCubed precision and recall.

The metrics of Miranda et al. (2018), "Multilingual Clustering of Streaming News":

- **pairwise**: over every pair of articles, a pair the system puts in one story is
  right when the gold puts it in one story too; precision over the system's pairs,
  recall over the gold's (counted by scikit-learn's ``pair_confusion_matrix``);
- **BCubed** (Bagga and Baldwin 1998): for each article, precision is the share of
  its predicted story that shares its gold story, recall the share of its gold story
  that shares its predicted story; both averaged over articles. Unlike pairwise, a
  large story does not outweigh many small ones.

An article in no pair (a singleton in both) counts for BCubed, not for pairwise.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from sklearn.metrics.cluster import pair_confusion_matrix

__all__ = ["ClusterScores", "score_clusters"]


@dataclass(frozen=True, slots=True)
class ClusterScores:
    """Pairwise and BCubed precision, recall and F1 of one clustering."""

    articles: int
    gold_stories: int
    predicted_stories: int
    pairwise_precision: float
    pairwise_recall: float
    bcubed_precision: float
    bcubed_recall: float

    @property
    def pairwise_f1(self) -> float:
        return _f1(self.pairwise_precision, self.pairwise_recall)

    @property
    def bcubed_f1(self) -> float:
        return _f1(self.bcubed_precision, self.bcubed_recall)


def score_clusters(gold: Mapping[str, str], predicted: Mapping[str, str]) -> ClusterScores:
    """Score the ``predicted`` story of each article against its ``gold`` story.

    Args:
        gold: article id -> gold story label.
        predicted: article id -> predicted story id; every gold article must be here.

    Raises:
        KeyError: an article of the gold has no predicted story.
    """
    ids = sorted(gold)
    g = [gold[i] for i in ids]
    p = [predicted[i] for i in ids]
    if not ids:
        return ClusterScores(0, 0, 0, 0.0, 0.0, 0.0, 0.0)
    (_, fp), (fn, tp) = pair_confusion_matrix(g, p)  # counts of ordered pairs
    pair_precision = float(tp / (tp + fp)) if tp + fp else 1.0
    pair_recall = float(tp / (tp + fn)) if tp + fn else 1.0
    both = Counter(zip(g, p, strict=True))
    gold_size, pred_size = Counter(g), Counter(p)
    precision = sum(both[(a, b)] / pred_size[b] for a, b in zip(g, p, strict=True)) / len(ids)
    recall = sum(both[(a, b)] / gold_size[a] for a, b in zip(g, p, strict=True)) / len(ids)
    return ClusterScores(len(ids), len(gold_size), len(pred_size), pair_precision, pair_recall, precision, recall)


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0

"""Story clustering scores: pairwise and BCubed."""

from __future__ import annotations

import pytest

from workers.evaluation.clustering import score_clusters

GOLD = {"a": "x", "b": "x", "c": "y", "d": "y", "e": "z"}


def test_a_perfect_clustering_scores_one_everywhere() -> None:
    s = score_clusters(GOLD, {k: v.upper() for k, v in GOLD.items()})
    assert (s.pairwise_f1, s.bcubed_f1) == (1.0, 1.0)


def test_scores_of_a_clustering_worked_by_hand() -> None:
    s = score_clusters(GOLD, {"a": "1", "b": "1", "c": "1", "d": "2", "e": "3"})
    # pairs: predicted ab ac bc, gold ab cd -> P 1/3, R 1/2
    assert (s.pairwise_precision, s.pairwise_recall) == pytest.approx((1 / 3, 1 / 2))
    # BCubed P: a 2/3, b 2/3, c 1/3, d 1, e 1; R: a 1, b 1, c 1/2, d 1/2, e 1
    assert (s.bcubed_precision, s.bcubed_recall) == pytest.approx((11 / 15, 4 / 5))
    assert (s.articles, s.gold_stories, s.predicted_stories) == (5, 3, 3)


def test_everything_in_one_story_has_full_recall_and_low_precision() -> None:
    s = score_clusters(GOLD, dict.fromkeys(GOLD, "all"))
    assert (s.pairwise_recall, s.bcubed_recall) == (1.0, 1.0)
    assert s.pairwise_precision == pytest.approx(2 / 10)


def test_an_article_without_a_predicted_story_is_an_error() -> None:
    with pytest.raises(KeyError):
        score_clusters(GOLD, {"a": "1"})

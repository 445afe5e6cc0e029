"""Claim links scored against gold links (``workers/evaluation/story_scoring.py``)."""

from __future__ import annotations

from workers.evaluation.story_gold import GoldLink
from workers.evaluation.story_scoring import PredictedLink, score_links

GOLD = GoldLink("contradicts", "a2", (10, 20), "a1", (100, 110))


def _predicted(kind: str = "contradicts", span=(10, 20), other=(100, 110), article="a2", other_article="a1"):  # type: ignore[no-untyped-def]
    return PredictedLink(kind, article, span, other_article, other)


def test_a_link_between_the_gold_claims_matches_in_either_order() -> None:
    forward = score_links([GOLD], [_predicted()])
    backward = score_links([GOLD], [_predicted(span=(100, 110), other=(10, 20), article="a1", other_article="a2")])
    for scores in (forward, backward):
        assert (scores.overall.tp, scores.by_kind["contradicts"].tp, scores.by_kind["corroborates"].gold) == (1, 1, 0)


def test_a_link_of_the_other_kind_counts_only_with_the_kinds_ignored() -> None:
    scores = score_links([GOLD], [_predicted("corroborates")])
    assert scores.overall.tp == 0 and scores.any_kind.tp == 1
    assert (scores.by_kind["corroborates"].predicted, scores.by_kind["contradicts"].gold) == (1, 1)


def test_each_gold_content_must_be_covered_by_more_than_the_threshold() -> None:
    assert score_links([GOLD], [_predicted(span=(16, 30))]).overall.tp == 1  # 4 of 10 covered
    assert score_links([GOLD], [_predicted(span=(17, 30))]).overall.tp == 0  # 3 of 10: not above 0.3
    assert score_links([GOLD], [_predicted(other=(0, 101))]).overall.tp == 0  # the other claim missed


def test_one_prediction_matches_one_gold_link() -> None:
    scores = score_links([GOLD, GOLD], [_predicted(), _predicted()])
    assert (scores.overall.tp, scores.overall.predicted, scores.overall.gold) == (2, 2, 2)
    assert score_links([GOLD, GOLD], [_predicted()]).overall.recall == 0.5
    assert score_links([GOLD], [_predicted(), _predicted()]).overall.precision == 0.5


def test_links_within_one_article_are_counted_apart_and_not_scored() -> None:
    scores = score_links([GOLD], [_predicted(other_article="a2", other=(30, 40))])
    assert (scores.within_article, scores.overall.predicted) == (1, 0)

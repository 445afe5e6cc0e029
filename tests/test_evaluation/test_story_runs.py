"""The stories stage and its baselines on a story set (``workers/evaluation/story_runs.py``)."""

from __future__ import annotations

from tests.test_stories.events import claim, enriched
from workers.evaluation.story_gold import GoldLink, StoryDocument, StorySet
from workers.evaluation.story_runs import evaluate_story_set
from workers.stories.article import story_article

QUAKE = "Officials said the quake in Valparaiso killed nine people. A strong earthquake struck Chile near Valparaiso."
QUAKE_2 = "Rescuers said the quake in Valparaiso killed no one. Rescuers searched houses in Valparaiso, Chile."
BUDGET = "The Dutch parliament passed the budget after a long debate over pensions and housing in The Hague."
DENIED = "the quake in Valparaiso killed no one"
STATED = "the quake in Valparaiso killed nine people"


def _stream():  # type: ignore[no-untyped-def]
    bodies = [("a1", QUAKE, "quake"), ("a2", BUDGET, "budget"), ("a3", QUAKE_2, "quake")]
    link = GoldLink(
        "contradicts", "a3", (QUAKE_2.index(DENIED), QUAKE_2.index(DENIED) + len(DENIED)), "a1",
        (QUAKE.index(STATED), QUAKE.index(STATED) + len(STATED)),
    )  # fmt: skip
    documents = tuple(
        StoryDocument(i, None, body, "Wire", "2024-03-01T08:00:00+00:00", story, (link,) if i == "a3" else ())
        for i, body, story in bodies
    )
    claims = {"a1": [claim(QUAKE, "c1", "Officials", STATED)], "a3": [claim(QUAKE_2, "c3", "Rescuers", DENIED)]}
    entities = {"a1": {"GPE:Chile": 0.6, "GPE:Valparaiso": 0.9}, "a2": {"ORG:parliament": 0.9}}
    entities["a3"] = entities["a1"]
    articles = [story_article(enriched(i, body, entities=entities[i], claims=claims.get(i))) for i, body, _ in bodies]
    return StorySet("stream", documents, "development", "a test"), articles


def test_the_stage_and_its_baselines_are_each_scored() -> None:
    gold, articles = _stream()
    result = evaluate_story_set(gold, articles)
    runs = {r.name: r for r in result.runs}
    assert list(runs) == [
        "newsflow",
        "newsflow, no time window",
        "each article its own story",
        "entities only",
        "text only",
        "entities and text",
        "links on gold stories",
    ]
    assert (result.articles, result.gold_stories, dict(result.gold_links)) == (
        3,
        2,
        {"contradicts": 1, "corroborates": 0},
    )
    newsflow = runs["newsflow"].clusters
    assert (newsflow.predicted_stories, newsflow.bcubed_f1, newsflow.pairwise_f1) == (2, 1.0, 1.0)
    alone = runs["each article its own story"].clusters
    assert (alone.predicted_stories, alone.pairwise_recall, alone.bcubed_precision) == (3, 0.0, 1.0)
    assert runs["entities only"].entity_weight == 1.0 and runs["text only"].entity_weight == 0.0


def test_the_contradiction_across_two_articles_of_a_story_is_found_and_matched() -> None:
    gold, articles = _stream()
    runs = {r.name: r for r in evaluate_story_set(gold, articles).runs}
    for name in ("newsflow", "links on gold stories"):
        contradicts = runs[name].links.by_kind["contradicts"]
        assert (contradicts.tp, contradicts.gold) == (1, 1), name
    assert runs["each article its own story"].links.overall.predicted == 0


def test_the_grid_covers_every_weight_and_threshold_with_and_without_the_window() -> None:
    gold, articles = _stream()
    result = evaluate_story_set(gold, articles)
    assert {g.window for g in result.grid} == {True, False}
    assert {g.entity_weight for g in result.grid} >= {0.0, 0.5, 1.0}
    assert all(g.link_shared_threshold <= g.link_threshold for g in result.link_grid)

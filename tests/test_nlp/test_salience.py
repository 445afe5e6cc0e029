"""Behaviour of entity salience scores."""

from __future__ import annotations

from workers.models import Entity, Mention
from workers.nlp.salience import salience_scores


def _entity(name: str, label: str, starts: list[int]) -> Entity:
    return Entity(f"x:{name.lower()}", name, label, tuple(Mention(name, s, s + len(name)) for s in starts))


def test_most_mentioned_first_named_and_in_the_headline_scores_one() -> None:
    (score,) = salience_scores([_entity("Hama", "GPE", [0, 50])], text_length=100, title="Rebels enter Hama")
    assert score == 1.0


def test_more_mentions_score_higher() -> None:
    scores = salience_scores(
        [_entity("A", "ORG", [10, 20, 30]), _entity("B", "ORG", [10])], text_length=100, title=None
    )
    assert scores[0] > scores[1]


def test_earlier_first_mention_scores_higher() -> None:
    scores = salience_scores([_entity("A", "ORG", [5]), _entity("B", "ORG", [90])], text_length=100, title=None)
    assert scores[0] > scores[1]


def test_surname_in_the_headline_counts_for_the_person() -> None:
    with_title, without = (
        salience_scores([_entity("Bashar Assad", "PERSON", [0])], text_length=100, title=t)[0]
        for t in ("Assad flees", "Rebels advance")
    )
    assert with_title > without


def test_headline_word_inside_another_word_does_not_count() -> None:
    scores = [
        salience_scores([_entity("Iran", "GPE", [0])], text_length=10, title=t)[0] for t in ("Iranian talks", "x")
    ]
    assert scores[0] == scores[1]


def test_no_entities_no_scores() -> None:
    assert salience_scores([], text_length=10, title="x") == []

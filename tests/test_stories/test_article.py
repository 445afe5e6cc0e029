"""What the stories stage reads of an enriched event."""

from __future__ import annotations

import pytest

from tests.test_stories.events import claim, enriched
from workers.stories.article import propositions, story_article


def test_only_named_entities_are_compared() -> None:
    event = enriched("a1", "Floods hit Lyon on Tuesday.", entities={"GPE:Lyon": 0.9, "DATE:Tuesday": 0.5})
    assert dict(story_article(event).entities) == {"gpe:lyon": 0.9}


def test_a_claim_knows_the_entities_its_content_names() -> None:
    body = "The mayor said Lyon would rebuild the bridge."
    event = enriched(
        "a1", body, entities={"GPE:Lyon": 0.9}, claims=[claim(body, "c1", "The mayor", "Lyon would rebuild the bridge")]
    )
    (found,) = story_article(event).claims
    assert found.entities == {"gpe:lyon"} and found.claimant == "the mayor"


def test_an_event_without_its_body_is_read_from_its_title_and_claims() -> None:
    body = "The mayor said Lyon would rebuild the bridge."
    event = enriched("a1", body, title="Bridge to be rebuilt", claims=[claim(body, "c1", "The mayor", "Lyon would")])
    event["body"] = None
    assert story_article(event).text == "Bridge to be rebuilt\nLyon would"


def test_the_publication_time_is_the_articles_time_else_when_it_was_enriched() -> None:
    event = enriched("a1", "Text.", at="2024-03-01T08:00:00Z")
    event["published_at"] = None
    event["processing"]["processed_at"] = "2024-03-02T09:00:00+00:00"
    assert story_article(event).at.isoformat() == "2024-03-02T09:00:00+00:00"


def test_an_event_with_no_time_at_all_is_refused() -> None:
    event = enriched("a1", "Text.")
    event["published_at"] = None
    event["processing"] = {}
    with pytest.raises(ValueError, match="published_at"):
        story_article(event)


@pytest.mark.parametrize(
    ("content", "parts"),
    [
        ("the dam held", ["the dam held"]),
        ("the dam held. Nobody was hurt", ["the dam held.", "Nobody was hurt"]),
        ('"The dam held." Nobody was hurt at all', ['"The dam held."', "Nobody was hurt at all"]),
        ("the dam held, and that the town was safe", ["the dam held", "the town was safe"]),
        ("the dam held and the town was safe", ["the dam held and the town was safe"]),
        ("Yes. The dam held", ["Yes. The dam held"]),
        ("the dam held. It did", ["the dam held. It did"]),
        ("e.g. the dam held", ["e.g. the dam held"]),
    ],
)
def test_a_content_states_a_proposition_a_sentence_and_one_a_that_clause(content: str, parts: list[str]) -> None:
    found = propositions(content)
    assert [text for _, text in found] == parts
    assert all(content[offset : offset + len(text)] == text for offset, text in found)


def test_each_proposition_of_a_claim_knows_the_entities_it_names() -> None:
    body = "The mayor said Lyon had flooded and that Paris was dry."
    event = enriched(
        "a1",
        body,
        entities={"GPE:Lyon": 0.9, "GPE:Paris": 0.5},
        claims=[claim(body, "c1", "The mayor", "Lyon had flooded and that Paris was dry")],
    )
    lyon, paris = story_article(event).claims
    assert (lyon.id, lyon.part, lyon.entities) == ("c1", "Lyon had flooded", {"gpe:lyon"})
    assert (paris.id, paris.part, paris.entities) == ("c1", "Paris was dry", {"gpe:paris"})
    assert lyon.content == paris.content == "Lyon had flooded and that Paris was dry"
    assert story_article({**event, "body": None}).text.count("Paris was dry") == 1

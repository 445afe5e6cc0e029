"""Claims of a story that corroborate or contradict each other."""

from __future__ import annotations

from tests.test_stories.events import claim, enriched
from workers.stories.article import StoryClaim, story_article
from workers.stories.assign import StoryAssigner, StoryParams
from workers.stories.links import polarity

BODY_A = "The ministry said the dam at Kariba had not cracked. Engineers said the dam at Kariba had cracked."
BODY_B = "The operator said the dam at Kariba had cracked after the floods."


def _claims(article_id: str, body: str, *specs: tuple[str, str, str, str]) -> dict:  # type: ignore[type-arg]
    return enriched(
        article_id,
        body,
        entities={"FAC:Kariba": 0.9},
        claims=[claim(body, cid, who, what, stance) for cid, who, what, stance in specs],
    )


def _one(content: str, stance: str = "assert") -> StoryClaim:
    return StoryClaim("c", "a", "x", "x", "say", stance, content, (0, 1), frozenset(), False)


def test_a_denial_and_a_negation_each_flip_the_polarity() -> None:
    assert polarity(_one("the dam cracked")) == 1
    assert polarity(_one("the dam cracked", "deny")) == -1
    assert polarity(_one("the dam had not cracked")) == -1
    assert polarity(_one("the dam had not cracked", "deny")) == 1


def test_opposite_claims_by_different_claimants_contradict() -> None:
    event = _claims(
        "a1",
        BODY_A,
        ("c1", "The ministry", "the dam at Kariba had not cracked", "assert"),
        ("c2", "Engineers", "the dam at Kariba had cracked", "assert"),
    )
    (found,) = StoryAssigner().assign(story_article(event)).links
    assert (found.kind, found.claim.id, found.other.id) == ("contradicts", "c2", "c1")
    assert found.shared_entities == ("Kariba",)


def test_the_same_claim_by_another_source_in_the_story_corroborates() -> None:
    assigner = StoryAssigner()
    assigner.assign(
        story_article(_claims("a1", BODY_A, ("c2", "Engineers", "the dam at Kariba had cracked", "assert")))
    )
    joined = assigner.assign(
        story_article(_claims("a2", BODY_B, ("c3", "The operator", "the dam at Kariba had cracked", "assert")))
    )
    assert [(lk.kind, lk.claim.id, lk.other.id) for lk in joined.links] == [("corroborates", "c3", "c2")]


def test_a_claimant_is_never_linked_with_itself() -> None:
    body = "Engineers said the dam at Kariba had cracked. Engineers said the dam at Kariba had not cracked."
    second = body.index("the dam at Kariba had not")
    event = _claims("a1", body, ("c1", "Engineers", "the dam at Kariba had cracked", "assert"))
    event["claims"].append(
        {
            **event["claims"][0],
            "id": "c2",
            "content": {"text": "the dam at Kariba had not cracked", "start": second, "end": second + 33},
        }
    )
    assert StoryAssigner().assign(story_article(event)).links == ()


def test_two_negations_in_one_sentence_cancel() -> None:
    assert polarity(_one("there is no village we have not reached")) == 1
    assert polarity(_one("no help has reached us. Not one tent has arrived")) == -1


def test_an_entity_the_whole_story_is_about_is_not_evidence_of_one_proposition() -> None:
    body = (
        "Kariba officials said the Kariba dam had cracked near its northern wall. "
        "The Kariba operator said the Kariba turbines would restart on Monday morning."
    )
    specs = [
        ("c1", "Kariba officials", "the Kariba dam had cracked near its northern wall", "assert"),
        ("c2", "The Kariba operator", "the Kariba turbines would restart on Monday morning", "assert"),
    ]
    params = StoryParams(link_threshold=0.9, link_shared_threshold=0.0)
    about_kariba = StoryAssigner(params)
    about_kariba.assign(story_article(_claims("a0", "Kariba dam Kariba lake Kariba town.")))
    assert about_kariba.assign(story_article(_claims("a1", body, *specs))).links == ()
    first_article = StoryAssigner(params).assign(story_article(_claims("a1", body, *specs)))
    assert [(lk.claim.id, lk.other.id) for lk in first_article.links] == [("c2", "c1")]

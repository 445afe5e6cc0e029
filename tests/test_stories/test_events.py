"""The stage's outputs: typed events that validate against their schemas."""

from __future__ import annotations

import orjson

from tests.checks import assert_valid_event
from tests.test_stories.events import claim, enriched
from tests.test_stories.test_links import BODY_A
from workers.pipeline.events import encode
from workers.stories.article import story_article
from workers.stories.assign import StoryAssigner, StoryParams
from workers.stories.events import link_events, link_id, story_event
from workers.stories.version import stage_version


def _assignment():  # type: ignore[no-untyped-def]
    event = enriched(
        "a1",
        BODY_A,
        entities={"FAC:Kariba": 0.9, "ORG:Engineers": 0.2},
        claims=[
            claim(BODY_A, "c1", "The ministry", "the dam at Kariba had not cracked"),
            claim(BODY_A, "c2", "Engineers", "the dam at Kariba had cracked"),
        ],
    )
    return StoryAssigner().assign(story_article(event))


def test_a_story_event_validates_and_says_how_the_article_matched() -> None:
    value = orjson.loads(encode(story_event(_assignment(), "0.1.0+test")))
    assert_valid_event(value)
    assert (value["matched"], value["size"], value["sources"], value["first_seen"]) == (
        "new",
        1,
        ["wire"],
        "2024-03-01T08:00:00Z",
    )
    assert value["label"] == "Kariba / Engineers"
    assert (value["at"], value["source"], value["version"]) == ("2024-03-01T08:00:00Z", "wire", "0.1.0+test")


def test_a_claim_link_event_validates_and_carries_both_claims_and_the_evidence() -> None:
    (value,) = [orjson.loads(encode(e)) for e in link_events(_assignment(), "0.1.0+test")]
    assert_valid_event(value)
    assert value["kind"] == "contradicts"
    assert (value["claim"]["id"], value["other"]["id"]) == ("c2", "c1")
    assert BODY_A[value["other"]["start"] : value["other"]["end"]] == value["other"]["text"]
    assert value["shared_entities"] == ["Kariba"]
    assert value["proposition"] == "c1"
    assert (value["claim"]["polarity"], value["other"]["polarity"]) == ("asserts", "denies")
    assert value["link_id"] == link_id("c1", "c2") == link_id("c2", "c1") != link_id("c1", "c3")


def test_the_stage_version_changes_with_its_parameters() -> None:
    assert stage_version(StoryParams()) == stage_version(StoryParams())
    assert stage_version(StoryParams()) != stage_version(StoryParams(threshold=0.3))

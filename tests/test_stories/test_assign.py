"""Assigning a stream of articles to stories, online."""

from __future__ import annotations

from datetime import timedelta

from tests.test_stories.events import enriched
from workers.stories.article import story_article
from workers.stories.assign import StoryAssigner, StoryParams, story_id

QUAKE = "A strong earthquake struck the coast of Chile near Valparaiso, collapsing houses and cutting power."
QUAKE_2 = "Rescuers in Valparaiso searched collapsed houses after the Chile earthquake cut power to the coast."
QUAKE_ELSEWHERE = "A strong earthquake struck Nepal near Kathmandu, collapsing temples and cutting roads."
BUDGET = "The Dutch parliament passed the budget after a long debate over pensions and housing in The Hague."


def _article(article_id: str, body: str, at: str = "2024-03-01T08:00:00Z", **entities: float):  # type: ignore[no-untyped-def]
    return story_article(
        enriched(article_id, body, at=at, entities={k.replace("_", ":"): v for k, v in entities.items()})
    )


def test_articles_sharing_entities_and_words_join_one_story() -> None:
    assigner = StoryAssigner()
    first = assigner.assign(_article("a1", QUAKE, GPE_Chile=0.9, GPE_Valparaiso=0.8))
    second = assigner.assign(_article("a2", QUAKE_2, GPE_Chile=0.8, GPE_Valparaiso=0.9))
    assert first.matched == "new" and first.story.id == story_id("a1")
    assert second.matched == "entities_and_text" and second.story.id == story_id("a1")
    assert second.story.size == 2 and second.score >= StoryParams().threshold


def test_the_same_kind_of_event_elsewhere_opens_its_own_story() -> None:
    assigner = StoryAssigner()
    assigner.assign(_article("a1", QUAKE, GPE_Chile=0.9, GPE_Valparaiso=0.8))
    other = assigner.assign(_article("a2", QUAKE_ELSEWHERE, GPE_Nepal=0.9, GPE_Kathmandu=0.8))
    assert other.matched == "new" and other.story.id == story_id("a2")


def test_an_unrelated_article_opens_a_new_story() -> None:
    assigner = StoryAssigner()
    assigner.assign(_article("a1", QUAKE, GPE_Chile=0.9))
    assert assigner.assign(_article("a2", BUDGET, ORG_parliament=0.9)).matched == "new"


def test_a_copy_joins_its_originals_story_without_being_compared() -> None:
    assigner = StoryAssigner()
    assigner.assign(_article("a1", QUAKE, GPE_Chile=0.9))
    copy = assigner.assign(story_article(enriched("a2", BUDGET, duplicate_of="a1")))
    assert (copy.matched, copy.story.id, copy.score) == ("duplicate", story_id("a1"), 1.0)


def test_a_story_idle_for_longer_than_the_idle_time_is_closed_and_its_state_dropped() -> None:
    assigner = StoryAssigner(StoryParams(idle=timedelta(days=1)))
    assigner.assign(_article("a1", QUAKE, GPE_Chile=0.9))
    later = assigner.assign(_article("a2", QUAKE_2, "2024-03-05T08:00:00Z", GPE_Chile=0.9))
    assert later.matched == "new"
    assert [s.id for s in assigner] == [story_id("a2")]


def test_a_late_article_from_long_before_a_story_does_not_join_it() -> None:
    assigner = StoryAssigner(StoryParams(idle=timedelta(days=1)))
    assigner.assign(_article("a1", QUAKE, "2024-03-05T08:00:00Z", GPE_Chile=0.9))
    assert assigner.assign(_article("a2", QUAKE_2, "2024-03-01T08:00:00Z", GPE_Chile=0.9)).matched == "new"


def test_the_story_names_its_leading_entities() -> None:
    assigner = StoryAssigner()
    assigner.assign(_article("a1", QUAKE, GPE_Chile=0.9, GPE_Valparaiso=0.5))
    story = assigner.assign(_article("a2", QUAKE_2, GPE_Chile=0.7, GPE_Valparaiso=0.4)).story
    assert story.label == "Chile / Valparaiso"
    assert [name for _, name, _ in story.leading()] == ["Chile", "Valparaiso"]


def test_the_same_stream_gives_the_same_stories() -> None:
    def run() -> list[tuple[str, str]]:
        assigner = StoryAssigner()
        stream = [("a1", QUAKE), ("a2", BUDGET), ("a3", QUAKE_2), ("a4", QUAKE_ELSEWHERE)]
        return [(a, assigner.assign(_article(a, body, GPE_Chile=0.5)).story.id) for a, body in stream]

    assert run() == run()


def test_a_story_that_never_goes_quiet_holds_bounded_state() -> None:
    params = StoryParams(idle=timedelta(hours=6), story_terms=50, story_entities=8, index_terms=30, claims_kept=5)
    assigner = StoryAssigner(params)
    sizes = []
    for i in range(300):  # one article an hour for 300 hours, each naming a new harbour
        at = f"2024-03-{1 + i // 24:02d}T{i % 24:02d}:00:00Z"
        body = f"{QUAKE} Aftershocks reached harbour{i} and village{i} on day {i}."
        assigner.assign(_article(f"a{i}", body, at, GPE_Chile=0.9, **{f"GPE_Harbour{i}": 0.3}))
        sizes.append(assigner.state_size())
    assert len(assigner.stories) == 1  # one story throughout
    last = sizes[-1]
    assert last["story_terms"] <= 50 and last["story_entities"] <= 8 and last["term_index"] <= 30
    assert last["copies_lookup"] <= 7  # the articles of the last 6 hours
    assert sizes[100] == last  # flat long before the end


def test_a_copy_arriving_after_the_idle_time_is_compared_like_any_article() -> None:
    assigner = StoryAssigner(StoryParams(idle=timedelta(hours=6)))
    assigner.assign(_article("a1", QUAKE, GPE_Chile=0.9))
    assigner.assign(_article("a2", BUDGET, "2024-03-03T08:00:00Z", ORG_parliament=0.9))
    late = assigner.assign(story_article(enriched("a3", BUDGET, at="2024-03-03T09:00:00Z", duplicate_of="a1")))
    assert late.matched != "duplicate"


def test_words_alone_join_a_story_when_the_entities_do_not_count() -> None:
    assigner = StoryAssigner(StoryParams(entity_weight=0.0))
    assigner.assign(_article("a1", QUAKE, GPE_Chile=0.9, GPE_Valparaiso=0.8))
    other = assigner.assign(_article("a2", QUAKE_ELSEWHERE, GPE_Nepal=0.9, GPE_Kathmandu=0.8))
    assert other.matched == "entities_and_text" and other.story.id == story_id("a1")


def test_an_article_naming_no_entity_is_matched_on_its_words() -> None:
    assigner = StoryAssigner()
    assigner.assign(_article("a1", QUAKE, GPE_Chile=0.9, GPE_Valparaiso=0.8))
    joined = assigner.assign(_article("a2", QUAKE_2))
    assert joined.story.id == story_id("a1")


def test_a_thing_tagged_with_another_label_in_another_article_is_the_same_thing() -> None:
    """The enrichment tagged Valparaiso a place in one article and an organisation in the
    next: matched on the entities alone, the second joins the first's story."""
    assigner = StoryAssigner(StoryParams(entity_weight=1.0))
    assigner.assign(_article("a1", QUAKE, GPE_Chile=0.9, GPE_Valparaiso=0.8))
    second = assigner.assign(_article("a2", QUAKE_2, GPE_Chile=0.8, ORG_Valparaiso=0.9))
    assert second.story.id == story_id("a1") and second.score > 0.99
    # The story still names each as it was tagged.
    assert {e for e, _, _ in second.story.leading()} == {"gpe:chile", "gpe:valparaiso", "org:valparaiso"}


def test_a_name_leaves_the_entity_index_only_when_no_entity_of_the_story_has_it() -> None:
    assigner = StoryAssigner(StoryParams(story_entities=2))
    assigner.assign(_article("a1", QUAKE, GPE_Chile=0.9, GPE_Valparaiso=0.8, ORG_Valparaiso=0.1))
    (story,) = assigner
    assert set(story.entities) == {"gpe:chile", "gpe:valparaiso"}
    assert assigner.state_size()["entity_index"] == 2
    assigner.assign(_article("a2", BUDGET, "2024-03-09T08:00:00Z", GPE_Hague=0.9))
    assert assigner.state_size()["entity_index"] == 1  # the quake story closed: its names are gone

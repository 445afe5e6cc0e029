"""The explorer's story queries and duplicate collapsing on a real PostgreSQL: a wire
article with 20 flagged copies and a contradicting article in one story
(:mod:`tests.integration.story_store`), read through the reader role."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from starlette.testclient import TestClient

from tests.integration.postgres import Database
from tests.integration.story_store import COPIES, WireStory, write_events, write_wire_story
from tests.test_web.factories import hama_event
from workers.web.app import create_app
from workers.web.postgres import PostgresSource
from workers.web.source import NUMERIC_LABELS


@pytest.fixture
def wire(database: Database) -> WireStory:
    return write_wire_story(database.url)


@pytest.fixture
def source(database: Database, wire: WireStory) -> Iterator[PostgresSource]:
    reader = PostgresSource(database.reader_url)
    yield reader
    reader.close()


def test_the_front_page_lists_an_original_once_with_its_copies(source: PostgresSource, wire: WireStory) -> None:
    listed = source.latest_articles(None, 50)
    assert sorted(a.id for a in listed) == sorted([wire.original, wire.denial])
    original = next(a for a in listed if a.id == wire.original)
    assert original.copies == COPIES
    assert sorted(c.id for c in original.copy_refs) == sorted(wire.copies)
    assert {c.source for c in original.copy_refs} == {f"Outlet {i:02d}" for i in range(1, COPIES + 1)}


def test_a_search_lists_an_original_once_with_its_copies(source: PostgresSource, wire: WireStory) -> None:
    for query in ("rebels", "the"):  # full text, and the stop-word fallback
        found = source.latest_articles(query, 50)
        assert [a.id for a in found if a.id.startswith("wire-")] == [wire.original], query
        assert next(a for a in found if a.id == wire.original).copies == COPIES


def test_the_live_feed_leaves_copies_out(source: PostgresSource, wire: WireStory) -> None:
    assert sorted(a.id for a in source.articles_after(0, 100)) == sorted([wire.original, wire.denial])


def test_a_copy_whose_original_is_not_stored_is_listed(database: Database, source: PostgresSource) -> None:
    orphan = {**hama_event("orphan"), "duplicate_of": {"id": "never-stored", "kind": "near", "similarity": 0.9}}
    write_events(database.url, [orphan], start=COPIES + 2)  # after the wire story's offsets
    assert "orphan" in [a.id for a in source.latest_articles(None, 50)]


def test_an_entity_counts_an_original_and_its_copies_once(source: PostgresSource, wire: WireStory) -> None:
    person = source.entity(wire.person)
    assert person is not None
    assert (person.articles, person.with_copies, person.sources, person.stories) == (1, COPIES + 1, COPIES + 1, 1)
    assert person.mentions == 1  # once in the original, not 21 times
    assert sum(d.mentions for d in source.mentions_per_day(wire.person)) == person.mentions
    place = source.entity(wire.place)
    assert place is not None and (place.articles, place.with_copies) == (2, COPIES + 2)


def test_claims_of_copies_are_not_listed(source: PostgresSource, wire: WireStory) -> None:
    assert [c.article_id for c in source.claims_by(wire.person, 100)] == [wire.original]
    assert {c.article_id for c in source.claims_about(wire.place, 100)} == {wire.original, wire.denial}
    assert len(source.claims_about(wire.place, 100)) == 3


def test_appears_with_counts_originals_and_can_leave_dates_out(source: PostgresSource, wire: WireStory) -> None:
    everything = {n.entity_id: n.articles for n in source.neighbours(wire.person, 30)}
    assert everything == {wire.place: 1, wire.day: 1}
    assert {n.entity_id for n in source.neighbours(wire.person, 30, NUMERIC_LABELS)} == {wire.place}


def test_the_story_reads_with_its_sizes_members_and_ledger(source: PostgresSource, wire: WireStory) -> None:
    story = source.story(wire.story_id)
    assert story is not None
    assert (story.articles, story.originals, story.sources) == (COPIES + 2, 2, COPIES + 2)
    assert [e.id for e in story.entities] == [wire.place, wire.person]
    members = source.story_members(wire.story_id)
    assert [m.article_id for m in members] == [wire.original, *wire.copies, wire.denial]
    assert all(m.stored for m in members) and members[1].duplicate_of == wire.original
    ledger = source.story_ledger(wire.story_id)
    sides = {(c.claim_id, c.polarity) for c in ledger}
    assert sides == {(wire.asserting_claim, "asserts"), (wire.denying_claim, "denies")}
    assert source.story_of(wire.copies[3]) == story
    assert source.active_stories(10) == [story] == source.recent_stories(10)
    assert source.entity_stories(wire.person, 10) == [story]
    assert source.story("no-such-story") is None and source.story_of("no-such-article") is None


def test_a_store_without_story_tables_shows_no_stories(
    database: Database, wire: WireStory, caplog: pytest.LogCaptureFixture
) -> None:
    with psycopg.connect(database.url) as conn:
        conn.execute("DROP VIEW story_claims_ledger, story_timeline, stories_last_day, story_summaries")
        conn.execute("DROP TABLE stories, story_articles, claim_links, trends")
    reader = PostgresSource(database.reader_url)
    try:
        assert reader.active_stories(10) == [] and reader.story("story-hama") is None
        entity = reader.entity("person:ahmed-karim")
        assert entity is not None and entity.stories == 0
        assert "[E935]" in caplog.text
        client = TestClient(create_app(reader))
        assert client.get("/").status_code == 200 and client.get("/articles/wire-0").status_code == 200
        assert client.get("/stories/story-hama").status_code == 404
    finally:
        reader.close()


def test_the_pages_show_the_story_and_the_collapsed_copies(source: PostgresSource, wire: WireStory) -> None:
    client = TestClient(create_app(source))
    front = client.get("/").text
    assert front.count('<li class="article"') == 2 and f"and {COPIES} copies" in front
    assert 'href="/stories/story-hama">Hama · Ahmed Karim</a>' in front
    article = client.get(f"/articles/{wire.copies[0]}").text
    assert "Story: " in article and "2 articles (22 with copies), 22 sources" in article
    person = client.get(f"/entities/{wire.person}").text
    assert "1 mention in 1 story, 21 sources, 1 article (21 with copies)" in person

"""The explorer's PostgreSQL adapter on a real database the sink's store filled with
real enriched seed events: the rows it reads equal the events, and it cannot write."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg
import pytest

from tests.integration.postgres import Database
from tests.integration.sink_support import sink_events
from workers.positions import Position
from workers.sink.rows import article_rows
from workers.sink.samples import renumbered
from workers.sink.store import Batch, OffsetRange, SinkStore
from workers.web.exceptions import StoreUnavailable
from workers.web.postgres import PostgresSource, reader_url

__all__ = ["sink_events"]  # the fixture, imported for pytest

TOPIC = "articles.enriched"


def write(url: str, events: list[dict[str, Any]], start: int = 0) -> None:
    store = SinkStore(url, "web-test")
    try:
        rows = [article_rows(e, Position(TOPIC, 0, start + i)) for i, e in enumerate(events)]
        store.write(Batch(rows, (), [OffsetRange(TOPIC, 0, start or None, start + len(events))]))
    finally:
        store.close()


@pytest.fixture
def filled(database: Database, sink_events: list[dict[str, Any]]) -> Iterator[PostgresSource]:
    write(database.url, sink_events)
    source = PostgresSource(database.reader_url)
    yield source
    source.close()  # its pooled sessions of the reader role, so that the owner can drop the database


def test_the_reader_url_is_the_read_only_role_of_the_same_database(database: Database) -> None:
    url = reader_url(database.url.replace("newsflow@", "newsflow:secret@"))
    params = psycopg.conninfo.conninfo_to_dict(url)
    assert params["user"] == "newsflow_reader" and "password" not in params
    assert params["dbname"] == database.name


def test_the_mentions_read_are_those_of_the_event(filled: PostgresSource, sink_events: list[dict[str, Any]]) -> None:
    for event in sink_events:
        want = sorted((m["start"], m["end"], e["id"], e["label"]) for e in event["entities"] for m in e["mentions"])
        got = sorted((m.start, m.end, m.entity_id, m.label) for m in filled.mentions(event["id"]))
        assert got == want, event["id"]


def test_the_claims_read_are_those_of_the_event(filled: PostgresSource, sink_events: list[dict[str, Any]]) -> None:
    for event in sink_events:
        want = [(c["id"], c["cue"]["text"], c["content"]["text"], c["stance"]) for c in event["claims"]]
        got = [(c.id, c.cue_text, c.content_text, c.stance) for c in filled.claims_in(event["id"])]
        assert got == want, event["id"]


def test_an_article_reads_back_with_its_body(filled: PostgresSource, sink_events: list[dict[str, Any]]) -> None:
    event = sink_events[0]
    row = filled.article(event["id"])
    assert row is not None and (row.body, row.title, row.url) == (event["body"], event["title"], event["url"])
    assert filled.article("no-such-article") is None


def test_the_search_finds_an_article_by_a_word_of_its_body(
    filled: PostgresSource, sink_events: list[dict[str, Any]]
) -> None:
    event = sink_events[1]
    word = max((w.strip(".,;:\"'()") for w in event["body"].split()), key=len)
    assert event["id"] in [a.id for a in filled.latest_articles(word, 50)]


def test_a_search_of_sql_text_is_only_a_search(filled: PostgresSource) -> None:
    assert filled.latest_articles("'; DROP TABLE articles; --", 50) == []
    assert filled.latest_articles("100%_", 50) == []
    assert len(filled.latest_articles(None, 50)) == 4


def test_a_query_of_stop_words_falls_back_to_a_substring(
    filled: PostgresSource, sink_events: list[dict[str, Any]]
) -> None:
    assert len(filled.latest_articles("the", 50)) == sum("the" in (e["body"] or "").lower() for e in sink_events)


def test_the_live_cursor_moves_past_each_write(
    database: Database, filled: PostgresSource, sink_events: list[dict[str, Any]]
) -> None:
    before = filled.newest_cursor()
    assert filled.articles_after(before, 50) == []
    write(database.url, [renumbered(sink_events[0], "later-1"), renumbered(sink_events[1], "later-2")], start=4)
    after = filled.articles_after(before, 50)
    assert sorted(a.id for a in after) == ["later-1", "later-2"]
    assert filled.newest_cursor() == max(a.cursor for a in after) > before
    assert [a.id for a in filled.articles_after(before, 1)] in (["later-1"], ["later-2"])


def test_an_entity_page_reads_its_claims_neighbours_and_days(
    filled: PostgresSource, sink_events: list[dict[str, Any]]
) -> None:
    claimant = next(
        c["claimant"]["entity_id"]
        for e in sink_events
        for c in e["claims"]
        if c["claimant"] and c["claimant"]["entity_id"]
    )
    entity = filled.entity(claimant)
    assert entity is not None and entity.mentions >= 1 and entity.articles >= 1
    made = [c for e in sink_events for c in e["claims"] if c["claimant"] and c["claimant"]["entity_id"] == claimant]
    assert sorted(c.id for c in filled.claims_by(claimant, 100)) == sorted(c["id"] for c in made)
    assert sum(d.mentions for d in filled.mentions_per_day(claimant)) == entity.mentions
    assert filled.neighbours(claimant, 100)
    assert filled.entity("gpe:no-such-place") is None


def test_claims_about_an_entity_hold_its_mention_in_their_content(
    filled: PostgresSource, sink_events: list[dict[str, Any]]
) -> None:
    event = next(e for e in sink_events if e["claims"])
    claim = event["claims"][0]
    inside = next(
        e["id"]
        for e in event["entities"]
        for m in e["mentions"]
        if claim["content"]["start"] <= m["start"] and m["end"] <= claim["content"]["end"]
    )
    assert claim["id"] in [c.id for c in filled.claims_about(inside, 100)]


def test_a_geocoded_place_has_its_coordinates(filled: PostgresSource, sink_events: list[dict[str, Any]]) -> None:
    place = next(e for ev in sink_events for e in ev["entities"] if e.get("geo") and e["geo"]["latitude"] is not None)
    row = filled.entity(place["id"])
    assert row is not None and (row.latitude, row.longitude) == (place["geo"]["latitude"], place["geo"]["longitude"])


def test_the_reader_role_cannot_write(database: Database, filled: PostgresSource) -> None:
    with psycopg.connect(database.reader_url) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("DELETE FROM articles")


def test_the_sources_transactions_are_read_only_even_for_the_owner(database: Database) -> None:
    owner = PostgresSource(database.url)
    with owner._cursor() as cur, pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
        cur.execute("DELETE FROM articles")


def test_a_database_that_is_not_there_is_reported_with_its_code(database: Database) -> None:
    source = PostgresSource(database.reader_url.replace(database.name, "no_such_database"), connect_timeout=2)
    with pytest.raises(StoreUnavailable, match=r"\[E921\]"):
        source.check()

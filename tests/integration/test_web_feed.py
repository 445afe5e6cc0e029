"""The explorer's live feed on a real database: every article the sink commits reaches
every client exactly once, however many a transaction holds and whatever order
transactions commit in, through one shared poller (issue #20)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, cast

import psycopg
import pytest

from tests.integration.postgres import Database
from tests.integration.sink_support import sink_events
from tests.test_web.feed_clients import article_ids, follow
from workers.positions import Position
from workers.sink.rows import article_rows
from workers.sink.samples import renumbered
from workers.sink.store import Batch, OffsetRange, SinkStore, copy_rows
from workers.sink.tables import ArticleRow
from workers.web.feed import LiveFeed
from workers.web.postgres import PostgresSource
from workers.web.source import ArticleSummary, RowSource

__all__ = ["sink_events"]  # the fixture, imported for pytest

TOPIC = "articles.enriched"


class SteppedSource:
    """The store, with one of ``steps`` run before each read (in the reader's thread)."""

    def __init__(self, source: PostgresSource, steps: list[Callable[[], None]]) -> None:
        self.source = source
        self.steps = list(steps)
        self.reads: list[int] = []  # articles each read returned
        self.last_step = -1

    def articles_after(self, cursor: int, limit: int) -> list[ArticleSummary]:
        if self.steps:
            self.steps.pop(0)()
            self.last_step = len(self.reads)  # the index of this read
        rows = self.source.articles_after(cursor, limit)
        self.reads.append(len(rows))
        return rows

    def done(self, idle_reads: int) -> bool:
        """Every step run, and ``idle_reads`` reads after the last one brought nothing."""
        after = self.reads[self.last_step + 1 :]
        return not self.steps and len(after) >= idle_reads and not any(after[-idle_reads:])


def feed(
    source: PostgresSource, cursor: int, steps: list[Callable[[], None]], clients: int = 3, idle_reads: int = 3
) -> list[list[str]]:
    """The article ids each of ``clients`` live-feed clients (one shared poller, from
    ``cursor``) receives while ``steps`` run, one before each read of the store, until
    ``idle_reads`` reads in a row after the last step bring nothing."""
    stepped = SteppedSource(source, steps)
    shared = LiveFeed(cast(RowSource, stepped), poll_seconds=0.001)
    received = follow(shared, [cursor] * clients, done=lambda: stepped.done(idle_reads))
    assert shared.reads == len(stepped.reads)  # the poller's reads only, however many clients
    return [article_ids(events) for events in received]


@pytest.fixture
def source(database: Database) -> Iterator[PostgresSource]:
    reader = PostgresSource(database.reader_url)
    yield reader
    reader.close()  # its pooled sessions, so that the owner can drop the database


def test_a_transaction_of_more_articles_than_a_page_reaches_the_feed_whole(
    database: Database, source: PostgresSource, sink_events: list[dict[str, Any]]
) -> None:
    burst = [renumbered(sink_events[i % len(sink_events)], f"burst-{i:03d}") for i in range(500)]
    start = source.newest_cursor()

    def write_burst() -> None:
        store = SinkStore(database.url, "feed-test")
        try:
            rows = [article_rows(e, Position(TOPIC, 0, i)) for i, e in enumerate(burst)]
            store.write(Batch(rows, (), [OffsetRange(TOPIC, 0, None, len(burst))]))
        finally:
            store.close()

    for sent in feed(source, start, [write_burst]):
        assert sorted(sent) == [e["id"] for e in burst] and len(sent) == len(set(sent))


def test_two_transactions_committing_in_the_opposite_order_of_their_start_reach_the_feed_once_each(
    database: Database, source: PostgresSource, sink_events: list[dict[str, Any]]
) -> None:
    early = psycopg.connect(database.url)
    late = psycopg.connect(database.url)
    start = source.newest_cursor()

    def insert(conn: psycopg.Connection[Any], article_id: str, n: int) -> None:
        with conn.cursor() as cur:
            rows = [
                article_rows(renumbered(sink_events[i % 4], f"{article_id}-{i}"), Position(TOPIC, 0, i))
                for i in range(n)
            ]
            copy_rows(cur, "articles", ArticleRow, [r.article for r in rows])

    try:
        received = feed(
            source,
            start,
            [
                lambda: insert(early, "early", 3),  # starts first, stays open
                lambda: (insert(late, "late", 60), late.commit()),  # starts later, commits first
                lambda: None,  # the feed polls with the early transaction still open
                early.commit,
            ],
        )
    finally:
        early.close()
        late.close()
    for sent in received:
        assert sorted(sent) == sorted([f"early-{i}" for i in range(3)] + [f"late-{i}" for i in range(60)])
        assert len(sent) == len(set(sent))
        assert sent[:3] == [f"early-{i}" for i in range(3)]  # the transaction that started first comes first


def test_the_feed_starts_after_the_articles_of_ended_transactions(
    database: Database, source: PostgresSource, sink_events: list[dict[str, Any]]
) -> None:
    open_one = psycopg.connect(database.url)
    try:
        with open_one.cursor() as cur:
            row = article_rows(renumbered(sink_events[0], "open-1"), Position(TOPIC, 0, 0))
            copy_rows(cur, "articles", ArticleRow, [row.article])
        start = source.newest_cursor()
        open_one.commit()
    finally:
        open_one.close()
    assert [a.id for a in source.articles_after(start, 50)] == ["open-1"]


def test_a_cursor_from_before_the_feed_position_resumes_from_now_not_from_the_start(
    database: Database, source: PostgresSource, sink_events: list[dict[str, Any]]
) -> None:
    store = SinkStore(database.url, "feed-test")
    try:
        rows = [article_rows(renumbered(e, f"old-{i}"), Position(TOPIC, 0, i)) for i, e in enumerate(sink_events)]
        store.write(Batch(rows, (), [OffsetRange(TOPIC, 0, None, len(rows))]))
    finally:
        store.close()
    written_at_micros = 1_796_000_000_000_000  # what the old feed sent as an event id
    assert source.articles_after(written_at_micros, 50) == []

"""The live feed: one poller of the store shared by every client (issue #20)."""

from __future__ import annotations

import asyncio
import json
import logging

import pytest

from tests.test_web.factories import hama_event
from tests.test_web.feed_clients import article_ids, follow, read_stream
from tests.test_web.memory import MemorySource
from workers.web.exceptions import StoreUnavailable
from workers.web.feed import LiveFeed
from workers.web.source import ArticleSummary


class CountingSource(MemorySource):
    """A store that counts its reads and, before some of them, stores new articles."""

    def __init__(self, arrivals: dict[int, list[str]] | None = None) -> None:
        super().__init__([hama_event("before")])
        self.arrivals = arrivals or {}
        self.reads: list[tuple[int, int]] = []  # (cursor asked from, articles returned)

    def articles_after(self, cursor: int, limit: int) -> list[ArticleSummary]:
        for article_id in self.arrivals.pop(len(self.reads), []):
            self.add(hama_event(article_id))
        rows = super().articles_after(cursor, limit)
        self.reads.append((cursor, len(rows)))
        return rows


def test_many_clients_share_one_read_of_the_store_per_poll() -> None:
    arrivals = {2: [f"a{i}" for i in range(3)], 5: [f"b{i}" for i in range(60)]}
    source = CountingSource(arrivals)
    feed = LiveFeed(source, poll_seconds=0.001)
    received = follow(feed, [source.newest_cursor()] * 20, done=lambda: len(source.reads) >= 10)
    expected = [f"a{i}" for i in range(3)] + [f"b{i}" for i in range(60)]
    assert all(article_ids(events) == expected for events in received)
    # every read is the poller's: one per poll, and one more for the full page of 50
    assert len(source.reads) == feed.reads == feed.polls + 1
    assert sum(n for _, n in source.reads) == 63  # each article read once, not once per client


def test_a_burst_larger_than_a_page_reaches_every_client_whole_and_in_order() -> None:
    source = CountingSource({1: [f"burst-{i}" for i in range(175)]})
    feed = LiveFeed(source, poll_seconds=0.001)
    received = follow(feed, [source.newest_cursor()] * 5, done=lambda: len(source.reads) >= 8)
    assert all(article_ids(events) == [f"burst-{i}" for i in range(175)] for events in received)
    # the positions the events carry, which a reconnecting browser sends back, rise one by one
    assert all([int(e["id"]) for e in events if "data" in e] == list(range(2, 177)) for events in received)


def test_a_client_from_an_older_position_catches_up_then_follows_each_article_once() -> None:
    source = CountingSource({6: ["later-1", "later-2"]})
    for i in range(120):
        source.add(hama_event(f"old-{i}"))
    feed = LiveFeed(source, poll_seconds=0.001, page_size=50)
    newest = source.newest_cursor()

    async def run() -> tuple[list[str], list[str]]:
        live = feed.subscribe(newest)  # starts the poller at the newest article
        reader = asyncio.ensure_future(read_stream(feed, live, lambda: len(source.reads) >= 10))
        await asyncio.sleep(0)
        back = feed.subscribe(11)  # a browser that last got old-9 (position 11)
        behind = await read_stream(feed, back, lambda: len(source.reads) >= 10)
        return article_ids(await reader), article_ids(behind)

    live_ids, behind_ids = asyncio.run(run())
    assert live_ids == ["later-1", "later-2"]
    assert behind_ids == [f"old-{i}" for i in range(10, 120)] + ["later-1", "later-2"]


def test_the_first_event_tells_the_browser_its_reconnection_delay() -> None:
    source = MemorySource([hama_event("a")])
    feed = LiveFeed(source, poll_seconds=0.001)
    [events] = follow(feed, [source.newest_cursor()], done=lambda: feed.reads >= 2)
    assert events == [{"comment": "new articles follow", "retry": "3000"}]


def test_an_event_carries_the_list_item_as_json_text() -> None:
    source = CountingSource({1: ["b"]})
    source.events[-1] = hama_event("before")
    source.add(hama_event("c", title="C <b>"))  # stored before the client connects: not sent
    feed = LiveFeed(source, poll_seconds=0.001)
    [events] = follow(feed, [source.newest_cursor()], done=lambda: feed.reads >= 3)
    [sent] = [e for e in events if "data" in e]
    assert (sent["event"], sent["id"]) == ("article", "3")
    data = json.loads(sent["data"])
    assert (data["id"], data["href"]) == ("b", "/articles/b") and set(data) == {
        "id",
        "href",
        "heading",
        "source",
        "published",
        "snippet",
    }


def test_a_client_that_falls_behind_keeps_a_bounded_queue_then_catches_up_on_its_own() -> None:
    source = CountingSource({1: [f"x{i}" for i in range(30)], 9: ["y"]})
    feed = LiveFeed(source, poll_seconds=0.001, page_size=5, backlog_pages=2)

    async def run() -> list[str]:
        slow = feed.subscribe(source.newest_cursor())
        while feed.reads < 8:  # the poller publishes 6 pages while the client reads none
            await asyncio.sleep(0.001)
        assert slow.overflowed and slow.pages.qsize() == 2
        events = await read_stream(feed, slow, lambda: len(source.reads) >= 14)
        return article_ids(events)

    assert asyncio.run(run()) == [f"x{i}" for i in range(30)] + ["y"]
    assert sum(n for _, n in source.reads) > 31  # the 20 it missed were read again, for it alone


def test_the_poller_stops_after_its_last_client_and_starts_again_with_the_next() -> None:
    source = CountingSource()
    feed = LiveFeed(source, poll_seconds=0.001)

    async def run() -> None:
        for _ in range(2):
            subscription = feed.subscribe(source.newest_cursor())
            assert feed.running
            await read_stream(feed, subscription, lambda: feed.reads >= 2)
            assert feed.subscribers == set()
            while feed.running:
                await asyncio.sleep(0.001)
            feed.reads = 0

    asyncio.run(run())


def test_a_store_that_cannot_be_read_is_logged_and_read_again_at_the_next_poll(
    caplog: pytest.LogCaptureFixture,
) -> None:
    class FlakySource(CountingSource):
        def articles_after(self, cursor: int, limit: int) -> list[ArticleSummary]:
            if len(self.reads) == 1:
                self.reads.append((cursor, 0))
                raise StoreUnavailable("[E921] connection refused")
            return super().articles_after(cursor, limit)

    source = FlakySource({3: ["after-the-outage"]})
    feed = LiveFeed(source, poll_seconds=0.001)
    with caplog.at_level(logging.WARNING, logger="workers.web.feed"):
        [events] = follow(feed, [source.newest_cursor()], done=lambda: len(source.reads) >= 6)
    assert article_ids(events) == ["after-the-outage"]
    assert any("[E921]" in r.getMessage() for r in caplog.records)

"""The live feed: one poller of the store shared by every client of ``/events``.

Polling the store once per client every second puts as many queries, and as many
copies of each new article, on the database the sink writes to as there are clients.
Here one task per server reads the articles stored after the last one it published, a
page at a time, every ``poll_seconds`` while at least one client is connected, encodes
each article once as a server-sent event, and hands each page to every client's queue;
a client's stream sends the page in one write.

A client that connects with an older position (a browser reconnecting with its
``Last-Event-ID``) first reads what it missed on its own, a page at a time, then follows
the shared poller, skipping what it already has, so it gets every article once and in
order. A client that does not keep up (more than ``backlog_pages`` pages queued for it) is no
longer handed pages: once it has sent what was queued, it reads what it missed on its
own, then follows the poller again; memory stays bounded however slow a client is.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass

import orjson
from sse_starlette.event import ServerSentEvent
from starlette.concurrency import run_in_threadpool

from workers.web.exceptions import StoreUnavailable
from workers.web.source import ArticleSummary, RowSource
from workers.web.views import article_item

__all__ = ["PAGE_SIZE", "RETRY_MS", "FeedItem", "LiveFeed", "Subscription", "encode_page"]

log = logging.getLogger(__name__)

#: Articles read from the store at once (a full page: the next is read at once).
PAGE_SIZE = 50
#: The browser's reconnection delay, sent first on every stream.
RETRY_MS = 3000
#: Pages queued for one client at most; past them it catches up on its own.
BACKLOG_PAGES = 64

_FIELDS = ("id", "href", "heading", "source", "published", "snippet")


@dataclass(frozen=True, slots=True)
class FeedItem:
    """One article as the feed sends it: its position and its encoded ``article`` event."""

    cursor: int
    encoded: bytes


def feed_item(row: ArticleSummary) -> FeedItem:
    """The event of one stored article: ``id`` is its position (a reconnecting client
    sends it back), ``data`` its list item as JSON (text only: the client inserts it
    with ``textContent``)."""
    item = article_item(row)
    data = orjson.dumps({k: getattr(item, k) for k in _FIELDS}).decode()
    return FeedItem(row.cursor, ServerSentEvent(data, event="article", id=str(row.cursor)).encode())


def encode_page(items: Sequence[FeedItem]) -> bytes:
    """The events of ``items``, one after the other, for one write."""
    return b"".join(item.encoded for item in items)


class Subscription:
    """One client of the feed: the position of the last article it was sent, and the
    pages the shared poller published for it since it subscribed (``overflowed``: more
    were published than it may keep, and the rest were not queued).

    Args:
        cursor: the last article the client has.
        backlog_pages: most pages kept for it before it is let go.
    """

    def __init__(self, cursor: int, backlog_pages: int) -> None:
        self.cursor = cursor
        self.pages: asyncio.Queue[tuple[FeedItem, ...]] = asyncio.Queue(maxsize=backlog_pages)
        self.overflowed = False

    def offer(self, page: tuple[FeedItem, ...]) -> None:
        """Queue ``page``; past the backlog, mark the client as behind instead."""
        if self.overflowed:
            return
        try:
            self.pages.put_nowait(page)
        except asyncio.QueueFull:
            self.overflowed = True

    def fresh(self, page: Sequence[FeedItem]) -> list[FeedItem]:
        """The items of ``page`` after the client's position, which moves past them."""
        items = [item for item in page if item.cursor > self.cursor]
        if items:
            self.cursor = items[-1].cursor
        return items


class LiveFeed:
    """The shared poller and its clients. Used from the event loop only (the store is
    read in the thread pool).

    Args:
        source: the store.
        poll_seconds: the pause between two polls when the last page was not full.
        page_size: articles read at once.
        backlog_pages: pages queued for a client at most; past them it catches up on its own.
    """

    def __init__(
        self,
        source: RowSource,
        poll_seconds: float = 1.0,
        *,
        page_size: int = PAGE_SIZE,
        backlog_pages: int = BACKLOG_PAGES,
    ) -> None:
        self.source = source
        self.poll_seconds = poll_seconds
        self.page_size = page_size
        self.backlog_pages = backlog_pages
        self.subscribers: set[Subscription] = set()
        #: The last article the poller published (or the position it started from).
        self.published = 0
        #: Polls the shared poller has made (each reads until a page is not full).
        self.polls = 0
        #: Pages the shared poller has read from the store (each one query).
        self.reads = 0
        self._task: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        """Whether the shared poller is running (it does while a client is connected)."""
        return self._task is not None

    def subscribe(self, cursor: int) -> Subscription:
        """A new client at ``cursor``; starts the shared poller (from ``cursor``) if it
        is not running. Call from the event loop."""
        subscription = Subscription(cursor, self.backlog_pages)
        self.subscribers.add(subscription)
        if self._task is None:
            self.published = cursor
            self._task = asyncio.get_running_loop().create_task(self._run(), name="newsflow-live-feed")
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        """The client has gone (any number of times); the poller stops after its last."""
        self.subscribers.discard(subscription)

    async def _read(self, cursor: int) -> list[ArticleSummary]:
        return await run_in_threadpool(self.source.articles_after, cursor, self.page_size)

    async def poll_once(self) -> int:
        """Read what was stored after the last article published, a page at a time
        until a page is not full, and hand each page to every client. The number of
        articles published (0 also when the store cannot be read: logged, tried again
        at the next poll)."""
        published = 0
        while True:
            try:
                rows = await self._read(self.published)
            except StoreUnavailable as exc:
                self.reads += 1
                self.polls += 1
                log.warning("live feed: %s", exc)
                return published
            self.reads += 1
            if rows:
                page = tuple(feed_item(row) for row in rows)
                self.published = page[-1].cursor
                for subscription in self.subscribers:
                    subscription.offer(page)
                published += len(page)
            if len(rows) < self.page_size:
                self.polls += 1
                return published

    async def _run(self) -> None:
        try:
            while self.subscribers:
                await self.poll_once()
                if not self.subscribers:
                    break
                await asyncio.sleep(self.poll_seconds)
        finally:
            self._task = None

    async def events(
        self, subscription: Subscription, disconnected: Callable[[], Awaitable[bool]]
    ) -> AsyncIterator[bytes]:
        """The stream of one client: a comment with its reconnection delay at once (so
        that the response starts before any article arrives), what it missed before the
        poller's position (read on its own), then the poller's pages, each article once
        and in order, until ``disconnected`` says it has gone; it is then unsubscribed.
        The store is read for this client alone only while it is behind the poller."""
        try:
            yield ServerSentEvent(comment="new articles follow", retry=RETRY_MS).encode()
            while True:
                # behind the poller (from an older position, or let go): catch up on its own
                subscription.overflowed = False
                behind = self.published
                while subscription.cursor < behind:
                    try:
                        rows = await self._read(subscription.cursor)
                    except StoreUnavailable as exc:
                        log.warning("live feed: %s", exc)
                        return  # the browser reconnects from the last article it got
                    items = subscription.fresh([feed_item(row) for row in rows])
                    if items:
                        yield encode_page(items)
                    if len(rows) < self.page_size:
                        break
                while not subscription.overflowed or not subscription.pages.empty():
                    if await disconnected():
                        return
                    try:
                        page = await asyncio.wait_for(subscription.pages.get(), self.poll_seconds)
                    except TimeoutError:
                        continue
                    items = subscription.fresh(page)
                    if items:
                        yield encode_page(items)
                log.info("live feed: a client fell %d pages behind; it reads what it missed itself", self.backlog_pages)
        finally:
            self.unsubscribe(subscription)

"""Clients of the shared live feed for tests: each reads its own stream of
server-sent-event bytes to the end, and the events are parsed back into fields."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterable

from workers.web.feed import LiveFeed, Subscription


def parse_events(chunks: Iterable[bytes]) -> list[dict[str, str]]:
    """The events of a stream, each as its fields (``comment`` for a comment line)."""
    events = []
    for block in b"".join(chunks).decode().split("\r\n\r\n"):
        if not block:
            continue
        fields: dict[str, str] = {}
        for line in block.split("\r\n"):
            name, _, value = line.partition(":")
            fields[name or "comment"] = value.removeprefix(" ")
        events.append(fields)
    return events


def article_ids(events: Iterable[dict[str, str]]) -> list[str]:
    """The article ids the ``article`` events carry, in order."""
    return [json.loads(e["data"])["id"] for e in events if e.get("event") == "article"]


async def read_stream(feed: LiveFeed, subscription: Subscription, done: Callable[[], bool]) -> list[dict[str, str]]:
    """Read one client's stream until ``done()`` and nothing is left queued for it."""
    chunks: list[bytes] = []

    async def disconnected() -> bool:
        return done() and subscription.pages.empty()

    async for chunk in feed.events(subscription, disconnected):
        chunks.append(chunk)
    return parse_events(chunks)


def follow(feed: LiveFeed, starts: list[int], done: Callable[[], bool]) -> list[list[dict[str, str]]]:
    """One client per position of ``starts``, all reading at once until ``done()``, then
    the poller's end; the events each received."""

    async def run() -> list[list[dict[str, str]]]:
        subscriptions = [feed.subscribe(start) for start in starts]
        received = list(await asyncio.gather(*(read_stream(feed, s, done) for s in subscriptions)))
        while feed.running:  # the poller ends by itself after its last client (not cancelled mid-read)
            await asyncio.sleep(0.001)
        return received

    return asyncio.run(run())

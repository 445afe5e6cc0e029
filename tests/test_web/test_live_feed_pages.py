"""The live feed pages through a burst: every article after the cursor, each once, in order."""

from __future__ import annotations

import asyncio
import json

from tests.test_web.factories import hama_event
from tests.test_web.memory import MemorySource
from workers.web.app import live_events


def feed(source: MemorySource, cursor: int, polls: int) -> list[str]:
    calls = 0

    async def disconnected() -> bool:
        nonlocal calls
        calls += 1
        return calls > polls

    async def run() -> list[str]:
        return [
            json.loads(str(e["data"]))["id"]
            async for e in live_events(source, cursor, 0.0, disconnected)
            if "data" in e
        ]

    return asyncio.run(run())


def test_a_burst_larger_than_a_page_reaches_the_feed_whole_and_in_order() -> None:
    source = MemorySource([hama_event("before")])
    start = source.newest_cursor()
    for i in range(175):
        source.add(hama_event(f"burst-{i}"))
    assert feed(source, start, polls=5) == [f"burst-{i}" for i in range(175)]


def test_a_page_of_the_source_is_the_oldest_after_the_cursor() -> None:
    source = MemorySource([hama_event(f"a{i}") for i in range(5)])
    assert [a.id for a in source.articles_after(1, 2)] == ["a1", "a2"]

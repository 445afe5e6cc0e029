"""The explorer's micro-cache: one store read per page and interval, whatever the readers."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.testclient import TestClient

from tests.test_web.factories import hama_event
from tests.test_web.memory import MemorySource
from workers.exceptions import ConfigError
from workers.settings import Settings
from workers.web.app import create_app
from workers.web.cache import PageCache


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _app(calls: list[str]) -> Starlette:
    async def page(request: Request) -> Response:
        calls.append(request.url.path + "?" + request.url.query)
        status = 404 if request.url.path == "/missing" else 200
        return PlainTextResponse(f"page {len(calls)}", status_code=status)

    async def stream(request: Request) -> Response:
        calls.append("events")
        return Response("data: 1\n\n", media_type="text/event-stream")

    return Starlette(routes=[Route("/events", stream), Route("/{path:path}", page)])


def _cached(seconds: float = 2.0, entries: int = 512) -> tuple[TestClient, list[str], Clock]:
    calls: list[str] = []
    clock = Clock()
    return TestClient(PageCache(_app(calls), seconds=seconds, entries=entries, clock=clock)), calls, clock


def test_a_page_is_made_once_per_interval_however_many_readers_ask() -> None:
    client, calls, clock = _cached()
    bodies = [client.get("/entities/x").text for _ in range(5)]
    assert bodies == ["page 1"] * 5 and len(calls) == 1
    clock.now += 2.5
    assert client.get("/entities/x").text == "page 2"


def test_each_url_and_query_is_kept_apart() -> None:
    client, calls, _ = _cached()
    client.get("/?q=hama")
    client.get("/?q=homs")
    client.get("/?q=hama")
    assert calls == ["/?q=hama", "/?q=homs"]


def test_failures_and_the_live_feed_are_never_kept() -> None:
    client, calls, _ = _cached()
    for _ in range(2):
        assert client.get("/missing").status_code == 404
        assert client.get("/events").text == "data: 1\n\n"
    assert calls == ["/missing?", "events", "/missing?", "events"]


def test_the_least_recently_used_page_goes_first_past_the_bound() -> None:
    client, calls, _ = _cached(entries=2)
    for path in ("/a", "/b", "/a", "/c", "/a", "/b"):
        client.get(path)
    assert calls == ["/a?", "/b?", "/c?", "/b?"]  # /b was dropped for /c, /a stayed


def test_zero_seconds_keeps_nothing() -> None:
    client, calls, _ = _cached(seconds=0)
    client.get("/a")
    client.get("/a")
    assert len(calls) == 2


class Counting(MemorySource):
    def __init__(self) -> None:
        super().__init__([hama_event()])
        self.reads = 0

    def latest_articles(self, query: Any, limit: int) -> Any:
        self.reads += 1
        return super().latest_articles(query, limit)


@pytest.mark.parametrize(("seconds", "reads"), [(60.0, 1), (0.0, 3)])
def test_the_explorer_reads_its_front_page_once_per_interval(seconds: float, reads: int) -> None:
    source = Counting()
    client = TestClient(create_app(source, cache_seconds=seconds))
    pages = [client.get("/", headers={"accept-encoding": encoding}) for encoding in ("gzip", "identity", "gzip")]
    assert {p.status_code for p in pages} == {200} and source.reads == reads
    assert pages[1].headers.get("content-encoding") is None and "content-security-policy" in pages[1].headers


@pytest.mark.parametrize("seconds", [-1.0, 3601.0])
def test_a_cache_time_out_of_range_is_refused(seconds: float) -> None:
    with pytest.raises(ConfigError, match="E117"):
        Settings(data_dir="/tmp/unused", web_cache_seconds=seconds)

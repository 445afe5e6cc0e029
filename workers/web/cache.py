"""A micro-cache of the explorer's pages: many readers, one query per page per few seconds.

The explorer reads the database the sink writes to, so every page a reader loads is
work taken from the sink. Readers of a monitoring desk load the same few pages (the
front page, the entities of the day's story) again and again; the store changes at
most as fast as the sink commits. So a page is kept for ``seconds`` after it was made,
and every request for the same URL in that time gets the kept copy: a page is at most
that old, and the store is asked once per page and interval, however many readers ask.

Only successful ``GET`` responses are kept, never the live feed (a server-sent event
stream passes straight through, however long it lasts), and at most ``entries`` pages,
the least recently used dropped first. It sits inside the compression and header
middleware, so what it keeps is the page itself and every reader still gets the
encoding it asked for. ``seconds`` of 0 turns it off.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["PageCache"]


@dataclass(frozen=True, slots=True)
class _Kept:
    expires: float
    start: Message
    body: bytes


class PageCache:
    """ASGI middleware; see the module docstring.

    Args:
        app: the application whose pages are kept.
        seconds: how long a page is kept (``NEWSFLOW_WEB_CACHE_SECONDS``); 0: never.
        entries: most pages kept at once.
        clock: seconds, monotonic (a fake in tests).
    """

    def __init__(
        self, app: ASGIApp, *, seconds: float, entries: int = 512, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.app = app
        self.seconds = seconds
        self.entries = entries
        self.clock = clock
        self._kept: OrderedDict[str, _Kept] = OrderedDict()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or self.seconds <= 0:
            await self.app(scope, receive, send)
            return
        key = scope["path"] + "?" + scope.get("query_string", b"").decode("latin-1")
        now = self.clock()
        kept = self._kept.get(key)
        if kept is not None and kept.expires > now:
            self._kept.move_to_end(key)
            await send(kept.start)
            await send({"type": "http.response.body", "body": kept.body, "more_body": False})
            return
        await self.app(scope, receive, _Recorder(self, key, now, send))

    def keep(self, key: str, made: float, start: Message, body: bytes) -> None:
        self._kept[key] = _Kept(made + self.seconds, start, body)
        self._kept.move_to_end(key)
        while len(self._kept) > self.entries:
            self._kept.popitem(last=False)


class _Recorder:
    """Passes a response on while it keeps a copy, unless it is a stream or a failure."""

    def __init__(self, cache: PageCache, key: str, made: float, send: Send) -> None:
        self.cache, self.key, self.made, self.send = cache, key, made, send
        self.start: Message | None = None
        self.parts: list[bytes] = []
        self.keeping = False

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = dict(message.get("headers", []))
            streaming = headers.get(b"content-type", b"").startswith(b"text/event-stream")
            self.keeping = message["status"] == 200 and not streaming
            self.start = message
        elif message["type"] == "http.response.body" and self.keeping:
            self.parts.append(message.get("body", b""))
            if not message.get("more_body", False) and self.start is not None:
                self.cache.keep(self.key, self.made, self.start, b"".join(self.parts))
        await self.send(message)

"""The explorer's HTTP adapter: Starlette routes that read the store, build views, render.

Server-rendered Jinja2 templates (autoescaped), one static script for the live list
(server-sent events), and a Content-Security-Policy that allows no inline script or
style and nothing from another origin.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import jinja2
import orjson
from sse_starlette.sse import EventSourceResponse
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from workers.web.chart import mentions_chart_svg
from workers.web.exceptions import StoreUnavailable, UnsafeRendering
from workers.web.highlight import label_css
from workers.web.source import RowSource
from workers.web.views import article_item, article_list_page, article_page, entity_page

__all__ = ["CONTENT_SECURITY_POLICY", "create_app", "live_events"]

log = logging.getLogger(__name__)

HERE = Path(__file__).parent

#: Pages: scripts and styles only from our own static files; no inline code at all.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
#: The chart: an SVG document with pygal's own <style>; no script runs in it.
_SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'"

_LIST_LIMIT = 50
_CLAIMS_LIMIT = 100
_NEIGHBOURS_LIMIT = 30
_RETRY_MS = 3000


class SecurityHeaders:
    """ASGI middleware: a CSP and friends on every response that has none yet."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                for name, value in (
                    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer"),
                ):
                    if name not in names:
                        headers.append((name, value))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def live_events(
    source: RowSource,
    cursor: int,
    poll_seconds: float,
    disconnected: Callable[[], Awaitable[bool]],
) -> AsyncIterator[dict[str, str | int]]:
    """Server-sent events, one ``article`` event per article stored after ``cursor``.

    Args:
        source: the store, polled every ``poll_seconds``.
        cursor: the last article the client has (its ``Last-Event-ID``, or the newest
            when it connected).
        poll_seconds: the pause between two polls.
        disconnected: says when the client has gone; the feed then ends.

    Yields:
        First a comment with the client's reconnection delay, sent at once so that the
        response starts (and the browser knows it is connected) before any article
        arrives; then sse-starlette event dicts: ``id`` is the article's cursor (a
        reconnecting client sends it back), ``data`` the list item as JSON (text only:
        the client inserts it with ``textContent``).
    """
    yield {"comment": "new articles follow", "retry": _RETRY_MS}
    while not await disconnected():
        try:
            rows = await run_in_threadpool(source.articles_after, cursor, _LIST_LIMIT)
        except StoreUnavailable as exc:
            log.warning("live feed: %s", exc)
            rows = []
        for row in rows:
            cursor = max(cursor, row.cursor)
            item = article_item(row)
            data = {k: getattr(item, k) for k in ("id", "href", "heading", "source", "published", "snippet")}
            yield {"event": "article", "id": str(row.cursor), "data": orjson.dumps(data).decode()}
        if not rows:
            await asyncio.sleep(poll_seconds)


def _templates() -> Jinja2Templates:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,  # article text is untrusted: every {{ }} is escaped
        undefined=jinja2.StrictUndefined,
    )
    return Jinja2Templates(env=env)


def create_app(source: RowSource, *, poll_seconds: float = 1.0) -> Starlette:
    """The explorer as an ASGI application.

    Args:
        source: where stored records come from (PostgreSQL in production, a fake in tests).
        poll_seconds: how often the live feed asks the store for new articles.

    Returns:
        A Starlette app; serve it with uvicorn.
    """
    templates = _templates()

    async def read(call: Callable[..., Any], *args: Any) -> Any:
        return await run_in_threadpool(call, *args)

    async def index(request: Request) -> Response:
        query = request.query_params.get("q")
        rows = await read(source.latest_articles, (query or "").strip() or None, _LIST_LIMIT)
        page = article_list_page(rows, query)
        return templates.TemplateResponse(request, "index.html", {"page": page, "query": page.query})

    async def article(request: Request) -> Response:
        article_id = request.path_params["article_id"]
        row = await read(source.article, article_id)
        if row is None:
            raise HTTPException(404, f"no article {article_id!r}")
        mentions = await read(source.mentions, article_id)
        claims = await read(source.claims_in, article_id)
        page = article_page(row, mentions, claims)
        for problem in page.unhighlighted:
            log.warning("article %r: %s", article_id, problem)
        return templates.TemplateResponse(request, "article.html", {"page": page})

    async def entity(request: Request) -> Response:
        entity_id = request.path_params["entity_id"]
        row = await read(source.entity, entity_id)
        if row is None:
            raise HTTPException(404, f"no entity {entity_id!r}")
        page = entity_page(
            row,
            await read(source.claims_by, entity_id, _CLAIMS_LIMIT),
            await read(source.claims_about, entity_id, _CLAIMS_LIMIT),
            await read(source.neighbours, entity_id, _NEIGHBOURS_LIMIT),
        )
        return templates.TemplateResponse(request, "entity.html", {"page": page})

    async def chart(request: Request) -> Response:
        entity_id = request.path_params["entity_id"]
        row = await read(source.entity, entity_id)
        if row is None:
            raise HTTPException(404, f"no entity {entity_id!r}")
        counts = await read(source.mentions_per_day, entity_id)
        svg = await read(mentions_chart_svg, counts, f"Mentions of {row.name} per day")
        return Response(svg, media_type="image/svg+xml", headers={"content-security-policy": _SVG_POLICY})

    async def labels(request: Request) -> Response:
        return PlainTextResponse(label_css(), media_type="text/css")

    async def favicon(request: Request) -> Response:
        return Response(status_code=204)  # no icon; a 404 would only fill browser logs

    async def events(request: Request) -> Response:
        last_event = request.headers.get("last-event-id", "")
        start = int(last_event) if last_event.isdigit() else None
        cursor: int = start if start is not None else await read(source.newest_cursor)
        return EventSourceResponse(live_events(source, cursor, poll_seconds, request.is_disconnected), ping=15)

    async def not_found(request: Request, exc: Exception) -> Response:
        detail = exc.detail if isinstance(exc, HTTPException) else "not found"
        status = exc.status_code if isinstance(exc, HTTPException) else 404
        return templates.TemplateResponse(
            request, "error.html", {"title": "Not found", "detail": detail}, status_code=status
        )

    async def store_down(request: Request, exc: Exception) -> Response:
        log.error("%s", exc)
        detail = "[E921] the store cannot be read; see the server log"
        return templates.TemplateResponse(
            request, "error.html", {"title": "Store unavailable", "detail": detail}, status_code=503
        )

    async def unsafe(request: Request, exc: Exception) -> Response:
        log.error("%s", exc)
        return templates.TemplateResponse(
            request, "error.html", {"title": "Cannot render", "detail": str(exc)}, status_code=500
        )

    routes = [
        Route("/", index, name="index"),
        Route("/articles/{article_id:path}", article, name="article"),
        Route("/entities/{entity_id}/mentions.svg", chart, name="chart"),
        Route("/entities/{entity_id}", entity, name="entity"),
        Route("/events", events, name="events"),
        Route("/labels.css", labels, name="labels"),
        Route("/favicon.ico", favicon, name="favicon"),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    app = Starlette(
        routes=routes,
        exception_handlers={
            HTTPException: not_found,
            StoreUnavailable: store_down,
            UnsafeRendering: unsafe,
        },
    )
    app.add_middleware(SecurityHeaders)
    # pages and the chart shrink about 5x; Starlette never compresses text/event-stream
    app.add_middleware(GZipMiddleware, minimum_size=1000)
    return app

"""The explorer's HTTP adapter: Starlette routes that read the store, build views, render.

Server-rendered Jinja2 templates (autoescaped), one static script for the live list
(server-sent events from one poller shared by every client, :mod:`workers.web.feed`),
and a Content-Security-Policy that allows no inline script or style and nothing from
another origin.

Each route's handler is a module-level function that reads what it needs (the store,
the templates, the live feed's pace) from one :class:`ExplorerState` on
``request.app.state.explorer``; :func:`create_app` builds that state and the routes, so
a handler can be read, and mounted in a test app, on its own.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
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

from workers.web.cache import PageCache
from workers.web.chart import mentions_chart_svg
from workers.web.exceptions import StoreUnavailable, UnsafeRendering
from workers.web.feed import RETRY_MS, LiveFeed, Subscription
from workers.web.highlight import label_css
from workers.web.source import NUMERIC_LABELS, RowSource, StoredEntity
from workers.web.story_views import story_list_page, story_page
from workers.web.views import article_list_page, article_page, entity_page

__all__ = [
    "CONTENT_SECURITY_POLICY",
    "DEFAULT_MAX_STREAMS",
    "ExplorerState",
    "StreamSlots",
    "article",
    "cannot_render",
    "create_app",
    "entity",
    "explorer_state",
    "favicon",
    "index",
    "label_stylesheet",
    "live_feed",
    "mentions_chart",
    "not_found",
    "store_down",
    "stories",
    "story",
]

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
_STORIES_LIMIT = 10
_STORY_LIST_LIMIT = 100
#: Live-feed clients served at once unless told otherwise (``Settings.web_max_streams``).
DEFAULT_MAX_STREAMS = 20


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


def _templates() -> Jinja2Templates:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,  # article text is untrusted: every {{ }} is escaped
        undefined=jinja2.StrictUndefined,
    )
    return Jinja2Templates(env=env)


class StreamSlots:
    """How many live feeds are open, against a limit: each open feed polls the store,
    so their number is bounded. Used from the event loop only (no lock needed).

    Args:
        limit: most feeds open at once.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.open = 0

    def take(self) -> bool:
        """Count one more open feed; False (and nothing counted) when all are taken."""
        if self.open >= self.limit:
            return False
        self.open += 1
        return True

    def give_back(self) -> None:
        """Count one feed fewer."""
        self.open -= 1


class _SlotStream(EventSourceResponse):
    """An event stream that gives its slot back, and leaves the live feed, when it
    ends, however it ends."""

    def __init__(
        self,
        content: AsyncIterator[bytes],
        slots: StreamSlots,
        feed: LiveFeed,
        subscription: Subscription,
        **kwargs: Any,
    ) -> None:
        super().__init__(content, **kwargs)
        self._slots = slots
        self._feed = feed
        self._subscription = subscription

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            self._feed.unsubscribe(self._subscription)
            self._slots.give_back()


@dataclass(frozen=True)
class ExplorerState:
    """What the handlers read, in one place: ``app.state.explorer`` (set by :func:`create_app`).

    Args:
        source: where stored records come from (PostgreSQL in production, a fake in tests).
        poll_seconds: how often the live feed asks the store for new articles.
        templates: the pages' Jinja2 templates (autoescaped).
        streams: the live feeds open and their limit.

    Attributes:
        feed: the live feed's one poller, shared by every client (made from ``source``
            and ``poll_seconds``).
    """

    source: RowSource
    poll_seconds: float = 1.0
    templates: Jinja2Templates = field(default_factory=_templates)
    streams: StreamSlots = field(default_factory=lambda: StreamSlots(DEFAULT_MAX_STREAMS))
    feed: LiveFeed = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "feed", LiveFeed(self.source, self.poll_seconds))


def explorer_state(request: Request) -> ExplorerState:
    """The :class:`ExplorerState` of the app that serves ``request``."""
    found: ExplorerState = request.app.state.explorer
    return found


async def index(request: Request) -> Response:
    """``/``: the active stories and the newest articles, or the articles matching ``?q=``
    (copies under their original)."""
    state = explorer_state(request)
    query = (request.query_params.get("q") or "").strip() or None
    rows = await run_in_threadpool(state.source.latest_articles, query, _LIST_LIMIT)
    active = [] if query else await run_in_threadpool(state.source.active_stories, _STORIES_LIMIT)
    page = article_list_page(rows, query, active)
    return state.templates.TemplateResponse(request, "index.html", {"page": page, "query": page.query})


async def article(request: Request) -> Response:
    """``/articles/{article_id}``: the body with its mentions highlighted, and its claims.

    Raises:
        HTTPException: 404, no such article.
    """
    state = explorer_state(request)
    article_id = request.path_params["article_id"]
    row = await run_in_threadpool(state.source.article, article_id)
    if row is None:
        raise HTTPException(404, f"no article {article_id!r}")
    mentions = await run_in_threadpool(state.source.mentions, article_id)
    claims = await run_in_threadpool(state.source.claims_in, article_id)
    in_story = await run_in_threadpool(state.source.story_of, article_id)
    page = article_page(row, mentions, claims, in_story)
    for problem in page.unhighlighted:
        log.warning("article %r: %s", article_id, problem)
    return state.templates.TemplateResponse(request, "article.html", {"page": page})


async def _entity_or_404(request: Request) -> tuple[str, StoredEntity]:
    """The entity the path names, and its id.

    Raises:
        HTTPException: 404, no such entity.
    """
    entity_id: str = request.path_params["entity_id"]
    row = await run_in_threadpool(explorer_state(request).source.entity, entity_id)
    if row is None:
        raise HTTPException(404, f"no entity {entity_id!r}")
    return entity_id, row


async def entity(request: Request) -> Response:
    """``/entities/{entity_id}``: its stories, claims by and about the entity, and its
    neighbours (without dates and numbers unless ``?with=all``).

    Raises:
        HTTPException: 404, no such entity.
    """
    state = explorer_state(request)
    entity_id, row = await _entity_or_404(request)
    everything = request.query_params.get("with") == "all"
    page = entity_page(
        row,
        await run_in_threadpool(state.source.claims_by, entity_id, _CLAIMS_LIMIT),
        await run_in_threadpool(state.source.claims_about, entity_id, _CLAIMS_LIMIT),
        await run_in_threadpool(
            state.source.neighbours, entity_id, _NEIGHBOURS_LIMIT, () if everything else NUMERIC_LABELS
        ),
        await run_in_threadpool(state.source.entity_stories, entity_id, _STORIES_LIMIT),
        all_neighbours=everything,
    )
    return state.templates.TemplateResponse(request, "entity.html", {"page": page})


async def stories(request: Request) -> Response:
    """``/stories``: the stories of the last day, then the latest seen."""
    state = explorer_state(request)
    active = await run_in_threadpool(state.source.active_stories, _STORY_LIST_LIMIT)
    recent = await run_in_threadpool(state.source.recent_stories, _STORY_LIST_LIMIT)
    return state.templates.TemplateResponse(request, "stories.html", {"page": story_list_page(active, recent)})


async def story(request: Request) -> Response:
    """``/stories/{story_id}``: a story's articles, leading entities and claims ledger.

    Raises:
        HTTPException: 404, no such story.
    """
    state = explorer_state(request)
    story_id = request.path_params["story_id"]
    row = await run_in_threadpool(state.source.story, story_id)
    if row is None:
        raise HTTPException(404, f"no story {story_id!r}")
    members = await run_in_threadpool(state.source.story_members, story_id)
    ledger = await run_in_threadpool(state.source.story_ledger, story_id)
    return state.templates.TemplateResponse(request, "story.html", {"page": story_page(row, members, ledger)})


async def mentions_chart(request: Request) -> Response:
    """``/entities/{entity_id}/mentions.svg``: the entity's mentions per day, an SVG.

    Raises:
        HTTPException: 404, no such entity.
    """
    state = explorer_state(request)
    entity_id, row = await _entity_or_404(request)
    counts = await run_in_threadpool(state.source.mentions_per_day, entity_id)
    svg = await run_in_threadpool(mentions_chart_svg, counts, f"Mentions of {row.name} per day")
    return Response(svg, media_type="image/svg+xml", headers={"content-security-policy": _SVG_POLICY})


async def label_stylesheet(request: Request) -> Response:
    """``/labels.css``: a colour per entity label."""
    return PlainTextResponse(label_css(), media_type="text/css")


async def favicon(request: Request) -> Response:
    """``/favicon.ico``: no content."""
    return Response(status_code=204)  # no icon; a 404 would only fill browser logs


async def live_feed(request: Request) -> Response:
    """``/events``: the shared live feed (:meth:`LiveFeed.events`) from the client's
    ``Last-Event-ID``, or from now; 503 ([E927]) when ``ExplorerState.streams`` are all
    taken."""
    state = explorer_state(request)
    if not state.streams.take():
        log.warning("live feed: %d clients already, refusing one more [E927]", state.streams.limit)
        return PlainTextResponse(
            f"[E927] the live feed serves {state.streams.limit} clients at most (NEWSFLOW_WEB_MAX_STREAMS); "
            "reload the page later",
            status_code=503,
            headers={"retry-after": str(RETRY_MS // 1000)},
        )
    subscription: Subscription | None = None
    try:
        last_event = request.headers.get("last-event-id", "")
        start = int(last_event) if last_event.isdigit() else None
        cursor = start if start is not None else await run_in_threadpool(state.source.newest_cursor)
        subscription = state.feed.subscribe(cursor)
        events = state.feed.events(subscription, request.is_disconnected)
        return _SlotStream(events, state.streams, state.feed, subscription, ping=15)
    except BaseException:
        if subscription is not None:
            state.feed.unsubscribe(subscription)
        state.streams.give_back()
        raise


async def not_found(request: Request, exc: Exception) -> Response:
    """An :class:`HTTPException` (an unknown article, entity or path) as an error page."""
    detail = exc.detail if isinstance(exc, HTTPException) else "not found"
    status = exc.status_code if isinstance(exc, HTTPException) else 404
    return explorer_state(request).templates.TemplateResponse(
        request, "error.html", {"title": "Not found", "detail": detail}, status_code=status
    )


async def store_down(request: Request, exc: Exception) -> Response:
    """:class:`StoreUnavailable` as a 503 page; the details go to the log only."""
    log.error("%s", exc)
    detail = "[E921] the store cannot be read; see the server log"
    return explorer_state(request).templates.TemplateResponse(
        request, "error.html", {"title": "Store unavailable", "detail": detail}, status_code=503
    )


async def cannot_render(request: Request, exc: Exception) -> Response:
    """:class:`UnsafeRendering` as a 500 page with its message ([E923])."""
    log.error("%s", exc)
    return explorer_state(request).templates.TemplateResponse(
        request, "error.html", {"title": "Cannot render", "detail": str(exc)}, status_code=500
    )


def create_app(
    source: RowSource,
    *,
    poll_seconds: float = 1.0,
    max_streams: int = DEFAULT_MAX_STREAMS,
    cache_seconds: float = 0.0,
) -> Starlette:
    """The explorer as an ASGI application.

    Args:
        source: where stored records come from (PostgreSQL in production, a fake in tests).
        poll_seconds: how often the live feed asks the store for new articles.
        max_streams: most live-feed clients at once (``NEWSFLOW_WEB_MAX_STREAMS``).
        cache_seconds: how long a page is kept for every reader of its URL
            (``NEWSFLOW_WEB_CACHE_SECONDS``; :mod:`workers.web.cache`); 0: not at all.

    Returns:
        A Starlette app whose ``state.explorer`` holds both; serve it with uvicorn.
    """
    routes = [
        Route("/", index, name="index"),
        Route("/articles/{article_id:path}", article, name="article"),
        Route("/entities/{entity_id}/mentions.svg", mentions_chart, name="chart"),
        Route("/entities/{entity_id}", entity, name="entity"),
        Route("/stories", stories, name="stories"),
        Route("/stories/{story_id:path}", story, name="story"),
        Route("/events", live_feed, name="events"),
        Route("/labels.css", label_stylesheet, name="labels"),
        Route("/favicon.ico", favicon, name="favicon"),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    app = Starlette(
        routes=routes,
        exception_handlers={
            HTTPException: not_found,
            StoreUnavailable: store_down,
            UnsafeRendering: cannot_render,
        },
    )
    app.state.explorer = ExplorerState(source, poll_seconds, streams=StreamSlots(max_streams))
    app.add_middleware(PageCache, seconds=cache_seconds)  # innermost: keeps pages before headers and gzip
    app.add_middleware(SecurityHeaders)
    # pages and the chart shrink about 5x; Starlette never compresses text/event-stream
    app.add_middleware(GZipMiddleware, minimum_size=1000)
    return app

"""``newsflow serve``: the explorer, a small web application reading the sink's store."""

from __future__ import annotations

import argparse
from typing import Any

from workers.settings import Settings


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "serve",
        help="browse the stored articles, entities and claims in a web browser",
        description="Serve the explorer: the latest articles with a search box (new ones appear "
        "without a reload), each article with its entity mentions highlighted and its claims, and "
        "a page per entity (mentions over time, claims by and about it, the entities it appears "
        "with, a map link for places). Reads the sink's PostgreSQL database through "
        "NEWSFLOW_WEB_DATABASE_URL (default: the read-only role newsflow_reader of "
        "NEWSFLOW_DATABASE_URL's database), in read-only transactions. Listens on "
        "NEWSFLOW_WEB_HOST:NEWSFLOW_WEB_PORT (127.0.0.1:8000). Runs until Ctrl-C.",
    )
    p.add_argument("--host", help="address to listen on (overrides NEWSFLOW_WEB_HOST; default 127.0.0.1)")
    p.add_argument("--port", type=int, help="port to listen on (overrides NEWSFLOW_WEB_PORT; 0: any free port)")
    p.add_argument("--log-level", choices=("debug", "info", "warning", "error"), default="info", help="default: info")
    p.set_defaults(run=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Serve until interrupted; returns 0.

    Raises:
        StoreUnavailable: the database cannot be reached at start ([E921]).
    """
    import uvicorn  # imported here: the other commands do not need the web stack

    from workers.web import PostgresSource, create_app, reader_url

    settings = settings.with_overrides(web_host=args.host, web_port=args.port)
    url = settings.web_database_url or reader_url(settings.database_url)
    source = PostgresSource(
        url,
        connect_timeout=settings.connect_timeout_seconds,
        pool_size=settings.web_pool_size,
        statement_timeout_ms=settings.web_statement_timeout_ms,
    )
    source.check()
    app = create_app(source, max_streams=settings.web_max_streams, cache_seconds=settings.web_cache_seconds)
    config = uvicorn.Config(app, host=settings.web_host, port=settings.web_port, log_level=args.log_level)
    server = uvicorn.Server(config)
    where = f"http://{settings.web_host}:{settings.web_port}/" if settings.web_port else "a free port (see below)"
    print(f"newsflow serve: reading {source.describe()}; listening on {where}", flush=True)
    try:
        server.run()
    finally:
        source.close()
    return 0

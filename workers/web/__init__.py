"""The explorer (``newsflow serve``): a small web application reading the sink's store.

Layers: :mod:`~workers.web.source` (what the store gives: ``Stored*`` records and the
:class:`RowSource` protocol), :mod:`~workers.web.views`, :mod:`~workers.web.highlight`
and :mod:`~workers.web.chart` (pure: pages from stored records; the story page's in
:mod:`~workers.web.story_views`), :mod:`~workers.web.postgres` (the PostgreSQL adapter,
its story queries in :mod:`~workers.web.postgres_stories`), :mod:`~workers.web.feed` (the
live feed: one poller of the store shared by every client) and :mod:`~workers.web.app`
(the HTTP adapter: Starlette, Jinja2 templates, server-sent events); its errors are in
:mod:`~workers.web.exceptions`.
"""

from __future__ import annotations

from workers.web.app import create_app
from workers.web.exceptions import StoreUnavailable, UnsafeRendering, WebError
from workers.web.postgres import PostgresSource, reader_url
from workers.web.source import RowSource

__all__ = [
    "PostgresSource",
    "RowSource",
    "StoreUnavailable",
    "UnsafeRendering",
    "WebError",
    "create_app",
    "reader_url",
]

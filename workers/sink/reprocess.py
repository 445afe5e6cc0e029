"""Stored articles that another pipeline version enriched, as raw inputs again.

``newsflow reprocess`` re-feeds them onto the input topic after an upgrade, so that the
running workers enrich them with the current rules and the sink replaces their rows
(the newest enrichment wins: :func:`workers.sink.store.decide`). The raw input is
rebuilt from what the store keeps of it: id, title, body, url, source, the publication
time as received, and the language tag when it is not the ``en`` that the worker
derives itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import orjson
import psycopg

from workers.inputs.files import InputArticle
from workers.sink.exceptions import DatabaseUnavailable
from workers.sink.store import cannot_connect

__all__ = ["OutdatedCounts", "StoredArticle", "count_outdated", "outdated_articles", "raw_input"]

_OUTDATED = "FROM articles WHERE pipeline_version <> %s"


@dataclass(frozen=True, slots=True)
class StoredArticle:
    """What the store keeps of an article's raw input, and the version that enriched it."""

    article_id: str
    title: str | None
    body: str | None
    source: str | None
    url: str | None
    published_at: str | None
    language: str | None
    pipeline_version: str


@dataclass(frozen=True, slots=True)
class OutdatedCounts:
    """How the stored articles stand against a pipeline version.

    Args:
        outdated: enriched by another version, with their body stored (to re-feed).
        without_body: enriched by another version, but stored without their body
            (flag ``body_omitted``): only ``articles.raw`` still has it.
        current: enriched by the version already.
    """

    outdated: int
    without_body: int
    current: int


def raw_input(article: StoredArticle) -> InputArticle | None:
    """The ``articles.raw`` record of ``article`` (keyed by its id), or None when the
    store has no body for it."""
    if article.body is None:
        return None
    raw: dict[str, Any] = {"id": article.article_id, "body": article.body}
    for name in ("title", "url", "source", "published_at"):
        if getattr(article, name) is not None:
            raw[name] = getattr(article, name)
    if article.language is not None and article.language != "en":
        # "en" is also what the worker writes when no tag came and the body reads as
        # English; leaving it out lets the worker decide again, as it did the first time.
        raw["language"] = article.language
    return InputArticle(f"store:{article.article_id}", article.article_id.encode(), orjson.dumps(raw))


def count_outdated(url: str, version: str, *, connect_timeout: int = 5) -> OutdatedCounts:
    """Count the stored articles by how they stand against ``version``.

    Raises:
        DatabaseUnavailable: PostgreSQL cannot be reached.
    """
    with _connect(url, connect_timeout) as conn:
        row = conn.execute(
            "SELECT count(*) FILTER (WHERE pipeline_version <> %s AND body IS NOT NULL), "
            "count(*) FILTER (WHERE pipeline_version <> %s AND body IS NULL), "
            "count(*) FILTER (WHERE pipeline_version = %s) FROM articles",
            (version, version, version),
        ).fetchone()
    assert row is not None  # an aggregate always returns one row
    return OutdatedCounts(*row)


def outdated_articles(
    url: str, version: str, *, limit: int | None = None, connect_timeout: int = 5
) -> Iterator[StoredArticle]:
    """The stored articles enriched by a pipeline version other than ``version``, by id,
    read in pages through a server-side cursor (the store can be large).

    Raises:
        DatabaseUnavailable: PostgreSQL cannot be reached.
    """
    query = (
        "SELECT article_id, title, body, source, url, published_at_text, language, pipeline_version "
        f"{_OUTDATED} ORDER BY article_id" + (" LIMIT %s" if limit is not None else "")
    )
    params: tuple[Any, ...] = (version, limit) if limit is not None else (version,)
    with _connect(url, connect_timeout) as conn, conn.transaction(), conn.cursor(name="newsflow_reprocess") as cur:
        cur.itersize = 500
        cur.execute(query, params)
        for row in cur:
            yield StoredArticle(*row)


def _connect(url: str, connect_timeout: int) -> psycopg.Connection[Any]:
    try:
        return psycopg.connect(url, connect_timeout=connect_timeout, application_name="newsflow-reprocess")
    except psycopg.OperationalError as error:
        raise DatabaseUnavailable(cannot_connect(url, error)) from error

"""The explorer's PostgreSQL adapter: rows from the sink's tables, read-only.

Every query is parameterised (psycopg sends the values apart from the SQL). Queries
borrow a connection from one pool (``psycopg_pool``) of at most ``pool_size``
connections, so however many pages and live feeds are open the explorer never holds
more than that on the database the sink writes to. Each connection's transactions are
read-only (``default_transaction_read_only``), on top of the reader role that may only
select, so a bug here cannot write, and each statement is cancelled by the server after
``statement_timeout_ms`` (``statement_timeout``), so no query can keep a connection.
The SQL follows the sink's migrations in ``workers/sink/migrations/``.

Copies count once: an article the duplicate index flagged (``duplicate_of``) whose
original is stored is a *copy*. Lists leave copies out and give each original the
number of its copies and the first of them (``ArticleSummary.copies``, by the index of
migration 0006); an entity counts an original and its copies as one article (its
mentions there: the most any of them has) and claims of copies are not listed. An
article whose original is not stored (yet) is listed as its own.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

import psycopg
import psycopg_pool
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from psycopg.rows import dict_row

from workers.web.exceptions import StoreUnavailable
from workers.web.postgres_stories import StoryQueries
from workers.web.source import (
    ArticleSummary,
    CopyRef,
    DayCount,
    Neighbour,
    StoredArticle,
    StoredClaim,
    StoredEntity,
    StoredMention,
)

__all__ = ["READER_ROLE", "PostgresSource", "reader_url"]

#: The role that may only select (created by ``deploy/local/postgres.sh``).
READER_ROLE = "newsflow_reader"

_SNIPPET_CHARS = 300


def reader_url(database_url: str, role: str = READER_ROLE) -> str:
    """``database_url`` with the read-only role instead of its user, and no password.

    Raises:
        StoreUnavailable: the URL cannot be parsed ([E920]).
    """
    try:
        params = conninfo_to_dict(database_url)
    except psycopg.ProgrammingError as exc:
        raise StoreUnavailable(f"[E920] NEWSFLOW_DATABASE_URL is not a libpq URL ({exc}); fix the setting") from None
    params.pop("password", None)
    params["user"] = role
    return make_conninfo("", **params)


class PostgresSource(StoryQueries):
    """A :class:`~workers.web.source.RowSource` on the sink's PostgreSQL tables.

    Args:
        url: libpq URL of a role that can select from the sink's tables.
        connect_timeout: seconds to wait for a connection (a new one, or a free one
            from the pool).
        pool_size: most connections held open at once.
        statement_timeout_ms: longest one statement may run before the server cancels it.
    """

    def __init__(
        self,
        url: str,
        connect_timeout: float = 10.0,
        *,
        pool_size: int = 4,
        statement_timeout_ms: int = 5000,
    ) -> None:
        self._url = url
        self._connect_timeout = max(1, round(connect_timeout))
        self.statement_timeout_ms = statement_timeout_ms
        self._pool_size = pool_size
        self._pool: psycopg_pool.ConnectionPool[psycopg.Connection[dict[str, Any]]] | None = None
        self._opening = threading.Lock()

    def describe(self) -> str:
        """Where this source reads, without a password."""
        params = conninfo_to_dict(self._url)
        params.pop("password", None)
        return " ".join(f"{k}={v}" for k, v in sorted(params.items()))

    @property
    def pool(self) -> psycopg_pool.ConnectionPool[psycopg.Connection[dict[str, Any]]]:
        """The open connection pool every query borrows from (opened on first use)."""
        with self._opening:
            if self._pool is None:
                self._pool = psycopg_pool.ConnectionPool(
                    self._url,
                    min_size=1,
                    max_size=self._pool_size,
                    # no wait: a server that is away fails the first query with [E921]
                    # (PoolTimeout) while the pool keeps trying in the background
                    open=False,
                    timeout=self._connect_timeout,
                    connection_class=psycopg.Connection[dict[str, Any]],
                    check=psycopg_pool.ConnectionPool.check_connection,  # after a restart: no broken connection
                    kwargs={
                        "connect_timeout": self._connect_timeout,
                        "options": "-c default_transaction_read_only=on"
                        f" -c statement_timeout={self.statement_timeout_ms}",
                        "application_name": "newsflow-explorer",
                        "row_factory": dict_row,
                    },
                    name="newsflow-explorer",
                )
                self._pool.open(wait=False)
            return self._pool

    def close(self) -> None:
        """Close the pool's connections (a later query opens a new pool)."""
        with self._opening:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.close()

    @contextmanager
    def _cursor(self) -> Iterator[psycopg.Cursor[dict[str, Any]]]:
        try:
            with self.pool.connection() as conn, conn.cursor() as cur:
                yield cur
        except psycopg.errors.QueryCanceled as exc:
            raise StoreUnavailable(
                f"[E926] a query of the store at {self.describe()} ran past the statement timeout "
                f"({self.statement_timeout_ms} ms, NEWSFLOW_WEB_STATEMENT_TIMEOUT_MS) and was cancelled: "
                f"{str(exc).strip()}"
            ) from None
        except psycopg_pool.PoolTimeout as exc:
            raise StoreUnavailable(
                f"[E921] cannot read the store at {self.describe()}: no connection within "
                f"{self._connect_timeout} s ({str(exc).strip()}); is the database running (make postgres-start), "
                "NEWSFLOW_WEB_DATABASE_URL right, and NEWSFLOW_WEB_POOL_SIZE enough for the load?"
            ) from None
        except psycopg.OperationalError as exc:
            raise self._unreachable(exc) from None
        except psycopg.errors.InsufficientPrivilege as exc:
            raise StoreUnavailable(
                f"[E924] the role of {self.describe()} may not read a table: {str(exc).strip()}; "
                "grant it SELECT (the sink's migrations do for newsflow_reader)"
            ) from None
        except psycopg.errors.UndefinedTable as exc:
            raise StoreUnavailable(
                f"[E925] the store at {self.describe()} has no explorer tables yet: {str(exc).strip()}; "
                "start the sink once (newsflow sink) to create them"
            ) from None

    def check(self) -> None:
        """Connect and read once, so that a wrong URL fails at start, not on a page.

        Raises:
            StoreUnavailable: the database cannot be reached or read (the pool is closed).
        """
        try:
            # once without the pool, whose timeout would hide libpq's reason
            with psycopg.connect(self._url, connect_timeout=self._connect_timeout):
                pass
        except psycopg.OperationalError as exc:
            raise self._unreachable(exc) from None
        try:
            self.newest_cursor()
        except StoreUnavailable:
            self.close()
            raise

    def _unreachable(self, exc: psycopg.OperationalError) -> StoreUnavailable:
        return StoreUnavailable(
            f"[E921] cannot read the store at {self.describe()}: {str(exc).strip()}; "
            "is the database running (make postgres-start) and NEWSFLOW_WEB_DATABASE_URL right?"
        )

    def _all(self, sql: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        with self._cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall()

    def _one(self, sql: str, params: dict[str, Any]) -> dict[str, Any] | None:
        rows = self._all(sql, params)
        return rows[0] if rows else None

    # -- the article list and the live feed ---------------------------------------------

    def latest_articles(self, query: str | None, limit: int) -> list[ArticleSummary]:
        """The newest articles, or those matching ``query`` (full text, web syntax, best
        first; a query of stop words only falls back to a substring match, newest first).

        Every branch is served by an index: the newest by the feed position's index, full
        text by the GIN index of ``search``; the substring fallback walks the feed
        position's index from the newest row and stops at ``limit`` matches (a stop word
        is in nearly every article, so that is soon), and a rare substring is cut off by
        the statement timeout ([E926]) rather than scan the table for ever.
        """
        with self._cursor() as cur:
            if query is None:
                cur.execute(
                    f"SELECT {_SUMMARY} FROM articles a WHERE NOT {_IS_COPY}"
                    " ORDER BY written_xid DESC, written_seq DESC LIMIT %(limit)s",
                    {"limit": limit},
                )
                return _with_copies(cur, cur.fetchall())
            terms = cur.execute("SELECT numnode(websearch_to_tsquery('english', %(query)s)) AS n", {"query": query})
            row = terms.fetchone()
            if row is not None and row["n"] > 0:
                cur.execute(
                    f"""SELECT {_SUMMARY}
                          FROM articles a, websearch_to_tsquery('english', %(query)s) AS q
                         WHERE search @@ q AND NOT {_IS_COPY}
                         ORDER BY ts_rank(search, q) DESC, written_xid DESC, written_seq DESC
                         LIMIT %(limit)s""",
                    {"query": query, "limit": limit},
                )
            else:
                like = "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
                cur.execute(
                    f"""SELECT {_SUMMARY} FROM articles a
                         WHERE (title ILIKE %(like)s OR body ILIKE %(like)s) AND NOT {_IS_COPY}
                         ORDER BY written_xid DESC, written_seq DESC
                         LIMIT %(limit)s""",
                    {"like": like, "limit": limit},
                )
            return _with_copies(cur, cur.fetchall())

    def articles_after(self, cursor: int, limit: int) -> list[ArticleSummary]:
        """The oldest ``limit`` articles after ``cursor``, oldest first, among those whose
        transaction ended before this read began (below the snapshot's xmin): a
        transaction still open, even one that started before a row already sent, can
        only ever commit rows above the cursor the feed reaches from here. Copies are
        left out, as on the front page."""
        if 0 < cursor < _SEQ_SPAN:
            # a position from before migration 0004 (a timestamp a browser sends back
            # as Last-Event-ID across the upgrade): from now, not the whole table again
            cursor = self.newest_cursor()
        xid, seq = divmod(cursor, _SEQ_SPAN)
        sql = f"""
            SELECT {_SUMMARY} FROM articles a
             WHERE (written_xid, written_seq) > (%(xid)s::xid8, %(seq)s)
               AND written_xid < pg_snapshot_xmin(pg_current_snapshot())
               AND NOT {_IS_COPY}
             ORDER BY written_xid, written_seq
             LIMIT %(limit)s"""
        return [_summary(r) for r in self._all(sql, {"xid": str(xid), "seq": seq, "limit": limit})]

    def newest_cursor(self) -> int:
        """The cursor of the newest article whose transaction has ended (0: none has);
        articles of transactions still open are all after it."""
        row = self._one(
            "SELECT written_xid::text AS xid, written_seq AS seq FROM articles"
            " WHERE written_xid < pg_snapshot_xmin(pg_current_snapshot())"
            " ORDER BY written_xid DESC, written_seq DESC LIMIT 1",
            {},
        )
        return _position(row["xid"], row["seq"]) if row else 0

    # -- one article --------------------------------------------------------------------

    def article(self, article_id: str) -> StoredArticle | None:
        """One article, or None."""
        row = self._one(
            "SELECT article_id, title, url, source, published_at, body, language, flags "
            "FROM articles WHERE article_id = %(id)s",
            {"id": article_id},
        )
        if row is None:
            return None
        return StoredArticle(
            id=row["article_id"],
            title=row["title"],
            url=row["url"],
            source=row["source"],
            published_at=row["published_at"],
            body=row["body"],
            language=row["language"],
            flags=tuple(row["flags"] or ()),
        )

    def mentions(self, article_id: str) -> list[StoredMention]:
        """Every mention in one article, with its entity's name and label there."""
        sql = """
            SELECT m.entity_key, coalesce(ae.name, e.name, m.text) AS name, coalesce(ae.label, e.label) AS label,
                   m.start_offset, m.end_offset, m.text
              FROM mentions m
              LEFT JOIN article_entities ae USING (article_id, entity_key)
              LEFT JOIN entities e USING (entity_key)
             WHERE m.article_id = %(id)s
             ORDER BY m.start_offset, m.ordinal"""
        return [
            StoredMention(r["entity_key"], r["name"], r["label"], r["start_offset"], r["end_offset"], r["text"])
            for r in self._all(sql, {"id": article_id})
        ]

    def claims_in(self, article_id: str) -> list[StoredClaim]:
        """Every claim of one article, in the event's order."""
        sql = f"{_CLAIMS} WHERE c.article_id = %(id)s ORDER BY c.ordinal"
        return [_claim(r) for r in self._all(sql, {"id": article_id})]

    # -- one entity ---------------------------------------------------------------------

    def entity(self, entity_id: str) -> StoredEntity | None:
        """One entity with its counts and place, or None (an original and its copies
        count as one article; see the module docstring)."""
        sql = f"""
            WITH named AS (
                SELECT a.article_id, a.source, ae.mention_count, {_ORIGINAL} AS original
                  FROM article_entities ae
                  JOIN articles a USING (article_id)
                  LEFT JOIN articles o ON o.article_id = a.duplicate_of
                 WHERE ae.entity_key = %(id)s),
            originals AS (SELECT original, max(mention_count) AS mentions FROM named GROUP BY original)
            SELECT e.entity_key, e.name, e.label, e.geo_name, e.country_code, e.latitude, e.longitude,
                   (SELECT coalesce(sum(mentions), 0) FROM originals) AS mentions,
                   (SELECT count(*) FROM originals) AS articles,
                   (SELECT count(*) FROM named) AS with_copies,
                   (SELECT count(DISTINCT source) FROM named) AS sources
              FROM entities e
             WHERE e.entity_key = %(id)s"""
        row = self._one(sql, {"id": entity_id})
        if row is None:
            return None
        return StoredEntity(
            id=row["entity_key"],
            name=row["name"],
            label=row["label"],
            mentions=int(row["mentions"]),
            articles=int(row["articles"]),
            with_copies=int(row["with_copies"]),
            sources=int(row["sources"]),
            stories=self.entity_story_count(entity_id),
            place_name=row["geo_name"],
            country_code=row["country_code"],
            latitude=row["latitude"],
            longitude=row["longitude"],
        )

    def mentions_per_day(self, entity_id: str) -> list[DayCount]:
        """Mentions per day of publication (processing when unknown) of the original,
        counted as :meth:`entity` counts them: an original and its copies once."""
        sql = f"""
            SELECT day, sum(mentions) AS mentions
              FROM (SELECT {_ORIGINAL} AS original,
                           (coalesce(o.published_at, o.processed_at, a.published_at, a.processed_at)
                              AT TIME ZONE 'UTC')::date AS day,
                           max(ae.mention_count) AS mentions
                      FROM article_entities ae
                      JOIN articles a USING (article_id)
                      LEFT JOIN articles o ON o.article_id = a.duplicate_of
                     WHERE ae.entity_key = %(id)s
                     GROUP BY 1, 2) per_original
             GROUP BY day ORDER BY day"""
        return [DayCount(r["day"], int(r["mentions"])) for r in self._all(sql, {"id": entity_id})]

    def claims_by(self, entity_id: str, limit: int) -> list[StoredClaim]:
        """Claims whose claimant is the entity, newest article first (not a copy's)."""
        sql = f"{_CLAIMS} WHERE c.claimant_key = %(id)s AND NOT {_IS_COPY} ORDER BY {_CLAIM_ORDER} LIMIT %(limit)s"
        return [_claim(r) for r in self._all(sql, {"id": entity_id, "limit": limit})]

    def claims_about(self, entity_id: str, limit: int) -> list[StoredClaim]:
        """Claims whose content holds a mention of the entity, newest article first (not a copy's)."""
        sql = f"""{_CLAIMS}
             WHERE NOT {_IS_COPY} AND EXISTS (SELECT 1 FROM mentions m
                            WHERE m.article_id = c.article_id AND m.entity_key = %(id)s
                              AND m.start_offset >= c.content_start AND m.end_offset <= c.content_end)
             ORDER BY {_CLAIM_ORDER} LIMIT %(limit)s"""
        return [_claim(r) for r in self._all(sql, {"id": entity_id, "limit": limit})]

    def neighbours(self, entity_id: str, limit: int, exclude_labels: tuple[str, ...] = ()) -> list[Neighbour]:
        """Entities named in the same articles, most shared originals first (an original
        and its copies count once), none labelled as in ``exclude_labels``."""
        # counted by key alone (a hash of a few keys, not a sort of every shared row),
        # then named from entities: the same rows as grouping by key, name and label
        sql = f"""
            SELECT n.entity_key, coalesce(e.name, n.name) AS name, coalesce(e.label, n.label) AS label, n.articles
              FROM (SELECT y.entity_key, min(y.name) AS name, min(y.label) AS label,
                           count(DISTINCT {_ORIGINAL}) AS articles
                      FROM article_entities x
                      JOIN article_entities y ON y.article_id = x.article_id AND y.entity_key <> x.entity_key
                      JOIN articles a ON a.article_id = x.article_id
                      LEFT JOIN articles o ON o.article_id = a.duplicate_of
                     WHERE x.entity_key = %(id)s AND y.label <> ALL(%(exclude)s)
                     GROUP BY y.entity_key) n
              LEFT JOIN entities e ON e.entity_key = n.entity_key
             WHERE coalesce(e.label, n.label) <> ALL(%(exclude)s)
             ORDER BY n.articles DESC, name
             LIMIT %(limit)s"""
        params = {"id": entity_id, "limit": limit, "exclude": list(exclude_labels)}
        return [Neighbour(r["entity_key"], r["name"], r["label"], int(r["articles"])) for r in self._all(sql, params)]


# The live feed's position of a row: the id of the transaction that wrote it, then its
# place in that transaction (migration 0004), as one integer, xid * 2**63 + seq, which
# orders as the pair does (seq is a bigint) and travels as an SSE event id.
_SEQ_SPAN = 2**63
#: Whether article ``a`` is a copy: the duplicate index flagged it and its original is stored.
_IS_COPY = "EXISTS (SELECT 1 FROM articles o WHERE o.article_id = a.duplicate_of)"
#: The original of article ``a`` (itself unless a copy), given
#: ``LEFT JOIN articles o ON o.article_id = a.duplicate_of``.
_ORIGINAL = "coalesce(o.article_id, a.article_id)"
#: Copies named under each original of a list, at most this many (all are counted).
_COPIES_SHOWN = 50
_SUMMARY = (
    f"article_id AS id, title, source, published_at, written_at, left(body, {_SNIPPET_CHARS}) AS snippet, "
    "written_xid::text AS xid, written_seq AS seq"
)
_CLAIMS = """
    SELECT c.claim_id, c.article_id, a.title AS article_title, c.claimant_text, c.claimant_key,
           c.cue_text, c.cue_lemma, c.content, c.content_start, c.content_end, c.kind, c.stance, c.broad
      FROM claims c
      JOIN articles a USING (article_id)"""
_CLAIM_ORDER = "coalesce(a.published_at, a.processed_at) DESC, c.article_id, c.ordinal"


def _with_copies(cur: psycopg.Cursor[dict[str, Any]], rows: list[dict[str, Any]]) -> list[ArticleSummary]:
    """The list's rows as summaries, each with its copies (one query for the page)."""
    if not rows:
        return []
    cur.execute(
        """SELECT duplicate_of, count(*) AS n,
                  (array_agg(article_id ORDER BY written_xid, written_seq))[1:%(shown)s] AS ids,
                  (array_agg(source ORDER BY written_xid, written_seq))[1:%(shown)s] AS sources
             FROM articles
            WHERE duplicate_of = ANY(%(ids)s)
            GROUP BY duplicate_of""",
        {"ids": [r["id"] for r in rows], "shown": _COPIES_SHOWN},
    )
    copies = {r["duplicate_of"]: r for r in cur.fetchall()}
    found = []
    for row in rows:
        kept = copies.get(row["id"])
        summary = _summary(row)
        if kept is not None:
            refs = tuple(CopyRef(i, s) for i, s in zip(kept["ids"], kept["sources"], strict=True))
            summary = replace(summary, copies=int(kept["n"]), copy_refs=refs)
        found.append(summary)
    return found


def _summary(row: dict[str, Any]) -> ArticleSummary:
    return ArticleSummary(
        id=row["id"],
        title=row["title"],
        source=row["source"],
        published_at=row["published_at"],
        stored_at=row["written_at"],
        snippet=row["snippet"] or "",
        cursor=_position(row["xid"], row["seq"]),
    )


def _position(xid: str, seq: int) -> int:
    """The feed position of a row from its transaction id (xid8 as text) and sequence."""
    return int(xid) * _SEQ_SPAN + int(seq)


def _claim(row: dict[str, Any]) -> StoredClaim:
    return StoredClaim(
        id=row["claim_id"],
        article_id=row["article_id"],
        article_title=row["article_title"],
        claimant_text=row["claimant_text"],
        claimant_entity_id=row["claimant_key"],
        cue_text=row["cue_text"],
        cue_lemma=row["cue_lemma"],
        content_text=row["content"],
        content_start=row["content_start"],
        content_end=row["content_end"],
        kind=row["kind"],
        stance=row["stance"],
        broad=bool(row["broad"]),
    )

"""PostgreSQL adapter of the sink: one batch of rows and its offsets, one transaction.

Exactly once in effect (Kafka's pattern for offsets in an external store): the next
offset of every partition in a batch is written in the transaction of the batch's rows,
and the consumer seeks to the stored offsets when it is given a partition. A batch
names, per partition, the offset it expects to be stored (where its reads started);
the transaction checks and moves it under a row lock, so a batch read by a sink that
has since lost the partition (a zombie, a sink after a rebalance) is refused
(:class:`StaleOffsets`) instead of written twice.

Within the transaction an article's event is one of (:func:`decide`): new; a repeat of
the stored one (the same event id, which hashes the content, and pipeline version),
left alone, so writing an event twice writes it once; newer than the stored one, which
it replaces; or older (stale), left alone. Newer means a later ``processed_at`` (the
worker's clock when it enriched the article; the later read wins a tie), so the newest
enrichment wins whatever order events arrive in (a ``dlq replay``, a re-feed, two
workers during a rebalance or a rolling upgrade).

The story stage's events (stories, story membership, claim links, trends) are written
in the same transaction by :mod:`workers.sink.story_store`, which says which of a key's
events wins.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Literal, get_args

import psycopg
from psycopg import sql

from workers.sink.exceptions import DatabaseUnavailable, RejectedBatch, SinkError, StaleOffsets
from workers.sink.schema import apply_migrations
from workers.sink.story_store import write_stage_rows
from workers.sink.tables import (
    ArticleEntityRow,
    ArticleRow,
    ArticleRows,
    ClaimRow,
    DeadLetterRow,
    EntityRow,
    MentionRow,
    StageRows,
)

__all__ = [
    "REFUSED_FOR_GOOD",
    "TABLES",
    "Batch",
    "OffsetRange",
    "Outcome",
    "SinkStore",
    "StoredVersion",
    "Table",
    "WriteResult",
    "cannot_connect",
    "copy_rows",
    "decide",
    "refusal_signature",
    "refused_for_good",
]

Table = Literal[
    "articles",
    "entities",
    "article_entities",
    "mentions",
    "claims",
    "dead_letters",
    "stories",
    "story_articles",
    "claim_links",
    "trends",
]
TABLES: tuple[Table, ...] = get_args(Table)


@dataclass(frozen=True, slots=True)
class OffsetRange:
    """A batch's reads from one partition.

    Args:
        expected: the next offset stored for the partition when the batch's reads started
            (None: none was stored yet).
        next_offset: the offset after the batch's last record from the partition.
    """

    topic: str
    partition: int
    expected: int | None
    next_offset: int


@dataclass(frozen=True, slots=True)
class Batch:
    """What one transaction writes: article rows (in read order), dead letters, offsets,
    and the rows of the story stage's events (in read order)."""

    articles: Sequence[ArticleRows] = ()
    dead_letters: Sequence[DeadLetterRow] = ()
    offsets: Sequence[OffsetRange] = ()
    stage: Sequence[StageRows] = ()


@dataclass(slots=True)
class WriteResult:
    """What a transaction did: rows written by table, events by outcome.

    ``duplicates`` counts every event left alone: repeats of the stored event, and the
    ``stale`` ones, older than the stored event (also counted in ``stale``). Article
    events and the story stage's (:mod:`workers.sink.story_store`) count alike.
    """

    rows: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TABLES, 0))
    new: int = 0
    replaced: int = 0
    duplicates: int = 0
    stale: int = 0


#: What the store does with an article's event: write it (``new``), replace the stored
#: one with it (``replace``), or leave the stored one (``duplicate``: the same event id
#: and pipeline version; ``stale``: older than the stored one).
Outcome = Literal["new", "replace", "duplicate", "stale"]


@dataclass(frozen=True, slots=True)
class StoredVersion:
    """What the store keeps of an article's event to decide about the next one."""

    event_id: str
    pipeline_version: str
    processed_at: datetime


def decide(stored: StoredVersion | None, incoming: ArticleRow) -> Outcome:
    """What to do with ``incoming`` when ``stored`` is what the store holds of its article.

    An event enriched at the same instant as the stored one (the same millisecond of
    the workers' clocks) replaces it: the later read wins a tie, as within a batch.
    """
    if stored is None:
        return "new"
    if (stored.event_id, stored.pipeline_version) == (incoming.event_id, incoming.pipeline_version):
        return "duplicate"  # the same output again, whenever it was made
    # Ordered by the worker's clock when it enriched the article (processing.processed_at).
    return "replace" if incoming.processed_at >= stored.processed_at else "stale"


def _columns(row_type: Any) -> sql.Composable:
    return sql.SQL(", ").join(sql.Identifier(name) for name in row_type._fields)


def copy_rows(cur: psycopg.Cursor[Any], table: str, row_type: Any, rows: Sequence[tuple[Any, ...]]) -> int:
    """``COPY`` ``rows`` (NamedTuples of ``row_type``) into ``table``; returns how many."""
    if not rows:
        return 0
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(sql.Identifier(table), _columns(row_type))
    with cur.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)
    return len(rows)


_ENTITY_UPSERT = sql.SQL(
    "INSERT INTO entities AS e ({cols}) SELECT {cols} FROM entities_in ORDER BY entity_key "
    "ON CONFLICT (entity_key) DO UPDATE SET name = excluded.name, label = excluded.label, "
    "geonames_id = excluded.geonames_id, geo_name = excluded.geo_name, feature_class = excluded.feature_class, "
    "country_code = excluded.country_code, latitude = excluded.latitude, longitude = excluded.longitude, "
    "last_seen_at = excluded.last_seen_at WHERE excluded.last_seen_at >= e.last_seen_at"
).format(cols=_columns(EntityRow))

_DEAD_LETTER_INSERT = sql.SQL("INSERT INTO dead_letters ({}) VALUES ({}) ON CONFLICT DO NOTHING").format(
    _columns(DeadLetterRow), sql.SQL(", ").join(sql.Placeholder() * len(DeadLetterRow._fields))
)


class SinkStore:
    """The sink's connection to PostgreSQL.

    Args:
        url: libpq URL of the owner role (``Settings.database_url``).
        group_id: the consumer group whose offsets it keeps.
        connect_timeout: seconds to wait for a connection.
    """

    def __init__(self, url: str, group_id: str, *, connect_timeout: int = 5) -> None:
        self.url = url
        self.group_id = group_id
        self.connect_timeout = connect_timeout
        self._conn: psycopg.Connection[Any] | None = None

    # ------------------------------------------------------------------ connection
    def connection(self) -> psycopg.Connection[Any]:
        """The open connection, (re)connecting if there is none or it broke.

        Raises:
            DatabaseUnavailable: PostgreSQL cannot be reached.
        """
        if self._conn is not None and not self._conn.closed and not self._conn.broken:
            return self._conn
        self.close()
        try:
            conn = psycopg.connect(self.url, connect_timeout=self.connect_timeout, application_name="newsflow-sink")
            conn.execute(
                "CREATE TEMP TABLE IF NOT EXISTS entities_in (LIKE entities INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
            )
            conn.commit()
        except psycopg.OperationalError as error:
            raise DatabaseUnavailable(cannot_connect(self.url, error)) from error
        self._conn = conn
        return conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def migrate(self) -> list[int]:
        """Apply pending migrations (see :mod:`workers.sink.schema`); returns their versions.

        Raises:
            DatabaseUnavailable: PostgreSQL cannot be reached.
            MigrationError: a migration failed or an applied one changed.
        """
        try:
            with psycopg.connect(self.url, connect_timeout=self.connect_timeout) as conn:
                return apply_migrations(conn)
        except psycopg.OperationalError as error:
            raise DatabaseUnavailable(cannot_connect(self.url, error)) from error

    # ------------------------------------------------------------------ offsets
    def stored_offsets(self, topics: Sequence[str]) -> dict[tuple[str, int], int]:
        """The next offset stored per (topic, partition) of this group.

        Raises:
            DatabaseUnavailable: PostgreSQL cannot be reached.
        """
        conn = self.connection()
        try:
            with conn.transaction():
                rows = conn.execute(
                    "SELECT topic, partition, next_offset FROM sink_offsets WHERE group_id = %s AND topic = ANY(%s)",
                    (self.group_id, list(topics)),
                ).fetchall()
        except psycopg.OperationalError as error:
            raise DatabaseUnavailable(
                f"[E910] reading the stored offsets failed ({_where(self.url)}): {error}"
            ) from error
        return {(t, p): o for t, p, o in rows}

    # ------------------------------------------------------------------ batches
    def write(self, batch: Batch) -> WriteResult:
        """Write ``batch`` and move its offsets, in one transaction.

        Raises:
            StaleOffsets: a partition's stored offset is not what the batch expects.
            RejectedBatch: the database refused a row for good.
            DatabaseUnavailable: the connection failed (the batch may be retried).
            SinkError: another database error [E916] (retried as well).
        """
        return self._write(batch, keep=True)

    def probe(self, batch: Batch) -> WriteResult:
        """Write ``batch``'s rows in a transaction that is rolled back: whether the database
        would take them. Its offsets are neither checked nor moved.

        Raises:
            RejectedBatch, DatabaseUnavailable, SinkError: as :meth:`write`.
        """
        return self._write(replace(batch, offsets=()), keep=False)

    def _write(self, batch: Batch, *, keep: bool) -> WriteResult:
        conn = self.connection()
        try:
            with conn.transaction(), conn.cursor() as cur:
                self._move_offsets(cur, batch.offsets)
                result = self._write_rows(cur, batch)
                if not keep:
                    raise psycopg.Rollback()  # ends the transaction block quietly, undone
        except SinkError:  # StaleOffsets: ours, already explained
            raise
        except psycopg.Error as error:
            if refused_for_good(error):
                raise RejectedBatch(
                    f"[E915] PostgreSQL refused a row of the batch: {error}", refusal_signature(error)
                ) from error
            if isinstance(error, psycopg.OperationalError):
                # connection lost, server shutting down, deadlock or serialization: worth a retry
                raise DatabaseUnavailable(f"[E910] writing a batch to {_where(self.url)} failed: {error}") from error
            # anything else (a missing table, a bug of ours): retried too, never skipped
            raise SinkError(
                f"[E916] writing a batch to {_where(self.url)} failed: {type(error).__name__}: {error}"
            ) from error
        return result

    def _move_offsets(self, cur: psycopg.Cursor[Any], offsets: Sequence[OffsetRange]) -> None:
        # Sorted, so two sinks lock offset rows in one order (no deadlock).
        for r in sorted(offsets, key=lambda r: (r.topic, r.partition)):
            if r.expected is None:
                cur.execute(
                    "INSERT INTO sink_offsets (group_id, topic, partition, next_offset) VALUES (%s, %s, %s, %s) "
                    "ON CONFLICT DO NOTHING",
                    (self.group_id, r.topic, r.partition, r.next_offset),
                )
            else:
                cur.execute(
                    "UPDATE sink_offsets SET next_offset = %s, updated_at = now() "
                    "WHERE group_id = %s AND topic = %s AND partition = %s AND next_offset = %s",
                    (r.next_offset, self.group_id, r.topic, r.partition, r.expected),
                )
            if cur.rowcount != 1:
                raise StaleOffsets(
                    f"[E914] {r.topic}[{r.partition}]: the stored offset of group {self.group_id} is no longer "
                    f"{r.expected}: another sink wrote this partition; seeking to the stored offset again"
                )

    def _write_rows(self, cur: psycopg.Cursor[Any], batch: Batch) -> WriteResult:
        result = WriteResult()
        latest: dict[str, ArticleRows] = {}
        for rows in batch.articles:  # the newest event of an article in the batch, the later on a tie
            held = latest.get(rows.article_id)
            if held is None or rows.article.processed_at >= held.article.processed_at:
                latest[rows.article_id] = rows
        ids = sorted(latest)
        stored: dict[str, StoredVersion] = {}
        if ids:
            found = cur.execute(
                "SELECT article_id, event_id, pipeline_version, processed_at FROM articles "
                "WHERE article_id = ANY(%s) FOR UPDATE",
                (ids,),
            ).fetchall()
            stored = {a: StoredVersion(e, p, t) for a, e, p, t in found}
        fresh: list[ArticleRows] = []
        replaced: list[str] = []
        for article_id in ids:
            rows = latest[article_id]
            outcome = decide(stored.get(article_id), rows.article)
            if outcome in ("duplicate", "stale"):
                result.duplicates += 1
                result.stale += outcome == "stale"
                continue
            if outcome == "replace":
                replaced.append(article_id)
            fresh.append(rows)
        # The batch's other events of an article: each a repeat of, or older than, the one kept.
        for rows in batch.articles:
            kept = latest[rows.article_id]
            if rows is not kept:
                result.duplicates += 1
                result.stale += rows.version != kept.version
        result.replaced, result.new = len(replaced), len(fresh) - len(replaced)
        if replaced:  # mentions, claims and article_entities go with them (trigger articles_delete_rows)
            cur.execute("DELETE FROM articles WHERE article_id = ANY(%s)", (replaced,))
        entities: dict[str, EntityRow] = {}
        for rows in fresh:
            for entity in rows.entities:
                old_entity = entities.get(entity.entity_key)
                if old_entity is None or entity.last_seen_at >= old_entity.last_seen_at:
                    entities[entity.entity_key] = entity
        if entities:
            copy_rows(cur, "entities_in", EntityRow, list(entities.values()))
            cur.execute(_ENTITY_UPSERT)  # entities_in empties itself at commit
        result.rows["entities"] = len(entities)
        result.rows["articles"] = copy_rows(cur, "articles", ArticleRow, [r.article for r in fresh])
        result.rows["article_entities"] = copy_rows(
            cur, "article_entities", ArticleEntityRow, [x for r in fresh for x in r.article_entities]
        )
        result.rows["mentions"] = copy_rows(cur, "mentions", MentionRow, [m for r in fresh for m in r.mentions])
        result.rows["claims"] = copy_rows(cur, "claims", ClaimRow, [c for r in fresh for c in r.claims])
        if batch.dead_letters:
            cur.executemany(_DEAD_LETTER_INSERT, list(batch.dead_letters))
        result.rows["dead_letters"] = len(batch.dead_letters)
        stage = write_stage_rows(cur, batch.stage)
        result.rows.update(stage.rows)
        result.new += stage.outcomes["new"]
        result.replaced += stage.outcomes["replace"]
        result.duplicates += stage.outcomes["duplicate"] + stage.outcomes["stale"]
        result.stale += stage.outcomes["stale"]
        return result


#: SQLSTATE classes that the same rows can never pass, however often they are sent:
#: data exceptions (22), integrity constraint violations (23) and program limits
#: exceeded (54: a claim whose search vector is over PostgreSQL's 1 MB, a statement
#: too complex). psycopg files class 54 under OperationalError, with the passing
#: failures, so the class is read from the SQLSTATE, not from the exception's type.
REFUSED_FOR_GOOD: frozenset[str] = frozenset({"22", "23", "54"})


def refused_for_good(error: psycopg.Error) -> bool:
    """Whether PostgreSQL (or psycopg, before sending: a NUL in a text value is a
    DataError without a SQLSTATE) refused the rows for a reason no retry can change."""
    if isinstance(error, psycopg.errors.DataError | psycopg.errors.IntegrityError):
        return True
    return (error.sqlstate or "")[:2] in REFUSED_FOR_GOOD


def refusal_signature(error: psycopg.Error) -> str:
    """What ``error`` says without the values of the refused row: its SQLSTATE and the
    constraint it names, or else its message with the numbers blanked (``string is too
    long for tsvector (# bytes, max # bytes)``). Equal for every row a schema refuses."""
    diag = error.diag
    what = diag.constraint_name or _DIGITS.sub("#", diag.message_primary or str(error).split("\n", 1)[0])
    table = f" on {diag.table_name}" if diag.table_name else ""
    return f"SQLSTATE {error.sqlstate or '?'}{table}: {what}"


_DIGITS = re.compile(r"\d+")


def cannot_connect(url: str, error: Exception) -> str:
    """The [E910] message for a failed connection to ``url`` (its password left out)."""
    reason = " ".join(str(error).split())
    return (
        f"[E910] cannot connect to PostgreSQL at {_where(url)}: {reason}. Check NEWSFLOW_DATABASE_URL "
        "(--database-url) and that the server runs (locally: deploy/local/postgres.sh start)"
    )


def _where(url: str) -> str:
    """``url`` without its password, for messages."""
    try:
        params = psycopg.conninfo.conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "the configured database (NEWSFLOW_DATABASE_URL)"
    return f"{params.get('user', '?')}@{params.get('host', '?')}:{params.get('port', 5432)}/{params.get('dbname', '?')}"

"""The explorer's reader on a real database: one pool of bounded size, reused, and a
statement timeout on every session (issue #20)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest

from tests.integration.postgres import Database
from workers.web.exceptions import StoreUnavailable
from workers.web.postgres import PostgresSource


def test_every_reader_session_has_the_statement_timeout(database: Database) -> None:
    source = PostgresSource(database.reader_url, statement_timeout_ms=1234)
    try:
        with source._cursor() as cur:
            row = cur.execute("SHOW statement_timeout").fetchone()
        assert row is not None and row["statement_timeout"] == "1234ms"
    finally:
        source.close()


def test_a_query_past_the_statement_timeout_is_cancelled_with_its_code(database: Database) -> None:
    source = PostgresSource(database.reader_url, statement_timeout_ms=100)
    try:
        with pytest.raises(StoreUnavailable, match=r"\[E926\].*100 ms"), source._cursor() as cur:
            cur.execute("SELECT pg_sleep(2)")
        assert source.newest_cursor() == 0  # the connection went back to the pool usable
    finally:
        source.close()


def test_queries_reuse_the_pooled_connections_and_never_hold_more_than_the_pool(database: Database) -> None:
    source = PostgresSource(database.reader_url, pool_size=2)

    def backend() -> int:
        with source._cursor() as cur:
            row = cur.execute("SELECT pg_backend_pid() AS pid, pg_sleep(0.05)").fetchone()
        assert row is not None
        return int(row["pid"])

    try:
        one_after_another = {backend() for _ in range(10)}
        with ThreadPoolExecutor(max_workers=12) as threads:
            at_once = set(threads.map(lambda _: backend(), range(48)))
        with psycopg.connect(database.url) as conn:
            row = conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'newsflow-explorer' AND datname = %s",
                (database.name,),
            ).fetchone()
        # a connection per query would have been 10 sessions, and 48
        assert len(one_after_another) <= 2 and len(at_once) <= 2
        assert row is not None and row[0] <= 2
    finally:
        source.close()

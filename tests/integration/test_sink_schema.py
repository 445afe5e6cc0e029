"""Schema migrations and grants on a real PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import psycopg
import pytest

from tests.integration.postgres import Database, fresh_database
from workers.sink.exceptions import MigrationError
from workers.sink.local_cluster import LocalCluster
from workers.sink.schema import READER_RELATIONS, READER_ROLE, Migration, apply_migrations, load_migrations

TABLES = {
    "articles",
    "entities",
    "article_entities",
    "mentions",
    "claims",
    "dead_letters",
    "sink_offsets",
    "stories",
    "story_articles",
    "claim_links",
    "trends",
}
VIEWS = {
    "entity_mentions_per_day",
    "claims_by_claimant",
    "claims_about_entity",
    "entity_cooccurrence",
    "search_documents",
    "story_summaries",
    "stories_last_day",
    "story_timeline",
    "story_claims_ledger",
}


def test_migrations_create_every_table_and_view(database: Database) -> None:
    with psycopg.connect(database.url) as conn:
        tables = {r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
        views = {r[0] for r in conn.execute("SELECT viewname FROM pg_views WHERE schemaname = 'public'")}
    assert TABLES | {"schema_migrations"} <= tables
    assert views >= VIEWS


def test_migrating_again_applies_nothing(database: Database) -> None:
    with psycopg.connect(database.url) as conn:
        assert apply_migrations(conn) == []
        versions = [r[0] for r in conn.execute("SELECT version FROM schema_migrations")]
    assert versions == [m.version for m in load_migrations()]


@pytest.fixture
def bare_database(postgres: LocalCluster) -> Iterator[Database]:
    yield from fresh_database(postgres, migrate=False)


def test_two_sinks_migrating_at_once_apply_each_version_once(bare_database: Database) -> None:
    results: list[list[int]] = []
    errors: list[Exception] = []

    def migrate() -> None:
        try:
            with psycopg.connect(bare_database.url) as conn:
                results.append(apply_migrations(conn))
        except Exception as error:  # noqa: BLE001 - a thread cannot raise into the test: the assertion below reports it
            errors.append(error)

    threads = [threading.Thread(target=migrate) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(results, key=len) == [[], [], [], [m.version for m in load_migrations()]]


def test_a_changed_migration_file_is_refused(database: Database) -> None:
    first = load_migrations()[0]
    changed = Migration(first.version, first.name, first.text + "\n-- edited\n")
    with psycopg.connect(database.url) as conn, pytest.raises(MigrationError, match=r"\[E911\].*changed"):
        apply_migrations(conn, [changed])


def test_a_failing_migration_applies_nothing(database: Database) -> None:
    broken = [
        *load_migrations(),
        Migration(9998, "9998_ok", "CREATE TABLE t_ok (x int);"),
        Migration(9999, "9999_broken", "CREATE TABLE nonsense (;"),
    ]
    with psycopg.connect(database.url) as conn:
        with pytest.raises(MigrationError, match=r"\[E911\].*rolled back"):
            apply_migrations(conn, broken)
        assert conn.execute("SELECT to_regclass('t_ok')").fetchone() == (None,)
        latest = load_migrations()[-1].version
        assert conn.execute("SELECT max(version) FROM schema_migrations").fetchone() == (latest,)


#: What the reader must never select: raw dead-letter values, the sink's offsets, versions.
READER_REFUSED = ("dead_letters", "sink_offsets", "schema_migrations")


def test_the_reader_may_select_exactly_the_explorers_tables_and_every_view() -> None:
    assert set(READER_RELATIONS) == (TABLES - set(READER_REFUSED)) | VIEWS


def test_the_reader_role_may_select_but_not_write(database: Database) -> None:
    with psycopg.connect(database.reader_url) as conn:
        for name in sorted(READER_RELATIONS):
            conn.execute(f"SELECT count(*) FROM {name}")  # type: ignore[arg-type]
        conn.execute("SELECT * FROM search('anything')")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("INSERT INTO articles (article_id) VALUES ('a')")


@pytest.mark.parametrize("table", READER_REFUSED)
def test_the_reader_role_cannot_select_dead_letters_offsets_or_migrations(database: Database, table: str) -> None:
    with psycopg.connect(database.reader_url) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute(f"SELECT * FROM {table}")  # type: ignore[arg-type]


def test_a_reader_once_granted_every_table_loses_the_rest_when_the_sink_migrates(database: Database) -> None:
    with psycopg.connect(database.url, autocommit=True) as conn:
        conn.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {READER_ROLE}")  # type: ignore[arg-type]
        apply_migrations(conn)
    with psycopg.connect(database.reader_url) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("SELECT value FROM dead_letters")


def test_a_database_with_a_migration_this_code_lacks_is_refused_and_nothing_applied(
    bare_database: Database,
) -> None:
    known = load_migrations()
    with psycopg.connect(bare_database.url) as conn:
        apply_migrations(conn, known[:1])
        conn.execute("INSERT INTO schema_migrations (version, name, checksum) VALUES (9999, '9999_from_later', 'x')")
        conn.commit()
        with pytest.raises(MigrationError, match=r"\[E917\].*9999_from_later.*unknown to this version"):
            apply_migrations(conn, known)
        versions = sorted(r[0] for r in conn.execute("SELECT version FROM schema_migrations"))
    assert versions == [known[0].version, 9999]

"""A throwaway PostgreSQL for integration tests: ``deploy/local/postgres.sh`` on a free
port in a temp dir (see :mod:`workers.sink.local_cluster`), a fresh database per test."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import psycopg
import pytest

from workers.sink.exceptions import LocalClusterError
from workers.sink.local_cluster import LocalCluster, local_cluster
from workers.sink.schema import apply_migrations

__all__ = ["Database", "fresh_database", "running_postgres"]


@dataclass(frozen=True, slots=True)
class Database:
    """One test's database: its name and the owner's and reader's URLs."""

    cluster: LocalCluster
    name: str

    @property
    def url(self) -> str:
        return self.cluster.url(self.name)

    @property
    def reader_url(self) -> str:
        return self.cluster.url(self.name, reader=True)


def running_postgres() -> Iterator[LocalCluster]:
    """Start a cluster (failing the test with the script's output if it does not come up),
    yield it, then stop it and delete it. For fixtures: ``yield from running_postgres()``."""
    try:
        with local_cluster() as cluster:
            yield cluster
    except LocalClusterError as error:
        pytest.fail(str(error))


def fresh_database(cluster: LocalCluster, *, migrate: bool = True) -> Iterator[Database]:
    """A new database on ``cluster`` (migrated unless ``migrate`` is false), dropped after."""
    database = Database(cluster, cluster.create_database())
    try:
        if migrate:
            with psycopg.connect(database.url) as conn:
                apply_migrations(conn)
        yield database
    finally:
        cluster.drop_database(database.name)

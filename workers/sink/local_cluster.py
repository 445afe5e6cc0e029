"""A throwaway PostgreSQL cluster for tests and the sink benchmark.

It runs ``deploy/local/postgres.sh`` (the script developers use) on a free port with a
state dir of its own, so it starts, authenticates and is laid out exactly like the
development server; :meth:`LocalCluster.create_database` gives each user a fresh
database. Development only: it needs the repository checkout and Debian's PostgreSQL.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from psycopg import sql

from workers.sink.exceptions import LocalClusterError
from workers.sink.schema import READER_ROLE

__all__ = ["POSTGRES_SH", "LocalCluster", "free_port", "local_cluster"]

POSTGRES_SH = Path(__file__).resolve().parents[2] / "deploy" / "local" / "postgres.sh"
_OWNER = "newsflow"


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LocalCluster:
    """One ``postgres.sh`` server: its port, state dir and URLs.

    Args:
        state_dir: where the cluster lives (``POSTGRES_STATE_DIR``); created on start.
        port: its port on 127.0.0.1 (default: a free one).
    """

    def __init__(self, state_dir: Path, port: int | None = None) -> None:
        self.state_dir = state_dir
        self.port = port or free_port()
        self.env = {**os.environ, "POSTGRES_PORT": str(self.port), "POSTGRES_STATE_DIR": str(state_dir)}

    def url(self, database: str = "newsflow", *, reader: bool = False) -> str:
        """libpq URL of ``database`` as the owner (or the read-only role)."""
        role = READER_ROLE if reader else _OWNER
        return f"postgresql://{role}@127.0.0.1:{self.port}/{database}"

    def script(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run ``postgres.sh ARGS`` for this cluster (not checked)."""
        return subprocess.run(
            [str(POSTGRES_SH), *args], env=self.env, capture_output=True, text=True, check=False, timeout=120
        )

    def start(self) -> None:
        """Start the server (idempotent).

        Raises:
            LocalClusterError: the script failed; its output is in the message.
        """
        done = self.script("start")
        if done.returncode != 0:
            raise LocalClusterError(
                f"[E913] deploy/local/postgres.sh start failed on port {self.port} "
                f"(state {self.state_dir}):\n{done.stdout}{done.stderr}"
            )

    def stop(self, *, purge: bool = True) -> None:
        """Stop the server; with ``purge`` delete its state dir."""
        self.script("stop", *(("--purge",) if purge else ()))

    def create_database(self, name: str | None = None) -> str:
        """Create an empty database owned by the owner role; returns its name."""
        name = name or f"test_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.url("newsflow"), autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            conn.execute(
                sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(sql.Identifier(name), sql.Identifier(READER_ROLE))
            )
        return name

    def drop_database(self, name: str, *, wait_seconds: float = 30) -> None:
        """Drop ``name``, closing whatever connections of the owner are left on it.

        The owner may not end another role's sessions (``FORCE`` then fails): a reader's
        session lingers a moment after its client closed it, and autovacuum visits a
        database just written to. So this first waits, up to ``wait_seconds``, until
        neither has a session left there, and tries the drop again within that time if
        an autovacuum worker came in between.
        """
        deadline = time.monotonic() + wait_seconds
        drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        with psycopg.connect(self.url("newsflow"), autocommit=True) as conn:
            while time.monotonic() < deadline:
                # The reader's sessions, and an autovacuum worker (no user: the bootstrap
                # superuser's) that a database just written to often has.
                row = conn.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = %s "
                    "AND (usename = %s OR backend_type = 'autovacuum worker')",
                    (name, READER_ROLE),
                ).fetchone()
                if row is None or row[0] == 0:
                    break
                time.sleep(0.1)
            while True:
                try:
                    conn.execute(drop)
                    return
                except psycopg.errors.InsufficientPrivilege:
                    # an autovacuum worker started between the check and the drop
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.2)


@contextmanager
def local_cluster(parent: Path | None = None) -> Iterator[LocalCluster]:
    """A started throwaway cluster in a new temp dir, stopped and deleted afterwards."""
    base = Path(tempfile.mkdtemp(prefix="newsflow-pg-", dir=parent))
    cluster = LocalCluster(base / "state")
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop(purge=True)
        shutil.rmtree(base, ignore_errors=True)

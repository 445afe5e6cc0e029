"""Versioned schema migrations: numbered plain SQL files applied at start.

``workers/sink/migrations/NNNN_name.sql`` are applied in order, each once, recorded in
``schema_migrations(version, name, checksum, applied_at)``. All pending files run in one
transaction under a transaction-scoped advisory lock, so two sinks starting together
apply them once (the second waits, then finds nothing to do) and a failed migration
leaves the schema as it was. A file changed after it was applied is an error: write a
new migration instead. A database that has a migration applied which this code does not
have (a newer newsflow migrated it) is refused: the code would write rows that schema may
not take, or take differently; nothing is applied then. After migrating, the read-only role
(when it exists) is granted select on what the explorer and the documented queries read
(:data:`READER_RELATIONS`) and nothing else: not ``dead_letters`` (raw input values),
``sink_offsets`` or ``schema_migrations``. Its grants are set afresh on every run, so a
database migrated when the role could select every table loses the rest the next time
the sink starts.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from workers.sink.exceptions import MigrationError

__all__ = ["MIGRATIONS_DIR", "READER_RELATIONS", "READER_ROLE", "Migration", "apply_migrations", "load_migrations"]

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
#: The select-only role ``deploy/local/postgres.sh`` creates for the web app.
READER_ROLE = "newsflow_reader"
#: The tables and views the reader may select: what ``newsflow serve`` shows and what
#: docs/sink.md's queries read. A page that reads another relation must add it here.
READER_RELATIONS = (
    "articles",
    "entities",
    "article_entities",
    "mentions",
    "claims",
    "entity_mentions_per_day",
    "claims_by_claimant",
    "claims_about_entity",
    "entity_cooccurrence",
    "search_documents",
    "stories",
    "story_articles",
    "claim_links",
    "trends",
    "story_summaries",
    "stories_last_day",
    "story_timeline",
    "story_claims_ledger",
)
#: Any constant shared by every sink; ``hashtext('newsflow.schema_migrations')`` would do too.
_LOCK_KEY = 0x6E657773_666C6F77  # "newsflow"
_FILE = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


@dataclass(frozen=True, slots=True)
class Migration:
    """One SQL file: its version (the number in its name), name, text and checksum."""

    version: int
    name: str
    text: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


def load_migrations(folder: Path = MIGRATIONS_DIR) -> list[Migration]:
    """The migrations in ``folder``, by version.

    Raises:
        MigrationError: a ``.sql`` file is misnamed or two share a version.
    """
    found: dict[int, Migration] = {}
    for path in sorted(folder.glob("*.sql")):
        match = _FILE.match(path.name)
        if match is None:
            raise MigrationError(f"[E911] {path}: a migration is named NNNN_words.sql (e.g. 0002_add_index.sql)")
        version = int(match.group(1))
        if version in found:
            raise MigrationError(f"[E911] {path}: version {version} is taken by {found[version].name}")
        found[version] = Migration(version, path.stem, path.read_text(encoding="utf-8"))
    return [found[v] for v in sorted(found)]


def apply_migrations(conn: psycopg.Connection[Any], migrations: list[Migration] | None = None) -> list[int]:
    """Bring the database of ``conn`` up to date; returns the versions applied now.

    Args:
        conn: a connection of the owner role, not in a transaction.
        migrations: what to apply (default: :func:`load_migrations`).

    Raises:
        MigrationError: an applied file changed, or a migration failed (nothing applied).
    """
    todo = load_migrations() if migrations is None else migrations
    applied: list[int] = []
    try:
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_KEY,))
            conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL,"
                " checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())"
            )
            rows = conn.execute("SELECT version, checksum, name FROM schema_migrations").fetchall()
            done: dict[int, str] = {row[0]: row[1] for row in rows}
            for migration in todo:
                if migration.version in done and done[migration.version] != migration.checksum:
                    raise MigrationError(
                        f"[E911] migration {migration.name} changed after it was applied to this database: "
                        "restore the file and put the change in a new numbered migration"
                    )
            _refuse_unknown({row[0]: row[2] for row in rows}, todo)
            for migration in todo:
                if migration.version in done:
                    continue
                conn.execute(migration.text.encode("utf-8"))
                conn.execute(
                    "INSERT INTO schema_migrations (version, name, checksum) VALUES (%s, %s, %s)",
                    (migration.version, migration.name, migration.checksum),
                )
                applied.append(migration.version)
            if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (READER_ROLE,)).fetchone():
                role = sql.Identifier(READER_ROLE)
                conn.execute(sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(role))
                conn.execute(sql.SQL("REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {}").format(role))
                present = [
                    name
                    for name in READER_RELATIONS
                    if conn.execute("SELECT to_regclass(%s)", (f"public.{name}",)).fetchone() != (None,)
                ]
                if present:
                    names = sql.SQL(", ").join(sql.Identifier(name) for name in present)
                    conn.execute(sql.SQL("GRANT SELECT ON {} TO {}").format(names, role))
    except psycopg.Error as error:
        raise MigrationError(f"[E911] the schema migration failed and was rolled back: {error}") from error
    return applied


def _refuse_unknown(applied: dict[int, str], known: list[Migration]) -> None:
    """Raise if the database has migrations applied that ``known`` lacks.

    Raises:
        MigrationError: [E917] a newer newsflow migrated this database.
    """
    ours = {m.version for m in known}
    unknown = sorted(v for v in applied if v not in ours)
    if not unknown:
        return
    names = ", ".join(applied[v] for v in unknown)
    newest = max(ours, default=0)
    raise MigrationError(
        f"[E917] the database was migrated by a newer newsflow: migration(s) {names} are applied there but "
        f"unknown to this version (its newest is {newest:04d}). Refusing to run against a schema newer than "
        "the code: run the newsflow version that applied them (or a later one)"
    )

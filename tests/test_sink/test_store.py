"""Which database failures the sink's store treats as final, and which of an article's
events it keeps (no database needed)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import psycopg
import pytest

from workers.positions import Position
from workers.sink.rows import article_rows
from workers.sink.samples import renumbered
from workers.sink.store import StoredVersion, decide, refused_for_good
from workers.sink.tables import ArticleRow

AT = Position("articles.enriched", 0, 7)
EARLY, LATE = "2024-12-05T12:00:00.000Z", "2024-12-05T12:00:01.000Z"


@pytest.mark.parametrize(
    "error",
    [
        psycopg.errors.ProgramLimitExceeded("string is too long for tsvector"),
        psycopg.errors.StatementTooComplex("stack depth limit exceeded"),
        psycopg.errors.StringDataRightTruncation("value too long"),
        psycopg.errors.UniqueViolation("duplicate key"),
        psycopg.DataError("PostgreSQL text fields cannot contain NUL (0x00) bytes"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_data_integrity_and_program_limit_errors_are_refused_for_good(error: psycopg.Error) -> None:
    assert refused_for_good(error)


@pytest.mark.parametrize(
    "error",
    [
        psycopg.OperationalError("server closed the connection unexpectedly"),
        psycopg.errors.AdminShutdown("terminating connection due to administrator command"),
        psycopg.errors.SerializationFailure("could not serialize access"),
        psycopg.errors.DeadlockDetected("deadlock detected"),
        psycopg.errors.UndefinedTable('relation "articles" does not exist'),
    ],
    ids=lambda e: type(e).__name__,
)
def test_failures_that_can_pass_or_need_an_operator_are_not_refused_for_good(error: psycopg.Error) -> None:
    assert not refused_for_good(error)


def _row(event: dict[str, Any], *, version: str, at: str) -> ArticleRow:
    return article_rows(renumbered(event, "a-1", pipeline_version=version, processed_at=at), AT).article


def _stored(row: ArticleRow) -> StoredVersion:
    return StoredVersion(row.event_id, row.pipeline_version, row.processed_at)


def test_an_article_not_stored_is_new(seed_events: list[dict[str, Any]]) -> None:
    assert decide(None, _row(seed_events[0], version="1", at=EARLY)) == "new"


def test_the_same_event_id_and_version_is_a_duplicate_whenever_it_was_made(seed_events: list[dict[str, Any]]) -> None:
    stored = _stored(_row(seed_events[0], version="1", at=LATE))
    assert decide(stored, _row(seed_events[0], version="1", at=EARLY)) == "duplicate"
    assert decide(stored, _row(seed_events[0], version="1", at=LATE)) == "duplicate"


def test_a_later_enrichment_by_another_version_replaces_the_stored_one(seed_events: list[dict[str, Any]]) -> None:
    old = _row(seed_events[0], version="1", at=EARLY)
    assert decide(_stored(old), _row(seed_events[0], version="2", at=LATE)) == "replace"


def test_an_earlier_enrichment_by_another_version_is_stale(seed_events: list[dict[str, Any]]) -> None:
    new = _row(seed_events[0], version="2", at=LATE)
    assert decide(_stored(new), _row(seed_events[0], version="1", at=EARLY)) == "stale"


def test_on_a_tie_of_the_clock_the_later_read_replaces_the_stored_one(seed_events: list[dict[str, Any]]) -> None:
    a, b = _row(seed_events[0], version="1", at=EARLY), _row(seed_events[0], version="2", at=EARLY)
    assert (decide(_stored(a), b), decide(_stored(b), a)) == ("replace", "replace")


def test_stored_times_in_another_zone_compare_by_the_instant(seed_events: list[dict[str, Any]]) -> None:
    new = _row(seed_events[0], version="2", at=LATE)
    stored = StoredVersion(new.event_id, new.pipeline_version, new.processed_at.astimezone(UTC))
    assert new.processed_at.tzinfo is not None
    assert decide(stored, _row(seed_events[0], version="1", at=EARLY)) == "stale"
    assert stored.processed_at == datetime(2024, 12, 5, 12, 0, 1, tzinfo=UTC)

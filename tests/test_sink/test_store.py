"""Which database failures the sink's store treats as final (no database needed)."""

from __future__ import annotations

import psycopg
import pytest

from workers.sink.store import refused_for_good


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

"""A systematic refusal stops ``newsflow sink`` with one error instead of dead-lettering
the stream, on the real broker and the real PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import psycopg

from tests.integration.conftest import wait_for
from tests.integration.postgres import Database
from tests.integration.sink_support import audit_rows, sink_events
from tests.integration.test_sink_faults import SinkProcess, alive, feed, sink_settings, start_sink, stored_ends
from workers.settings import Settings
from workers.sink.samples import sample_stream

__all__ = ["sink_events", "sink_settings", "start_sink"]  # fixtures, imported for pytest


def counts(url: str) -> tuple[int, int, int]:
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM dead_letters),"
            " (SELECT count(*) FROM sink_offsets)"
        ).fetchone()
    assert row is not None
    return row[0], row[1], row[2]


def test_a_check_that_refuses_every_event_stops_the_sink_with_one_error_and_no_dead_letter(
    sink_settings: Settings,
    database: Database,
    sink_events: list[dict[str, Any]],
    start_sink: Callable[[Settings], SinkProcess],
) -> None:
    with psycopg.connect(database.url) as conn:  # a claim kind the schema does not take: every article has claims
        conn.execute("ALTER TABLE claims ADD CONSTRAINT claims_kind_known CHECK (kind = 'never')")
    events = list(sample_stream(sink_events, 120, prefix="refused"))
    ends = feed(sink_settings, events)

    for _ in range(2):  # and again after a restart: still nothing dead-lettered
        sink = start_sink(sink_settings)
        code = sink.proc.wait(timeout=180)
        log = sink.log()
        print(f"\nthe sink stopped with exit code {code}:\n{log[-1500:]}")
        assert code == 2, log[-4000:]
        [error] = [line for line in log.splitlines() if "[E918]" in line]  # one line says it all
        assert error.startswith("newsflow: error: [E918]") and "claims_kind_known" in error
        assert "Traceback" not in log
        assert counts(database.url) == (0, 0, 0)  # no article, no dead letter, no offset moved

    with psycopg.connect(database.url) as conn:  # the schema fixed: the same events go in whole
        conn.execute("ALTER TABLE claims DROP CONSTRAINT claims_kind_known")
    sink = start_sink(sink_settings)
    wait_for(lambda: stored_ends(database.url, sink_settings) == ends, alive(sink), timeout=120, what="all stored")
    assert audit_rows(database.url, events).exact
    assert counts(database.url)[1] == 0

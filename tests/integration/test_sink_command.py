"""``newsflow sink`` as a user runs it: dead letters, unreadable records, --migrate-only."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import orjson
import psycopg
import pytest

from tests.integration.conftest import newsflow, wait_for
from tests.integration.postgres import Database, fresh_database
from tests.integration.sink_support import audit_rows, sink_events
from tests.integration.test_sink_faults import SinkProcess, alive, sink_settings, start_sink
from workers.kafka.client import client_config
from workers.settings import Settings
from workers.sink.local_cluster import LocalCluster
from workers.sink.samples import dead_letter_event, sample_stream
from workers.sink.schema import load_migrations

__all__ = ["sink_events", "sink_settings", "start_sink"]  # fixtures, imported for pytest

DEAD_LETTER = dead_letter_event(offset=12)


def produce(settings: Settings, records: list[tuple[str, bytes, bytes]]) -> dict[tuple[str, int], int]:
    from kafka import KafkaProducer

    producer = KafkaProducer(**client_config(settings, acks="all"))
    futures = [producer.send(topic, key=key, value=value) for topic, key, value in records]
    producer.flush()
    producer.close()
    ends: dict[tuple[str, int], int] = {}
    for future in futures:
        meta = future.get(timeout=30)
        ends[(meta.topic, meta.partition)] = max(ends.get((meta.topic, meta.partition), 0), meta.offset + 1)
    return ends


def all_stored(url: str, settings: Settings, ends: dict[tuple[str, int], int]) -> bool:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT topic, partition, next_offset FROM sink_offsets WHERE group_id = %s", (settings.sink_group_id,)
        ).fetchall()
    return {(t, p): o for t, p, o in rows} == ends


def test_the_sink_writes_articles_dead_letters_and_records_it_cannot_read(
    sink_settings: Settings,
    database: Database,
    sink_events: list[dict[str, Any]],
    start_sink: Callable[[Settings], SinkProcess],
) -> None:
    events = list(sample_stream(sink_events, 3, prefix="cmd"))
    records = [(sink_settings.topic_enriched, e["id"].encode(), orjson.dumps(e)) for e in events]
    records += [
        (sink_settings.topic_enriched, b"bad", b"{not json"),
        (sink_settings.topic_enriched, b"claim", orjson.dumps({"schema": {"name": "claim", "version": 1}})),
        (sink_settings.topic_dlq, b"x", orjson.dumps(DEAD_LETTER)),
    ]
    ends = produce(sink_settings, records)
    sink = start_sink(sink_settings)
    wait_for(lambda: all_stored(database.url, sink_settings, ends), alive(sink), timeout=90, what="offsets stored")
    dead = [("sink", "invalid_json"), ("sink", "wrong_schema"), ("worker", "invalid_json")]
    audit = audit_rows(database.url, events, dead_letters=dead)
    assert audit.exact, audit
    with psycopg.connect(database.url) as conn:
        stored = conn.execute("SELECT origin, reason FROM dead_letters ORDER BY origin, reason").fetchall()
    assert stored == dead


@pytest.fixture
def bare_database(postgres: LocalCluster) -> Iterator[Database]:
    yield from fresh_database(postgres, migrate=False)


def test_migrate_only_brings_the_schema_up_to_date_and_exits(bare_database: Database, sink_settings: Settings) -> None:
    done = newsflow(sink_settings, "sink", "--migrate-only", "--database-url", bare_database.url)
    assert done.returncode == 0, done.stderr.decode()
    with psycopg.connect(bare_database.url) as conn:
        assert conn.execute("SELECT count(*) FROM schema_migrations").fetchone() == (len(load_migrations()),)


def test_an_unreachable_database_is_one_error_line_naming_the_setting(sink_settings: Settings) -> None:
    done = newsflow(sink_settings, "sink", "--migrate-only", "--database-url", "postgresql://newsflow@127.0.0.1:1/x")
    assert done.returncode == 2
    assert b"[E910]" in done.stderr and b"NEWSFLOW_DATABASE_URL" in done.stderr and b"Traceback" not in done.stderr


def test_a_database_migrated_by_a_newer_version_is_refused_at_start(
    database: Database, sink_settings: Settings
) -> None:
    with psycopg.connect(database.url) as conn:
        conn.execute("INSERT INTO schema_migrations (version, name, checksum) VALUES (9999, '9999_from_later', 'x')")
    for command in (("sink", "--migrate-only"), ("sink",)):
        done = newsflow(sink_settings, *command)
        error = done.stderr.decode()
        assert done.returncode == 2, error
        assert "[E917]" in error and "9999_from_later" in error and "newer" in error and "Traceback" not in error
        assert error.count("newsflow: error:") == 1

"""The sink under faults, on the real broker and the real PostgreSQL.

Events made offline by the real enrichment (renumbered into many articles, some fed
twice) go straight onto a fresh ``articles.enriched``; ``newsflow sink`` processes write
them. After each fault the tables must hold exactly one row set per article fed: none
missing, none doubled (an article's event inserted twice, counted by the write log of
:func:`~tests.integration.sink_support.log_writes`: the article id being the primary
key, a table alone could never show it), each article's body, entity rows, mentions and
claims equal to its event's, every entity it names in ``entities``, and no dead letter.
Each test prints one line of the fault table (fault, events fed, missing, doubled,
mismatched, orphaned).
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson
import psycopg
import pytest
from kafka import KafkaProducer

from tests.integration.conftest import Broker, isolated_settings, settings_env, wait_for
from tests.integration.postgres import Database
from tests.integration.sink_support import RowAudit, audit_rows, log_writes, sink_events
from workers.kafka.client import client_config
from workers.settings import Settings
from workers.sink.local_cluster import LocalCluster
from workers.sink.samples import sample_stream

__all__ = ["sink_events"]  # the fixture, imported for pytest

#: Distinct articles fed per test; every tenth is fed twice (the sink writes it once).
ARTICLES = 1500
#: Small transactions, so a fault lands between and inside many of them.
BATCH = 40


class SinkProcess:
    """A ``newsflow sink`` subprocess with its log in a file."""

    def __init__(self, settings: Settings, log_path: Path) -> None:
        self.log_path = log_path
        self._log = log_path.open("wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "workers", "sink"],
            env=settings_env(settings),
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self._log.close()
        return self.proc.wait()


@pytest.fixture
def sink_settings(broker: Broker, database: Database, tmp_path: Path) -> Settings:
    settings = isolated_settings(broker.bootstrap, tmp_path / "data")
    return settings.with_overrides(
        database_url=log_writes(database.url),
        sink_group_id=f"sink-{uuid.uuid4().hex[:8]}",
        sink_batch_max_events=BATCH,
        metrics_port=0,
    )


@pytest.fixture
def start_sink(tmp_path: Path) -> Iterator[Callable[[Settings], SinkProcess]]:
    started: list[SinkProcess] = []

    def start(settings: Settings) -> SinkProcess:
        sink = SinkProcess(settings, tmp_path / f"sink-{len(started)}.log")
        started.append(sink)
        return sink

    yield start
    for sink in started:
        sink.stop()


def feed(settings: Settings, events: list[dict[str, Any]]) -> dict[int, int]:
    """Produce ``events`` keyed by article id; returns each partition's end offset."""
    producer = KafkaProducer(**client_config(settings, acks="all", linger_ms=20))
    futures = [producer.send(settings.topic_enriched, key=e["id"].encode(), value=orjson.dumps(e)) for e in events]
    producer.flush()
    producer.close()
    ends: dict[int, int] = {}
    for future in futures:
        meta = future.get(timeout=30)
        ends[meta.partition] = max(ends.get(meta.partition, 0), meta.offset + 1)
    return ends


def stream(sink_events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    events = list(sample_stream(sink_events, ARTICLES, prefix=f"fault-{uuid.uuid4().hex[:6]}"))
    return events + events[::10]  # a tenth fed twice: still one row set each


def article_count(url: str) -> int:
    try:
        with psycopg.connect(url, connect_timeout=2) as conn:
            row = conn.execute("SELECT count(*) FROM articles").fetchone()
            return int(row[0]) if row else 0
    except psycopg.OperationalError:
        return -1


def stored_ends(url: str, settings: Settings) -> dict[int, int]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT partition, next_offset FROM sink_offsets WHERE group_id = %s AND topic = %s",
            (settings.sink_group_id, settings.topic_enriched),
        ).fetchall()
    return dict(rows)


def alive(*sinks: SinkProcess) -> Callable[[], None]:
    def check() -> None:
        for sink in sinks:
            assert sink.proc.poll() is None, f"sink exited {sink.proc.returncode}:\n{sink.log()[-4000:]}"

    return check


def finish_and_audit(
    fault: str, url: str, settings: Settings, ends: dict[int, int], events: list[dict[str, Any]], *sinks: SinkProcess
) -> RowAudit:
    waited = wait_for(lambda: stored_ends(url, settings) == ends, alive(*sinks), timeout=120, what="all offsets stored")
    audit = audit_rows(url, events)
    print(
        f"\nFAULT TABLE | {fault:<38} | events fed {len(events):5d} | articles {audit.fed:5d} | "
        f"missing {len(audit.missing)} | doubled {len(audit.doubled)} | mismatched {len(audit.mismatched)} | "
        f"orphaned {len(audit.orphaned)} | done {waited:.0f} s after the fault"
    )
    return audit


def wait_mid_stream(url: str, sinks: tuple[SinkProcess, ...]) -> int:
    """Wait until a fifth of the articles are written; returns how many were."""
    began = time.monotonic()
    wait_for(lambda: article_count(url) >= ARTICLES // 5, alive(*sinks), timeout=120, what="a fifth written")
    written = article_count(url)
    print(f"\n{written} articles written {time.monotonic() - began:.0f} s after the sink started")
    return written


def test_a_sink_killed_mid_stream_and_restarted_writes_each_article_once(
    sink_settings: Settings,
    database: Database,
    sink_events: list[dict[str, Any]],
    start_sink: Callable[[Settings], SinkProcess],
) -> None:
    events = stream(sink_events)
    ends = feed(sink_settings, events)
    first = start_sink(sink_settings)
    written = wait_mid_stream(database.url, (first,))
    first.kill()
    assert written < ARTICLES, "the sink finished before the fault: raise ARTICLES"
    second = start_sink(sink_settings)
    audit = finish_and_audit("kill -9 of the sink mid-stream", database.url, sink_settings, ends, events, second)
    assert audit.exact, audit


def test_postgres_stopped_for_ten_seconds_mid_stream_loses_and_doubles_nothing(
    sink_settings: Settings,
    database: Database,
    postgres: LocalCluster,
    sink_events: list[dict[str, Any]],
    start_sink: Callable[[Settings], SinkProcess],
) -> None:
    events = stream(sink_events)
    ends = feed(sink_settings, events)
    sink = start_sink(sink_settings)
    written = wait_mid_stream(database.url, (sink,))
    postgres.stop(purge=False)
    try:
        time.sleep(10)
        assert sink.proc.poll() is None, f"the sink gave up while the database was away:\n{sink.log()[-3000:]}"
    finally:
        postgres.start()
    assert written < ARTICLES, "the sink finished before the fault: raise ARTICLES"
    audit = finish_and_audit("PostgreSQL stopped 10 s mid-stream", database.url, sink_settings, ends, events, sink)
    assert audit.exact, audit
    assert "[E910]" in sink.log()


def test_two_sinks_in_one_group_with_one_killed_write_each_article_once(
    sink_settings: Settings,
    database: Database,
    sink_events: list[dict[str, Any]],
    start_sink: Callable[[Settings], SinkProcess],
) -> None:
    events = stream(sink_events)
    ends = feed(sink_settings, events)
    one, two = start_sink(sink_settings), start_sink(sink_settings)
    written = wait_mid_stream(database.url, (one, two))
    one.kill()
    assert written < ARTICLES, "the sinks finished before the fault: raise ARTICLES"
    audit = finish_and_audit("two sinks in one group, one kill -9", database.url, sink_settings, ends, events, two)
    assert audit.exact, audit

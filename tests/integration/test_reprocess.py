"""``newsflow reprocess`` on the real broker and database: stored articles that another
pipeline version enriched are re-fed onto the input topic, the others are not; a worker
and the sink then bring the store to the running version."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson
import psycopg

from tests.integration.accounting import read_topic
from tests.integration.conftest import WorkerProcess, all_alive, newsflow, wait_for
from tests.integration.postgres import Database
from tests.integration.sink_support import sink_events
from tests.integration.test_sink_faults import SinkProcess, sink_settings, start_sink
from tests.integration.test_sink_store import batch_of
from workers.pipeline.enrich import Enricher
from workers.settings import Settings
from workers.sink.samples import renumbered
from workers.sink.store import SinkStore

__all__ = ["sink_events", "sink_settings", "start_sink"]  # fixtures, imported for pytest

OLD = "0.1.0+aaaaaaaaaaaa"


def store_articles(database: Database, events: list[dict[str, Any]]) -> None:
    store = SinkStore(database.url, "g-reprocess")
    try:
        store.write(batch_of(events))
    finally:
        store.close()


def test_reprocess_re_feeds_only_the_articles_an_older_version_enriched(
    sink_settings: Settings, database: Database, sink_events: list[dict[str, Any]], enricher: Enricher
) -> None:
    outdated = [renumbered(sink_events[i], f"old-{i}", pipeline_version=OLD) for i in range(2)]
    current = renumbered(sink_events[2], "current", pipeline_version=enricher.version.version)
    no_body = renumbered(sink_events[3], "no-body", pipeline_version=OLD)
    no_body["body"] = None
    no_body["flags"] = [*no_body["flags"], "body_omitted"]
    store_articles(database, [*outdated, current, no_body])

    dry = newsflow(sink_settings, "reprocess", "--dry-run")
    assert dry.returncode == 0, dry.stderr.decode()
    assert "would re-feed old-0 (enriched by 0.1.0+aaaaaaaaaaaa)" in dry.stderr.decode()
    assert "skipped no-body: stored without its body" in dry.stderr.decode()
    assert dry.stdout.decode().startswith("reprocess: would re-feed 2 articles to ")
    assert read_topic(sink_settings, sink_settings.topic_raw) == []

    run = newsflow(sink_settings, "reprocess", "--json")
    assert run.returncode == 0, run.stderr.decode()
    summary = orjson.loads(run.stdout.splitlines()[-1])
    assert summary == {
        "refed": 2,
        "skipped_without_body": 1,
        "current": 1,
        "pipeline_version": enricher.version.version,
        "target": sink_settings.topic_raw,
        "dry_run": False,
    }
    records = read_topic(sink_settings, sink_settings.topic_raw)
    assert sorted(r.key for r in records) == [b"old-0", b"old-1"]
    for record in records:
        raw = orjson.loads(record.value or b"")
        event = next(e for e in outdated if e["id"] == raw["id"])
        assert raw["body"] == event["body"]
        assert raw.get("title") == event["title"]
        assert raw.get("published_at") == event["published_at"]


def test_after_reprocess_a_worker_and_the_sink_bring_the_store_to_the_running_version(
    sink_settings: Settings,
    database: Database,
    sink_events: list[dict[str, Any]],
    enricher: Enricher,
    start_worker: Callable[[Settings], WorkerProcess],
    start_sink: Callable[[Settings], SinkProcess],
) -> None:
    outdated = [renumbered(sink_events[i], f"old-{i}", pipeline_version=OLD) for i in range(2)]
    store_articles(
        database, [*outdated, renumbered(sink_events[2], "current", pipeline_version=enricher.version.version)]
    )
    run = newsflow(sink_settings, "reprocess")
    assert run.returncode == 0, run.stderr.decode()

    worker, sink = start_worker(sink_settings), start_sink(sink_settings)

    def versions() -> dict[str, str]:
        with psycopg.connect(database.url) as conn:
            return dict(conn.execute("SELECT article_id, pipeline_version FROM articles").fetchall())

    def alive() -> None:
        all_alive(worker)()
        assert sink.proc.poll() is None, f"sink exited:\n{sink.log()[-3000:]}"

    wait_for(
        lambda: set(versions().values()) == {enricher.version.version},
        alive,
        timeout=240,
        what="every stored article at the running version",
    )
    assert sorted(versions()) == ["current", "old-0", "old-1"]
    again = newsflow(sink_settings, "reprocess", "--json")
    assert orjson.loads(again.stdout.splitlines()[-1])["refed"] == 0

"""Articles whose events left out their entities and claims, through a real worker and
``newsflow sink``: the store holds every mention and claim, equal to offline enrichment."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

import orjson
import psycopg

from tests.conftest import SEEDS
from tests.integration.conftest import Broker, WorkerProcess, all_alive, isolated_settings, wait_for
from tests.integration.outcomes import Outcomes
from tests.integration.postgres import Database
from tests.integration.sink_support import audit_rows, log_writes
from tests.integration.test_oversize import prose_of, set_max_message_bytes
from tests.integration.test_sink_faults import SinkProcess, alive, start_sink, stored_ends
from workers.inputs.corpus import seed_articles
from workers.inputs.files import InputArticle
from workers.kafka.feed import feed_articles
from workers.models import RawArticle
from workers.pipeline.decode import decode_article
from workers.pipeline.enrich import Enricher
from workers.pipeline.events import encode
from workers.settings import Settings

__all__ = ["start_sink"]  # the fixture, imported for pytest


def inputs(raws: list[RawArticle]) -> list[InputArticle]:
    """``raws`` as records for ``articles.raw``, every field they have."""
    return [
        InputArticle(raw.id, raw.id.encode(), orjson.dumps({k: v for k, v in asdict(raw).items() if v is not None}))
        for raw in raws
    ]


def offline(raws: list[RawArticle], enricher: Enricher) -> list[dict[str, Any]]:
    """The events offline enrichment makes of the very records the worker is fed."""
    decoded = [decode_article(item.value, max_body_bytes=1_000_000) for item in inputs(raws)]
    return [orjson.loads(encode(enricher(raw))) for raw in decoded]


def as_published(expected: list[dict[str, Any]], events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``expected`` with the body left out where the published article event left it out
    (``body_omitted``: the store keeps what the event carries; the body is on articles.raw)."""
    omitted = {e["id"] for e in events if "body_omitted" in e["flags"]}
    return [{**e, "body": None} if e["id"] in omitted else e for e in expected]


def run_through(
    settings: Settings,
    raws: list[RawArticle],
    start_worker: Callable[[Settings], WorkerProcess],
    start_sink: Callable[[Settings], SinkProcess],
    database: Database,
    timeout: float,
) -> list[dict[str, Any]]:
    """Feed ``raws`` to a worker, wait for their article events, then sink them all; returns the events."""
    worker = start_worker(settings)
    feed_articles(inputs(raws), settings)
    found: list[Outcomes] = []

    def enriched() -> bool:
        found.append(Outcomes.read(settings))
        return len(found[-1].enriched) + len(found[-1].letters) >= len(raws)

    wait_for(enriched, all_alive(worker), timeout=timeout, what=f"{len(raws)} article events")
    assert found[-1].letters == []
    ends = {p: o for (t, p), o in _ends(settings).items()}
    sink = start_sink(settings)
    wait_for(lambda: stored_ends(database.url, settings) == ends, alive(sink), timeout=300, what="all stored")
    return found[-1].enriched


def _ends(settings: Settings) -> dict[tuple[str, int], int]:
    from kafka import KafkaConsumer, TopicPartition

    from workers.kafka.client import client_config

    consumer = KafkaConsumer(**client_config(settings))
    try:
        partitions = [TopicPartition(settings.topic_enriched, p) for p in range(settings.partitions)]
        return {(tp.topic, tp.partition): o for tp, o in consumer.end_offsets(partitions).items() if o}
    finally:
        consumer.close()


def sink_settings_for(broker: Broker, database: Database, tmp_path: Path, name: str) -> Settings:
    settings = isolated_settings(broker.bootstrap, tmp_path / "data")
    return settings.with_overrides(database_url=log_writes(database.url), sink_group_id=f"sink-{name}", metrics_port=0)


def stored_counts(url: str) -> dict[str, tuple[list[str], int, int]]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT a.article_id, a.flags, (SELECT count(*) FROM mentions m WHERE m.article_id = a.article_id),"
            " (SELECT count(*) FROM claims c WHERE c.article_id = a.article_id) FROM articles a"
        ).fetchall()
    return {a: (flags, m, c) for a, flags, m, c in rows}


def test_articles_whose_events_left_out_entities_and_claims_are_stored_whole(
    broker: Broker,
    database: Database,
    tmp_path: Path,
    enricher: Enricher,
    start_worker: Callable[[Settings], WorkerProcess],
    start_sink: Callable[[Settings], SinkProcess],
) -> None:
    settings = sink_settings_for(broker, database, tmp_path, "parts")
    set_max_message_bytes(settings, settings.topic_enriched, 1500)  # an article event is 5-30 KB
    raws = seed_articles([str(SEEDS / "wikinews")])[:6]
    events = run_through(settings, raws, start_worker, start_sink, database, timeout=300)
    assert all({"entities_omitted", "claims_omitted"} <= set(e["flags"]) for e in events)
    assert all(e["entities"] == [] and e["claims"] == [] for e in events)

    audit = audit_rows(database.url, as_published(offline(raws, enricher), events))
    stored = stored_counts(database.url)
    print(f"\nstored: { {a: (m, c) for a, (_, m, c) in stored.items()} }")
    assert audit.exact, audit
    assert all(m > 0 for _, m, _ in stored.values())


def test_a_900_kb_article_over_the_limit_is_stored_with_every_mention_and_claim(
    broker: Broker,
    database: Database,
    tmp_path: Path,
    enricher: Enricher,
    start_worker: Callable[[Settings], WorkerProcess],
    start_sink: Callable[[Settings], SinkProcess],
) -> None:
    settings = sink_settings_for(broker, database, tmp_path, "big")
    big = RawArticle("big", prose_of(900_000), title="A long one")
    [event] = run_through(settings, [big], start_worker, start_sink, database, timeout=1200)
    assert {"body_omitted", "entities_omitted", "claims_omitted"} <= set(event["flags"])

    expected = offline([big], enricher)
    mentions = sum(len(e["mentions"]) for e in expected[0]["entities"])
    stored = stored_counts(database.url)["big"]
    print(f"\n900 KB article: offline {mentions} mentions, {len(expected[0]['claims'])} claims; stored {stored[1:]}")
    audit = audit_rows(database.url, as_published(expected, [event]))
    assert audit.exact, audit
    assert stored[1:] == (mentions, len(expected[0]["claims"]))

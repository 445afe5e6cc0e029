"""The pipeline end to end on the real broker: feed, worker, every output topic."""

from __future__ import annotations

import urllib.request
from collections import Counter
from collections.abc import Callable
from typing import Any

import orjson

from tests.checks import assert_claim_or_entity_spans, assert_spans_index_body, assert_valid_event
from tests.conftest import SEEDS
from tests.integration.conftest import WorkerProcess
from workers.inputs.files import InputArticle, read_inputs
from workers.kafka.feed import feed_articles
from workers.kafka.tail import TailRecord, read_until
from workers.pipeline.enrich import Enricher
from workers.settings import Settings

TIMEOUT = 240.0


def values(records: list[TailRecord]) -> list[dict[str, Any]]:
    return [orjson.loads(r.value or b"") for r in records]


def read_values(settings: Settings, topic: str, count: int, worker: WorkerProcess) -> list[dict[str, Any]]:
    """Read ``count`` values of ``topic`` from the beginning, failing early if the worker died."""

    def alive() -> None:
        assert worker.proc.poll() is None, f"worker exited:\n{worker.log()[-3000:]}"

    return values(
        read_until(settings, topic, lambda rs: len(rs) >= count, timeout=TIMEOUT, from_beginning=True, on_idle=alive)
    )


def test_every_seed_article_comes_out_enriched_with_valid_events(
    pipeline_settings: Settings, start_worker: Callable[[Settings], WorkerProcess], enricher: Enricher
) -> None:
    seeds = list(read_inputs([str(SEEDS)]))
    worker = start_worker(pipeline_settings)
    assert feed_articles(seeds, pipeline_settings).sent == len(seeds)

    articles = read_values(pipeline_settings, pipeline_settings.topic_enriched, len(seeds), worker)

    assert sorted(a["id"] for a in articles) == sorted(s.key.decode() for s in seeds if s.key)
    for article in articles:
        assert_valid_event(article)
        assert_spans_index_body(article)
    total_claims = sum(len(a["claims"]) for a in articles)
    total_entities = sum(len(a["entities"]) for a in articles)
    claims = read_values(pipeline_settings, pipeline_settings.topic_claims, total_claims, worker)
    entities = read_values(pipeline_settings, pipeline_settings.topic_entities, total_entities, worker)
    bodies = {a["id"]: a["body"] for a in articles}
    for event in claims + entities:
        assert_valid_event(event)
        assert_claim_or_entity_spans(event, bodies[event["article"]["id"]])
    assert len({e["event_id"] for e in claims}) == total_claims
    assert len({e["event_id"] for e in entities}) == total_entities
    # Every event names the worker's pipeline version, the one its /metrics shows.
    versions = {a["processing"]["pipeline_version"] for a in articles} | {
        e["pipeline_version"] for e in claims + entities
    }
    assert versions == {enricher.version.version}
    with urllib.request.urlopen(f"http://127.0.0.1:{worker.metrics_port}/metrics", timeout=5) as response:
        assert f'pipeline_version="{enricher.version.version}"' in response.read().decode()


def test_invalid_inputs_become_dead_letters_and_the_worker_keeps_going(
    pipeline_settings: Settings, start_worker: Callable[[Settings], WorkerProcess]
) -> None:
    bad = [b"{not json", b"[1,2]", b'{"title": "no body"}', b"\xff\xfe\xfd", b'{"body": "  "}']
    good = InputArticle("good", b"good-1", orjson.dumps({"id": "good-1", "body": "The minister said it would rain."}))
    worker = start_worker(pipeline_settings)
    feed_articles([InputArticle(f"bad-{i}", None, v) for i, v in enumerate(bad)] + [good], pipeline_settings)

    letters = read_values(pipeline_settings, pipeline_settings.topic_dlq, len(bad), worker)
    enriched = read_values(pipeline_settings, pipeline_settings.topic_enriched, 1, worker)

    for letter in letters:
        assert_valid_event(letter)
        assert letter["topic"] == pipeline_settings.topic_raw
    assert Counter(letter["reason"] for letter in letters) == Counter(
        ["invalid_json", "not_an_object", "missing_body", "invalid_utf8", "empty_body"]
    )
    assert [a["id"] for a in enriched] == ["good-1"]
    assert worker.proc.poll() is None


def test_sigterm_stops_the_worker_cleanly(
    pipeline_settings: Settings, start_worker: Callable[[Settings], WorkerProcess]
) -> None:
    worker = start_worker(pipeline_settings)
    feed_articles(list(read_inputs([str(SEEDS / "000_3393e2ca348ff21d.txt")])), pipeline_settings)
    read_values(pipeline_settings, pipeline_settings.topic_enriched, 1, worker)

    assert worker.stop(timeout=60) == 0, worker.log()[-3000:]

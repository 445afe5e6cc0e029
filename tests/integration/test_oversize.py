"""One article cannot stall a partition by its size: a body at the size limit, and
output topics that take less than a normal event, on the real broker.

Every input ends as exactly one outcome (an enriched event or a dead letter), no
output is published twice, and the worker stays alive with bounded memory.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import orjson
from kafka import KafkaAdminClient
from kafka.admin import ConfigResource, ConfigResourceType

from tests.conftest import SEEDS
from tests.integration.conftest import Broker, WorkerProcess, all_alive, isolated_settings, wait_for
from tests.integration.outcomes import Outcomes
from workers.inputs.corpus import build_corpus, seed_articles
from workers.inputs.files import InputArticle
from workers.kafka.client import client_config
from workers.kafka.feed import feed_articles
from workers.settings import Settings

#: The deploy manifests' memory limit, and the issue's bound above a normal article.
DEPLOY_LIMIT_MB = 1536
BOUND_ABOVE_NORMAL_MB = 150


def prose_of(size: int) -> str:
    """Plain news prose of ``size`` UTF-8 bytes, paragraphs of the seed articles."""
    paragraphs = [p for a in seed_articles([str(SEEDS / "wikinews")]) for p in a.body.split("\n") if p.strip()]
    out: list[str] = []
    total = 0
    while total < size:
        paragraph = paragraphs[len(out) % len(paragraphs)]
        out.append(paragraph)
        total += len(paragraph.encode()) + 1
    return "\n".join(out).encode()[:size].decode("utf-8", "ignore")


def normal_articles(n: int, prefix: str) -> list[InputArticle]:
    return list(build_corpus(seed_articles([str(SEEDS / "wikinews")]), n, prefix=prefix))


def peak_rss_mb(worker: WorkerProcess) -> float:
    for line in Path(f"/proc/{worker.proc.pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM")


def settle(settings: Settings, expected: int, worker: WorkerProcess, timeout: float) -> Outcomes:
    found: list[Outcomes] = []

    def done() -> bool:
        found.append(Outcomes.read(settings))
        return sum(found[-1].ids().values()) >= expected

    wait_for(done, all_alive(worker), timeout=timeout, what=f"{expected} outcomes")
    return found[-1]


def set_max_message_bytes(settings: Settings, topic: str, size: int) -> None:
    admin = KafkaAdminClient(**client_config(settings))
    try:
        admin.alter_configs([ConfigResource(ConfigResourceType.TOPIC, topic, {"max.message.bytes": str(size)})])
    finally:
        admin.close()


def test_a_950_kb_article_in_a_batch_of_normal_ones_is_enriched_once_within_memory(
    broker: Broker, tmp_path: Path, start_worker: Callable[[Settings], WorkerProcess]
) -> None:
    settings = isolated_settings(broker.bootstrap, tmp_path / "data")
    worker = start_worker(settings)
    feed_articles(normal_articles(8, "warm"), settings)
    settle(settings, 8, worker, timeout=300)
    normal_peak = peak_rss_mb(worker)

    body = prose_of(950_000)
    big = InputArticle("big", b"big", orjson.dumps({"id": "big", "body": body, "title": "A long one"}))
    mixed = [*normal_articles(6, "before"), big, *normal_articles(6, "after")]
    feed_articles(mixed, settings)
    found = settle(settings, 8 + len(mixed), worker, timeout=900)

    assert set(found.ids().values()) == {1}, found.ids()
    assert found.letters == [] and found.repeated_event_ids() == []
    [event] = [a for a in found.enriched if a["id"] == "big"]
    # Its event over the 1 MB limit leaves out the body (and, still too large, its
    # entities and claims), which are on articles.raw and their own topics.
    assert event["body"] is None and "body_omitted" in event["flags"]
    assert sum(c["article"]["id"] == "big" for c in found.claims) > 100
    assert sum(e["article"]["id"] == "big" for e in found.entities) > 100
    assert len(orjson.dumps(event)) < settings.max_message_bytes
    peak = peak_rss_mb(worker)
    print(f"\npeak RSS: {normal_peak:.0f} MB on normal articles, {peak:.0f} MB with the 950 KB one")
    assert peak - normal_peak < BOUND_ABOVE_NORMAL_MB
    assert peak < DEPLOY_LIMIT_MB


def test_a_topic_that_takes_less_than_a_claim_dead_letters_articles_with_claims_only(
    broker: Broker, tmp_path: Path, start_worker: Callable[[Settings], WorkerProcess]
) -> None:
    settings = isolated_settings(broker.bootstrap, tmp_path / "data")
    set_max_message_bytes(settings, settings.topic_claims, 400)  # a claim event is ~1 KB
    set_max_message_bytes(settings, settings.topic_enriched, 2000)  # an article event is 5-30 KB
    silent = InputArticle("silent", b"silent", orjson.dumps({"id": "silent", "body": "Rain fell on Paris on Monday."}))
    articles = [*normal_articles(10, "n"), silent]
    worker = start_worker(settings)
    feed_articles(articles, settings)
    found = settle(settings, len(articles), worker, timeout=300)

    assert set(found.ids().values()) == {1}, found.ids()
    assert found.repeated_event_ids() == []
    assert len(found.letters) >= 5 and {d["reason"] for d in found.letters} == {"output_too_large"}
    assert all("E601" in d["error"] and d["value"] for d in found.letters)
    # Articles without claims are enriched, their events cut down to fit where needed.
    assert "silent" in [a["id"] for a in found.enriched]
    assert all(a["claims"] == [] for a in found.enriched)
    assert all(
        len(orjson.dumps(a)) < 2000 and (a["body"] is None) == ("body_omitted" in a["flags"]) for a in found.enriched
    )
    assert any("body_omitted" in a["flags"] for a in found.enriched)
    assert found.claims == []


def test_a_topic_shrunk_under_a_running_worker_dead_letters_what_it_refuses_and_goes_on(
    broker: Broker, tmp_path: Path, start_worker: Callable[[Settings], WorkerProcess]
) -> None:
    settings = isolated_settings(broker.bootstrap, tmp_path / "data")
    worker = start_worker(settings)
    feed_articles(normal_articles(3, "first"), settings)
    settle(settings, 3, worker, timeout=300)
    set_max_message_bytes(settings, settings.topic_enriched, 1000)  # the worker read 1 MB at start

    later = normal_articles(6, "later")
    feed_articles(later, settings)
    found = settle(settings, 3 + len(later), worker, timeout=300)

    assert set(found.ids().values()) == {1}, found.ids()
    refused = {d["article_id"]: d for d in found.letters}
    assert set(refused) == {a.key.decode() for a in later if a.key}
    assert {d["reason"] for d in refused.values()} == {"output_too_large"}
    assert all("MessageSizeTooLarge" in d["error"] or "TooLarge" in d["error"] for d in refused.values())
    assert found.repeated_event_ids() == []

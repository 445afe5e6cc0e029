"""Duplicate flags survive a worker restart: the index comes back from its changelog."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson

from tests.conftest import SEEDS
from tests.integration.conftest import WorkerProcess, all_alive, wait_for
from workers.inputs.files import InputArticle
from workers.kafka.feed import feed_articles
from workers.kafka.tail import read_until
from workers.settings import Settings

BODY = (SEEDS / "000_3393e2ca348ff21d.txt").read_text(encoding="utf-8")


def article(article_id: str, body: str) -> InputArticle:
    return InputArticle(article_id, article_id.encode(), orjson.dumps({"id": article_id, "body": body}))


def enriched(settings: Settings, ids: set[str], worker: WorkerProcess) -> dict[str, dict[str, Any]]:
    seen: dict[str, dict[str, Any]] = {}

    def done(records: list[Any]) -> bool:
        value = orjson.loads(records[-1].value) if records else {}
        if value.get("id") in ids:
            seen[value["id"]] = value
        return set(seen) == ids

    read_until(settings, settings.topic_enriched, done, timeout=180, from_beginning=True, on_idle=all_alive(worker))
    return seen


def copies_of(settings: Settings, article_id: str, count: int, worker: WorkerProcess) -> list[dict[str, Any]]:
    """The first ``count`` enriched events of ``article_id``, in the order written."""
    found: list[dict[str, Any]] = []

    def done(records: list[Any]) -> bool:
        value = orjson.loads(records[-1].value) if records else {}
        if value.get("id") == article_id:
            found.append(value)
        return len(found) >= count

    read_until(settings, settings.topic_enriched, done, timeout=180, from_beginning=True, on_idle=all_alive(worker))
    return found


def test_copies_are_flagged_by_a_worker_that_rebuilt_the_index_from_the_changelog(
    pipeline_settings: Settings, start_worker: Callable[[Settings], WorkerProcess]
) -> None:
    first = start_worker(pipeline_settings)
    feed_articles([article("original", BODY)], pipeline_settings)
    assert enriched(pipeline_settings, {"original"}, first)["original"]["duplicate_of"] is None
    assert first.stop() == 0

    # start_worker gives each worker a data dir of its own: the index must come back
    # from the changelog topic, not from the first worker's RocksDB files.
    second = start_worker(pipeline_settings)
    near = BODY.replace("Thursday", "Friday").replace("Hama is a major", "Hama is a big")
    feed_articles(
        [article("exact-copy", BODY), article("near-copy", near), article("original", BODY)], pipeline_settings
    )
    result = enriched(pipeline_settings, {"exact-copy", "near-copy"}, second)
    refed = copies_of(pipeline_settings, "original", 2, second)[1]

    assert result["exact-copy"]["duplicate_of"] == {"id": "original", "kind": "exact", "similarity": 1.0}
    near_dup = result["near-copy"]["duplicate_of"]
    assert near_dup["id"] == "original" and near_dup["kind"] == "near" and 0.8 <= near_dup["similarity"] < 1
    # The original fed again is the same article replayed, not a copy of itself.
    assert refed["duplicate_of"] is None, refed["duplicate_of"]


def test_a_copy_on_another_workers_partition_is_flagged_by_the_index_it_follows(
    pipeline_settings: Settings, start_worker: Callable[[Settings], WorkerProcess]
) -> None:
    workers = [start_worker(pipeline_settings), start_worker(pipeline_settings)]
    # Both have caught up with an empty changelog and hold partitions before the
    # original exists: whichever did not index it learns of it only by following.
    wait_for(
        lambda: all((w.metric("newsflow_assigned_partitions") or 0) > 0 for w in workers),
        all_alive(*workers),
        timeout=120,
        what="both workers assigned partitions",
    )

    feed_articles([article("original", BODY)], pipeline_settings)
    assert enriched(pipeline_settings, {"original"}, workers[0])["original"]["duplicate_of"] is None
    copies = {f"copy-{i}" for i in range(30)}  # keys spread over all 3 partitions
    feed_articles([article(i, BODY) for i in sorted(copies)], pipeline_settings)
    result = enriched(pipeline_settings, copies, workers[0])

    assert {i: r["duplicate_of"] for i, r in result.items()} == {
        i: {"id": "original", "kind": "exact", "similarity": 1.0} for i in copies
    }
    # Both workers flagged copies; one of them had not written the original's keys.
    per_worker = [w.metric("newsflow_articles_enriched_total") for w in workers]
    assert all(n and n >= 1 for n in per_worker) and sum(n or 0 for n in per_worker) == 31, per_worker

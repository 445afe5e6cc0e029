"""A poison pill on the real broker: an article whose enrichment kills the worker.

The tests play the supervisor: they restart a worker that died, as Kubernetes or
systemd would. The article is dead-lettered as ``poison`` after workers died on it twice
(``poison_attempts``) in all, whichever workers they were: the deaths are counted on
the group's ``<group>-poison-changelog``, not per worker. Every other article is
enriched, nothing is lost.
"""

from __future__ import annotations

import signal
import time
from dataclasses import replace
from pathlib import Path

import pytest

from tests.conftest import SEEDS
from tests.integration.conftest import Broker, WorkerProcess, isolated_settings, wait_for
from tests.integration.outcomes import Outcomes
from workers.inputs.corpus import build_corpus, seed_articles
from workers.kafka.feed import feed_articles

ARTICLES = 24
POISON = "corpus-000011"
#: Faust's session timeout for the two-worker test (read from the environment the
#: workers inherit): a killed worker's partitions move to the other after it.
SESSION_TIMEOUT = "10"


def test_an_article_that_kills_the_worker_ends_as_one_poison_dead_letter_and_nothing_is_lost(
    broker: Broker, tmp_path: Path
) -> None:
    settings = isolated_settings(broker.bootstrap, tmp_path / "data", batch_max_articles=8)
    settings = replace(settings, crash_on_article_id=POISON, test_hooks=True)
    corpus = list(build_corpus(seed_articles([str(SEEDS / "wikinews")]), ARTICLES))
    feed_articles(corpus, settings)
    ids = {a.key.decode() for a in corpus if a.key}

    deaths = 0
    found = Outcomes.read(settings)
    worker: WorkerProcess | None = None
    deadline = time.monotonic() + 600
    try:
        while set(found.ids()) != ids:
            assert time.monotonic() < deadline, f"outcomes of {sorted(ids - set(found.ids()))} missing"
            if worker is None or worker.proc.poll() is not None:
                if worker is not None:
                    assert worker.proc.returncode == -signal.SIGKILL, worker.log()[-3000:]
                    deaths += 1
                    assert deaths <= settings.poison_attempts, "the poison pill was processed again"
                # The same data dir each time: the guard's record is what survives.
                worker = WorkerProcess(settings, tmp_path / f"worker-{deaths}.log", tmp_path / "worker-data")
            time.sleep(2)
            found = Outcomes.read(settings)
        assert worker is not None and worker.proc.poll() is None
        poison_metric = worker.metric('newsflow_dead_letters_total{reason="poison"}')
    finally:
        if worker is not None:
            worker.stop()

    assert deaths == settings.poison_attempts
    [letter] = found.letters
    assert (letter["reason"], letter["attempts"], letter["offset"] >= 0) == ("poison", 2, True)
    assert letter["value"] == next(a.value for a in corpus if a.key == POISON.encode()).decode()
    enriched = {a["id"] for a in found.enriched}
    assert enriched == ids - {POISON}
    # A worker's death repeats only what was not committed: same event ids, never other content.
    assert_one_event_per_article(found)
    assert poison_metric == 1.0
    print(
        f"\npoison: {deaths} deaths, {len(enriched)} of {ARTICLES - 1} others enriched, "
        f"{len(found.enriched) - len(enriched)} repeats, 1 poison dead letter"
    )


def test_a_pill_that_kills_two_workers_once_each_is_poison_for_the_next_and_nothing_is_lost(
    broker: Broker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A kills itself on the pill; B takes over A's partitions, reads the pill and dies
    too: two deaths in all, one per worker. A third worker with a data dir of its own
    (say, rescheduled elsewhere) must then dead-letter the pill without processing it:
    with deaths counted per worker it would be the pill's first death there."""
    monkeypatch.setenv("BROKER_SESSION_TIMEOUT", SESSION_TIMEOUT)
    settings = isolated_settings(broker.bootstrap, tmp_path / "data", batch_max_articles=8)
    settings = replace(settings, crash_on_article_id=POISON, test_hooks=True)
    corpus = list(build_corpus(seed_articles([str(SEEDS / "wikinews")]), ARTICLES))
    ids = {a.key.decode() for a in corpus if a.key}
    workers = [WorkerProcess(settings, tmp_path / f"worker-{n}.log", tmp_path / f"worker-{n}-data") for n in "ab"]
    third: WorkerProcess | None = None
    try:
        wait_for(
            lambda: all((w.metric("newsflow_assigned_partitions") or 0) > 0 for w in workers),
            lambda: None,
            timeout=180,
            what="both workers assigned partitions",
        )
        feed_articles(corpus, settings)

        def dead() -> list[WorkerProcess]:
            return [w for w in workers if w.proc.poll() is not None]

        wait_for(lambda: len(dead()) >= 1, lambda: None, timeout=300, what="a worker killed by the pill")
        [first] = dead()
        [second] = [w for w in workers if w is not first]
        # Not restarted: the other worker takes over its partitions, the pill with them.
        wait_for(lambda: len(dead()) == 2, lambda: None, timeout=300, what="the second worker killed by the pill")
        for worker in workers:
            assert worker.proc.returncode == -signal.SIGKILL, worker.log()[-3000:]
            assert "NEWSFLOW_CRASH_ON_ARTICLE_ID" in worker.log(), worker.log()[-3000:]
        assert "poison pill" not in second.log()

        third = WorkerProcess(settings, tmp_path / "worker-c.log", tmp_path / "worker-c-data")
        deadline = time.monotonic() + 300
        found = Outcomes.read(settings)
        while set(found.ids()) != ids:
            assert third.proc.poll() is None, f"the third worker died:\n{third.log()[-3000:]}"
            assert time.monotonic() < deadline, f"outcomes of {sorted(ids - set(found.ids()))} missing"
            time.sleep(2)
            found = Outcomes.read(settings)
        poison_metric = third.metric('newsflow_dead_letters_total{reason="poison"}')
    finally:
        for worker in [*workers, *([third] if third else [])]:
            worker.stop()

    [letter] = found.letters
    assert (letter["reason"], letter["attempts"], letter["article_id"]) == ("poison", 2, None)
    assert letter["value"] == next(a.value for a in corpus if a.key == POISON.encode()).decode()
    assert poison_metric == 1.0
    enriched = {a["id"] for a in found.enriched}
    assert enriched == ids - {POISON}
    assert_one_event_per_article(found)
    print(
        f"\npoison, two workers: 2 deaths (one each), {len(enriched)} of {ARTICLES - 1} others enriched, "
        f"{len(found.enriched) - len(enriched)} repeats, 1 poison dead letter from a third worker"
    )


def assert_one_event_per_article(found: Outcomes) -> None:
    """Every enriched article came out with one event id: a death repeats only what was
    not committed, with the same event ids, never other content."""
    by_id: dict[str, set[str]] = {}
    for article in found.enriched:
        by_id.setdefault(article["id"], set()).add(article["event_id"])
    assert all(len(event_ids) == 1 for event_ids in by_id.values()), by_id

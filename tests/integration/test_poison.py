"""A poison pill on the real broker: an article whose enrichment kills the worker.

The test plays the supervisor: it restarts the worker whenever it dies, as Kubernetes
or systemd would. The article is dead-lettered as ``poison`` after the worker died on
it twice (``poison_attempts``), every other article is enriched, nothing is lost.
"""

from __future__ import annotations

import signal
import time
from dataclasses import replace
from pathlib import Path

from tests.conftest import SEEDS
from tests.integration.conftest import Broker, WorkerProcess, isolated_settings
from tests.integration.outcomes import Outcomes
from workers.inputs.corpus import build_corpus, seed_articles
from workers.kafka.feed import feed_articles

ARTICLES = 24
POISON = "corpus-000011"


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
    by_id: dict[str, set[str]] = {}
    for article in found.enriched:
        by_id.setdefault(article["id"], set()).add(article["event_id"])
    assert all(len(event_ids) == 1 for event_ids in by_id.values())
    assert poison_metric == 1.0
    print(
        f"\npoison: {deaths} deaths, {len(enriched)} of {ARTICLES - 1} others enriched, "
        f"{len(found.enriched) - len(enriched)} repeats, 1 poison dead letter"
    )

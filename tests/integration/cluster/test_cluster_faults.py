"""Faults on a three-broker cluster, under load: a feed running, two workers, the sink.

Each test runs the whole pipeline on the module's cluster (replication 3,
``min.insync.replicas`` 2, four input partitions): a feed sends distinct articles at a
steady rate from before the fault until after it, two ``newsflow worker`` processes
enrich them and ``newsflow sink`` writes them to PostgreSQL. In the middle of the
stream one fault hits: a broker killed with ``kill -9`` and brought back, the leader of
an input partition killed, a rolling restart of all three brokers, or the workers scaled
from two to four. Then:

* every input ends as exactly one enriched article (repeats, if any, carry the same
  event id as the first copy) or one dead letter, checked by the accounting of
  :mod:`tests.integration.accounting`; no valid input may be dead-lettered;
* the store holds exactly one row set per article, equal to its event
  (:func:`~tests.integration.sink_support.audit_rows`, with the write log);
* the time to recover is printed (``pytest -s``): the longest pause in the enriched
  output from the fault on, and how long after the last input everything was
  accounted for and stored.

The workers run in passthrough mode (``NEWSFLOW_PASSTHROUGH=true``: validated, screened
and published, no NLP): what is tested is Kafka's and the pipeline's bookkeeping, and on
two shared cores the real NLP would make the stream too slow to keep the feed running
through a rolling restart. The NLP under faults is tested on one broker in
``tests/integration/test_faults.py``.
"""

from __future__ import annotations

import itertools
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from kafka import KafkaAdminClient
from kafka.admin import ConfigResource, ConfigResourceType

from tests.conftest import SEEDS
from tests.integration.accounting import read_topic, settle_ledger, wait_until_accounted
from tests.integration.cluster.conftest import Cluster
from tests.integration.conftest import WorkerProcess, wait_for
from tests.integration.postgres import Database
from tests.integration.sink_support import audit_rows, log_writes
from tests.integration.test_faults import assert_accounted, ids_of, shortened
from tests.integration.test_sink_faults import SinkProcess, article_count
from workers.inputs.corpus import build_corpus, seed_articles
from workers.inputs.files import InputArticle
from workers.kafka.admin import create_topics
from workers.kafka.client import client_config
from workers.kafka.feed import feed_articles
from workers.models import RawArticle
from workers.settings import Settings

#: Input partitions: at least the most workers wanted at once (the scaling test's four).
PARTITIONS = 4
#: Articles a second the feed sends while a fault plays out.
FEED_RATE = 25.0
#: The feed keeps going this long after the fault is over, so recovery is under load.
FEED_AFTER_FAULT = 5.0
#: The fault hits once this many articles are enriched.
BEFORE_FAULT = 100
#: How long a killed broker stays down.
OUTAGE = 8.0
#: Seconds allowed for everything to be accounted for, and stored, after the feed ends.
RECOVERY_TIMEOUT = 240.0
#: Faust's session timeout for the workers (see test_faults.SESSION_TIMEOUT).
SESSION_TIMEOUT = "10"


@pytest.fixture(scope="module")
def seeds() -> list[RawArticle]:
    return seed_articles([str(SEEDS)])


@pytest.fixture
def settings(cluster: Cluster, database: Database, tmp_path: Path) -> Settings:
    """A pipeline of this test's own on the cluster, topics created with 3 replicas, min ISR 2."""
    settings = Settings(
        bootstrap_servers=cluster.bootstrap,
        partitions=PARTITIONS,
        replication_factor=3,
        min_insync_replicas=2,
        data_dir=str(tmp_path / "data"),
        passthrough=True,
        batch_max_articles=8,
        database_url=log_writes(database.url),
        metrics_port=0,
    ).isolated(uuid.uuid4().hex[:8])
    settings = settings.with_overrides(sink_group_id=f"sink-{uuid.uuid4().hex[:8]}")
    create_topics(settings)
    cluster.wait_in_sync(settings, settings.all_topics)
    return settings


class Feed:
    """Feeds articles at ``FEED_RATE`` in a thread until told to stop; ``ids`` are those
    the cluster acknowledged (all of them, or the feed raises when joined)."""

    def __init__(self, settings: Settings, articles: list[InputArticle]) -> None:
        self._articles = articles
        self._settings = settings
        self._stop = threading.Event()
        self._sent = 0
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _paced(self) -> Iterator[InputArticle]:
        for article in self._articles:
            if self._stop.is_set():
                return
            yield article
        raise AssertionError(f"the feed ran out of its {len(self._articles)} articles: give it more")

    def _run(self) -> None:
        try:
            self._sent = feed_articles(self._paced(), self._settings, rate=FEED_RATE).sent
        except Exception as exc:  # noqa: BLE001  # any failure of the feed is raised again by finish()
            self._error = exc

    def finish(self) -> list[str]:
        """Stop feeding; the ids sent, every one acknowledged."""
        self._stop.set()
        self._thread.join(timeout=180)
        assert not self._thread.is_alive(), "the feed did not finish"
        if self._error is not None:
            raise self._error
        return ids_of(self._articles[: self._sent])


@pytest.fixture
def articles(seeds: list[RawArticle]) -> list[InputArticle]:
    """More distinct, shortened articles than any feed here sends (25 a second for 4 minutes)."""
    prefix = f"cluster-{uuid.uuid4().hex[:6]}"
    return [shortened(a) for a in build_corpus(seeds, 6000, prefix=prefix)]


class Pipeline:
    """The workers and the sink of one test, started as needed, all stopped at the end."""

    def __init__(self, settings: Settings, logs: Path) -> None:
        self.settings = settings
        self.logs = logs
        self.workers: list[WorkerProcess] = []
        self.sinks: list[SinkProcess] = []

    def start_workers(self, n: int) -> list[WorkerProcess]:
        """Start ``n`` more workers (and the sink, with the first)."""
        if not self.sinks:
            self.sinks.append(SinkProcess(self.settings, self.logs / "sink.log"))
        new = [
            WorkerProcess(self.settings, self.logs / f"worker-{i}.log", self.logs / f"worker-{i}-data")
            for i in range(len(self.workers), len(self.workers) + n)
        ]
        self.workers.extend(new)
        return new

    def alive(self) -> None:
        """Fail at once, with its log, if a worker or the sink exited."""
        for worker in self.workers:
            assert worker.proc.poll() is None, f"worker exited {worker.proc.returncode}:\n{worker.log()[-4000:]}"
        for sink in self.sinks:
            assert sink.proc.poll() is None, f"sink exited {sink.proc.returncode}:\n{sink.log()[-4000:]}"

    def stop(self) -> None:
        for worker in self.workers:
            worker.stop()
        for sink in self.sinks:
            sink.stop()


@pytest.fixture
def pipeline(settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Pipeline]:
    monkeypatch.setenv("BROKER_SESSION_TIMEOUT", SESSION_TIMEOUT)  # read by Faust in the workers
    started = Pipeline(settings, tmp_path)
    yield started
    started.stop()


def assigned(workers: list[WorkerProcess]) -> bool:
    return all((w.metric("newsflow_assigned_partitions") or 0) > 0 for w in workers)


def enriched_so_far(settings: Settings) -> int:
    return len(read_topic(settings, settings.topic_enriched, timeout=10))


def run_under_fault(
    label: str,
    settings: Settings,
    articles: list[InputArticle],
    pipeline: Pipeline,
    fault: Callable[[], str],
) -> None:
    """Two workers and the sink, a feed, ``fault`` mid-stream; then the checks and figures.

    ``fault`` returns a few words on what it did, for the printed line.
    """
    check = pipeline.alive
    workers = pipeline.start_workers(2)
    wait_for(lambda: assigned(workers), check, timeout=180, what="both workers assigned partitions")
    started = time.monotonic()
    feed = Feed(settings, articles)
    wait_for(lambda: enriched_so_far(settings) >= BEFORE_FAULT, check, timeout=180, what="mid-stream")

    fault_at = time.time()
    did = fault()
    fault_took = time.time() - fault_at
    time.sleep(FEED_AFTER_FAULT)
    ids = feed.finish()

    accounted = wait_until_accounted(settings, ids, timeout=RECOVERY_TIMEOUT, alive=check)
    ledger = settle_ledger(settings, ids)
    firsts: dict[str, dict[str, Any]] = {}
    pauses = [fault_at * 1000]
    for record in read_topic(settings, settings.topic_enriched):
        event = orjson.loads(record.value or b"")
        firsts.setdefault(event["id"], event)
        if record.timestamp_ms >= fault_at * 1000:
            pauses.append(record.timestamp_ms)
    pauses.sort()
    longest_pause = max((b - a for a, b in itertools.pairwise(pauses)), default=0) / 1000
    stored = wait_for(
        lambda: article_count(settings.database_url) >= len(firsts), check, timeout=RECOVERY_TIMEOUT, what="stored"
    )
    audit = audit_rows(settings.database_url, list(firsts.values()))

    print(
        f"\nCLUSTER FAULT | {label} | {did} | fed={len(ids)} at {FEED_RATE:.0f}/s "
        f"enriched_copies={sum(len(c) for c in ledger.enriched.values())} repeats={ledger.duplicates} "
        f"dead={sum(ledger.dead.values())} missing={len(ledger.missing)} | store: rows={audit.fed} "
        f"missing={len(audit.missing)} doubled={len(audit.doubled)} mismatched={len(audit.mismatched)} | "
        f"fault_took={fault_took:.1f}s longest_output_pause_after_fault={longest_pause:.1f}s "
        f"accounted_after_last_input={accounted:.1f}s "
        f"stored_after_that={stored:.1f}s total={time.monotonic() - started:.0f}s"
    )
    assert_accounted(ledger)
    assert audit.exact, audit


def test_a_broker_killed_mid_stream_and_brought_back_loses_and_doubles_nothing(
    cluster: Cluster, settings: Settings, articles: list[InputArticle], pipeline: Pipeline
) -> None:
    def kill_one() -> str:
        cluster.kill(2)
        time.sleep(OUTAGE)
        cluster.start(2)
        in_sync = cluster.wait_in_sync(settings, settings.all_topics)
        return f"kill -9 node 2, down {OUTAGE:.0f}s, in sync again after {in_sync:.1f}s"

    run_under_fault("kill -9 one broker", settings, articles, pipeline, kill_one)


def test_the_leader_of_an_input_partition_killed_mid_stream_loses_and_doubles_nothing(
    cluster: Cluster, settings: Settings, articles: list[InputArticle], pipeline: Pipeline
) -> None:
    def kill_leader() -> str:
        leader = cluster.leader(settings, settings.topic_raw, 0)
        cluster.kill(leader)
        moved = wait_for(
            lambda: cluster.leader(settings, settings.topic_raw, 0) not in (leader, -1),
            lambda: None,
            timeout=60,
            what="a new leader of the input's partition 0",
        )
        time.sleep(OUTAGE)
        cluster.start(leader)
        in_sync = cluster.wait_in_sync(settings, settings.all_topics)
        return (
            f"kill -9 node {leader} (leader of {settings.topic_raw}[0]), new leader in {moved:.1f}s, "
            f"in sync again after {in_sync:.1f}s"
        )

    run_under_fault("kill -9 the input's partition leader", settings, articles, pipeline, kill_leader)


def test_a_rolling_restart_of_all_three_brokers_loses_and_doubles_nothing(
    cluster: Cluster, settings: Settings, articles: list[InputArticle], pipeline: Pipeline
) -> None:
    def roll() -> str:
        steps = []
        for node in (1, 2, 3):
            began = time.monotonic()
            cluster.stop(node)
            cluster.start(node)
            cluster.wait_in_sync(settings, settings.all_topics)
            steps.append(f"{time.monotonic() - began:.0f}s")
        return f"stop, start, wait in sync for nodes 1, 2, 3: {'/'.join(steps)}"

    run_under_fault("rolling restart of all three brokers", settings, articles, pipeline, roll)


def test_workers_scaled_from_two_to_four_mid_stream_lose_and_double_nothing(
    cluster: Cluster, settings: Settings, articles: list[InputArticle], pipeline: Pipeline
) -> None:
    def scale() -> str:
        began = time.monotonic()
        added = pipeline.start_workers(2)
        everyone = pipeline.workers
        waited = wait_for(
            lambda: (
                assigned(everyone)
                and sum(w.metric("newsflow_assigned_partitions") or 0 for w in everyone) == PARTITIONS
            ),
            pipeline.alive,
            timeout=180,
            what="four workers with a partition each",
        )
        took = time.monotonic() - began
        return f"2 -> {len(added) + 2} workers, each with a partition after {took:.1f}s ({waited:.1f}s waiting)"

    run_under_fault("workers scaled 2 -> 4", settings, articles, pipeline, scale)


def test_topics_created_for_the_cluster_have_three_replicas_and_min_insync_replicas_two(
    cluster: Cluster, settings: Settings
) -> None:
    topics = (*settings.all_topics, *settings.story_topics, settings.dedup_changelog_topic)
    topics += (settings.poison_changelog_topic, settings.stories_changelog_topic)
    admin = KafkaAdminClient(**client_config(settings))
    try:
        described = admin.describe_configs(
            [ConfigResource(ConfigResourceType.TOPIC, t, {"min.insync.replicas": None}) for t in topics]
        )["topic"]
        replicas = {
            t["name"]: {len(p["replica_nodes"]) for p in t["partitions"]} for t in admin.describe_topics(topics)
        }
    finally:
        admin.close()
    assert {t: described[t]["min.insync.replicas"]["value"] for t in topics} == dict.fromkeys(topics, "2")
    assert replicas == {t: {3} for t in topics}

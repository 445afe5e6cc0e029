"""Faults on the real broker: killed workers, a broker restart, SIGTERM; nothing is lost.

Every test feeds distinct articles built from the seeds (:func:`workers.inputs.corpus.build_corpus`),
breaks something in the middle of the stream, lets the pipeline recover and then checks
the accounting of :mod:`tests.integration.accounting`: every input id has an enriched
event or a dead letter, repeats carry the same event ids, and repeats are bounded by
what was in flight (not yet committed) when the fault hit. ``pytest -s`` shows the
measured counts.
"""

from __future__ import annotations

import math
import signal
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import orjson
import pytest

from tests.conftest import SEEDS
from tests.integration.accounting import (
    Ledger,
    committed_after_stop,
    committed_offsets,
    input_positions,
    read_topic,
    settle_ledger,
    wait_until_accounted,
)
from tests.integration.conftest import Broker, WorkerProcess, all_alive, isolated_settings, wait_for
from tests.integration.conftest import running as running_broker
from workers.inputs.corpus import build_corpus, seed_articles
from workers.inputs.files import InputArticle
from workers.kafka.feed import feed_articles
from workers.kafka.tail import end_offsets, read_until
from workers.models import RawArticle
from workers.settings import Settings
from workers.stream.app import create_app


def _commit_interval() -> float:
    """The ``broker_commit_interval`` of the app the worker builds (workers/stream/app.py), in seconds."""
    with tempfile.TemporaryDirectory() as data_dir:
        return float(create_app(Settings(data_dir=data_dir)).conf.broker_commit_interval)


#: The worker commits acked offsets on this timer, not after every batch, so this much
#: processing can be repeated after a crash. Read from the app, not copied: a change of
#: the interval changes the bound.
COMMIT_INTERVAL = _commit_interval()
#: Faust's ``broker_session_timeout`` for the workers these tests start (default 60 s).
#: A worker killed with -9 keeps its partitions until its session expires: with the
#: default, a restarted or surviving worker waits a minute before it gets them. The
#: tests shorten that wait only; what they check does not depend on it.
SESSION_TIMEOUT = "10"
#: Seconds allowed for a whole stream to be accounted for after a fault.
RECOVERY_TIMEOUT = 240.0
#: Bodies are cut after the first paragraphs that reach this many characters.
SHORT_BODY = 300
#: How long the broker stays down in the restart test.
OUTAGE = 10.0
#: A worker told to stop (SIGTERM) must have exited 0 within this many seconds.
SIGTERM_BOUND = 30.0
StartWorker = Callable[[Settings], WorkerProcess]


@pytest.fixture(scope="module")
def seeds() -> list[RawArticle]:
    return seed_articles([str(SEEDS)])


def shortened(article: InputArticle) -> InputArticle:
    """The article with its body cut after the first paragraphs that reach ``SHORT_BODY`` characters.

    Whole seed articles enrich at under 10 a second on a 2-core machine; their first
    paragraphs (about 600 characters on average) at 40-60, which keeps a stream of a
    thousand articles within a test's time while every article still goes through the
    whole NLP pipeline.
    """
    value = orjson.loads(article.value or b"")
    kept: list[str] = []
    for paragraph in value["body"].split("\n"):
        kept.append(paragraph)
        if sum(map(len, kept)) >= SHORT_BODY:
            break
    return replace(article, value=orjson.dumps({**value, "body": "\n".join(kept)}))


@pytest.fixture
def corpus(seeds: list[RawArticle]) -> Callable[[int], list[InputArticle]]:
    """Factory: ``n`` distinct, shortened articles with ids unique to this test."""
    prefix = f"fault-{uuid.uuid4().hex[:6]}"
    return lambda n: [shortened(a) for a in build_corpus(seeds, n, prefix=prefix)]


@pytest.fixture
def short_sessions(monkeypatch: pytest.MonkeyPatch) -> None:
    # Read by Faust from the environment, which start_worker passes on.
    monkeypatch.setenv("BROKER_SESSION_TIMEOUT", SESSION_TIMEOUT)


def ids_of(articles: list[InputArticle]) -> list[str]:
    return [a.key.decode() for a in articles if a.key is not None]


def wait_enriched(settings: Settings, count: int, alive: Callable[[], None], timeout: float = 180.0) -> float:
    """Wait until the enriched topic holds at least ``count`` events; return seconds waited."""
    start = time.monotonic()
    read_until(
        settings,
        settings.topic_enriched,
        lambda rs: len(rs) >= count,
        timeout=timeout,
        from_beginning=True,
        on_idle=alive,
    )
    return time.monotonic() - start


def kill(worker: WorkerProcess) -> None:
    worker.proc.send_signal(signal.SIGKILL)
    worker.proc.wait(timeout=30)


def assert_accounted(ledger: Ledger) -> None:
    """Nothing lost, nothing invented, nothing dead-lettered, repeats identical to the first copy.

    Every input these tests feed is a valid article: a dead letter would be an input
    whose enrichment was lost to the fault, so none may count as accounted for.
    """
    assert not ledger.missing, f"{len(ledger.missing)} inputs lost, e.g. {sorted(ledger.missing)[:5]}"
    assert not ledger.dead, f"valid inputs dead-lettered: {sorted(ledger.dead.items())[:5]}"
    assert set(ledger.enriched) == ledger.sent, f"not enriched: {sorted(ledger.sent - set(ledger.enriched))[:5]}"
    assert not ledger.unexpected, f"outputs for ids never sent: {sorted(ledger.unexpected)[:5]}"
    assert not ledger.derived_missing(), ledger.derived_missing()[:5]
    assert not ledger.id_mismatches(), ledger.id_mismatches()[:5]
    assert not ledger.flag_mismatches(), ledger.flag_mismatches()[:5]


def uncommitted_outputs(settings: Settings, committed: dict[int, int]) -> set[str]:
    """Ids already enriched whose input offset is at or past the group's committed offset.

    These are exactly what a restart has to process again: it resumes at the committed
    offsets, so it repeats them and nothing before them.
    """
    positions = input_positions(settings)
    done = {r.key.decode() for r in read_topic(settings, settings.topic_enriched) if r.key is not None}
    return {i for i in done if any(o >= committed[p] for p, o in positions[i])}


def assert_repeats_only_uncommitted(
    ledger: Ledger, settings: Settings, committed: dict[int, int], uncommitted: set[str]
) -> None:
    """Every repeat came from at or past the committed offsets, and all of those repeated."""
    positions = input_positions(settings)
    committed_repeats = {i for i in ledger.duplicated if all(o < committed[p] for p, o in positions[i])}
    assert not committed_repeats, f"articles repeated although committed: {sorted(committed_repeats)[:5]}"
    assert uncommitted <= set(ledger.duplicated), f"not repeated: {sorted(uncommitted - set(ledger.duplicated))[:5]}"


def in_flight_bound(batch_max: int, rate: float) -> int:
    """Most articles a crash can repeat: those processed but not yet committed.

    The agent holds at most one batch (concurrency 1, ``take_events``), but Faust does
    not commit after each batch: it commits acked offsets on a ``COMMIT_INTERVAL``
    timer (the app's real value) whose ticks slip while a commit or a batch is
    running. docs/reliability.md promises about one interval of work plus the batch in flight;
    the bound allows two intervals of processing at the measured rate, plus the batch
    in flight and one that was being acked. That is more than the batch size times the
    partitions: see :func:`uncommitted_outputs` for the exact set, which the tests
    check as well.
    """
    return 2 * batch_max + math.ceil(2 * COMMIT_INTERVAL * rate)


def enriched_count(settings: Settings) -> int:
    return sum(end_offsets(settings, settings.topic_enriched).values())


class Rate:
    """Articles enriched per second between two readings of the enriched topic."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.count, self.at = enriched_count(settings), time.monotonic()

    def now(self) -> float:
        return (enriched_count(self.settings) - self.count) / (time.monotonic() - self.at)


def test_worker_killed_mid_stream_restarts_without_loss_and_repeats_only_uncommitted(
    pipeline_settings: Settings,
    start_worker: StartWorker,
    corpus: Callable[[int], list[InputArticle]],
    short_sessions: None,
) -> None:
    settings = pipeline_settings.with_overrides(batch_max_articles=8)
    articles = corpus(1000)
    ids = ids_of(articles)
    worker = start_worker(settings)
    started = time.monotonic()
    assert feed_articles(articles, settings).sent == len(ids)

    wait_enriched(settings, 20, all_alive(worker))
    rate = Rate(settings)
    wait_enriched(settings, 300, all_alive(worker))
    kill(worker)
    measured = rate.now()
    committed = committed_after_stop(settings)
    before_kill = enriched_count(settings)
    uncommitted = uncommitted_outputs(settings, committed)

    restarted = start_worker(settings)
    recovery = wait_until_accounted(settings, ids, timeout=RECOVERY_TIMEOUT, alive=all_alive(restarted))
    ledger = settle_ledger(settings, ids)

    bound = in_flight_bound(settings.batch_max_articles, measured)
    print(
        f"\n{ledger.summary('kill -9 one worker', time.monotonic() - started)} "
        f"enriched_before_kill={before_kill} uncommitted_at_kill={len(uncommitted)} "
        f"rate={measured:.1f}/s bound={bound} recovery={recovery:.1f}s"
    )
    assert_accounted(ledger)
    assert_repeats_only_uncommitted(ledger, settings, committed, uncommitted)
    assert ledger.duplicates <= bound, ledger.describe_repeats(input_positions(settings))


@pytest.fixture
def own_broker(tmp_path: Path) -> Iterator[Broker]:
    """A broker of this test's own, so stopping it cannot upset the session's broker."""
    yield from running_broker(Broker(tmp_path / "kafka"))


def test_broker_restart_mid_stream_loses_nothing_and_the_worker_rides_it_out(
    own_broker: Broker,
    tmp_path: Path,
    start_worker: StartWorker,
    corpus: Callable[[int], list[InputArticle]],
) -> None:
    settings = isolated_settings(own_broker.bootstrap, tmp_path / "worker-data", batch_max_articles=8)
    articles = corpus(400)
    ids = ids_of(articles)
    workers = [start_worker(settings)]
    started = time.monotonic()
    assert feed_articles(articles, settings).sent == len(ids)
    wait_enriched(settings, 20, all_alive(workers[0]))
    rate = Rate(settings)
    wait_enriched(settings, 100, all_alive(workers[0]))
    measured = rate.now()

    own_broker.script("stop")
    # The outage itself: long enough for the worker to hit it with publishes, fetches,
    # heartbeats and commits; shorter than the session timeout, as a broker restart is.
    time.sleep(OUTAGE)
    own_broker.script("start")

    def alive_or_restarted() -> None:
        # Only a finding, not a way out: the test fails at the end if this was needed.
        if workers[-1].proc.poll() is not None:
            code = workers[-1].proc.returncode
            print(f"\nFINDING: worker exited {code} after the broker restart; restarting it")
            workers.append(start_worker(settings))

    recovery = wait_until_accounted(settings, ids, timeout=RECOVERY_TIMEOUT, alive=alive_or_restarted)
    ledger = settle_ledger(settings, ids)

    bound = in_flight_bound(settings.batch_max_articles, measured) + settings.batch_max_articles
    print(
        f"\n{ledger.summary('broker restart', time.monotonic() - started)} outage={OUTAGE:.0f}s "
        f"rate={measured:.1f}/s bound={bound} recovery_after_restart={recovery:.1f}s "
        f"worker_restarts={len(workers) - 1}"
    )
    assert_accounted(ledger)
    # A publish interrupted by the outage is retried whole (one batch), and a consumer
    # that had to rejoin resumes from the last commit (what was in flight).
    assert ledger.duplicates <= bound, ledger.describe_repeats(input_positions(settings))
    assert len(workers) == 1, f"the worker did not survive the broker restart:\n{workers[0].log()[-4000:]}"


def test_survivor_takes_over_the_partitions_of_a_killed_worker_without_loss(
    pipeline_settings: Settings,
    start_worker: StartWorker,
    corpus: Callable[[int], list[InputArticle]],
    short_sessions: None,
) -> None:
    settings = pipeline_settings.with_overrides(batch_max_articles=8)
    articles = corpus(600)
    ids = ids_of(articles)
    doomed, survivor = start_worker(settings), start_worker(settings)
    both = all_alive(doomed, survivor)
    started = time.monotonic()
    wait_for(
        lambda: all((w.metric("newsflow_assigned_partitions") or 0) > 0 for w in (doomed, survivor)),
        both,
        timeout=180,
        what="both workers assigned partitions",
    )
    assert feed_articles(articles, settings).sent == len(ids)
    wait_enriched(settings, 20, both)
    rate = Rate(settings)
    wait_enriched(settings, 200, both)
    kill(doomed)
    measured = rate.now()
    committed = committed_after_stop(settings)
    # Includes what the survivor had not committed yet; it commits that itself when
    # the rebalance revokes its partitions, so only the dead worker's part repeats.
    uncommitted = uncommitted_outputs(settings, committed)

    recovery = wait_until_accounted(settings, ids, timeout=RECOVERY_TIMEOUT, alive=all_alive(survivor))
    wait_for(
        lambda: survivor.metric("newsflow_assigned_partitions") == settings.partitions,
        all_alive(survivor),
        timeout=60,
        what="all partitions assigned to the survivor",
    )
    ledger = settle_ledger(settings, ids)

    # Both workers' uncommitted windows together span the combined rate; each can
    # also hold a batch in flight and one being acked.
    bound = in_flight_bound(settings.batch_max_articles, measured) + 2 * settings.batch_max_articles
    print(
        f"\n{ledger.summary('kill -9 one of two workers', time.monotonic() - started)} "
        f"uncommitted_at_kill={len(uncommitted)} rate={measured:.1f}/s bound={bound} "
        f"takeover_and_finish={recovery:.1f}s"
    )
    assert_accounted(ledger)
    positions = input_positions(settings)
    below = {i for i in ledger.duplicated if all(o < committed[p] for p, o in positions[i])}
    assert not below, f"articles repeated although committed before the kill: {sorted(below)[:5]}"
    assert set(ledger.duplicated) <= uncommitted, ledger.describe_repeats(positions)
    assert ledger.duplicates <= bound, ledger.describe_repeats(positions)


def sigterm(worker: WorkerProcess) -> tuple[int, float]:
    """Send SIGTERM; return the exit code (or -9 if it had to be killed) and the seconds taken."""
    start = time.monotonic()
    worker.proc.send_signal(signal.SIGTERM)
    try:
        code = worker.proc.wait(timeout=SIGTERM_BOUND)
    except subprocess.TimeoutExpired:
        worker.proc.kill()
        code = -9 if worker.proc.wait() else 0
    return code, time.monotonic() - start


def test_sigterm_after_the_stream_commits_everything_and_a_new_worker_repeats_nothing(
    pipeline_settings: Settings,
    start_worker: StartWorker,
    corpus: Callable[[int], list[InputArticle]],
) -> None:
    articles = corpus(150)
    first, later = articles[:100], articles[100:]
    worker = start_worker(pipeline_settings)
    started = time.monotonic()
    feed_articles(first, pipeline_settings)
    wait_until_accounted(pipeline_settings, ids_of(first), timeout=RECOVERY_TIMEOUT, alive=all_alive(worker))

    code, took = sigterm(worker)
    assert code == 0, f"exit {code} after {took:.1f} s:\n{worker.log()[-4000:]}"
    committed = committed_offsets(pipeline_settings)
    assert committed == end_offsets(pipeline_settings, pipeline_settings.topic_raw)

    # A fresh worker in the same group: once it has read articles fed after the stop,
    # it has been past every partition's committed offset, so any repeat would show.
    fresh = start_worker(pipeline_settings)
    feed_articles(later, pipeline_settings)
    wait_until_accounted(pipeline_settings, ids_of(articles), timeout=RECOVERY_TIMEOUT, alive=all_alive(fresh))
    ledger = settle_ledger(pipeline_settings, ids_of(articles))

    print(
        f"\n{ledger.summary('SIGTERM when idle', time.monotonic() - started)} sigterm_exit={took:.1f}s "
        f"committed={sum(committed.values())}"
    )
    assert_accounted(ledger)
    repeated_finished = set(ledger.duplicated) & set(ids_of(first))
    assert not repeated_finished, f"committed articles processed again: {sorted(repeated_finished)[:5]}"
    # Nothing was in flight at the stop, so nothing at all may come out twice.
    assert ledger.duplicates == 0, ledger.describe_repeats(input_positions(pipeline_settings))


def test_sigterm_mid_stream_exits_cleanly_and_a_restart_repeats_at_most_the_batch_in_flight(
    pipeline_settings: Settings,
    start_worker: StartWorker,
    corpus: Callable[[int], list[InputArticle]],
) -> None:
    settings = pipeline_settings.with_overrides(batch_max_articles=8)
    articles = corpus(400)
    ids = ids_of(articles)
    worker = start_worker(settings)
    started = time.monotonic()
    feed_articles(articles, settings)
    wait_enriched(settings, 100, all_alive(worker))

    code, took = sigterm(worker)
    assert code == 0, f"exit {code} after {took:.1f} s:\n{worker.log()[-4000:]}"
    committed = committed_after_stop(settings)
    before_stop = enriched_count(settings)
    uncommitted = uncommitted_outputs(settings, committed)

    restarted = start_worker(settings)
    recovery = wait_until_accounted(settings, ids, timeout=RECOVERY_TIMEOUT, alive=all_alive(restarted))
    ledger = settle_ledger(settings, ids)

    print(
        f"\n{ledger.summary('SIGTERM mid-stream', time.monotonic() - started)} sigterm_exit={took:.1f}s "
        f"enriched_before_stop={before_stop} uncommitted_at_stop={len(uncommitted)} recovery={recovery:.1f}s"
    )
    assert_accounted(ledger)
    assert_repeats_only_uncommitted(ledger, settings, committed, uncommitted)
    # A graceful stop waits for the batch in flight and commits it: at most that one
    # batch (its outputs published, its commit cut short) may come out again.
    assert ledger.duplicates <= settings.batch_max_articles, ledger.describe_repeats(input_positions(settings))

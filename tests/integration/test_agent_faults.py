"""The agent's failure path on the real broker: an unexpected error ends the process.

docs/reliability.md, "Delivery": an unexpected error in the agent ends the process with exit code
70 so the batch in flight is not committed. Checked by behaviour only (exit code, the
group's committed offsets, what a normal worker makes of the input afterwards).
"""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import orjson
import pytest

from tests.integration.accounting import (
    committed_after_stop,
    committed_offsets,
    input_positions,
    read_topic,
    settle_ledger,
    wait_until_accounted,
)
from tests.integration.conftest import WorkerProcess, all_alive, settings_env, wait_for
from workers.inputs.files import InputArticle
from workers.kafka.feed import feed_articles
from workers.settings import Settings

StartWorker = Callable[[Settings], WorkerProcess]

#: The exit code the agent promises on an unexpected error (EX_SOFTWARE).
EX_SOFTWARE = 70

#: A worker in which processing a batch raises an error nothing in the agent expects.
#: Started with ``python -c``: the patch is in the worker process, not in the test's.
CRASHING_WORKER = """
import sys

import workers.pipeline.process


def explode(self, records):
    raise RuntimeError("injected by the test: an unexpected error in the agent")


workers.pipeline.process.RecordProcessor.process_batch = explode

from workers.cli import main

sys.exit(main(["worker"]))
"""

TEXT = (
    "The mayor of Boston said on Monday that the bridge would reopen in March. "
    "Critics denied it, and the city council confirmed that repairs had stalled."
)


def article(article_id: str, body: str = TEXT) -> InputArticle:
    return InputArticle(article_id, article_id.encode(), orjson.dumps({"id": article_id, "body": body}))


def ids_of(articles: list[InputArticle]) -> list[str]:
    return [a.key.decode() for a in articles if a.key is not None]


@pytest.fixture
def crashing_worker(tmp_path: Path) -> Iterator[Callable[[Settings], tuple[subprocess.Popen[bytes], Path]]]:
    """Factory: start a worker process whose batches raise; killed at teardown if still running."""
    started: list[subprocess.Popen[bytes]] = []

    def start(settings: Settings) -> tuple[subprocess.Popen[bytes], Path]:
        env = settings_env(settings)
        env["NEWSFLOW_DATA_DIR"] = str(tmp_path / f"crashing-{len(started)}-data")
        env["NEWSFLOW_METRICS_PORT"] = "0"
        log_path = tmp_path / f"crashing-{len(started)}.log"
        with log_path.open("wb") as log:
            proc = subprocess.Popen(
                [sys.executable, "-c", CRASHING_WORKER], stdout=log, stderr=subprocess.STDOUT, env=env
            )
        started.append(proc)
        return proc, log_path

    yield start
    for proc in started:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_an_unexpected_error_exits_70_without_committing_and_a_normal_worker_enriches_the_input(
    pipeline_settings: Settings,
    crashing_worker: Callable[[Settings], tuple[subprocess.Popen[bytes], Path]],
    start_worker: StartWorker,
) -> None:
    settings = pipeline_settings
    fed = [article(f"crash-{uuid.uuid4().hex[:6]}")]
    proc, log_path = crashing_worker(settings)
    assert feed_articles(fed, settings).sent == 1

    try:
        code = proc.wait(timeout=240)
    except subprocess.TimeoutExpired:
        pytest.fail(
            f"the worker did not exit after the injected error:\n{log_path.read_text(errors='replace')[-4000:]}"
        )
    log = log_path.read_text(errors="replace")
    assert "injected by the test" in log, log[-4000:]  # it died of the injected error, not of something else
    assert code == EX_SOFTWARE, f"exit {code}:\n{log[-4000:]}"

    [(partition, offset)] = input_positions(settings)[ids_of(fed)[0]]
    committed = committed_after_stop(settings)
    assert committed[partition] <= offset, f"input at {partition}@{offset} committed ({committed}) without its outputs"
    assert not read_topic(settings, settings.topic_enriched), "the crashing worker published an article"

    worker = start_worker(settings)
    wait_until_accounted(settings, ids_of(fed), timeout=240, alive=all_alive(worker))
    ledger = settle_ledger(settings, ids_of(fed))
    assert not ledger.dead, f"dead-lettered: {dict(ledger.dead)}"
    assert set(ledger.enriched) == set(ids_of(fed))
    wait_for(
        lambda: committed_offsets(settings)[partition] == offset + 1,
        all_alive(worker),
        timeout=60,
        what="the input committed by the normal worker",
    )

"""Every publish error has an end, on the real broker.

docs/reliability.md, "Delivery": errors are told apart by the Kafka client's own marking.

* A final one (here the broker's ``INVALID_TIMESTAMP``, which aiokafka does not mark
  retriable and which no list of ours names) dead-letters its input, and the stream goes
  on: it is neither retried nor a stall.
* An error that is not Kafka refusing a record (a ``TypeError`` in our publish path)
  ends the worker with [E605], exit 70, nothing committed, no retry.
* Passing errors (an output topic deleted under the worker) are retried only until
  ``NEWSFLOW_PUBLISH_TIMEOUT_SECONDS``; then [E604], exit 70, nothing committed.
"""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import orjson
import pytest

from tests.integration.accounting import (
    committed_after_stop,
    committed_offsets,
    input_positions,
    read_topic,
    wait_until_accounted,
)
from tests.integration.conftest import WorkerProcess, all_alive, settings_env, wait_for
from tests.integration.outcomes import Outcomes
from tests.integration.topic_admin import alter_topic, delete_topic
from workers.inputs.files import InputArticle
from workers.kafka.feed import feed_articles
from workers.kafka.tail import end_offsets
from workers.settings import Settings

StartWorker = Callable[[Settings], WorkerProcess]

#: The exit code the agent promises when it gives up on a batch (EX_SOFTWARE).
EX_SOFTWARE = 70
#: A publish timeout short enough for a test, long enough for a healthy local broker.
SHORT_PUBLISH_TIMEOUT = 5.0

TEXT = (
    "The mayor of Boston said on Monday that the bridge would reopen in March. "
    "Critics denied it, and the city council confirmed that repairs had stalled."
)

#: A worker whose publish path has a bug: every send raises a TypeError. Started with
#: ``python -c``: the patch is in the worker process, not in the test's.
BUGGY_WORKER = """
import sys

import workers.stream.agents.enrich


async def send(self, record):
    raise TypeError("injected by the test: a bug in the publish path")


workers.stream.agents.enrich.EnrichAgent.send = send

from workers.cli import main

sys.exit(main(["worker"]))
"""


def article(article_id: str) -> InputArticle:
    body = f"{TEXT} Story {article_id}."
    return InputArticle(article_id, article_id.encode(), orjson.dumps({"id": article_id, "body": body}))


def fed(prefix: str, n: int) -> list[InputArticle]:
    return [article(f"{prefix}-{uuid.uuid4().hex[:6]}-{i}") for i in range(n)]


def ids_of(articles: list[InputArticle]) -> list[str]:
    return [a.key.decode() for a in articles if a.key is not None]


def wait_exit(proc: subprocess.Popen[bytes], log: Callable[[], str], timeout: float = 240) -> int:
    try:
        return proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        pytest.fail(f"the worker did not exit:\n{log()[-4000:]}")


def test_a_final_publish_error_no_list_names_dead_letters_the_input_and_the_stream_goes_on(
    pipeline_settings: Settings, start_worker: StartWorker
) -> None:
    settings = pipeline_settings
    # The broker refuses a record whose timestamp is older than this when it arrives;
    # the producer's linger (5 ms) makes every article event older: INVALID_TIMESTAMP.
    alter_topic(settings, settings.topic_enriched, {"message.timestamp.before.max.ms": "0"})
    worker = start_worker(settings)
    articles = fed("final", 3)
    feed_articles(articles, settings)
    wait_until_accounted(settings, ids_of(articles), timeout=240, alive=all_alive(worker))
    wait_for(
        lambda: committed_offsets(settings) == end_offsets(settings, settings.topic_raw),
        all_alive(worker),
        timeout=60,
        what="every input committed: no stall",
    )
    found = Outcomes.read(settings)
    assert found.enriched == []
    assert sorted(letter["article_id"] for letter in found.letters) == sorted(ids_of(articles))
    for letter in found.letters:
        assert letter["reason"] == "output_rejected", letter
        assert "InvalidTimestampError" in letter["error"], letter
    # Final at once: never sent again.
    assert (worker.metric('newsflow_failures_total{reason="publish_failed"}') or 0) == 0
    assert (worker.metric("newsflow_records_resent_total") or 0) == 0
    assert worker.metric('newsflow_dead_letters_total{reason="output_rejected"}') == len(articles)


def test_a_bug_in_the_publish_path_exits_70_at_once_without_committing(
    pipeline_settings: Settings, tmp_path: Path, start_worker: StartWorker
) -> None:
    settings = pipeline_settings
    env = settings_env(settings)
    env["NEWSFLOW_DATA_DIR"] = str(tmp_path / "buggy-data")
    env["NEWSFLOW_METRICS_PORT"] = "0"
    log_path = tmp_path / "buggy.log"
    articles = fed("bug", 1)
    with log_path.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-c", BUGGY_WORKER], stdout=out, stderr=subprocess.STDOUT, env=env)
    try:
        feed_articles(articles, settings)
        code = wait_exit(proc, lambda: log_path.read_text(errors="replace"))
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    log = log_path.read_text(errors="replace")
    assert code == EX_SOFTWARE, f"exit {code}:\n{log[-4000:]}"
    assert "[E605]" in log and "TypeError: injected by the test" in log, log[-4000:]
    assert "sending them again" not in log, "a bug was retried as if the broker were away"
    [(partition, offset)] = input_positions(settings)[ids_of(articles)[0]]
    assert committed_after_stop(settings)[partition] <= offset, "the input was committed without its outputs"
    assert read_topic(settings, settings.topic_enriched) == [] and read_topic(settings, settings.topic_dlq) == []

    worker = start_worker(settings)  # the bug fixed: a normal worker enriches the input
    wait_until_accounted(settings, ids_of(articles), timeout=240, alive=all_alive(worker))
    assert [a["id"] for a in Outcomes.read(settings).enriched] == ids_of(articles)


def test_passing_errors_past_the_publish_timeout_exit_70_without_committing(
    pipeline_settings: Settings, start_worker: StartWorker, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PRODUCER_REQUEST_TIMEOUT", raising=False)  # the producer retries as long
    settings = pipeline_settings.with_overrides(publish_timeout_seconds=SHORT_PUBLISH_TIMEOUT)
    worker = start_worker(settings)
    before, during = fed("before", 1), fed("during", 1)
    feed_articles(before, settings)
    wait_until_accounted(settings, ids_of(before), timeout=240, alive=all_alive(worker))
    wait_for(
        lambda: committed_offsets(settings) == end_offsets(settings, settings.topic_raw),
        all_alive(worker),
        timeout=60,
        what="the first article committed",
    )
    committed = committed_offsets(settings)

    delete_topic(settings, settings.topic_claims)  # every send to it now fails, with errors that pass
    feed_articles(during, settings)
    refused_at = time.monotonic()
    code = wait_exit(worker.proc, worker.log)
    took = time.monotonic() - refused_at
    log = worker.log()
    assert code == EX_SOFTWARE, f"exit {code}:\n{log[-4000:]}"
    assert "[E604]" in log and f"within {SHORT_PUBLISH_TIMEOUT:g} s" in log, log[-4000:]
    assert committed_after_stop(settings) == committed, "an input was committed without its outputs"
    enriched = [r.key.decode() for r in read_topic(settings, settings.topic_enriched) if r.key is not None]
    assert enriched == ids_of(before)
    assert read_topic(settings, settings.topic_dlq) == [], "a passing error was dead-lettered"
    print(f"\npublish timeout {SHORT_PUBLISH_TIMEOUT:g} s: exit {code} {took:.1f} s after the claims topic went")

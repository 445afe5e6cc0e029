"""While the broker refuses writes, publishing is retried and nothing is committed.

docs/reliability.md, "Delivery": while the broker refuses writes with an error that passes, the
records not yet acknowledged, and only those, are sent again with backoff, and no input
is committed. Here the real broker refuses the writes because one output topic (the
claims topic) is deleted under a running worker: every produce to it fails with errors
that pass (``UnknownTopicOrPartitionError``, then ``NotLeaderForPartitionError`` or a
metadata timeout), never with one the worker takes as final. (``min.insync.replicas=2``
on this single broker does not make Kafka 4.1 refuse ``acks=all`` writes, so it cannot
stand in.) The topic is then made again, and everything fed is enriched, once, with
nothing dead-lettered and every input committed.

Run twice. With the worker's producer request timeout (``NEWSFLOW_PUBLISH_TIMEOUT_SECONDS``,
300 s) aiokafka keeps the refused batches and retries them itself: the agent's retry
loop never hears of the refusal within the test, and
``newsflow_failures_total{reason="publish_failed"}`` stays at 0; the lag and aiokafka's
log show the stall. With the timeout shortened through Faust's own
``PRODUCER_REQUEST_TIMEOUT`` (which overrides it; nothing else about the worker
changes), the client gives up after 5 s and the agent's
:class:`~workers.stream.agents.delivery.Publisher` sends the unacknowledged records
again with backoff, which the metric counts; the 25 s are well within the publish
timeout, so the worker stays up.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from pathlib import Path

import orjson
import pytest

from tests.integration.accounting import committed_offsets, read_topic, wait_until_accounted
from tests.integration.conftest import Broker, WorkerProcess, all_alive, isolated_settings, wait_for
from tests.integration.outcomes import Outcomes
from tests.integration.topic_admin import delete_topic, topic_exists
from workers.inputs.files import InputArticle
from workers.kafka.admin import create_topics
from workers.kafka.feed import feed_articles
from workers.kafka.tail import end_offsets
from workers.settings import Settings

StartWorker = Callable[[Settings], WorkerProcess]

#: A short ``producer_request_timeout`` (seconds; Faust reads it from
#: ``PRODUCER_REQUEST_TIMEOUT``). It bounds how long a batch for a partition without a
#: leader waits, and how long ``send`` waits for a missing topic's metadata, before the
#: agent's retry loop sees the error.
SHORT_REQUEST_TIMEOUT = "5"
#: How long the topic stays deleted while the worker is watched.
REFUSAL = 25.0
#: Articles enriched before the topic is deleted, and fed while it is gone.
BEFORE, DURING = 3, 4

TEXT = (
    "The mayor of Boston said on Monday that the bridge would reopen in March. "
    "Critics denied it, and the city council confirmed that repairs had stalled."
)


def article(article_id: str) -> InputArticle:
    body = f"{TEXT} Story {article_id}."
    return InputArticle(article_id, article_id.encode(), orjson.dumps({"id": article_id, "body": body}))


def ids_of(articles: list[InputArticle]) -> list[str]:
    return [a.key.decode() for a in articles if a.key is not None]


def counter(worker: WorkerProcess, sample: str) -> float:
    """A counter on the worker's /metrics, 0 while it has no sample yet."""
    return worker.metric(sample) or 0.0


@pytest.mark.parametrize("request_timeout", [None, SHORT_REQUEST_TIMEOUT], ids=["publish-timeout", "short"])
def test_while_an_output_topic_is_gone_the_worker_retries_commits_nothing_and_then_enriches_everything(
    broker: Broker,
    tmp_path: Path,
    start_worker: StartWorker,
    monkeypatch: pytest.MonkeyPatch,
    request_timeout: str | None,
) -> None:
    settings = isolated_settings(broker.bootstrap, tmp_path / "data")
    # start_worker passes the test's environment on to the worker.
    if request_timeout is None:
        monkeypatch.delenv("PRODUCER_REQUEST_TIMEOUT", raising=False)
    else:
        monkeypatch.setenv("PRODUCER_REQUEST_TIMEOUT", request_timeout)
    worker = start_worker(settings)
    alive = all_alive(worker)
    publish_failed = 'newsflow_failures_total{reason="publish_failed"}'
    consumed = f'newsflow_records_consumed_total{{topic="{settings.topic_raw}"}}'
    prefix = f"refused-{uuid.uuid4().hex[:6]}"
    before = [article(f"{prefix}-before-{i}") for i in range(BEFORE)]
    during = [article(f"{prefix}-during-{i}") for i in range(DURING)]

    feed_articles(before, settings)
    wait_until_accounted(settings, ids_of(before), timeout=240, alive=alive)
    wait_for(
        lambda: committed_offsets(settings) == end_offsets(settings, settings.topic_raw),
        alive,
        timeout=60,
        what="the first articles committed",
    )
    committed_before = committed_offsets(settings)
    first = Outcomes.read(settings)
    # Otherwise deleting the claims topic would refuse nothing these articles publish.
    assert all(a["claims"] for a in first.enriched), "the test's articles have no claims"
    assert counter(worker, publish_failed) == 0

    delete_topic(settings, settings.topic_claims)
    wait_for(
        lambda: not topic_exists(settings, settings.topic_claims), alive, timeout=30, what="the claims topic deleted"
    )
    feed_articles(during, settings)
    refused_at = time.monotonic()
    enriched_before = sum(end_offsets(settings, settings.topic_enriched).values())
    while time.monotonic() - refused_at < REFUSAL:
        alive()
        assert committed_offsets(settings) == committed_before, "inputs committed while their claims were refused"
        assert sum(end_offsets(settings, settings.topic_enriched).values()) == enriched_before, (
            "an article event went out before its claims were acknowledged"
        )
        assert sum(end_offsets(settings, settings.topic_dlq).values()) == 0, "a passing error was dead-lettered"
        time.sleep(1.0)
    log = worker.log()
    # The worker did take the new articles: the stall is the refusal, not an idle worker.
    assert counter(worker, consumed) == BEFORE + DURING, log[-4000:]
    retries = counter(worker, publish_failed)
    timeout_label = f"request timeout {request_timeout or 'default'}"
    print(f"\n[{timeout_label}] claims topic gone {REFUSAL:.0f} s: publish_failed={retries:.0f}")
    if request_timeout is not None:
        # The agent's own loop saw the refusal and sent again, more than once.
        assert retries >= 2, f"publish_failed={retries}:\n{log[-4000:]}"

    created = create_topics(settings)
    assert created[settings.topic_claims] == settings.partitions
    recovery = wait_until_accounted(settings, ids_of(during), timeout=120, alive=alive)
    wait_for(
        lambda: committed_offsets(settings) == end_offsets(settings, settings.topic_raw),
        alive,
        timeout=60,
        what="every input committed after the topic was made again",
    )
    found = Outcomes.read(settings)
    assert found.ids() == dict.fromkeys(ids_of(before) + ids_of(during), 1), found.ids()
    assert found.letters == []
    assert found.repeated_event_ids() == []
    # The claims refused while the topic was gone are all on the new topic, once each.
    expected_claims = sorted(
        (a["id"], c["id"]) for a in found.enriched if a["id"] in ids_of(during) for c in a["claims"]
    )
    on_new_topic = [orjson.loads(r.value or b"") for r in read_topic(settings, settings.topic_claims)]
    assert sorted((e["article"]["id"], e["claim"]["id"]) for e in on_new_topic) == expected_claims
    print(f"[{timeout_label}] {len(during)} refused articles enriched {recovery:.1f} s after the topic was made again")

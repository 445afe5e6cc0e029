"""/readyz says not ready while a starting worker's duplicate index catches up, ready after.

docs/reliability.md, "Restarts": a starting worker first applies the index's changelog
(``<group>-dedup-changelog``), and only then joins the consumer group; /readyz says not
ready meanwhile. The changelog is filled with enough records that the catch-up takes
seconds; the worker's own log lines mark when it starts and ends, and every /readyz
answer is placed between them by reading the log before the request and after the
answer.
"""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from collections.abc import Callable

from kafka import KafkaProducer

from tests.integration.conftest import WorkerProcess, all_alive
from workers.kafka.client import client_config
from workers.kafka.tail import end_offsets
from workers.settings import Settings

#: Records put on the changelog before the worker starts. The benchmark (docs/benchmark.md)
#: measured about 46,000 applied a second on this machine, so several seconds of catch-up.
FILL_RECORDS = 300_000
CATCHING_UP = "duplicate index: catching up on"
CAUGHT_UP = "duplicate index: caught up"


def fill_changelog(settings: Settings, records: int) -> None:
    """Write ``records`` distinct keys to the index's changelog.

    The keys (``t:<n>``) are none of the index's (``x:``, ``b:``, ``s:``), so they make
    the catch-up longer without changing what the index knows.
    """
    producer = KafkaProducer(**client_config(settings, acks=1, linger_ms=20, batch_size=512 * 1024))
    try:
        value = b"test-filler-" + b"x" * 40
        for i in range(records):
            producer.send(settings.dedup_changelog_topic, key=b"t:%d" % i, value=value)
        producer.flush(timeout=120)
    finally:
        producer.close()
    assert sum(end_offsets(settings, settings.dedup_changelog_topic).values()) == records


def readyz(port: int) -> tuple[int, str] | None:
    """(status, body) of /readyz, or None when the endpoint does not answer yet."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()
    except OSError:
        return None


def test_readyz_is_not_ready_while_the_index_catches_up_and_ready_afterwards(
    pipeline_settings: Settings, start_worker: Callable[[Settings], WorkerProcess]
) -> None:
    settings = pipeline_settings
    fill_changelog(settings, FILL_RECORDS)
    worker = start_worker(settings)
    alive = all_alive(worker)

    during: list[tuple[int, str]] = []  # answers given while the log says the catch-up runs
    ready_at: float | None = None
    deadline = time.monotonic() + 300
    while ready_at is None:
        alive()
        assert time.monotonic() < deadline, f"never ready:\n{worker.log()[-4000:]}"
        before = worker.log()
        answer = readyz(worker.metrics_port)
        after = worker.log()
        if answer is None:
            time.sleep(0.05)
            continue
        status, body = answer
        if CATCHING_UP in before and CAUGHT_UP not in after:
            during.append(answer)
        if status == 200:
            assert CAUGHT_UP in after, f"/readyz said ready ({body!r}) before the index had caught up"
            ready_at = time.monotonic()
        time.sleep(0.05)

    assert during, f"no /readyz answer fell within the catch-up; the log:\n{worker.log()[-4000:]}"
    assert all(status == 503 for status, _ in during), f"ready during catch-up: {during}"
    assert all(body.startswith("not ready") for _, body in during), during
    print(f"\n[readiness] {len(during)} answers during the catch-up, all 503: {sorted({b.strip() for _, b in during})}")

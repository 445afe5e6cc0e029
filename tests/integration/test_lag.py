"""Consumer lag measured against the real broker, and a worker that outlives its timers."""

from __future__ import annotations

import time
import urllib.request
from collections.abc import Callable

from prometheus_client import CollectorRegistry

from tests.integration.conftest import WorkerProcess
from workers.inputs.files import InputArticle
from workers.kafka.feed import feed_articles
from workers.metrics import PipelineMetrics
from workers.settings import Settings
from workers.stream.lag import LagMonitor


def articles(n: int) -> list[InputArticle]:
    return [InputArticle(f"a{i}", f"a{i}".encode(), b'{"id": "a%d", "body": "x"}' % i) for i in range(n)]


def test_lag_counts_every_uncommitted_record_per_partition(pipeline_settings: Settings) -> None:
    feed_articles(articles(9), pipeline_settings)
    registry = CollectorRegistry()
    monitor = LagMonitor(pipeline_settings, PipelineMetrics(registry))
    try:
        lags = monitor.measure(range(pipeline_settings.partitions))
        monitor.update([0, 1])
    finally:
        monitor.close()
    assert sum(lags.values()) == 9 and set(lags) == {0, 1, 2}
    gauge = "newsflow_consumer_lag_messages"
    assert registry.get_sample_value(gauge, {"topic": pipeline_settings.topic_raw, "partition": "0"}) == lags[0]
    assert registry.get_sample_value(gauge, {"topic": pipeline_settings.topic_raw, "partition": "2"}) is None


def test_failed_lag_probe_is_counted_not_raised(pipeline_settings: Settings) -> None:
    registry = CollectorRegistry()
    monitor = LagMonitor(pipeline_settings.with_overrides(topic_raw="no-such-topic"), PipelineMetrics(registry))
    monitor.update([0])
    monitor.close()
    assert registry.get_sample_value("newsflow_failures_total", {"reason": "lag_probe_failed"}) == 1


def test_worker_exports_zero_lag_after_catching_up_and_stays_up(
    pipeline_settings: Settings, start_worker: Callable[[Settings], WorkerProcess]
) -> None:
    settings = pipeline_settings.with_overrides(lag_interval_seconds=1)
    worker = start_worker(settings)
    feed_articles(articles(6), settings)

    def lag_series() -> dict[str, float]:
        url = f"http://127.0.0.1:{worker.metrics_port}/metrics"
        try:
            text = urllib.request.urlopen(url, timeout=5).read().decode()
        except OSError:
            return {}
        return {
            line.split("{")[1].split("}")[0]: float(line.rsplit(" ", 1)[1])
            for line in text.splitlines()
            if line.startswith("newsflow_consumer_lag_messages{")
        }

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        series = lag_series()
        if len(series) == settings.partitions and all(v == 0 for v in series.values()):
            break
        assert worker.proc.poll() is None, worker.log()[-3000:]
        time.sleep(1)
    assert len(lag_series()) == settings.partitions and all(v == 0 for v in lag_series().values()), worker.log()[-3000:]
    time.sleep(3)  # several more lag ticks: the worker must still be running
    assert worker.proc.poll() is None, worker.log()[-3000:]

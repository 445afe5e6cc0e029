from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest
from prometheus_client import CollectorRegistry

from workers.exceptions import ConfigError
from workers.metrics import PipelineMetrics
from workers.stream.health import HealthServer, Readiness


@pytest.fixture
def served() -> Iterator[tuple[str, Readiness, PipelineMetrics]]:
    metrics = PipelineMetrics(CollectorRegistry())
    readiness = Readiness(metrics)
    server = HealthServer(metrics, readiness, host="127.0.0.1", port=0)
    server.start()
    yield f"http://127.0.0.1:{server.port}", readiness, metrics
    server.stop()


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode()


def test_liveness_answers_before_anything_is_loaded(served: tuple[str, Readiness, PipelineMetrics]) -> None:
    base, _, _ = served
    assert get(base + "/healthz")[0] == 200


def test_ready_only_with_model_loaded_and_partitions_assigned(served: tuple[str, Readiness, PipelineMetrics]) -> None:
    base, readiness, _ = served
    assert get(base + "/readyz") == (503, "not ready: starting (model loading, duplicate index catching up)\n")
    readiness.set_model_loaded()
    assert get(base + "/readyz") == (503, "not ready: partitions not assigned\n")
    readiness.set_partitions(frozenset({0, 3}))
    assert get(base + "/readyz")[0] == 200
    readiness.set_partitions(frozenset())
    assert get(base + "/readyz")[0] == 503


def test_metrics_endpoint_exposes_the_registry(served: tuple[str, Readiness, PipelineMetrics]) -> None:
    base, readiness, metrics = served
    metrics.enriched.inc(3)
    readiness.set_model_loaded()
    readiness.set_partitions(frozenset({1}))
    status, text = get(base + "/metrics")
    assert status == 200
    assert "newsflow_articles_enriched_total 3.0" in text
    assert "newsflow_worker_ready 1.0" in text
    assert "newsflow_assigned_partitions 1.0" in text


def test_busy_port_is_a_clear_error(served: tuple[str, Readiness, PipelineMetrics]) -> None:
    base, readiness, metrics = served
    port = int(base.rsplit(":", 1)[1])
    with pytest.raises(ConfigError, match=r"E108.*NEWSFLOW_METRICS_PORT"):
        HealthServer(metrics, readiness, host="127.0.0.1", port=port)

from __future__ import annotations

from prometheus_client import CollectorRegistry

from workers.metrics import METRIC_NAMES, SINK_ERROR_KINDS, SINK_TABLES, PipelineMetrics, SinkMetrics


def sample(registry: CollectorRegistry, name: str, **labels: str) -> float | None:
    return registry.get_sample_value(name, labels)


def test_names_follow_the_prefix_and_unit_conventions() -> None:
    families = {n for n in METRIC_NAMES if not n.endswith(("_bucket", "_sum", "_count", "_created"))}
    assert all(n.startswith("newsflow_") for n in families)
    assert "newsflow_stage_duration_seconds_bucket" in METRIC_NAMES
    assert "newsflow_records_consumed_total" in METRIC_NAMES


def test_batch_stage_is_recorded_per_article() -> None:
    registry = CollectorRegistry()
    metrics = PipelineMetrics(registry)
    with metrics.time_stage("nlp", articles=4):
        pass
    assert sample(registry, "newsflow_stage_duration_seconds_count", stage="nlp") == 4


def test_lag_of_revoked_partitions_disappears() -> None:
    registry = CollectorRegistry()
    metrics = PipelineMetrics(registry)
    metrics.set_lag("in", {0: 5, 1: 7})
    metrics.set_lag("in", {1: 2})
    assert sample(registry, "newsflow_consumer_lag_messages", topic="in", partition="0") is None
    assert sample(registry, "newsflow_consumer_lag_messages", topic="in", partition="1") == 2


def test_known_series_exist_at_zero_before_the_first_event() -> None:
    registry = CollectorRegistry()
    PipelineMetrics(registry).start_series(input_topic="in", output_topics=["out", "dlq"])
    assert sample(registry, "newsflow_records_consumed_total", topic="in") == 0
    assert sample(registry, "newsflow_records_produced_total", topic="dlq") == 0
    assert sample(registry, "newsflow_dead_letters_total", reason="invalid_json") == 0
    assert sample(registry, "newsflow_failures_total", reason="publish_failed") == 0
    assert sample(registry, "newsflow_duplicates_total", kind="near") == 0
    assert sample(registry, "newsflow_stage_duration_seconds_count", stage="geo") == 0


def test_sink_metrics_are_listed_among_the_metric_names() -> None:
    assert "newsflow_sink_transaction_duration_seconds_bucket" in METRIC_NAMES
    assert {"newsflow_sink_rows_written_total", "newsflow_sink_lag_messages"} <= METRIC_NAMES


def test_sink_series_exist_at_zero_before_the_first_batch() -> None:
    registry = CollectorRegistry()
    SinkMetrics(registry)
    for table in SINK_TABLES:
        assert sample(registry, "newsflow_sink_rows_written_total", table=table) == 0
    for kind in SINK_ERROR_KINDS:
        assert sample(registry, "newsflow_sink_database_errors_total", kind=kind) == 0
    assert sample(registry, "newsflow_sink_events_total", outcome="duplicate") == 0


def test_sink_lag_of_partitions_no_longer_assigned_disappears() -> None:
    registry = CollectorRegistry()
    metrics = SinkMetrics(registry)
    metrics.set_lag({("in", 0): 5, ("in", 1): 7})
    metrics.set_lag({("in", 1): 2})
    assert sample(registry, "newsflow_sink_lag_messages", topic="in", partition="0") is None
    assert sample(registry, "newsflow_sink_lag_messages", topic="in", partition="1") == 2

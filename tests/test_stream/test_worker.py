"""Faust's worker as the worker runs it: the log level given is the level kept; and the
tracker that keeps readiness and lag in step with the worker's input partitions."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import pytest
from faust.types import TP
from prometheus_client import CollectorRegistry

from workers.metrics import PipelineMetrics
from workers.pipeline.version import compose
from workers.settings import Settings
from workers.stream.app import create_app
from workers.stream.health import Readiness
from workers.stream.worker import PartitionTracker, _publish_build_info, faust_worker


@pytest.mark.parametrize("level", ["debug", "info", "warning", "error"])
def test_the_root_logger_keeps_the_level_the_worker_was_given(
    level: str, make_settings: Callable[..., Settings]
) -> None:
    worker = faust_worker(create_app(make_settings()), level)
    number = logging.getLevelName(level.upper())
    root = logging.Logger("stand-in for the root logger", number)
    root.addHandler(logging.NullHandler())
    worker.on_setup_root_logger(root, number)  # what Faust calls once it has configured logging
    # Faust's start-up spinner would set DEBUG at WARNING and above, for good, and add
    # its handler: every debug call of aiokafka would then build a record.
    assert root.level == number
    assert len(root.handlers) == 1
    assert not root.isEnabledFor(logging.DEBUG) or level == "debug"


# The worker's input partitions, followed through rebalances: PartitionTracker alone.


class RecordingLag:
    """Stands in for the lag monitor: records the partitions each measurement was for."""

    def __init__(self) -> None:
        self.measured: list[frozenset[int]] = []

    def update(self, partitions: frozenset[int]) -> None:
        self.measured.append(partitions)


def assigned_app(*tps: TP) -> Any:
    """Stands in for the app: its consumer holds ``tps``."""
    return SimpleNamespace(consumer=SimpleNamespace(assignment=lambda: set(tps)))


@dataclass
class Tracked:
    """A tracker and what it was built from."""

    tracker: PartitionTracker
    app: Any
    metrics: PipelineMetrics
    readiness: Readiness


@pytest.fixture
def make_tracker(make_settings: Callable[..., Settings]) -> Callable[..., Tracked]:
    """Factory: a tracker over ``app`` (a real one by default), with fresh metrics and readiness."""

    def make(app: Any = None, lag: Any = None) -> Tracked:
        settings = make_settings()
        metrics = PipelineMetrics(CollectorRegistry())
        readiness = Readiness(metrics)
        app = app if app is not None else create_app(settings)
        return Tracked(
            PartitionTracker(app, settings, metrics, readiness, lag or RecordingLag()), app, metrics, readiness
        )

    return make


@pytest.mark.asyncio
async def test_an_assignment_holds_the_input_topic_s_partitions_only(make_tracker: Callable[..., Tracked]) -> None:
    t = make_tracker(assigned_app(TP("articles.raw", 0), TP("articles.raw", 3), TP("other", 1)))
    await t.tracker.on_assigned(None)
    assert t.readiness.partitions == frozenset({0, 3})


@pytest.mark.asyncio
async def test_an_assignment_counts_a_rebalance(make_tracker: Callable[..., Tracked]) -> None:
    t = make_tracker(assigned_app(TP("articles.raw", 0)))
    await t.tracker.on_assigned(None)
    await t.tracker.on_assigned(None)
    assert t.metrics.registry.get_sample_value("newsflow_rebalances_total") == 2


@pytest.mark.asyncio
async def test_a_revocation_drops_only_the_revoked_input_partitions(make_tracker: Callable[..., Tracked]) -> None:
    t = make_tracker()
    t.readiness.set_partitions(frozenset({0, 1, 2}))
    await t.tracker.on_revoked(None, {TP("articles.raw", 1), TP("other", 2)})
    assert t.readiness.partitions == frozenset({0, 2})


@pytest.mark.asyncio
async def test_a_revocation_given_by_keyword_is_understood(make_tracker: Callable[..., Tracked]) -> None:
    t = make_tracker()
    t.readiness.set_partitions(frozenset({0, 1}))
    await t.tracker.on_revoked(None, revoked={TP("articles.raw", 0)})
    assert t.readiness.partitions == frozenset({1})


@pytest.mark.asyncio
async def test_the_lag_is_measured_for_the_input_partitions_held(make_tracker: Callable[..., Tracked]) -> None:
    lag = RecordingLag()
    t = make_tracker(lag=lag)
    t.readiness.set_partitions(frozenset({0, 3}))
    await t.tracker.measure_lag()
    assert lag.measured == [frozenset({0, 3})]


@pytest.mark.asyncio
async def test_once_attached_the_tracker_follows_the_app_s_revocations(make_tracker: Callable[..., Tracked]) -> None:
    t = make_tracker()
    t.tracker.attach()
    t.readiness.set_partitions(frozenset({0, 1}))
    await t.app.on_partitions_revoked.send({TP("articles.raw", 1)})  # as Faust sends it
    assert t.readiness.partitions == frozenset({0})


def test_build_info_shows_the_pipeline_version_and_its_parts() -> None:
    registry = CollectorRegistry()
    metrics = PipelineMetrics(registry)
    version = compose("0.1.0", "en_m", "3.8.0", (("spacy", "3.8.0"),), "a" * 64, "b" * 64)
    _publish_build_info(metrics, version)
    labels = registry.get_sample_value
    info = {
        s.labels["pipeline_version"]: s.labels
        for family in registry.collect()
        if family.name == "newsflow_build"
        for s in family.samples
    }
    assert set(info) == {version.version}
    assert info[version.version]["model"] == "en_m"
    assert info[version.version]["rules"] == "a" * 12
    assert info[version.version]["gazetteer_data"] == "b" * 12
    assert labels("newsflow_build_info", info[version.version]) == 1.0

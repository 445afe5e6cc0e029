"""Wire the settings, the NLP core, metrics and the Faust adapter into a worker."""

from __future__ import annotations

import asyncio
import importlib.metadata as md
import logging
import platform
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import faust
from prometheus_client import CollectorRegistry, PlatformCollector, ProcessCollector

from workers import __version__
from workers.agents.enrich import register_enrich_agent
from workers.app import create_app
from workers.dedup import DuplicateIndex
from workers.enrich import Enricher
from workers.health import HealthServer, Readiness
from workers.kafka.changelog import ChangelogReplica
from workers.lag import LagMonitor
from workers.metrics import PipelineMetrics
from workers.nlp.pipeline import ModelInfo, load_pipeline, model_info
from workers.process import RecordProcessor
from workers.settings import Settings
from workers.state import ChangelogStore
from workers.topics import declare_topics

__all__ = ["WorkerParts", "build_worker", "run_worker"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class WorkerParts:
    """A worker's app and the observability pieces attached to it."""

    app: faust.App
    metrics: PipelineMetrics
    readiness: Readiness
    lag: LagMonitor


def build_worker(
    settings: Settings,
    enricher: Enricher,
    metrics: PipelineMetrics,
    readiness: Readiness,
    state: ChangelogStore | None = None,
) -> WorkerParts:
    """A Faust app with the enrichment agent, readiness tracking and lag measurement.

    ``state`` holds the duplicate index (when ``settings.dedup_enabled``).
    """
    app = create_app(settings)
    index = None
    if state is not None:
        index = DuplicateIndex(state, threshold=settings.near_duplicate_threshold)
    processor = RecordProcessor(enricher, settings, timer=metrics.time_stage, index=index)
    register_enrich_agent(app, declare_topics(app, settings), processor, settings, metrics, state)
    lag = LagMonitor(settings, metrics)

    def input_partitions(tps: Any) -> frozenset[int]:
        return frozenset(tp.partition for tp in tps if tp.topic == settings.topic_raw)

    async def on_assigned(sender: Any, *args: Any, signal: Any = None, **kwargs: Any) -> None:
        metrics.rebalances.inc()
        readiness.set_partitions(input_partitions(app.consumer.assignment()))

    async def on_revoked(sender: Any, *args: Any, signal: Any = None, **kwargs: Any) -> None:
        revoked = args[0] if args else kwargs.get("revoked", ())
        readiness.set_partitions(readiness.partitions - input_partitions(revoked))

    async def measure_lag() -> None:
        await asyncio.to_thread(lag.update, readiness.partitions)

    # Registered by call rather than as decorators: faust's decorators are untyped, and
    # mode types a signal's receiver as a union that no coroutine function matches.
    app.on_partitions_assigned.connect(on_assigned)  # type: ignore[arg-type]
    app.on_partitions_revoked.connect(on_revoked)  # type: ignore[arg-type]
    app.timer(interval=float(settings.lag_interval_seconds))(measure_lag)

    return WorkerParts(app, metrics, readiness, lag)


def run_worker(settings: Settings) -> None:
    """Serve metrics, load the model, then consume until SIGINT/SIGTERM.

    The model is loaded before the worker joins the consumer group, so a broken model
    setting fails at once instead of after partitions were assigned.
    """
    registry = CollectorRegistry()
    ProcessCollector(registry=registry)
    PlatformCollector(registry=registry)
    metrics = PipelineMetrics(registry)
    metrics.start_series(input_topic=settings.topic_raw, output_topics=settings.output_topics)
    readiness = Readiness(metrics)
    server = None
    if settings.metrics_port:
        # Up before the model loads, so liveness answers during a slow start.
        server = HealthServer(metrics, readiness, host=settings.metrics_host, port=settings.metrics_port)
        server.start()
    parts: WorkerParts | None = None
    state: ChangelogStore | None = None
    replica: ChangelogReplica | None = None
    try:
        with _startup_logging(settings.log_level):
            nlp = None if settings.passthrough else load_pipeline(settings.spacy_model)
            _publish_build_info(metrics, nlp)
            if settings.dedup_enabled:
                state, replica = _open_dedup_index(settings, metrics)
        parts = build_worker(settings, Enricher(nlp, timer=metrics.time_stage), metrics, readiness, state)
        readiness.set_model_loaded()
        faust.Worker(parts.app, loglevel=settings.log_level, quiet=True).execute_from_commandline()
    finally:
        if replica is not None:
            replica.close()
        if parts is not None:
            parts.lag.close()
        if state is not None:
            state.close()
        if server is not None:
            server.stop()


def _open_dedup_index(settings: Settings, metrics: PipelineMetrics) -> tuple[ChangelogStore, ChangelogReplica]:
    """Open this worker's replica of the duplicate index and bring it up to date.

    Done before the worker joins the consumer group: no input is checked against an
    index that is still loading, and the group's rebalances do not wait for it.
    """
    state = ChangelogStore(settings.dedup_index_path)
    replica = ChangelogReplica(
        state,
        settings,
        settings.dedup_changelog_topic,
        on_lag=metrics.dedup_replica_lag.set,
        on_error=metrics.failures.labels(reason="dedup_replica_failed").inc,
    )
    try:
        replica.catch_up()
        replica.start()
    except BaseException:
        replica.close()
        state.close()
        raise
    return state, replica


@contextmanager
def _startup_logging(level: str) -> Iterator[None]:
    """Log to stderr while the worker starts, until Faust's worker sets up its own logging."""
    if level != "debug":
        # kafka-python logs each connection at INFO; its clients here (the lag probe,
        # the index replica) would fill the log with them.
        logging.getLogger("kafka").setLevel(logging.WARNING)
    root = logging.getLogger()
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("[%(asctime)s] [%(process)d] [%(levelname)s] %(message)s"))
    previous = root.level
    root.addHandler(handler)
    root.setLevel(level.upper())
    try:
        yield
    finally:
        root.removeHandler(handler)
        root.setLevel(previous)


def _publish_build_info(metrics: PipelineMetrics, nlp: Any) -> None:
    info = model_info(nlp) if nlp is not None else ModelInfo("none (passthrough)", "0")
    metrics.build.info(
        {
            "pipeline_version": __version__,
            "model": info.name,
            "model_version": info.version,
            "spacy": md.version("spacy"),
            "faust": md.version("faust-streaming"),
            "aiokafka": md.version("aiokafka"),
            "kafka_python": md.version("kafka-python"),
            "python": platform.python_version(),
        }
    )

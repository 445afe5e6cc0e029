"""Wire the settings, the NLP core, metrics and the Faust adapter into a worker."""

from __future__ import annotations

import asyncio
import importlib.metadata as md
import logging
import os
import platform
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import faust
from prometheus_client import CollectorRegistry, PlatformCollector, ProcessCollector

from workers.kafka.admin import message_size_limits
from workers.metrics import PipelineMetrics
from workers.models import RawArticle
from workers.nlp.pipeline import load_pipeline
from workers.pipeline.dedup import DuplicateIndex
from workers.pipeline.enrich import Enricher
from workers.pipeline.events import OutputLimits
from workers.pipeline.inflight import InFlightGuard
from workers.pipeline.process import RecordProcessor
from workers.pipeline.version import PipelineVersion
from workers.processes import LOG_FORMAT
from workers.settings import Settings
from workers.state.changelog import ChangelogReplica
from workers.state.poison import PoisonChangelogReplica
from workers.state.store import ChangelogStore
from workers.state.writer import ChangelogWriter
from workers.stream.agents.enrich import EnrichAgent
from workers.stream.app import create_app
from workers.stream.health import HealthServer, Readiness
from workers.stream.lag import LagMonitor
from workers.stream.topics import declare_topics

__all__ = ["PartitionTracker", "WorkerParts", "build_worker", "faust_worker", "run_worker"]

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
    *,
    limits: OutputLimits | None = None,
    in_flight: InFlightGuard | None = None,
) -> WorkerParts:
    """A Faust app with the enrichment agent, readiness tracking and lag measurement.

    ``state`` holds the duplicate index (when ``settings.dedup_enabled``); ``limits``
    the output topics' sizes; ``in_flight`` the poison-pill guard.
    """
    limits = limits or OutputLimits(settings.max_message_bytes)
    app = create_app(settings, smallest_topic_limit=min(limits.topics.values(), default=None))
    index = None
    if state is not None:
        window = timedelta(days=settings.dedup_window_days) if settings.dedup_window_days else None
        index = DuplicateIndex(state, threshold=settings.near_duplicate_threshold, window=window)
    processor = RecordProcessor(
        enricher,
        settings,
        timer=metrics.time_stage,
        index=index,
        limits=limits,
        in_flight=in_flight,
        before_enrich=_crash_on(settings.crash_on_article_id) if settings.crash_on_article_id else None,
    )
    EnrichAgent(app, declare_topics(app, settings), processor, settings, metrics, state).register()
    lag = LagMonitor(settings, metrics)
    PartitionTracker(app, settings, metrics, readiness, lag).attach()
    return WorkerParts(app, metrics, readiness, lag)


class PartitionTracker:
    """Keeps readiness in step with the worker's input partitions, and measures their lag.

    Args:
        app: the app whose rebalances are followed and whose timer measures the lag.
        settings: the input topic and how often the lag is measured.
        metrics: counts the rebalances.
        readiness: told which input partitions the worker holds.
        lag: measures the lag of those partitions.
    """

    def __init__(
        self, app: faust.App, settings: Settings, metrics: PipelineMetrics, readiness: Readiness, lag: LagMonitor
    ) -> None:
        self._app = app
        self._settings = settings
        self._metrics = metrics
        self._readiness = readiness
        self._lag = lag

    def attach(self) -> None:
        """Follow the app's rebalances, and measure the lag every ``lag_interval_seconds``."""
        # Registered by call rather than as decorators: faust's decorators are untyped, and
        # mode types a signal's receiver as a union that no coroutine function matches.
        self._app.on_partitions_assigned.connect(self.on_assigned)  # type: ignore[arg-type]
        self._app.on_partitions_revoked.connect(self.on_revoked)  # type: ignore[arg-type]
        self._app.timer(interval=float(self._settings.lag_interval_seconds))(self.measure_lag)

    def input_partitions(self, tps: Any) -> frozenset[int]:
        """The partitions of the input topic among the topic-partitions ``tps``."""
        return frozenset(tp.partition for tp in tps if tp.topic == self._settings.topic_raw)

    async def on_assigned(self, sender: Any, *args: Any, signal: Any = None, **kwargs: Any) -> None:
        """A rebalance gave the worker its partitions: count it, and hold the consumer's input partitions."""
        self._metrics.rebalances.inc()
        self._readiness.set_partitions(self.input_partitions(self._app.consumer.assignment()))

    async def on_revoked(self, sender: Any, *args: Any, signal: Any = None, **kwargs: Any) -> None:
        """Partitions were taken from the worker: it no longer holds the revoked input partitions."""
        revoked = args[0] if args else kwargs.get("revoked", ())
        self._readiness.set_partitions(self._readiness.partitions - self.input_partitions(revoked))

    async def measure_lag(self) -> None:
        """Measure the lag of the input partitions held, off the event loop."""
        await asyncio.to_thread(self._lag.update, self._readiness.partitions)


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
    guard: _PoisonGuard | None = None
    try:
        with _startup_logging(settings.log_level):
            guard = _open_poison_guard(settings, metrics)
            nlp = None if settings.passthrough else load_pipeline(settings.spacy_model)
            enricher = Enricher(nlp, timer=metrics.time_stage)
            _publish_build_info(metrics, enricher.version)
            log.info("events will name %s", enricher.version.describe())
            limits = _output_limits(settings)
            if settings.dedup_enabled:
                state, replica = _open_dedup_index(settings, metrics)
        parts = build_worker(
            settings,
            enricher,
            metrics,
            readiness,
            state,
            limits=limits,
            in_flight=guard.guard,
        )
        readiness.set_model_loaded()
        faust_worker(parts.app, settings.log_level).execute_from_commandline()
    finally:
        if replica is not None:
            replica.close()
        if parts is not None:
            parts.lag.close()
        if state is not None:
            state.close()
        if guard is not None:
            guard.close()
        if server is not None:
            server.stop()


def faust_worker(app: faust.App, log_level: str) -> faust.Worker:
    """Faust's worker for ``app``, without its start-up spinner.

    At WARNING and above, the spinner sets the root logger to DEBUG for the life of the
    process (so that it spins on every record) and hands every record to its handler:
    each debug call of aiokafka and Faust, several per record sent or fetched, then
    builds a log record. Without it, the root logger keeps ``log_level``.
    """
    worker = faust.Worker(app, loglevel=log_level, quiet=True)
    worker.spinner = None
    return worker


def _output_limits(settings: Settings) -> OutputLimits:
    """The worker's size limit, lowered for output topics that take less."""
    topics = (*settings.output_topics, settings.dedup_changelog_topic)
    lower = {t: n for t, n in message_size_limits(settings, topics).items() if n < settings.max_message_bytes}
    for topic, limit in sorted(lower.items()):
        log.info("%s takes records of at most %d bytes (max.message.bytes): kept under that", topic, limit)
    return OutputLimits(settings.max_message_bytes, lower)


def _crash_on(article_id: str) -> Callable[[RawArticle], None]:
    """Fault injection for tests: SIGKILL this process before enriching ``article_id``."""

    def crash(article: RawArticle) -> None:
        if article.id == article_id:
            log.critical("NEWSFLOW_CRASH_ON_ARTICLE_ID=%s: killing this worker (fault injection)", article_id)
            logging.shutdown()
            os.kill(os.getpid(), signal.SIGKILL)

    return crash


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


@dataclass(frozen=True, slots=True)
class _PoisonGuard:
    """The poison-pill guard and the pieces that tie it to its changelog."""

    guard: InFlightGuard
    store: ChangelogStore
    replica: ChangelogReplica
    writer: ChangelogWriter

    def close(self) -> None:
        self.writer.close()
        self.replica.close()
        self.store.close()


def _open_poison_guard(settings: Settings, metrics: PipelineMetrics) -> _PoisonGuard:
    """Open this worker's replica of the poison-pill guard's changelog, bring it up to
    date and follow it, so the deaths other workers had on an input count here too.

    Done before the worker joins the consumer group, like the duplicate index.
    """
    store = ChangelogStore(settings.poison_index_path)
    replica: ChangelogReplica | None = None
    try:
        replica = PoisonChangelogReplica(
            store,
            settings,
            settings.poison_changelog_topic,
            on_error=metrics.failures.labels(reason="poison_replica_failed").inc,
        )
        replica.catch_up()
        replica.start()
        writer = ChangelogWriter(settings, settings.poison_changelog_topic, what="poison-pill guard's marks")
    except BaseException:
        if replica is not None:
            replica.close()
        store.close()
        raise
    guard = InFlightGuard(store, writer)
    log.info("poison-pill guard: marks of this worker are by %s", guard.incarnation)
    return _PoisonGuard(guard, store, replica, writer)


@contextmanager
def _startup_logging(level: str) -> Iterator[None]:
    """Log to stderr while the worker starts, until Faust's worker sets up its own logging."""
    if level != "debug":
        # kafka-python logs each connection at INFO; its clients here (the lag probe,
        # the index replica) would fill the log with them.
        logging.getLogger("kafka").setLevel(logging.WARNING)
    root = logging.getLogger()
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    previous = root.level
    root.addHandler(handler)
    root.setLevel(level.upper())
    try:
        yield
    finally:
        root.removeHandler(handler)
        root.setLevel(previous)


def _publish_build_info(metrics: PipelineMetrics, version: PipelineVersion) -> None:
    """``newsflow_build_info``: the pipeline version every event carries, and its parts."""
    metrics.build.info(
        {
            "pipeline_version": version.version,
            "package": version.package,
            "model": version.model,
            "model_version": version.model_version,
            "rules": version.rules[:12],
            "gazetteer_data": version.data[:12],
            "spacy": md.version("spacy"),
            "faust": md.version("faust-streaming"),
            "aiokafka": md.version("aiokafka"),
            "kafka_python": md.version("kafka-python"),
            "python": platform.python_version(),
        }
    )

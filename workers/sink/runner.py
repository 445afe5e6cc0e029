"""``newsflow sink`` as a process: logging, metrics server, signals, migrate, consume."""

from __future__ import annotations

import logging
import threading

from prometheus_client import CollectorRegistry, PlatformCollector, ProcessCollector, start_http_server

from workers.kafka.client import wait_for_broker
from workers.metrics import SinkMetrics
from workers.processes import setup_logging, stop_on_signals
from workers.settings import Settings
from workers.sink.consumer import SinkConsumer
from workers.sink.store import SinkStore

__all__ = ["migrate_only", "run_sink"]

log = logging.getLogger("workers.sink")


def migrate_only(settings: Settings) -> list[int]:
    """Apply the schema migrations to ``settings.database_url``; returns the versions applied."""
    return SinkStore(settings.database_url, settings.sink_group_id).migrate()


def run_sink(settings: Settings, *, stop: threading.Event | None = None) -> None:
    """Migrate, serve metrics, then consume until SIGINT/SIGTERM (or ``stop`` is set).

    Raises:
        DatabaseUnavailable: [E910] PostgreSQL cannot be reached at start.
        MigrationError: [E911] the schema cannot be brought up to date.
        KafkaUnavailable: [E401] no broker answered.
        SystematicRefusal: [E918] the database refuses every event for one reason.
        NewerEvent: [E930] the story stage sends events newer than this sink reads.
    """
    setup_logging(settings.log_level)
    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        stop_on_signals(stop, "sink")
    registry = CollectorRegistry()
    ProcessCollector(registry=registry)
    PlatformCollector(registry=registry)
    metrics = SinkMetrics(registry)
    if settings.metrics_port:
        start_http_server(settings.metrics_port, addr=settings.metrics_host, registry=registry)
    store = SinkStore(settings.database_url, settings.sink_group_id)
    applied = store.migrate()
    log.info("sink: schema up to date (applied now: %s)", applied or "none")
    wait_for_broker(settings)
    consumer = SinkConsumer(settings, store, metrics, stop=stop)
    log.info(
        "sink: consuming %s (each once it exists) as group %s, up to %d events a transaction",
        ", ".join(consumer.topics),
        settings.sink_group_id,
        settings.sink_batch_max_events,
    )
    try:
        consumer.run()
    finally:
        store.close()
        log.info("sink: stopped")

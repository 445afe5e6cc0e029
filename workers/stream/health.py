"""The worker's HTTP endpoint: ``/metrics`` for Prometheus, ``/healthz`` and ``/readyz``.

Liveness says the process answers; readiness says it can do work: the model is loaded
and the consumer group has assigned it partitions. The story stage serves the same
endpoints; a standby of it is ready without partitions (it stands by, caught up).
"""

from __future__ import annotations

import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Protocol

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Gauge, generate_latest

from workers.exceptions import ConfigError

__all__ = ["HealthServer", "Readiness"]

log = logging.getLogger(__name__)


class ReadinessMetrics(Protocol):
    """The metrics readiness publishes (``PipelineMetrics``, ``StoriesMetrics``)."""

    registry: CollectorRegistry
    assigned_partitions: Gauge
    ready: Gauge


class Readiness:
    """What readiness depends on; updated by the worker as it starts and rebalances.

    Args:
        needs_partitions: not ready until partitions are assigned (False for a process
            that is ready to take them, such as the story stage's standby).
        starting: what ``/readyz`` says before :meth:`set_model_loaded`.
    """

    def __init__(
        self,
        metrics: ReadinessMetrics,
        *,
        needs_partitions: bool = True,
        starting: str = "starting (model loading, duplicate index catching up)",
    ) -> None:
        self._metrics = metrics
        self.model_loaded = False
        self.partitions: frozenset[int] = frozenset()
        self.needs_partitions = needs_partitions
        self.starting = starting

    @property
    def ready(self) -> bool:
        return self.model_loaded and (bool(self.partitions) or not self.needs_partitions)

    def set_model_loaded(self) -> None:
        self.model_loaded = True
        self._publish()

    def set_partitions(self, partitions: frozenset[int]) -> None:
        self.partitions = partitions
        self._metrics.assigned_partitions.set(len(partitions))
        self._publish()

    def _publish(self) -> None:
        self._metrics.ready.set(1 if self.ready else 0)


class HealthServer:
    """Serves the three endpoints from a daemon thread.

    Args:
        metrics: the registry to expose.
        readiness: the readiness state.
        host, port: where to listen; port 0 picks a free port (see :attr:`port`).
        port_setting: the variable that sets the port, for the error when it is taken.
    """

    def __init__(
        self,
        metrics: ReadinessMetrics,
        readiness: Readiness,
        *,
        host: str,
        port: int,
        port_setting: str = "NEWSFLOW_METRICS_PORT",
    ) -> None:
        registry = metrics.registry

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path.split("?")[0] == "/metrics":
                    self._reply(200, generate_latest(registry), CONTENT_TYPE_LATEST)
                elif self.path == "/healthz":
                    self._reply(200, b"ok\n")
                elif self.path == "/readyz":
                    ok = readiness.ready
                    body = (
                        b"ready\n"
                        if ok
                        else b"not ready: "
                        + (
                            b"partitions not assigned\n"
                            if readiness.model_loaded
                            else readiness.starting.encode() + b"\n"
                        )
                    )
                    self._reply(200 if ok else 503, body)
                else:
                    self._reply(404, b"not found: try /metrics, /healthz or /readyz\n")

            def _reply(self, status: int, body: bytes, content_type: str = "text/plain; charset=utf-8") -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass  # a scrape every 15 s would flood the worker log

        try:
            self._server = ThreadingHTTPServer((host, port), Handler)
        except OSError as exc:
            raise ConfigError(
                f"[E108] cannot serve /metrics on {host}:{port}: {exc.strerror}. Set {port_setting} "
                "to a free port (each worker on one host needs its own), or 0 to serve none."
            ) from None
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="health-http", daemon=True)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def start(self) -> None:
        self._thread.start()
        log.info("serving /metrics, /healthz and /readyz on port %d", self.port)

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

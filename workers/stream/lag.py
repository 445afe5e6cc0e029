"""Consumer lag, measured by the worker itself: log-end offset minus committed offset."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from typing import Any

from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition
from kafka.errors import KafkaError

from workers.kafka.client import client_config
from workers.metrics import PipelineMetrics
from workers.settings import Settings

__all__ = ["LagMonitor"]

log = logging.getLogger(__name__)

_ATTEMPTS = 5
_PROBE_TIMEOUT_MS = 5_000


class LagMonitor:
    """Measures the lag of the worker's consumer group on the input topic.

    Clients are created on first use and kept: one measurement is two requests.

    Args:
        settings: broker, group and input topic.
        metrics: where the lag gauges go.
    """

    def __init__(self, settings: Settings, metrics: PipelineMetrics) -> None:
        self._settings = settings
        self._metrics = metrics
        self._admin: KafkaAdminClient | None = None
        self._consumer: KafkaConsumer | None = None

    def measure(self, partitions: Iterable[int]) -> dict[int, int]:
        """Lag per partition (a partition with no committed offset counts from the log start)."""
        topic = self._settings.topic_raw
        tps = [TopicPartition(topic, p) for p in sorted(partitions)]
        if not tps:
            return {}
        if self._admin is None or self._consumer is None:
            self._admin = KafkaAdminClient(**client_config(self._settings, client_id="newsflow-lag"))
            self._consumer = KafkaConsumer(**client_config(self._settings, client_id="newsflow-lag", group_id=None))
        committed = self._committed(tps)
        ends = self._consumer.end_offsets(tps, timeout_ms=_PROBE_TIMEOUT_MS)
        starts = self._consumer.beginning_offsets(tps, timeout_ms=_PROBE_TIMEOUT_MS)
        lags = {}
        for tp in tps:
            meta = committed.get(tp)
            position = meta.offset if meta is not None and meta.offset >= 0 else starts[tp]
            lags[tp.partition] = max(0, ends[tp] - position)
        return lags

    def _committed(self, tps: list[TopicPartition]) -> dict[TopicPartition, Any]:
        group = self._settings.group_id
        assert self._admin is not None
        for attempt in range(_ATTEMPTS):
            try:
                offsets: dict[TopicPartition, Any] = self._admin.list_group_offsets({group: tps}).get(group, {})
                return offsets
            except KafkaError as exc:
                # e.g. CoordinatorNotAvailable while the broker creates __consumer_offsets
                if not exc.retriable or attempt == _ATTEMPTS - 1:
                    raise
                time.sleep(0.5 * (attempt + 1))
        raise AssertionError("unreachable")

    def update(self, partitions: Iterable[int]) -> None:
        """Measure and publish; a failed measurement is logged, counted, and skipped.

        Never raises: it runs in a Faust timer, and an exception there crashes the
        whole app. A broken probe must not stop the enrichment.
        """
        try:
            self._metrics.set_lag(self._settings.topic_raw, self.measure(partitions))
        except Exception as exc:  # noqa: BLE001 - see above
            self._metrics.failures.labels(reason="lag_probe_failed").inc()
            log.warning("consumer lag not measured: %r", exc)
            self.close()  # start from fresh clients next time

    def close(self) -> None:
        for client in (self._admin, self._consumer):
            if client is not None:
                client.close()
        self._admin = self._consumer = None

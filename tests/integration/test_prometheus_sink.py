"""The sink dashboard's queries (deploy/grafana/dashboards/sink.json), run by a real
Prometheus on a real ``newsflow sink``.

As ``test_prometheus.py`` does for the workers' dashboard: Debian's ``prometheus``
scrapes one ``newsflow sink`` every second under the sinks' job name of
deploy/prometheus/prometheus.yml, with deploy/prometheus/alerts.yml loaded. The sink gets
two rounds of records (enriched events, a copy of one, a dead letter and a record it
cannot read), so every labelled series exists after the first round and the second
shows in rate(). Then every PromQL expression of every panel runs through Prometheus'
HTTP API with the template variables filled in as Grafana would, and must return data:
a renamed metric, a wrong label or a job the dashboard does not select fails here.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import orjson
import pytest

from tests.integration.conftest import Broker, _free_port, isolated_settings
from tests.integration.postgres import fresh_database
from tests.integration.sink_support import sink_events
from tests.integration.test_prometheus import (
    PROCESSING_TIMEOUT,
    PROMETHEUS_START_TIMEOUT,
    Prometheus,
    resolve_variables,
    run_dashboard_queries,
    scalar,
    wait_for,
)
from tests.integration.test_sink_command import produce
from tests.integration.test_sink_faults import SinkProcess
from tests.test_deploy.deploy_files import SINK_DASHBOARD, SINK_JOB
from workers.settings import Settings
from workers.sink.local_cluster import LocalCluster
from workers.sink.samples import dead_letter_event, sample_stream

__all__ = ["sink_events"]  # the fixture, imported for pytest

SINK_READY_TIMEOUT = 120.0
#: Metrics of the sink dashboard that never move in this test, and why.
NOT_PROVOKED = {
    "newsflow_sink_database_errors_total": "the database would have to fail (the series exist at 0 from the start)",
}


@dataclass(frozen=True, slots=True)
class ScrapedSink:
    """A sink that has written records, and a Prometheus that has scraped it all."""

    settings: Settings
    sink: SinkProcess
    prometheus: Prometheus
    metrics_port: int

    @property
    def instance(self) -> str:
        return f"127.0.0.1:{self.metrics_port}"


def records_of(settings: Settings, events: list[dict[str, Any]], round_: int) -> list[tuple[str, bytes, bytes]]:
    """The events, one of them again, a dead letter and a record the sink cannot read."""
    enriched = [(settings.topic_enriched, e["id"].encode(), orjson.dumps(e)) for e in [*events, events[0]]]
    return [
        *enriched,
        (settings.topic_enriched, f"bad-{round_}".encode(), b"{not json"),
        (settings.topic_dlq, f"dead-{round_}".encode(), orjson.dumps(dead_letter_event(offset=round_))),
    ]


@pytest.fixture(scope="module")
def scraped_sink(
    broker: Broker,
    postgres: LocalCluster,
    sink_events: list[dict[str, Any]],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[ScrapedSink]:
    workdir = tmp_path_factory.mktemp("prometheus-sink")
    port = _free_port()
    with contextmanager(fresh_database)(postgres) as database:
        url = database.url
        settings = isolated_settings(broker.bootstrap, workdir / "sink-data").with_overrides(
            database_url=url, sink_group_id=f"sink-{uuid.uuid4().hex[:8]}", metrics_port=port
        )
        sink = SinkProcess(settings, workdir / "sink.log")
        prometheus = Prometheus(workdir, SINK_JOB, f"127.0.0.1:{port}")
        try:
            prometheus.wait_ready(PROMETHEUS_START_TIMEOUT)

            def logs() -> str:
                state = "running" if sink.proc.poll() is None else f"exited {sink.proc.returncode}"
                return f"sink ({state}):\n{sink.log()[-3000:]}\nprometheus:\n{prometheus.log()}"

            selector = f'job="{SINK_JOB}"'
            wait_for(
                lambda: scalar(prometheus, f"max(newsflow_sink_assigned_partitions{{{selector}}})") > 0,
                SINK_READY_TIMEOUT,
                "the sink to be scraped with partitions assigned",
                logs,
            )
            events = list(sample_stream(sink_events, 12, prefix=f"prom-{uuid.uuid4().hex[:6]}"))
            fed = 0
            for round_, part in enumerate((events[:6], events[6:])):
                records = records_of(settings, part, round_)
                produce(settings, records)
                fed += len(records)
                wait_for(
                    lambda fed=fed: scalar(prometheus, f"sum(newsflow_sink_events_total{{{selector}}})") >= fed,
                    PROCESSING_TIMEOUT,
                    f"{fed} records committed and scraped",
                    logs,
                )
            wait_for(
                lambda: scalar(prometheus, f"count(newsflow_sink_lag_messages{{{selector}}})") > 0,
                PROCESSING_TIMEOUT,
                "the sink's lag series",
                logs,
            )
            yield ScrapedSink(settings, sink, prometheus, port)
        finally:
            prometheus.stop()
            sink.stop()


def test_sink_dashboard_variables_offer_the_scraped_sink(scraped_sink: ScrapedSink) -> None:
    _, offered = resolve_variables(scraped_sink.prometheus, all_selected=False, path=SINK_DASHBOARD)
    assert offered == {"job": [SINK_JOB], "instance": [scraped_sink.instance]}


@pytest.mark.parametrize("all_selected", [False, True], ids=["selected", "all"])
def test_every_sink_dashboard_query_returns_data(scraped_sink: ScrapedSink, all_selected: bool) -> None:
    variables, _ = resolve_variables(scraped_sink.prometheus, all_selected=all_selected, path=SINK_DASHBOARD)
    problems = run_dashboard_queries(scraped_sink.prometheus, variables, path=SINK_DASHBOARD, not_provoked=NOT_PROVOKED)
    assert problems == []

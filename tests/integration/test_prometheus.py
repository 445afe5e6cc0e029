"""The dashboard's queries and the alert rules, run by a real Prometheus on a real worker.

Debian's ``prometheus`` binary (deploy/local/install-system-deps.sh installs it) scrapes
one ``newsflow worker`` every second under the job name of deploy/prometheus/prometheus.yml,
with deploy/prometheus/alerts.yml loaded. The worker gets two rounds of articles (half the
seeds, a copy of the first seed and a few invalid records each): every labelled series
exists after the first round, so the second shows in rate(). Then every PromQL expression
of every dashboard panel runs through Prometheus' HTTP API with the template variables
filled in as Grafana would, and must return data.

The scraped worker is shared by the tests of this module (a worker and a Prometheus take
tens of seconds to get going), so it is built here rather than with the function-scoped
``pipeline_settings`` and ``start_worker`` fixtures.
"""

from __future__ import annotations

import json
import math
import re
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import pytest
import yaml

from tests.conftest import SEEDS
from tests.integration.conftest import Broker, WorkerProcess, _free_port, isolated_settings
from tests.test_deploy.deploy_files import (
    ALERTS,
    DASHBOARD,
    alert_rules,
    dashboard_queries,
    dashboard_variables,
    require_tool,
    worker_job,
)
from tests.test_deploy.promql import metric_names
from workers.inputs.files import InputArticle, read_inputs
from workers.kafka.feed import feed_articles
from workers.settings import Settings

PROMETHEUS_START_TIMEOUT = 30.0
WORKER_READY_TIMEOUT = 120.0
PROCESSING_TIMEOUT = 120.0
RULES_TIMEOUT = 20.0
#: What Grafana's built-in interval variables become. The rate window is short so that a
#: test of about a minute has two rounds of samples in it; $__range spans the whole test.
INTERVALS = {"__rate_interval": "1m", "__interval": "5s", "__range": "10m"}
RANGE_SECONDS = 120
STEP_SECONDS = 5

#: The zero series some panels add so that they read 0 rather than "No data".
ZERO_FALLBACK = re.compile(r'\s+or\s+on\s*\(\)\s*(?:vector\(0\)|label_replace\(vector\(0\)(?:,\s*"[^"]*")*\))\s*$')
#: Metrics that never move in this test, and why.
NOT_PROVOKED = {
    "newsflow_failures_total": "publish, lag-probe and dedup failures: Kafka or the table would have to fail",
}

#: One invalid record of each kind the decoder turns into a dead letter.
INVALID_VALUES = (
    b"{not json",
    b"[1, 2]",
    b'{"title": "no body"}',
    b"\xff\xfe\xfd",
    b'{"body": "   "}',
    b'{"body": "Rain.", "published_at": "yesterday"}',
)


class Prometheus:
    """A Prometheus server on a free local port, its data and log in ``workdir``."""

    def __init__(self, workdir: Path, job: str, target: str) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = workdir / "prometheus.log"
        config = workdir / "prometheus.yml"
        config.write_text(
            yaml.safe_dump(
                {
                    "global": {"scrape_interval": "1s", "scrape_timeout": "1s", "evaluation_interval": "1s"},
                    "rule_files": [str(ALERTS)],
                    "scrape_configs": [{"job_name": job, "static_configs": [{"targets": [target]}]}],
                }
            )
        )
        with self.log_path.open("wb") as log:
            self.proc = subprocess.Popen(
                [
                    require_tool("prometheus"),
                    f"--config.file={config}",
                    f"--storage.tsdb.path={workdir / 'data'}",
                    f"--web.listen-address=127.0.0.1:{self.port}",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-3000:]

    def get(self, path: str, **params: str | list[str]) -> Any:
        """GET an API path; the ``data`` of a successful answer (an error raises)."""
        url = f"{self.url}{path}?{urllib.parse.urlencode(params, doseq=True)}"
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                body = json.load(response)
        except urllib.error.HTTPError as exc:  # 400/422: a bad query; the body says why
            body = json.load(exc)
        if body.get("status") != "success":
            raise PromQLError(f"{body.get('errorType')}: {body.get('error')}")
        return body["data"]

    def query(self, expr: str) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self.get("/api/v1/query", query=expr)["result"]
        return result

    def wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, f"prometheus exited:\n{self.log()}"
            try:
                with urllib.request.urlopen(f"{self.url}/-/ready", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.5)
        pytest.fail(f"prometheus not ready after {timeout:.0f} s:\n{self.log()}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class PromQLError(Exception):
    """Prometheus refused a query."""


@dataclass(frozen=True, slots=True)
class ScrapedPipeline:
    """A worker that has processed articles, and a Prometheus that has scraped it all."""

    settings: Settings
    worker: WorkerProcess
    prometheus: Prometheus
    job: str

    @property
    def instance(self) -> str:
        return f"127.0.0.1:{self.worker.metrics_port}"


def wait_for(condition: Callable[[], bool], timeout: float, what: str, on_timeout: Callable[[], str]) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.5)
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}\n{on_timeout()}")


def scalar(prometheus: Prometheus, expr: str) -> float:
    """The value of a one-series query, or -1 when it has no data yet."""
    result = prometheus.query(expr)
    return float(result[0]["value"][1]) if result else -1.0


def copy_of(article: InputArticle, round_: int) -> InputArticle:
    """The same body under another id: an exact duplicate once ``article`` was indexed."""
    body = orjson.loads(article.value)["body"]
    key = f"copy-{round_}"
    return InputArticle(key, key.encode(), orjson.dumps({"id": key, "body": body}))


def invalid_articles(round_: int) -> list[InputArticle]:
    return [
        InputArticle(f"invalid-{round_}-{i}", f"invalid-{round_}-{i}".encode(), value)
        for i, value in enumerate(INVALID_VALUES)
    ]


@pytest.fixture(scope="module")
def scraped(broker: Broker, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ScrapedPipeline]:
    workdir = tmp_path_factory.mktemp("prometheus")
    # lag_interval_seconds=1: lag series within a second of the assignment
    settings = isolated_settings(broker.bootstrap, workdir / "worker-data", lag_interval_seconds=1)
    job = worker_job()
    worker = WorkerProcess(settings, workdir / "worker.log", workdir / "worker-data")
    prometheus = Prometheus(workdir, job, f"127.0.0.1:{worker.metrics_port}")
    try:
        pipeline = ScrapedPipeline(settings, worker, prometheus, job)
        prometheus.wait_ready(PROMETHEUS_START_TIMEOUT)

        def logs() -> str:
            state = "running" if worker.proc.poll() is None else f"exited {worker.proc.returncode}"
            return f"worker ({state}):\n{worker.log()[-3000:]}\nprometheus:\n{prometheus.log()}"

        selector = f'job="{job}"'
        wait_for(
            lambda: scalar(prometheus, f"max(newsflow_worker_ready{{{selector}}})") == 1,
            WORKER_READY_TIMEOUT,
            "the worker to be scraped as ready",
            logs,
        )
        processed = (
            f"sum(newsflow_articles_enriched_total{{{selector}}}) + sum(newsflow_dead_letters_total{{{selector}}})"
        )

        def wait_processed(count: int) -> None:
            # Processed as Prometheus saw it: the next round's increments land in a later scrape.
            wait_for(
                lambda: scalar(prometheus, processed) >= count,
                PROCESSING_TIMEOUT,
                f"{count} inputs processed and scraped",
                logs,
            )

        seeds = list(read_inputs([str(SEEDS)]))
        half = len(seeds) // 2
        fed = 0
        for round_, articles in enumerate((seeds[:half], seeds[half:])):
            batch = [*articles, copy_of(seeds[0], round_), *invalid_articles(round_)]
            assert feed_articles(batch, settings).sent == len(batch)
            fed += len(batch)
            wait_processed(fed)
        wait_for(
            lambda: scalar(prometheus, f"count(newsflow_consumer_lag_messages{{{selector}}})") == settings.partitions,
            PROCESSING_TIMEOUT,
            "a lag series per partition",
            logs,
        )
        yield pipeline
    finally:
        prometheus.stop()
        worker.stop()


# ----------------------------------------------------------------- template variables


def grafana_regex(values: list[str]) -> str:
    """A multi-value variable as Grafana writes it into a Prometheus regex matcher."""
    escaped = [re.sub(r"([\\^$*+?.()|{}\[\]])", r"\\\\\1", v) for v in values]
    return escaped[0] if len(escaped) == 1 else f"({'|'.join(escaped)})"


def substitute(expr: str, variables: dict[str, str]) -> str:
    """``expr`` with ``$name`` / ``${name}`` replaced; an unknown variable is an error."""
    values = {**variables, **INTERVALS}

    def replace(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2)
        if name not in values:
            raise KeyError(f"no value for ${name} in {expr!r}")
        return values[name]

    return re.sub(r"\$\{(\w+)\}|\$(\w+)", replace, expr)


def resolve_variables(
    prometheus: Prometheus, *, all_selected: bool, path: Path = DASHBOARD
) -> tuple[dict[str, str], dict[str, list[str]]]:
    """Each variable's text for the queries of the dashboard at ``path``, and the values
    its query offered.

    ``all_selected``: multi-value variables set to "All" (their allValue, ``.*``);
    otherwise every value the variable query offers is selected.
    """
    texts: dict[str, str] = {}
    offered: dict[str, list[str]] = {}
    for var in dashboard_variables(path):
        selector = substitute(var.selector, texts)
        values = prometheus.get(f"/api/v1/label/{var.label}/values", **{"match[]": selector})
        offered[var.name] = values
        if not values:
            texts[var.name] = "no-value-offered"
        elif var.multi:
            texts[var.name] = var.all_value if all_selected and var.all_value else grafana_regex(values)
        else:
            texts[var.name] = values[0]
    return texts, offered


def has_data(result: list[dict[str, Any]]) -> bool:
    """At least one sample that is a number (NaN is what Grafana draws as a gap)."""
    samples = [s for series in result for s in (series.get("values") or [series.get("value")]) if s]
    return any(not math.isnan(float(value)) for _, value in samples)


def run_query(prometheus: Prometheus, expr: str, *, instant: bool, now: float) -> list[dict[str, Any]]:
    """A query as Grafana sends it: instant, or a range over the last minutes."""
    if instant:
        result = prometheus.get("/api/v1/query", query=expr, time=str(now))["result"]
    else:
        result = prometheus.get(
            "/api/v1/query_range",
            query=expr,
            start=str(now - RANGE_SECONDS),
            end=str(now),
            step=str(STEP_SECONDS),
        )["result"]
    return list(result)


def run_dashboard_queries(
    prometheus: Prometheus,
    variables: dict[str, str],
    *,
    path: Path = DASHBOARD,
    not_provoked: dict[str, str] = NOT_PROVOKED,
) -> list[str]:
    """Every query of the dashboard at ``path`` as Grafana would send it; the problems,
    one line each.

    A query that ends in a zero fallback (``... or on () label_replace(vector(0), ...)``)
    always has data; its left side alone must have data too, unless it reads a metric
    this test cannot provoke, so that the fallback cannot hide a wrong label or name.
    """
    now = time.time()
    problems = []
    queries = dashboard_queries(path)
    assert queries, f"{path} has no queries"
    for q in queries:
        expr = substitute(q.expr, variables)
        bare = ZERO_FALLBACK.sub("", expr)
        checks = [expr]
        if bare != expr and not metric_names(bare) & not_provoked.keys():
            checks.append(bare)
        for check in checks:
            try:
                result = run_query(prometheus, check, instant=q.instant, now=now)
            except PromQLError as exc:
                problems.append(f"{q.panel} [{q.ref_id}]: error {exc} in {check}")
                continue
            if not has_data(result):
                problems.append(f"{q.panel} [{q.ref_id}]: no data for {check}")
    return problems


# ----------------------------------------------------------------------------- tests


def test_dashboard_variables_offer_the_scraped_worker_and_its_topics(scraped: ScrapedPipeline) -> None:
    _, offered = resolve_variables(scraped.prometheus, all_selected=False)
    settings = scraped.settings
    assert offered["job"] == [scraped.job]
    assert offered["instance"] == [scraped.instance]
    assert offered["topic"] == [settings.topic_raw]
    assert sorted(offered["output_topic"]) == sorted(settings.output_topics)


def test_every_dashboard_query_returns_data_for_the_selected_worker(scraped: ScrapedPipeline) -> None:
    variables, _ = resolve_variables(scraped.prometheus, all_selected=False)
    assert run_dashboard_queries(scraped.prometheus, variables) == []


def test_every_dashboard_query_returns_data_with_all_selected(scraped: ScrapedPipeline) -> None:
    variables, _ = resolve_variables(scraped.prometheus, all_selected=True)
    assert run_dashboard_queries(scraped.prometheus, variables) == []


def test_every_alert_rule_evaluates_without_error(scraped: ScrapedPipeline) -> None:
    def rules() -> list[dict[str, Any]]:
        groups = scraped.prometheus.get("/api/v1/rules", type="alert")["groups"]
        return [rule for group in groups for rule in group["rules"]]

    wait_for(
        lambda: all(r["health"] != "unknown" for r in rules()),
        RULES_TIMEOUT,
        "every rule to be evaluated",
        scraped.prometheus.log,
    )
    assert sorted(r["name"] for r in rules()) == sorted(r["alert"] for r in alert_rules())
    assert {r["name"]: r.get("lastError") for r in rules() if r["health"] != "ok"} == {}


def test_dead_letter_alert_is_pending_when_a_third_of_the_input_is_invalid(scraped: ScrapedPipeline) -> None:
    def states() -> dict[str, str]:
        return {a["labels"]["alertname"]: a["state"] for a in scraped.prometheus.get("/api/v1/alerts")["alerts"]}

    wait_for(
        lambda: "NewsflowDeadLetterRateHigh" in states(),
        RULES_TIMEOUT,
        "NewsflowDeadLetterRateHigh to be pending",
        lambda: str(states()),
    )
    # pending, not firing: the rule wants 10 minutes of it.
    assert states()["NewsflowDeadLetterRateHigh"] == "pending"

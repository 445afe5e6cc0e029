"""Read the files under deploy/: the dashboard's queries, the alert rules, manifests.

Shared by the deploy tests and by tests/integration/test_prometheus.py, which runs the
dashboard's queries against a real Prometheus.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from workers.metrics import METRIC_NAMES

__all__ = [
    "ALERTS",
    "ALERT_TESTS",
    "COMPOSE",
    "DASHBOARD",
    "DASHBOARDS",
    "DASHBOARD_PROVIDERS",
    "DATASOURCES",
    "DEPLOY",
    "DOCKERFILE",
    "KUBERNETES",
    "PROMETHEUS_CONFIG",
    "REPO",
    "SINK_DASHBOARD",
    "SINK_JOB",
    "STORIES_DASHBOARD",
    "STORIES_JOB",
    "STORIES_METRICS_PORT",
    "STORIES_PORT_VARIABLE",
    "DashboardQuery",
    "VariableQuery",
    "alert_rules",
    "allowed_metric_names",
    "dashboard",
    "dashboard_panels",
    "dashboard_queries",
    "dashboard_variables",
    "is_allowed_metric",
    "kubernetes_object",
    "kubernetes_objects",
    "load_yaml",
    "require_tool",
    "sink_job",
    "stories_job",
    "worker_job",
]

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
DASHBOARD = DEPLOY / "grafana" / "dashboards" / "newsflow.json"
#: The sink's dashboard (newsflow sink), on the sink's own scrape job.
SINK_DASHBOARD = DEPLOY / "grafana" / "dashboards" / "sink.json"
STORIES_DASHBOARD = DEPLOY / "grafana" / "dashboards" / "stories.json"
DASHBOARDS = (DASHBOARD, SINK_DASHBOARD, STORIES_DASHBOARD)
#: The scrape job of the sinks (prometheus.yml); the workers' is :func:`worker_job`.
SINK_JOB = "newsflow-sink"
#: The scrape job of the stories stage, its metrics port and the variable that sets it:
#: the deploy files name the port in each place they need it, and the tests hold them
#: to this one value.
STORIES_JOB = "newsflow-stories"
STORIES_METRICS_PORT = 9401
STORIES_PORT_VARIABLE = "NEWSFLOW_STORIES_METRICS_PORT"
DATASOURCES = DEPLOY / "grafana" / "provisioning" / "datasources" / "prometheus.yml"
DASHBOARD_PROVIDERS = DEPLOY / "grafana" / "provisioning" / "dashboards" / "newsflow.yml"
PROMETHEUS_CONFIG = DEPLOY / "prometheus" / "prometheus.yml"
ALERTS = DEPLOY / "prometheus" / "alerts.yml"
ALERT_TESTS = DEPLOY / "prometheus" / "alerts.test.yml"
COMPOSE = DEPLOY / "docker-compose.yml"
KUBERNETES = DEPLOY / "kubernetes"
DOCKERFILE = DEPLOY / "docker" / "Dockerfile"
INSTALL_SYSTEM_DEPS = "deploy/local/install-system-deps.sh"

#: Metric names a query may use besides the pipeline's own: the scrape's ``up`` and
#: prometheus_client's ProcessCollector, which the worker registers (workers/stream/worker.py).
EXTRA_METRIC_PREFIXES = ("process_",)
EXTRA_METRIC_NAMES = frozenset({"up"})


def require_tool(name: str) -> str:
    """The path of a Debian ``prometheus`` package binary; the test fails without it."""
    path = shutil.which(name)
    if path is None:
        pytest.fail(
            f"{name} is not installed: run {INSTALL_SYSTEM_DEPS} (make test does) to install "
            "Debian's prometheus package, which provides prometheus and promtool"
        )
    return path


def load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def allowed_metric_names() -> frozenset[str]:
    """Series names the worker exposes (workers.metrics.METRIC_NAMES) plus ``up``.

    METRIC_NAMES also lists family names that Prometheus never stores: a counter
    ``x`` is exposed as ``x_total``, a histogram as ``x_bucket``/``x_sum``/``x_count``,
    an Info as ``x_info``. A query on the bare family name returns nothing, so those
    are left out.
    """
    families = {n for n in METRIC_NAMES if {f"{n}_total", f"{n}_bucket", f"{n}_info"} & METRIC_NAMES}
    return frozenset(METRIC_NAMES - families) | EXTRA_METRIC_NAMES


def is_allowed_metric(name: str) -> bool:
    return name in allowed_metric_names() or name.startswith(EXTRA_METRIC_PREFIXES)


# ------------------------------------------------------------------------- Grafana


@dataclass(frozen=True, slots=True)
class DashboardQuery:
    """One PromQL expression of one panel."""

    panel: str
    ref_id: str
    expr: str
    instant: bool


@dataclass(frozen=True, slots=True)
class VariableQuery:
    """A ``label_values(selector, label)`` template variable."""

    name: str
    selector: str
    label: str
    multi: bool
    include_all: bool
    all_value: str | None


def dashboard(path: Path = DASHBOARD) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _panels(panels: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for panel in panels:
        yield panel
        yield from _panels(panel.get("panels", []))  # collapsed rows hold their panels


def dashboard_panels(path: Path = DASHBOARD) -> list[dict[str, Any]]:
    return [p for p in _panels(dashboard(path)["panels"]) if p.get("type") != "row"]


def dashboard_queries(path: Path = DASHBOARD) -> list[DashboardQuery]:
    return [
        DashboardQuery(panel["title"], target["refId"], target["expr"], bool(target.get("instant")))
        for panel in dashboard_panels(path)
        for target in panel.get("targets", [])
        if not target.get("hide")
    ]


_LABEL_VALUES = re.compile(
    r"^\s*label_values\(\s*(?P<selector>.*?)\s*,\s*(?P<label>[a-zA-Z_][a-zA-Z0-9_]*)\s*\)\s*$", re.S
)


def dashboard_variables(path: Path = DASHBOARD) -> list[VariableQuery]:
    """The query variables, in dashboard order (a variable may use those before it)."""
    variables = []
    for var in dashboard(path)["templating"]["list"]:
        if var.get("type") != "query":
            continue
        query = var["query"]["query"] if isinstance(var["query"], dict) else var["query"]
        match = _LABEL_VALUES.match(query)
        if match is None:
            raise ValueError(f"variable {var['name']}: expected label_values(selector, label), got {query!r}")
        variables.append(
            VariableQuery(
                var["name"],
                match["selector"],
                match["label"],
                bool(var.get("multi")),
                bool(var.get("includeAll")),
                var.get("allValue"),
            )
        )
    return variables


# ---------------------------------------------------------------------- Prometheus


def worker_job() -> str:
    """The job that scrapes the workers (on the settings' metrics port) in prometheus.yml."""
    from workers.settings import Settings

    port = f":{Settings().metrics_port}"
    (job,) = [
        j["job_name"]
        for j in load_yaml(PROMETHEUS_CONFIG)["scrape_configs"]
        if j["job_name"] != SINK_JOB
        and any(t.endswith(port) for group in j.get("static_configs", []) for t in group["targets"])
    ]
    return str(job)


def sink_job() -> dict[str, Any]:
    """The scrape config of the sinks in prometheus.yml."""
    (job,) = [j for j in load_yaml(PROMETHEUS_CONFIG)["scrape_configs"] if j["job_name"] == SINK_JOB]
    return dict(job)


def stories_job() -> dict[str, Any]:
    """The scrape config of the stories stage in prometheus.yml."""
    (job,) = [j for j in load_yaml(PROMETHEUS_CONFIG)["scrape_configs"] if j["job_name"] == STORIES_JOB]
    return dict(job)


def alert_rules() -> list[dict[str, Any]]:
    return [rule for group in load_yaml(ALERTS)["groups"] for rule in group["rules"] if "alert" in rule]


# ---------------------------------------------------------------------- Kubernetes


def kubernetes_objects() -> list[dict[str, Any]]:
    """Every object of every manifest kustomization.yaml lists."""
    kustomization = load_yaml(KUBERNETES / "kustomization.yaml")
    objects: list[dict[str, Any]] = []
    for name in kustomization["resources"]:
        objects.extend(doc for doc in yaml.safe_load_all((KUBERNETES / name).read_text(encoding="utf-8")) if doc)
    return objects


def kubernetes_object(kind: str, name: str | None = None) -> dict[str, Any]:
    """The one object of ``kind`` (named ``name``, if given); the test fails if there is not
    exactly one."""
    found = [o for o in kubernetes_objects() if o.get("kind") == kind and name in (None, o["metadata"]["name"])]
    if len(found) != 1:
        pytest.fail(f"expected one {kind} {name or ''} in deploy/kubernetes, found {len(found)}")
    return found[0]

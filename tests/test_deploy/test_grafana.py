"""deploy/grafana/: the dashboard kept in git and its provisioning."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.test_deploy.deploy_files import (
    COMPOSE,
    DASHBOARD,
    DASHBOARD_PROVIDERS,
    DASHBOARDS,
    DATASOURCES,
    PROMETHEUS_CONFIG,
    SINK_DASHBOARD,
    SINK_JOB,
    STORIES_DASHBOARD,
    dashboard,
    dashboard_panels,
    dashboard_queries,
    dashboard_variables,
    is_allowed_metric,
    load_yaml,
)
from tests.test_deploy.promql import metric_names
from workers.metrics import METRIC_NAMES

#: Metrics with no panel, and why. Everything else the worker exports must be shown.
NOT_ON_THE_DASHBOARD: dict[str, str] = {}
#: The sink's metrics are on the sink's dashboard (its own scrape job), the rest on the workers'.
SINK_PREFIX = "newsflow_sink_"
#: The story stage's metrics are on the stories dashboard.
STORIES_PREFIX = "newsflow_stories_"
each_dashboard = pytest.mark.parametrize("board", DASHBOARDS, ids=lambda p: p.name)


def provisioned_datasource() -> dict[str, object]:
    (datasource,) = load_yaml(DATASOURCES)["datasources"]
    return dict(datasource)


@each_dashboard
def test_dashboard_has_a_uid_a_title_and_panels(board: Path) -> None:
    data = dashboard(board)
    assert data["uid"] and data["title"] and dashboard_panels(board)


def test_dashboards_have_distinct_uids() -> None:
    assert len({dashboard(b)["uid"] for b in DASHBOARDS}) == len(DASHBOARDS)


@each_dashboard
def test_panel_ids_are_unique(board: Path) -> None:
    ids = [panel["id"] for panel in dashboard_panels(board)]
    assert len(ids) == len(set(ids))


@each_dashboard
def test_every_panel_has_a_query(board: Path) -> None:
    assert [p["title"] for p in dashboard_panels(board) if not any(t.get("expr") for t in p.get("targets", []))] == []


@each_dashboard
def test_dashboard_queries_use_only_metrics_the_worker_exports(board: Path) -> None:
    unknown = sorted(
        f"{q.panel} [{q.ref_id}]: {name}"
        for q in dashboard_queries(board)
        for name in metric_names(q.expr)
        if not is_allowed_metric(name)
    )
    assert unknown == []


@each_dashboard
def test_variable_queries_use_only_metrics_the_worker_exports(board: Path) -> None:
    unknown = sorted(
        f"${v.name}: {name}"
        for v in dashboard_variables(board)
        for name in metric_names(v.selector)
        if not is_allowed_metric(name)
    )
    assert unknown == []


def shown_on(board: Path) -> set[str]:
    return {
        re.sub(r"_(bucket|sum|count|total|info)$", "", n)
        for q in dashboard_queries(board)
        for n in metric_names(q.expr)
    }


def exported() -> set[str]:
    return {re.sub(r"_(bucket|sum|count|total|info|created)$", "", n) for n in METRIC_NAMES}


def test_every_metric_the_worker_exports_is_on_the_dashboard() -> None:
    workers = {n for n in exported() if not n.startswith((SINK_PREFIX, STORIES_PREFIX))}
    missing = workers - shown_on(DASHBOARD) - {re.sub(r"_total$", "", n) for n in NOT_ON_THE_DASHBOARD}
    assert sorted(missing) == []


def test_every_metric_the_sink_exports_is_on_the_sink_dashboard() -> None:
    sink = {n for n in exported() if n.startswith(SINK_PREFIX)}
    assert sink and sorted(sink - shown_on(SINK_DASHBOARD)) == []


def test_every_metric_the_story_stage_exports_is_on_the_stories_dashboard() -> None:
    stories = {n for n in exported() if n.startswith(STORIES_PREFIX)}
    assert stories and sorted(stories - shown_on(STORIES_DASHBOARD)) == []


def test_the_stories_dashboard_shows_only_the_stage_metrics() -> None:
    assert all(n.startswith(STORIES_PREFIX) or n == "up" for n in shown_on(STORIES_DASHBOARD))


def test_the_workers_dashboard_shows_no_sink_metric_and_the_sinks_no_worker_metric() -> None:
    assert not any(n.startswith((SINK_PREFIX, STORIES_PREFIX)) for n in shown_on(DASHBOARD))
    assert all(n.startswith(SINK_PREFIX) or n == "up" or n.startswith("process_") for n in shown_on(SINK_DASHBOARD))


def test_dashboard_has_job_instance_and_topic_variables() -> None:
    variables = {v.name: v for v in dashboard_variables()}
    assert {"job", "instance", "topic"} <= set(variables)
    assert variables["topic"].label == "topic"
    assert metric_names(variables["topic"].selector) <= {
        "newsflow_records_consumed_total",
        "newsflow_records_produced_total",
    }


@each_dashboard
def test_multi_value_variables_offer_all_as_a_regex(board: Path) -> None:
    assert [v.name for v in dashboard_variables(board) if v.multi and not (v.include_all and v.all_value == ".*")] == []


def test_job_variable_defaults_to_the_job_prometheus_scrapes() -> None:
    (job,) = [v for v in dashboard()["templating"]["list"] if v["name"] == "job"]
    jobs = {j["job_name"] for j in load_yaml(PROMETHEUS_CONFIG)["scrape_configs"]}
    assert job["current"]["value"] in jobs


def test_sink_job_variable_defaults_to_the_sink_job_prometheus_scrapes() -> None:
    (job,) = [v for v in dashboard(SINK_DASHBOARD)["templating"]["list"] if v["name"] == "job"]
    jobs = {j["job_name"] for j in load_yaml(PROMETHEUS_CONFIG)["scrape_configs"]}
    assert job["current"]["value"] == SINK_JOB and SINK_JOB in jobs
    assert {v.name for v in dashboard_variables(SINK_DASHBOARD)} == {"job", "instance"}


@each_dashboard
def test_every_query_follows_the_job_and_instance_variables(board: Path) -> None:
    ignoring = [
        q.panel for q in dashboard_queries(board) if 'job="$job"' not in q.expr or 'instance=~"$instance"' not in q.expr
    ]
    assert ignoring == []


@each_dashboard
def test_every_division_guards_against_a_zero_divisor(board: Path) -> None:
    # "a / b" where b can be 0 gives NaN or +Inf: the divisor must be filtered (> 0) or clamped.
    unguarded = [
        f"{q.panel} [{q.ref_id}]"
        for q in dashboard_queries(board)
        if " / " in q.expr and not re.search(r"clamp_min\(|>\s*0\)", q.expr.split(" / ", 1)[1])
    ]
    assert unguarded == []


@each_dashboard
def test_histogram_quantiles_keep_the_le_label(board: Path) -> None:
    broken = [
        f"{q.panel} [{q.ref_id}]"
        for q in dashboard_queries(board)
        if "histogram_quantile" in q.expr and not re.search(r"by \([^)]*\ble\b[^)]*\)", q.expr)
    ]
    assert broken == []


@each_dashboard
def test_panels_and_variables_use_the_provisioned_datasource(board: Path) -> None:
    uid = provisioned_datasource()["uid"]
    used = {p["datasource"]["uid"] for p in dashboard_panels(board)}
    used |= {t["datasource"]["uid"] for p in dashboard_panels(board) for t in p["targets"] if "datasource" in t}
    used |= {v["datasource"]["uid"] for v in dashboard(board)["templating"]["list"] if "datasource" in v}
    assert used == {uid}


def test_datasource_time_interval_is_the_scrape_interval() -> None:
    jsondata = provisioned_datasource()["jsonData"]
    assert isinstance(jsondata, dict)
    assert jsondata["timeInterval"] == load_yaml(PROMETHEUS_CONFIG)["global"]["scrape_interval"]


def test_datasource_points_at_the_compose_prometheus() -> None:
    assert provisioned_datasource()["url"] == "http://prometheus:9090"
    assert "prometheus" in load_yaml(COMPOSE)["services"]


def test_dashboard_provider_reads_the_folder_compose_mounts_the_dashboards_on() -> None:
    (provider,) = load_yaml(DASHBOARD_PROVIDERS)["providers"]
    grafana = load_yaml(COMPOSE)["services"]["grafana"]
    mounts = {target: source for source, target, *_ in (v.split(":") for v in grafana["volumes"])}
    source = mounts.get(provider["options"]["path"])
    assert source is not None, f"nothing mounted on {provider['options']['path']}: {mounts}"
    assert (COMPOSE.parent / source).resolve() == DASHBOARD.parent

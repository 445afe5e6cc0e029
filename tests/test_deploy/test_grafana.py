"""deploy/grafana/: the dashboard kept in git and its provisioning."""

from __future__ import annotations

import re

from tests.test_deploy.deploy_files import (
    COMPOSE,
    DASHBOARD,
    DASHBOARD_PROVIDERS,
    DATASOURCES,
    PROMETHEUS_CONFIG,
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


def provisioned_datasource() -> dict[str, object]:
    (datasource,) = load_yaml(DATASOURCES)["datasources"]
    return dict(datasource)


def test_dashboard_has_a_uid_a_title_and_panels() -> None:
    board = dashboard()
    assert board["uid"] and board["title"] and dashboard_panels()


def test_panel_ids_are_unique() -> None:
    ids = [panel["id"] for panel in dashboard_panels()]
    assert len(ids) == len(set(ids))


def test_every_panel_has_a_query() -> None:
    assert [p["title"] for p in dashboard_panels() if not any(t.get("expr") for t in p.get("targets", []))] == []


def test_dashboard_queries_use_only_metrics_the_worker_exports() -> None:
    unknown = sorted(
        f"{q.panel} [{q.ref_id}]: {name}"
        for q in dashboard_queries()
        for name in metric_names(q.expr)
        if not is_allowed_metric(name)
    )
    assert unknown == []


def test_variable_queries_use_only_metrics_the_worker_exports() -> None:
    unknown = sorted(
        f"${v.name}: {name}"
        for v in dashboard_variables()
        for name in metric_names(v.selector)
        if not is_allowed_metric(name)
    )
    assert unknown == []


def test_every_metric_the_worker_exports_is_on_the_dashboard() -> None:
    shown = {
        re.sub(r"_(bucket|sum|count|total|info)$", "", n) for q in dashboard_queries() for n in metric_names(q.expr)
    }
    exported = {re.sub(r"_(bucket|sum|count|total|info|created)$", "", n) for n in METRIC_NAMES}
    missing = exported - shown - {re.sub(r"_total$", "", n) for n in NOT_ON_THE_DASHBOARD}
    assert sorted(missing) == []


def test_dashboard_has_job_instance_and_topic_variables() -> None:
    variables = {v.name: v for v in dashboard_variables()}
    assert {"job", "instance", "topic"} <= set(variables)
    assert variables["topic"].label == "topic"
    assert metric_names(variables["topic"].selector) <= {
        "newsflow_records_consumed_total",
        "newsflow_records_produced_total",
    }


def test_multi_value_variables_offer_all_as_a_regex() -> None:
    assert [v.name for v in dashboard_variables() if v.multi and not (v.include_all and v.all_value == ".*")] == []


def test_job_variable_defaults_to_the_job_prometheus_scrapes() -> None:
    (job,) = [v for v in dashboard()["templating"]["list"] if v["name"] == "job"]
    jobs = {j["job_name"] for j in load_yaml(PROMETHEUS_CONFIG)["scrape_configs"]}
    assert job["current"]["value"] in jobs


def test_every_query_follows_the_job_and_instance_variables() -> None:
    ignoring = [
        q.panel for q in dashboard_queries() if 'job="$job"' not in q.expr or 'instance=~"$instance"' not in q.expr
    ]
    assert ignoring == []


def test_every_division_guards_against_a_zero_divisor() -> None:
    # "a / b" where b can be 0 gives NaN or +Inf: the divisor must be filtered (> 0) or clamped.
    unguarded = [
        f"{q.panel} [{q.ref_id}]"
        for q in dashboard_queries()
        if " / " in q.expr and not re.search(r"clamp_min\(|>\s*0\)", q.expr.split(" / ", 1)[1])
    ]
    assert unguarded == []


def test_histogram_quantiles_keep_the_le_label() -> None:
    broken = [
        f"{q.panel} [{q.ref_id}]"
        for q in dashboard_queries()
        if "histogram_quantile" in q.expr and not re.search(r"by \([^)]*\ble\b[^)]*\)", q.expr)
    ]
    assert broken == []


def test_panels_and_variables_use_the_provisioned_datasource() -> None:
    uid = provisioned_datasource()["uid"]
    used = {p["datasource"]["uid"] for p in dashboard_panels()}
    used |= {t["datasource"]["uid"] for p in dashboard_panels() for t in p["targets"] if "datasource" in t}
    used |= {v["datasource"]["uid"] for v in dashboard()["templating"]["list"] if "datasource" in v}
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

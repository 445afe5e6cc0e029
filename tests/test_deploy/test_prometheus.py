"""deploy/prometheus/: the scrape config, the alert rules and their unit tests.

promtool comes with Debian's prometheus package; deploy/local/install-system-deps.sh
installs it (make test runs that script), so a missing promtool fails, never skips.
"""

from __future__ import annotations

import re
import subprocess
from typing import Any

from tests.test_deploy.deploy_files import (
    ALERT_TESTS,
    ALERTS,
    DASHBOARDS,
    PROMETHEUS_CONFIG,
    SINK_JOB,
    STORIES_JOB,
    alert_rules,
    dashboard_panels,
    is_allowed_metric,
    load_yaml,
    require_tool,
    sink_job,
    worker_job,
)
from tests.test_deploy.promql import metric_names
from workers.settings import Settings


def promtool(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [require_tool("promtool"), *args], capture_output=True, text=True, timeout=120, cwd=ALERTS.parent
    )


def worker_scrape_config() -> dict[str, Any]:
    jobs = {job["job_name"]: job for job in load_yaml(PROMETHEUS_CONFIG)["scrape_configs"]}
    return dict(jobs[worker_job()])


def test_promtool_accepts_the_prometheus_config() -> None:
    result = promtool("check", "config", PROMETHEUS_CONFIG.name)
    assert result.returncode == 0, result.stdout + result.stderr


def test_promtool_accepts_the_alert_rules() -> None:
    result = promtool("check", "rules", ALERTS.name)
    assert result.returncode == 0, result.stdout + result.stderr


def test_alert_unit_tests_pass() -> None:
    result = promtool("test", "rules", ALERT_TESTS.name)
    assert result.returncode == 0, result.stdout + result.stderr


def test_prometheus_config_loads_the_alert_rules() -> None:
    assert ALERTS.name in load_yaml(PROMETHEUS_CONFIG)["rule_files"]


def test_alert_unit_tests_load_the_alert_rules() -> None:
    assert load_yaml(ALERT_TESTS)["rule_files"] == [ALERTS.name]


def alert_test_cases() -> list[dict[str, Any]]:
    return [case for test in load_yaml(ALERT_TESTS)["tests"] for case in test.get("alert_rule_test", [])]


def test_every_alert_has_a_unit_test_where_it_fires() -> None:
    firing = {case["alertname"] for case in alert_test_cases() if case.get("exp_alerts")}
    assert {rule["alert"] for rule in alert_rules()} - firing == set()


def test_every_alert_has_a_unit_test_where_it_stays_quiet() -> None:
    quiet = {case["alertname"] for case in alert_test_cases() if not case.get("exp_alerts")}
    assert {rule["alert"] for rule in alert_rules()} - quiet == set()


def test_every_alert_has_a_severity_a_summary_and_a_description() -> None:
    incomplete = [
        rule["alert"]
        for rule in alert_rules()
        if rule.get("labels", {}).get("severity") not in {"warning", "critical"}
        or not rule.get("annotations", {}).get("summary")
        or len(rule.get("annotations", {}).get("description", "")) < 80  # runbook-style text, not a title
    ]
    assert incomplete == []


def test_alert_expressions_use_only_metrics_the_worker_exports() -> None:
    unknown = {
        rule["alert"]: sorted(n for n in metric_names(rule["expr"]) if not is_allowed_metric(n))
        for rule in alert_rules()
    }
    assert {alert: names for alert, names in unknown.items() if names} == {}


def test_alerts_on_up_select_the_job_that_scrapes_the_workers_or_the_sinks() -> None:
    jobs = {
        rule["alert"]: set(re.findall(r'up\{[^}]*job="([^"]*)"', rule["expr"]))
        for rule in alert_rules()
        if "up" in metric_names(rule["expr"])
    }
    expected = {
        alert: {
            SINK_JOB
            if alert.startswith("NewsflowSink")
            else STORIES_JOB
            if alert.startswith("NewsflowStories")
            else worker_scrape_config()["job_name"]
        }
        for alert in jobs
    }
    assert jobs == expected and any(a.startswith("NewsflowSink") for a in jobs)


def test_prometheus_scrapes_the_sink_on_the_settings_metrics_port() -> None:
    targets = [t for group in sink_job()["static_configs"] for t in group["targets"]]
    assert targets and {t.rsplit(":", 1)[1] for t in targets} == {str(Settings().metrics_port)}


def test_sink_alerts_read_only_sink_metrics_or_the_sink_job() -> None:
    for rule in alert_rules():
        if rule["alert"].startswith("NewsflowSink"):
            names = metric_names(rule["expr"])
            assert all(n.startswith("newsflow_sink_") or n == "up" for n in names), rule["alert"]


def test_story_stage_alerts_read_only_stage_metrics_or_the_stage_job() -> None:
    for rule in alert_rules():
        if rule["alert"].startswith("NewsflowStories"):
            names = metric_names(rule["expr"])
            assert all(n.startswith("newsflow_stories_") or n == "up" for n in names), rule["alert"]
            assert f'job="{STORIES_JOB}"' in rule["expr"], rule["alert"]


def test_prometheus_scrapes_the_workers_on_the_settings_metrics_port() -> None:
    targets = [t for group in worker_scrape_config()["static_configs"] for t in group["targets"]]
    assert targets
    assert {t.rsplit(":", 1)[1] for t in targets} == {str(Settings().metrics_port)}
    assert worker_scrape_config().get("metrics_path", "/metrics") == "/metrics"


def test_panels_named_in_alert_descriptions_exist_on_the_dashboard() -> None:
    titles = [panel["title"] for board in DASHBOARDS for panel in dashboard_panels(board)]
    named = {
        name
        for rule in alert_rules()
        for name in re.findall(r'"([^"]+)"(?= (?:and "[^"]+" )?panels?\b)', rule["annotations"]["description"])
    }
    assert named, "the descriptions point at dashboard panels"
    assert sorted(n for n in named if not any(t.startswith(n) for t in titles)) == []

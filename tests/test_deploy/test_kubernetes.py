"""deploy/kubernetes/: manifests for the workers, their scraping and their autoscaling."""

from __future__ import annotations

from typing import Any

from tests.test_deploy.deploy_files import (
    PROMETHEUS_CONFIG,
    SINK_JOB,
    STORIES_JOB,
    STORIES_METRICS_PORT,
    STORIES_PORT_VARIABLE,
    kubernetes_object,
    kubernetes_objects,
    load_yaml,
)
from workers.settings import Settings

WORKER = "newsflow-worker"
SINK = "newsflow-sink"
STORIES = "newsflow-stories"


def container() -> dict[str, Any]:
    (worker,) = kubernetes_object("Deployment", WORKER)["spec"]["template"]["spec"]["containers"]
    return dict(worker)


def pod_labels() -> dict[str, str]:
    return dict(kubernetes_object("Deployment", WORKER)["spec"]["template"]["metadata"]["labels"])


def metrics_port() -> dict[str, Any]:
    (port,) = [p for p in container()["ports"] if p["name"] == "metrics"]
    return dict(port)


def configmap_settings() -> Settings:
    return Settings.from_env(kubernetes_object("ConfigMap")["data"])


def kafka_trigger() -> dict[str, Any]:
    (trigger,) = [t for t in kubernetes_object("ScaledObject")["spec"]["triggers"] if t["type"] == "kafka"]
    return dict(trigger["metadata"])


def test_manifests_hold_the_expected_kinds() -> None:
    kinds = sorted(o["kind"] for o in kubernetes_objects())
    assert kinds == [
        "ConfigMap",
        "Deployment",
        "Deployment",
        "Deployment",
        "PodMonitor",
        "PodMonitor",
        "PodMonitor",
        "ScaledObject",
        "Service",
    ]


def test_manifests_name_no_namespace() -> None:
    assert [o["metadata"]["name"] for o in kubernetes_objects() if "namespace" in o["metadata"]] == []


def test_configmap_is_valid_settings_with_the_default_topics_group_and_port() -> None:
    settings, defaults = configmap_settings(), Settings()
    assert settings.all_topics == defaults.all_topics
    assert settings.group_id == defaults.group_id
    assert settings.metrics_port == defaults.metrics_port
    assert settings.bootstrap_servers.rsplit(":", 1)[1] == defaults.bootstrap_servers.rsplit(":", 1)[1]


def test_worker_reads_its_settings_from_the_configmap() -> None:
    refs = [e["configMapRef"]["name"] for e in container()["envFrom"]]
    assert refs == [kubernetes_object("ConfigMap")["metadata"]["name"]]


def test_worker_container_exposes_the_settings_metrics_port() -> None:
    assert metrics_port()["containerPort"] == configmap_settings().metrics_port == Settings().metrics_port


def test_liveness_probe_calls_healthz_on_the_metrics_port() -> None:
    probe = container()["livenessProbe"]["httpGet"]
    assert (probe["path"], probe["port"]) == ("/healthz", "metrics")


def test_readiness_probe_calls_readyz_on_the_metrics_port() -> None:
    probe = container()["readinessProbe"]["httpGet"]
    assert (probe["path"], probe["port"]) == ("/readyz", "metrics")


def test_worker_requests_and_limits_cpu_and_memory() -> None:
    resources = container()["resources"]
    assert set(resources["requests"]) == set(resources["limits"]) == {"cpu", "memory"}


def test_worker_runs_as_a_non_root_user() -> None:
    security = kubernetes_object("Deployment", WORKER)["spec"]["template"]["spec"]["securityContext"]
    assert security["runAsNonRoot"] is True and security["runAsUser"] != 0


def test_worker_has_time_to_commit_on_sigterm() -> None:
    assert kubernetes_object("Deployment", WORKER)["spec"]["template"]["spec"]["terminationGracePeriodSeconds"] >= 30


def test_pods_are_annotated_for_scraping_on_the_metrics_port() -> None:
    annotations = kubernetes_object("Deployment", WORKER)["spec"]["template"]["metadata"]["annotations"]
    assert annotations["prometheus.io/scrape"] == "true"
    assert annotations["prometheus.io/port"] == str(metrics_port()["containerPort"])
    assert annotations["prometheus.io/path"] == "/metrics"


def test_podmonitor_scrapes_the_worker_pods_on_the_metrics_port() -> None:
    spec = kubernetes_object("PodMonitor", WORKER)["spec"]
    assert spec["selector"]["matchLabels"].items() <= pod_labels().items()
    assert [e["port"] for e in spec["podMetricsEndpoints"]] == ["metrics"]


def test_podmonitor_names_the_job_as_the_alerts_expect() -> None:
    jobs = {j["job_name"] for j in load_yaml(PROMETHEUS_CONFIG)["scrape_configs"]}
    assert pod_labels()[kubernetes_object("PodMonitor", WORKER)["spec"]["jobLabel"]] in jobs - {"prometheus"}


def test_service_selects_the_worker_pods_on_the_metrics_port() -> None:
    spec = kubernetes_object("Service")["spec"]
    assert spec["selector"].items() <= pod_labels().items()
    assert [(p["port"], p["targetPort"]) for p in spec["ports"]] == [(metrics_port()["containerPort"], "metrics")]


def test_deployment_selector_matches_its_pods() -> None:
    assert kubernetes_object("Deployment", WORKER)["spec"]["selector"]["matchLabels"].items() <= pod_labels().items()


def test_scaledobject_scales_the_worker_deployment() -> None:
    target = kubernetes_object("ScaledObject")["spec"]["scaleTargetRef"]
    assert target["name"] == kubernetes_object("Deployment", WORKER)["metadata"]["name"]


def test_kafka_trigger_watches_the_workers_group_and_input_topic() -> None:
    trigger, settings = kafka_trigger(), configmap_settings()
    assert (trigger["consumerGroup"], trigger["topic"]) == (settings.group_id, settings.topic_raw)
    assert (trigger["consumerGroup"], trigger["topic"]) == (Settings().group_id, Settings().topic_raw)
    assert trigger["bootstrapServers"] == settings.bootstrap_servers
    assert int(trigger["lagThreshold"]) > 0


def test_scaledobject_never_runs_more_workers_than_partitions() -> None:
    spec = kubernetes_object("ScaledObject")["spec"]
    assert 1 <= spec["minReplicaCount"] <= spec["maxReplicaCount"] <= configmap_settings().partitions
    assert spec["maxReplicaCount"] <= Settings().partitions


def sink_pod() -> dict[str, Any]:
    return dict(kubernetes_object("Deployment", SINK)["spec"]["template"])


def sink_container() -> dict[str, Any]:
    (sink,) = sink_pod()["spec"]["containers"]
    return dict(sink)


def test_sink_runs_newsflow_sink_with_the_configmap_and_the_database_url_from_a_secret() -> None:
    container = sink_container()
    assert container["command"] == ["newsflow", "sink"]
    assert [e["configMapRef"]["name"] for e in container["envFrom"]] == [
        kubernetes_object("ConfigMap")["metadata"]["name"]
    ]
    (url,) = [e for e in container["env"] if e["name"] == "NEWSFLOW_DATABASE_URL"]
    assert "secretKeyRef" in url["valueFrom"]


def test_configmap_names_the_default_sink_group() -> None:
    assert configmap_settings().sink_group_id == Settings().sink_group_id


def test_sink_exposes_the_metrics_port_and_is_probed_on_it() -> None:
    container = sink_container()
    (port,) = container["ports"]
    assert (port["name"], port["containerPort"]) == ("metrics", Settings().metrics_port)
    assert container["livenessProbe"]["httpGet"]["port"] == "metrics"


def test_sink_runs_as_a_non_root_user_with_limits() -> None:
    assert sink_pod()["spec"]["securityContext"]["runAsNonRoot"] is True
    resources = sink_container()["resources"]
    assert set(resources["requests"]) == set(resources["limits"]) == {"cpu", "memory"}


def test_sink_podmonitor_names_the_job_the_sink_alerts_expect() -> None:
    monitor = kubernetes_object("PodMonitor", SINK)["spec"]
    labels = sink_pod()["metadata"]["labels"]
    assert monitor["selector"]["matchLabels"].items() <= labels.items()
    assert labels[monitor["jobLabel"]] == SINK_JOB


def test_worker_podmonitor_does_not_select_the_sink_pods() -> None:
    selector = kubernetes_object("PodMonitor", WORKER)["spec"]["selector"]["matchLabels"]
    assert not selector.items() <= sink_pod()["metadata"]["labels"].items()


def stories_deployment() -> dict[str, Any]:
    return dict(kubernetes_object("Deployment", STORIES))


def stories_container() -> dict[str, Any]:
    (stories,) = stories_deployment()["spec"]["template"]["spec"]["containers"]
    return dict(stories)


def test_stories_runs_an_active_member_and_a_standby_of_the_stage() -> None:
    deployment = stories_deployment()
    assert deployment["spec"]["replicas"] == 2
    container = stories_container()
    assert container["command"] == ["newsflow", "stories"]
    assert [e["configMapRef"]["name"] for e in container["envFrom"]] == [
        kubernetes_object("ConfigMap")["metadata"]["name"]
    ]
    # never both members gone at once in a rollout
    assert deployment["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0


def test_stories_serves_its_own_metrics_port_named_in_every_place_alike() -> None:
    container = stories_container()
    (port,) = container["ports"]
    (variable,) = [e for e in container["env"] if e["name"] == STORIES_PORT_VARIABLE]
    annotations = stories_deployment()["spec"]["template"]["metadata"]["annotations"]
    assert (port["name"], port["containerPort"]) == ("metrics", STORIES_METRICS_PORT)
    assert variable["value"] == annotations["prometheus.io/port"] == str(STORIES_METRICS_PORT)
    assert configmap_settings().metrics_port != STORIES_METRICS_PORT  # not the workers' or the sink's


def test_stories_is_probed_on_healthz_and_readyz() -> None:
    container = stories_container()
    probes = {kind: container[kind]["httpGet"] for kind in ("startupProbe", "livenessProbe", "readinessProbe")}
    assert {kind: (g["path"], g["port"]) for kind, g in probes.items()} == {
        "startupProbe": ("/healthz", "metrics"),
        "livenessProbe": ("/healthz", "metrics"),
        "readinessProbe": ("/readyz", "metrics"),
    }


def test_stories_runs_as_a_non_root_user_with_limits_and_a_writable_data_dir() -> None:
    pod = stories_deployment()["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    resources = stories_container()["resources"]
    assert set(resources["requests"]) == set(resources["limits"]) == {"cpu", "memory"}
    mounts = {m["mountPath"] for m in stories_container()["volumeMounts"]}
    assert str(configmap_settings().data_dir) in mounts


def test_stories_podmonitor_names_its_job_and_no_other_podmonitor_selects_it() -> None:
    labels = stories_deployment()["spec"]["template"]["metadata"]["labels"]
    monitor = kubernetes_object("PodMonitor", STORIES)["spec"]
    assert monitor["selector"]["matchLabels"].items() <= labels.items()
    assert labels[monitor["jobLabel"]] == STORIES_JOB
    for other in (WORKER, SINK):
        assert not kubernetes_object("PodMonitor", other)["spec"]["selector"]["matchLabels"].items() <= labels.items()


def test_the_autoscaler_leaves_the_stories_stage_alone() -> None:
    assert kubernetes_object("ScaledObject")["spec"]["scaleTargetRef"]["name"] != STORIES

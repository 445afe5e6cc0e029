"""deploy/docker-compose.yml: Kafka, the topics job, the workers, Prometheus, Grafana."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import pytest

from tests.test_deploy.deploy_files import (
    COMPOSE,
    DEPLOY,
    DOCKERFILE,
    PROMETHEUS_CONFIG,
    REPO,
    SINK_JOB,
    STORIES_METRICS_PORT,
    STORIES_PORT_VARIABLE,
    load_yaml,
    stories_job,
    worker_job,
)
from workers.settings import Settings

#: The variables that switch the stack to the three-broker cluster profile.
CLUSTER_ENV = DEPLOY / "cluster.env"
_VARIABLE = re.compile(r"\$\{(\w+):-([^}]*)\}")


def interpolate(node: Any, env: Mapping[str, str]) -> Any:
    """``node`` with every ``${NAME:-default}`` replaced as compose would, from ``env``."""
    if isinstance(node, str):
        return _VARIABLE.sub(lambda m: env.get(m.group(1)) or m.group(2), node)
    if isinstance(node, dict):
        return {k: interpolate(v, env) for k, v in node.items()}
    if isinstance(node, list):
        return [interpolate(v, env) for v in node]
    return node


def cluster_env() -> dict[str, str]:
    lines = [line for line in CLUSTER_ENV.read_text().splitlines() if line.strip() and not line.startswith("#")]
    return dict(line.split("=", 1) for line in lines)


def services(env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The compose services as compose sees them with ``env`` (none: every default)."""
    return dict(interpolate(load_yaml(COMPOSE)["services"], env or {}))


def raw_services() -> dict[str, Any]:
    """The compose services as written, variables and all."""
    found: dict[str, Any] = load_yaml(COMPOSE)["services"]
    return found


def newsflow_services(command: str) -> dict[str, Any]:
    """Services running ``newsflow <command>`` (``worker``, ``topics``, ...)."""
    return {name: s for name, s in services().items() if s.get("command", [None, None])[:2] == ["newsflow", command]}


def kafka_version() -> str:
    match = re.search(r"<kafka\.version>\s*([^<\s]+)\s*</kafka\.version>", (DEPLOY / "local" / "pom.xml").read_text())
    assert match, "deploy/local/pom.xml names the Kafka version"
    return match.group(1)


def test_compose_has_kafka_topics_workers_prometheus_and_grafana() -> None:
    assert {"kafka", "prometheus", "grafana"} <= set(services())
    assert newsflow_services("topics") and len(newsflow_services("worker")) >= 2


def test_every_pulled_image_is_pinned_to_a_version_tag() -> None:
    loose = [
        f"{name}: {s['image']}"
        for name, s in services().items()
        if "build" not in s and not re.fullmatch(r"[\w./-]+:v?\d+(\.\d+)+[\w.-]*", s.get("image", ""))
    ]
    assert loose == []


def test_kafka_is_the_version_the_local_broker_runs() -> None:
    assert services()["kafka"]["image"] == f"apache/kafka:{kafka_version()}"


def test_kafka_runs_kraft_as_broker_and_controller_in_one_node() -> None:
    env = services()["kafka"]["environment"]
    assert set(env["KAFKA_PROCESS_ROLES"].split(",")) == {"broker", "controller"}
    assert env["KAFKA_CONTROLLER_QUORUM_VOTERS"].startswith(f"{env['KAFKA_NODE_ID']}@")


@pytest.mark.parametrize("command", ["worker", "topics"])
def test_newsflow_services_have_valid_settings_with_the_default_topics_and_port(command: str) -> None:
    defaults = Settings()
    for name, service in newsflow_services(command).items():
        settings = Settings.from_env({k: str(v) for k, v in service["environment"].items()})
        assert settings.all_topics == defaults.all_topics, name
        assert settings.group_id == defaults.group_id, name
        assert settings.metrics_port == defaults.metrics_port, name
        assert settings.partitions == defaults.partitions, name


def test_workers_reach_kafka_on_its_container_listener() -> None:
    listeners = services()["kafka"]["environment"]["KAFKA_ADVERTISED_LISTENERS"]
    for name, service in newsflow_services("worker").items():
        assert f"PLAINTEXT://{service['environment']['NEWSFLOW_BOOTSTRAP_SERVERS']}" in listeners.split(","), name


def test_host_port_of_kafka_is_the_settings_default() -> None:
    default_port = Settings().bootstrap_servers.rsplit(":", 1)[1]
    published = [p.split(":")[-2] for p in services()["kafka"]["ports"]]
    assert published == [default_port]


def test_workers_start_after_the_topics_are_created() -> None:
    (topics,) = newsflow_services("topics")
    for name, worker in newsflow_services("worker").items():
        assert worker["depends_on"][topics]["condition"] == "service_completed_successfully", name


def test_prometheus_scrapes_every_compose_worker_and_nothing_else() -> None:
    (job,) = [j for j in load_yaml(PROMETHEUS_CONFIG)["scrape_configs"] if j["job_name"] == worker_job()]
    hosts = {t.rsplit(":", 1)[0] for group in job["static_configs"] for t in group["targets"]}
    assert hosts == set(newsflow_services("worker"))


def test_prometheus_gets_the_config_and_the_rules() -> None:
    prometheus = services()["prometheus"]
    mounts = {target: source for source, target, *_ in (v.split(":") for v in prometheus["volumes"])}
    assert (COMPOSE.parent / mounts["/etc/prometheus"]).resolve() == PROMETHEUS_CONFIG.parent
    assert "--config.file=/etc/prometheus/prometheus.yml" in prometheus["command"]


def test_grafana_gets_the_provisioning_files() -> None:
    mounts = {target: source for source, target, *_ in (v.split(":") for v in services()["grafana"]["volumes"])}
    assert (COMPOSE.parent / mounts["/etc/grafana/provisioning"]).resolve() == DEPLOY / "grafana" / "provisioning"


def test_newsflow_image_is_built_from_the_repo_root_with_the_deploy_dockerfile() -> None:
    for name in {**newsflow_services("worker"), **newsflow_services("topics")}:
        build = services()[name]["build"]
        assert (COMPOSE.parent / build["context"]).resolve() == REPO, name
        assert REPO / build["dockerfile"] == DOCKERFILE, name


def sink_services() -> dict[str, Any]:
    """The long-running sinks (not the one-shot ``newsflow sink --migrate-only``)."""
    return {n: s for n, s in newsflow_services("sink").items() if "--migrate-only" not in s["command"]}


def service_running(command: str) -> dict[str, Any]:
    (service,) = (sink_services() if command == "sink" else newsflow_services(command)).values()
    return dict(service)


def test_postgres_is_pinned_to_the_major_version_the_local_script_runs() -> None:
    image = services()["postgres"]["image"]
    assert re.fullmatch(r"postgres:15\.\d+", image), image


@pytest.mark.parametrize("command", ["sink", "serve"])
def test_sink_and_serve_have_valid_settings_and_reach_postgres(command: str) -> None:
    service = service_running(command)
    settings = Settings.from_env({k: str(v) for k, v in service["environment"].items()})
    # The sink writes through the owner's URL; serve reads through its own reader URL only.
    url = settings.database_url if command == "sink" else settings.web_database_url
    assert "@postgres:5432/" in url
    assert settings.all_topics == Settings().all_topics


def test_the_sink_starts_after_the_topics_and_the_schema() -> None:
    sink = service_running("sink")
    assert sink["depends_on"]["topics"]["condition"] == "service_completed_successfully"
    migrate = [n for n, s in services().items() if s.get("command") == ["newsflow", "sink", "--migrate-only"]]
    assert migrate and sink["depends_on"][migrate[0]]["condition"] == "service_completed_successfully"
    assert services()[migrate[0]]["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_serve_reads_with_the_select_only_role_on_port_8000() -> None:
    serve = service_running("serve")
    settings = Settings.from_env({k: str(v) for k, v in serve["environment"].items()})
    assert settings.web_database_url.startswith("postgresql://newsflow_reader:")
    assert settings.web_port == 8000 and serve["ports"] == ["127.0.0.1:8000:8000"]


def test_serve_is_given_neither_the_owner_url_nor_the_owner_password() -> None:
    env = {k: str(v) for k, v in service_running("serve")["environment"].items()}
    assert "NEWSFLOW_DATABASE_URL" not in env
    assert [k for k, v in env.items() if "POSTGRES_PASSWORD" in v or "postgresql://newsflow:" in v] == []


def test_the_reader_role_has_a_password_of_its_own() -> None:
    # As written: the passwords are variables with defaults of their own.
    web_url = str(raw_services()["serve"]["environment"]["NEWSFLOW_WEB_DATABASE_URL"])
    assert web_url.startswith("postgresql://newsflow_reader:${POSTGRES_READER_PASSWORD:-")
    postgres_env = raw_services()["postgres"]["environment"]
    owner_default = postgres_env["POSTGRES_PASSWORD"].split(":-", 1)[1].rstrip("}")
    reader_default = postgres_env["POSTGRES_READER_PASSWORD"].split(":-", 1)[1].rstrip("}")
    assert postgres_env["POSTGRES_READER_PASSWORD"].startswith("${POSTGRES_READER_PASSWORD:-")
    assert reader_default != owner_default
    assert f"${{POSTGRES_READER_PASSWORD:-{reader_default}}}@" in web_url


def test_the_postgres_image_gives_the_reader_role_the_reader_password() -> None:
    mounts = {target: source for source, target, *_ in (v.split(":") for v in services()["postgres"]["volumes"])}
    init = "".join(p.read_text() for p in (COMPOSE.parent / mounts["/docker-entrypoint-initdb.d"]).resolve().iterdir())
    assert 'reader_password="$POSTGRES_READER_PASSWORD"' in init
    assert 'reader_password="$POSTGRES_PASSWORD"' not in init


def test_the_postgres_image_creates_the_reader_role() -> None:
    mounts = {target: source for source, target, *_ in (v.split(":") for v in services()["postgres"]["volumes"])}
    init = (COMPOSE.parent / mounts["/docker-entrypoint-initdb.d"]).resolve()
    assert "CREATE ROLE newsflow_reader" in "".join(p.read_text() for p in init.iterdir())


def test_prometheus_scrapes_the_compose_sink_in_the_sink_job() -> None:
    (job,) = [j for j in load_yaml(PROMETHEUS_CONFIG)["scrape_configs"] if j["job_name"] == SINK_JOB]
    hosts = {t.rsplit(":", 1)[0] for group in job["static_configs"] for t in group["targets"]}
    assert hosts == set(sink_services())


def test_the_stories_stage_runs_two_members_after_the_topics_on_its_own_port() -> None:
    members = newsflow_services("stories")
    assert len(members) == 2  # one active, one standby
    (topics,) = newsflow_services("topics")
    for name, member in members.items():
        assert member["command"] == ["newsflow", "stories"], name  # the stage, not the offline command
        assert member["depends_on"][topics]["condition"] == "service_completed_successfully", name
        assert member["environment"][STORIES_PORT_VARIABLE] == str(STORIES_METRICS_PORT), name
        assert (COMPOSE.parent / member["build"]["context"]).resolve() == REPO, name


def test_prometheus_scrapes_every_stories_member_on_the_stage_port() -> None:
    targets = [t for group in stories_job()["static_configs"] for t in group["targets"]]
    assert {t.rsplit(":", 1)[0] for t in targets} == set(newsflow_services("stories"))
    assert {t.rsplit(":", 1)[1] for t in targets} == {str(STORIES_METRICS_PORT)}


def test_the_stories_members_have_valid_settings_with_the_default_topics_and_group() -> None:
    if "stories_metrics_port" not in Settings.__dataclass_fields__:
        pytest.skip("the stories stage's settings (stories_metrics_port) are not in workers/settings.py")
    for name, member in newsflow_services("stories").items():
        settings = Settings.from_env({k: str(v) for k, v in member["environment"].items()})
        assert settings.all_topics == Settings().all_topics, name
        assert settings.stories_group_id == Settings().stories_group_id, name
        assert settings.stories_metrics_port == STORIES_METRICS_PORT, name


KAFKA_NODES = ("kafka", "kafka-2", "kafka-3")


def running_newsflow(env: Mapping[str, str]) -> dict[str, Settings]:
    """The settings of every service that runs ``newsflow``, interpolated with ``env``."""
    return {
        name: Settings.from_env({k: str(v) for k, v in s["environment"].items()})
        for name, s in services(env).items()
        if s.get("command", [None])[0] == "newsflow"
    }


def test_the_cluster_profile_runs_three_kraft_nodes_all_voters_of_one_quorum() -> None:
    env = cluster_env()
    assert env["COMPOSE_PROFILES"] == "cluster"
    found = services(env)
    nodes = {name: found[name]["environment"] for name in KAFKA_NODES}
    assert {n["KAFKA_NODE_ID"] for n in nodes.values()} == {"1", "2", "3"}
    voters = {f"{n['KAFKA_NODE_ID']}@{name}:9093" for name, n in nodes.items()}
    for name, node in nodes.items():
        assert set(node["KAFKA_PROCESS_ROLES"].split(",")) == {"broker", "controller"}, name
        assert set(node["KAFKA_CONTROLLER_QUORUM_VOTERS"].split(",")) == voters, name
        assert f"PLAINTEXT://{name}:9092" in node["KAFKA_ADVERTISED_LISTENERS"].split(","), name
        assert (node["KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR"], node["KAFKA_TRANSACTION_STATE_LOG_MIN_ISR"]) == (
            "3",
            "2",
        ), name
    assert len({n["CLUSTER_ID"] for n in nodes.values()}) == 1
    assert len({found[name]["volumes"][0] for name in KAFKA_NODES}) == 3
    assert [found[name].get("profiles") for name in KAFKA_NODES] == [None, ["cluster"], ["cluster"]]


def test_on_the_cluster_every_newsflow_service_uses_all_three_brokers_3_replicas_and_min_isr_2() -> None:
    found = running_newsflow(cluster_env())
    assert found
    for name, settings in found.items():
        assert settings.bootstrap_servers == "kafka:9092,kafka-2:9092,kafka-3:9092", name
        assert (settings.replication_factor, settings.min_insync_replicas) == (3, 2), name


def test_without_the_cluster_env_it_is_one_broker_one_replica() -> None:
    found = services({})
    assert found["kafka"]["environment"]["KAFKA_CONTROLLER_QUORUM_VOTERS"] == "1@kafka:9093"
    assert found["kafka"]["environment"]["KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR"] == "1"
    for name, settings in running_newsflow({}).items():
        assert settings.bootstrap_servers == "kafka:9092", name
        assert (settings.replication_factor, settings.min_insync_replicas) == (1, 1), name


def test_topics_waits_for_the_cluster_nodes_only_when_they_run() -> None:
    (topics,) = newsflow_services("topics").values()
    for name in KAFKA_NODES[1:]:
        assert topics["depends_on"][name] == {"condition": "service_healthy", "required": False}, name

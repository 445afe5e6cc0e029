"""deploy/local/kafka.sh and postgres.sh: what they share in lib.sh, and kafka.sh's jars.sh.

No broker or database starts here: the commands run are the ones that answer without a
server (help, status, stop on a state dir with nothing running, jars on a resolved or
unresolvable cache). tests/integration/ starts the real ones through the same scripts.
"""

from __future__ import annotations

import hashlib
import os
import re
import socket
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.test_deploy.deploy_files import DEPLOY

LOCAL = DEPLOY / "local"
KAFKA_SH = LOCAL / "kafka.sh"
POSTGRES_SH = LOCAL / "postgres.sh"
#: What stop --purge may delete: the files each script creates in its state dir.
OWN_FILES = {
    KAFKA_SH: ["data", "logs", "server.properties", "kafka.lock"],
    POSTGRES_SH: ["data", "logs", "postgres.lock"],
}

Run = Callable[..., subprocess.CompletedProcess[str]]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def kafka_version() -> str:
    match = re.search(r"<kafka\.version>\s*([^<\s]+)\s*</kafka\.version>", (LOCAL / "pom.xml").read_text())
    assert match
    return match.group(1)


@pytest.fixture
def run(tmp_path: Path) -> Run:
    """Run a script (from tmp_path, HOME there too) with extra environment variables."""

    def run_script(script: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        full_env = {**os.environ, "HOME": str(tmp_path), **env}
        return subprocess.run(
            [str(script), *args], cwd=tmp_path, env=full_env, capture_output=True, text=True, timeout=60
        )

    return run_script


def state_env(script: Path, state_dir: Path) -> dict[str, str]:
    prefix = "KAFKA" if script == KAFKA_SH else "POSTGRES"
    return {f"{prefix}_STATE_DIR": str(state_dir), f"{prefix}_PORT": str(free_port())}


@pytest.mark.parametrize("script", [KAFKA_SH, POSTGRES_SH], ids=["kafka", "postgres"])
def test_stop_purge_refuses_a_state_dir_with_a_file_the_script_did_not_create(
    run: Run, tmp_path: Path, script: Path
) -> None:
    state = tmp_path / "state"
    state.mkdir()
    (state / "notes.txt").write_text("mine")
    result = run(script, "stop", "--purge", **state_env(script, state))
    assert result.returncode == 1
    assert f"it contains 'notes.txt', which {script.name} did not create" in result.stderr
    assert (state / "notes.txt").read_text() == "mine"


@pytest.mark.parametrize("script", [KAFKA_SH, POSTGRES_SH], ids=["kafka", "postgres"])
def test_stop_purge_deletes_a_state_dir_that_holds_only_the_scripts_files(
    run: Run, tmp_path: Path, script: Path
) -> None:
    state = tmp_path / "state"
    state.mkdir()
    for name in OWN_FILES[script]:
        if name in ("data", "logs"):
            (state / name).mkdir()
        else:
            (state / name).touch()
    result = run(script, "stop", "--purge", **state_env(script, state))
    assert result.returncode == 0, result.stderr
    assert not state.exists()
    assert f"purged {state}" in result.stdout


@pytest.mark.parametrize("script", [KAFKA_SH, POSTGRES_SH], ids=["kafka", "postgres"])
def test_stop_rejects_an_unknown_option(run: Run, tmp_path: Path, script: Path) -> None:
    result = run(script, "stop", "--force", **state_env(script, tmp_path / "state"))
    assert result.returncode == 1
    assert "stop: unknown option '--force' (only --purge)" in result.stderr


@pytest.mark.parametrize("script", [KAFKA_SH, POSTGRES_SH], ids=["kafka", "postgres"])
def test_status_says_not_running_and_that_another_process_holds_the_port(
    run: Run, tmp_path: Path, script: Path
) -> None:
    env = state_env(script, tmp_path / "state")
    assert run(script, "status", **env).stdout.endswith(": not running\n")
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        env[next(k for k in env if k.endswith("_PORT"))] = str(port)
        result = run(script, "status", **env)
    assert result.returncode == 1
    assert f"not running (but 127.0.0.1:{port} is in use by another process)" in result.stdout


@pytest.mark.parametrize("script", [KAFKA_SH, POSTGRES_SH], ids=["kafka", "postgres"])
def test_an_unknown_command_exits_2_with_the_usage(run: Run, script: Path) -> None:
    result = run(script, "restart")
    assert result.returncode == 2
    assert "unknown command 'restart'" in result.stderr
    assert "Usage: " in result.stderr


@pytest.mark.parametrize("script", [KAFKA_SH, POSTGRES_SH], ids=["kafka", "postgres"])
def test_a_port_out_of_range_is_refused_by_name(run: Run, script: Path) -> None:
    name = "KAFKA_PORT" if script == KAFKA_SH else "POSTGRES_PORT"
    result = run(script, "status", **{name: "70000"})
    assert result.returncode == 1
    assert f"{name} must be a port number (1-65535), got '70000'" in result.stderr


@pytest.mark.parametrize("library", ["lib.sh", "jars.sh", "cluster.sh"])
def test_the_libraries_refuse_to_run_on_their_own(library: str) -> None:
    result = subprocess.run(["bash", str(LOCAL / library)], capture_output=True, text=True, timeout=30)
    assert result.returncode == 2
    assert "not run" in result.stderr


def resolved_cache(cache: Path) -> Path:
    """A cache dir that jars.sh takes for resolved from this pom.xml (no jar is real)."""
    libs = cache / "libs"
    libs.mkdir(parents=True)
    (libs / f"kafka_2.13-{kafka_version()}.jar").touch()
    (libs / ".resolved").write_text(hashlib.sha256((LOCAL / "pom.xml").read_bytes()).hexdigest() + "\n")
    return libs


def test_jars_through_a_symlink_finds_pom_xml_and_reuses_a_resolved_cache(run: Run, tmp_path: Path) -> None:
    libs = resolved_cache(tmp_path / "cache")
    link = tmp_path / "bin" / "kafka"
    link.parent.mkdir()
    link.symlink_to(KAFKA_SH)
    result = run(link, "jars", KAFKA_CACHE_DIR=str(tmp_path / "cache"))
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"kafka: jars for Kafka {kafka_version()} in {libs}\n"


def test_jars_leaves_the_cache_untouched_when_mvn_fails(run: Run, tmp_path: Path) -> None:
    stubs = tmp_path / "stubs"
    stubs.mkdir()
    (stubs / "mvn").write_text("#!/bin/sh\necho 'no network'\nexit 3\n")
    (stubs / "mvn").chmod(0o755)
    cache = tmp_path / "cache"
    result = run(KAFKA_SH, "jars", KAFKA_CACHE_DIR=str(cache), PATH=f"{stubs}:{os.environ['PATH']}")
    assert result.returncode == 1
    assert "no network" in result.stderr
    assert "mvn failed (exit 3) to resolve the Kafka jars" in result.stderr
    assert sorted(p.name for p in cache.iterdir()) == [".lock"]


def cluster_env(tmp_path: Path, **env: str) -> dict[str, str]:
    ports = [str(free_port()) for _ in range(6)]
    return {
        "KAFKA_NODES": "3",
        "KAFKA_PORTS": ",".join(ports[:3]),
        "KAFKA_CONTROLLER_PORTS": ",".join(ports[3:]),
        "KAFKA_STATE_DIR": str(tmp_path / "cluster"),
        **env,
    }


def test_kafka_cluster_status_names_every_node_and_fails_when_none_runs(run: Run, tmp_path: Path) -> None:
    result = run(KAFKA_SH, "status", **cluster_env(tmp_path))
    assert result.returncode == 1
    assert [line.split(":")[0] for line in result.stdout.splitlines()[:3]] == ["node 1", "node 2", "node 3"]
    assert "cluster of 3 nodes" in result.stdout
    assert "not all answering" in result.stdout


def test_kafka_cluster_needs_one_port_per_node(run: Run, tmp_path: Path) -> None:
    result = run(KAFKA_SH, "status", **cluster_env(tmp_path, KAFKA_PORTS="19092,19093"))
    assert result.returncode == 1
    assert "KAFKA_PORTS must list 3 ports (KAFKA_NODES), got '19092,19093'" in result.stderr


def test_kafka_cluster_refuses_a_port_given_twice(run: Run, tmp_path: Path) -> None:
    env = cluster_env(tmp_path)
    env["KAFKA_CONTROLLER_PORTS"] = env["KAFKA_PORTS"]
    result = run(KAFKA_SH, "status", **env)
    assert result.returncode == 1
    assert "is given twice" in result.stderr


def test_kafka_cluster_refuses_a_node_id_outside_the_cluster(run: Run, tmp_path: Path) -> None:
    result = run(KAFKA_SH, "kill", "--node", "4", **cluster_env(tmp_path))
    assert result.returncode == 1
    assert "--node must be a node id, 1 to 3, got '4'" in result.stderr


def test_kafka_cluster_purges_only_the_whole_cluster(run: Run, tmp_path: Path) -> None:
    result = run(KAFKA_SH, "stop", "--node", "2", "--purge", **cluster_env(tmp_path))
    assert result.returncode == 1
    assert "stop --purge is for the whole cluster, not one node" in result.stderr


def test_kafka_single_node_refuses_the_node_option(run: Run, tmp_path: Path) -> None:
    result = run(KAFKA_SH, "start", "--node", "2", **state_env(KAFKA_SH, tmp_path / "state"))
    assert result.returncode == 1
    assert "--node is for a cluster" in result.stderr


def test_kafka_cluster_stop_purge_deletes_every_node_and_the_cluster_files(run: Run, tmp_path: Path) -> None:
    env = cluster_env(tmp_path)
    state = Path(env["KAFKA_STATE_DIR"])
    for node in (1, 2, 3):
        for name in OWN_FILES[KAFKA_SH]:
            path = state / f"node-{node}" / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.mkdir() if name in ("data", "logs") else path.touch()
    (state / "cluster.env").touch()
    result = run(KAFKA_SH, "stop", "--purge", **env)
    assert result.returncode == 0, result.stderr
    assert not state.exists()
    assert f"purged {state}/node-2" in result.stdout


def test_kafka_cluster_start_refuses_node_data_without_the_cluster_file(run: Run, tmp_path: Path) -> None:
    env = cluster_env(tmp_path)
    (Path(env["KAFKA_STATE_DIR"]) / "node-2" / "data").mkdir(parents=True)
    result = run(KAFKA_SH, "start", **env)
    assert result.returncode == 1
    assert "node-2 has data but" in result.stderr
    assert "cluster.env is missing" in result.stderr

"""Integration fixtures: a real single-node KRaft broker, started by the project's script.

The broker runs on free ports with a private state dir for the whole session and is
stopped (and its data removed) at the end. Each test gets its own topics and consumer
group, so tests don't see each other's records.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from workers.kafka.admin import create_topics
from workers.settings import Settings

REPO = Path(__file__).resolve().parents[2]
KAFKA_SH = REPO / "deploy" / "local" / "kafka.sh"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if Path(str(item.fspath)).is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.integration)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Broker:
    """A broker started by ``deploy/local/kafka.sh`` with its own ports and state."""

    def __init__(self, state_dir: Path) -> None:
        self.port = _free_port()
        self.env = {
            **os.environ,
            "KAFKA_PORT": str(self.port),
            "KAFKA_CONTROLLER_PORT": str(_free_port()),
            "KAFKA_STATE_DIR": str(state_dir),
        }

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    def script(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(KAFKA_SH), *args], env=self.env, capture_output=True, text=True, check=check, timeout=300
        )


def running(broker: Broker) -> Iterator[Broker]:
    """Start ``broker`` (failing the test with its output if it does not come up), yield
    it, then stop it and remove its data. For fixtures: ``yield from running(...)``."""
    started = broker.script("start", check=False)
    if started.returncode != 0:
        pytest.fail(f"could not start Kafka:\n{started.stdout}\n{started.stderr}")
    try:
        yield broker
    finally:
        broker.script("stop", "--purge", check=False)


@pytest.fixture(scope="session")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Broker]:
    yield from running(Broker(tmp_path_factory.mktemp("kafka")))


def isolated_settings(bootstrap: str, data_dir: Path, **overrides: Any) -> Settings:
    """Settings for a pipeline of its own on ``bootstrap`` (3 partitions), topics created."""
    settings = Settings(bootstrap_servers=bootstrap, partitions=3, data_dir=str(data_dir), **overrides)
    settings = settings.isolated(uuid.uuid4().hex[:8])
    create_topics(settings)
    return settings


@pytest.fixture
def pipeline_settings(broker: Broker, tmp_path: Path) -> Settings:
    """Settings with topics and a consumer group of this test's own, topics created."""
    return isolated_settings(broker.bootstrap, tmp_path / "worker-data")


def newsflow(settings: Settings, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    """Run ``newsflow ARGS`` as a user would, with ``settings`` as its environment."""
    return subprocess.run(
        [sys.executable, "-m", "workers", *args],
        env=settings_env(settings),
        input=stdin,
        capture_output=True,
        timeout=120,
    )


def settings_env(settings: Settings) -> dict[str, str]:
    """The environment that makes a newsflow process use ``settings``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSFLOW_")}
    for name in Settings.__dataclass_fields__:
        env[f"NEWSFLOW_{name.upper()}"] = str(getattr(settings, name))
    return env


class WorkerProcess:
    """A ``newsflow worker`` subprocess with its log in a file."""

    def __init__(self, settings: Settings, log_path: Path, data_dir: Path) -> None:
        self.log_path = log_path
        env = settings_env(settings)
        env["NEWSFLOW_DATA_DIR"] = str(data_dir)
        self.metrics_port = _free_port()
        env["NEWSFLOW_METRICS_PORT"] = str(self.metrics_port)
        with log_path.open("wb") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "workers", "worker"], stdout=log, stderr=subprocess.STDOUT, env=env
            )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def metric(self, name: str) -> float | None:
        """The value of an unlabelled sample on the worker's /metrics (None if not there yet)."""
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.metrics_port}/metrics", timeout=5) as response:
                text = response.read().decode()
        except OSError:
            return None
        for line in text.splitlines():
            if line.startswith(name + " "):
                return float(line.rsplit(" ", 1)[1])
        return None

    def stop(self, timeout: float = 60) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                return self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        return self.proc.wait()


@pytest.fixture
def start_worker(tmp_path: Path) -> Iterator[Callable[[Settings], WorkerProcess]]:
    """Factory: start a worker for the given settings; all are stopped at teardown."""
    started: list[WorkerProcess] = []

    def start(settings: Settings) -> WorkerProcess:
        n = len(started)
        worker = WorkerProcess(settings, tmp_path / f"worker-{n}.log", tmp_path / f"worker-{n}-data")
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


def all_alive(*workers: WorkerProcess) -> Callable[[], None]:
    """An ``alive`` check for the waits: fail at once, with the log, if a worker exited."""

    def check() -> None:
        for worker in workers:
            assert worker.proc.poll() is None, f"worker exited {worker.proc.returncode}:\n{worker.log()[-4000:]}"

    return check


def wait_for(condition: Callable[[], bool], alive: Callable[[], None], *, timeout: float, what: str) -> float:
    """Poll ``condition`` until it holds; return the seconds waited."""
    start = time.monotonic()
    while not condition():
        alive()
        assert time.monotonic() - start < timeout, f"not {what} after {timeout:.0f} s"
        time.sleep(0.5)
    return time.monotonic() - start


# ---------------------------------------------------------------------------
# PostgreSQL (the sink's database): one server per session, a database per test
# ---------------------------------------------------------------------------
from tests.integration.postgres import Database, fresh_database, running_postgres  # noqa: E402
from workers.sink.local_cluster import LocalCluster  # noqa: E402


@pytest.fixture(scope="session")
def postgres() -> Iterator[LocalCluster]:
    """A PostgreSQL server started by ``deploy/local/postgres.sh`` on a free port."""
    yield from running_postgres()


@pytest.fixture
def database(postgres: LocalCluster) -> Iterator[Database]:
    """A fresh database of this test's own, migrated; ``.url`` (owner), ``.reader_url``."""
    yield from fresh_database(postgres)

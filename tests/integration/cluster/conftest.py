"""A real three-node KRaft cluster, started by ``deploy/local/kafka.sh`` (``KAFKA_NODES=3``).

Three processes, each a broker and a voter of the quorum, on free ports with a private
state dir, for the whole module; stopped and removed at the end. Each node can be
killed (SIGKILL), stopped and started on its own, as the fault tests need.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from kafka import KafkaAdminClient
from kafka.errors import KafkaConnectionError

from tests.integration.conftest import KAFKA_SH, _free_port
from workers.kafka.client import client_config
from workers.settings import Settings

#: Nodes in the cluster; replication 3 and min.insync.replicas 2 are what kafka.sh gives it.
NODES = 3
#: Small heaps: three brokers share a 2-core machine with the workers and the sink.
HEAP = "-Xms128m -Xmx256m"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if Path(str(item.fspath)).is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.cluster)


class Cluster:
    """Three combined broker+controller nodes, ids 1..3, driven through kafka.sh."""

    def __init__(self, state_dir: Path) -> None:
        ports = [_free_port() for _ in range(2 * NODES)]
        assert len(set(ports)) == len(ports), ports
        self.ports = ports[:NODES]
        self.env = {
            **os.environ,
            "KAFKA_NODES": str(NODES),
            "KAFKA_PORTS": ",".join(map(str, self.ports)),
            "KAFKA_CONTROLLER_PORTS": ",".join(map(str, ports[NODES:])),
            "KAFKA_STATE_DIR": str(state_dir),
            "KAFKA_HEAP_OPTS": HEAP,
            "KAFKA_START_TIMEOUT": "240",
        }

    @property
    def bootstrap(self) -> str:
        return ",".join(f"127.0.0.1:{port}" for port in self.ports)

    def script(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [str(KAFKA_SH), *args], env=self.env, capture_output=True, text=True, check=False, timeout=600
        )
        if check and result.returncode != 0:
            pytest.fail(f"kafka.sh {' '.join(args)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
        return result

    def kill(self, node: int) -> None:
        """SIGKILL one node: a crash, no controlled shutdown."""
        self.script("kill", "--node", str(node))

    def stop(self, node: int) -> None:
        """SIGTERM one node: a controlled shutdown, its leaderships moved first."""
        self.script("stop", "--node", str(node))

    def start(self, node: int) -> None:
        """Start one node; returns once it answers metadata requests."""
        self.script("start", "--node", str(node))

    def leader(self, settings: Settings, topic: str, partition: int) -> int:
        """The node that leads ``topic``'s ``partition`` now."""
        return next(p["leader_id"] for p in self._partitions(settings, topic) if p["partition_index"] == partition)

    def wait_in_sync(self, settings: Settings, topics: tuple[str, ...], *, timeout: float = 180.0) -> float:
        """Wait until every partition of ``topics`` has all its replicas in sync; return
        the seconds waited. What an operator waits for before touching the next broker."""
        start = time.monotonic()
        while True:
            lagging = [
                f"{topic}[{p['partition_index']}] isr={p['isr_nodes']}"
                for topic in topics
                for p in self._partitions(settings, topic)
                if len(p["isr_nodes"]) < NODES
            ]
            if not lagging:
                return time.monotonic() - start
            assert time.monotonic() - start < timeout, f"replicas not in sync after {timeout:.0f} s: {lagging[:5]}"
            time.sleep(0.5)

    def _partitions(self, settings: Settings, topic: str) -> list[dict[str, Any]]:
        # A node just killed stays in the metadata until its session expires (9 s), and
        # the admin client may ask it: ask again, as workers.kafka.admin does.
        for _ in range(30):
            admin = KafkaAdminClient(**client_config(settings))
            try:
                (described,) = admin.describe_topics([topic])
                return list(described["partitions"])
            except KafkaConnectionError:
                time.sleep(1.0)
            finally:
                admin.close()
        raise AssertionError(f"could not describe {topic} for 30 s")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    cluster = Cluster(tmp_path_factory.mktemp("kafka-cluster"))
    cluster.script("start")
    try:
        yield cluster
    finally:
        cluster.script("stop", "--purge", check=False)

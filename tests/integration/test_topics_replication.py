"""`topics create` on a single broker: a replication factor it cannot hold is [E433]."""

from __future__ import annotations

import uuid
from pathlib import Path

from tests.integration.conftest import Broker, newsflow
from workers.settings import Settings


def test_topics_create_with_more_replicas_than_brokers_is_e433(broker: Broker, tmp_path: Path) -> None:
    settings = Settings(
        bootstrap_servers=broker.bootstrap, replication_factor=3, min_insync_replicas=2, data_dir=str(tmp_path)
    ).isolated(uuid.uuid4().hex[:8])
    result = newsflow(settings, "topics", "create")
    assert result.returncode != 0
    assert f"[E433] cannot create '{settings.topic_raw}' with replication factor 3" in result.stderr.decode()

"""deploy/local/kafka.sh: idempotent start, truthful status."""

from __future__ import annotations

from tests.integration.conftest import Broker


def test_second_start_reuses_the_running_broker(broker: Broker) -> None:
    result = broker.script("start")
    assert "already running" in result.stdout + result.stderr


def test_status_reports_the_running_broker(broker: Broker) -> None:
    result = broker.script("status")
    assert str(broker.port) in result.stdout

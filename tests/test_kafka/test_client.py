from __future__ import annotations

import socket

import pytest

from workers.exceptions import KafkaUnavailable
from workers.kafka.client import wait_for_broker
from workers.settings import Settings


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # nothing listens once the socket is closed


@pytest.mark.timeout(60)
def test_unreachable_broker_raises_a_clear_error() -> None:
    settings = Settings(bootstrap_servers=f"127.0.0.1:{closed_port()}", data_dir="/tmp/unused")
    with pytest.raises(KafkaUnavailable, match=r"E401.*kafka\.sh start"):
        wait_for_broker(settings, timeout=2)

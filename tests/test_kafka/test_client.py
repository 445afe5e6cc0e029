from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from kafka.errors import KafkaTimeoutError

from workers.exceptions import KafkaUnavailable
from workers.kafka.client import client_config, connecting, probe_server, wait_for_broker
from workers.settings import Settings


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # nothing listens once the socket is closed


@pytest.fixture
def listening_port() -> Iterator[int]:
    """A port that accepts TCP connections and never speaks Kafka."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        yield int(server.getsockname()[1])


def settings_for(servers: str, connect_timeout_seconds: float = 10.0) -> Settings:
    return Settings(bootstrap_servers=servers, data_dir="/tmp/unused", connect_timeout_seconds=connect_timeout_seconds)


@pytest.mark.timeout(60)
def test_unreachable_broker_raises_a_clear_error() -> None:
    settings = settings_for(f"127.0.0.1:{closed_port()}")
    with pytest.raises(KafkaUnavailable, match=r"E401.*kafka\.sh start"):
        wait_for_broker(settings, timeout=2)


@pytest.mark.timeout(60)
def test_wait_for_broker_waits_the_connect_timeout_setting_and_says_where_and_why() -> None:
    port = closed_port()
    settings = settings_for(f"127.0.0.1:{port}", connect_timeout_seconds=1)
    with pytest.raises(KafkaUnavailable) as info:
        wait_for_broker(settings)
    message = str(info.value)
    assert message.startswith(f"[E401] no Kafka broker answered at 127.0.0.1:{port} (tried for 1 s; ")
    assert f"127.0.0.1:{port}: connection refused" in message
    assert "--connect-timeout" in message and "\n" not in message


def test_client_config_bounds_the_bootstrap_by_the_connect_timeout() -> None:
    config = client_config(settings_for("a:9092, b:9093", connect_timeout_seconds=2.5))
    assert config["bootstrap_timeout_ms"] == 2500
    assert config["bootstrap_servers"] == ["a:9092", "b:9093"]


def test_client_config_extra_arguments_win() -> None:
    assert client_config(settings_for("a:9092"), bootstrap_timeout_ms=1)["bootstrap_timeout_ms"] == 1


def test_probe_tells_a_refused_connection() -> None:
    assert probe_server("127.0.0.1", closed_port()).startswith("connection refused")


def test_probe_tells_a_port_that_connects_but_is_no_kafka(listening_port: int) -> None:
    assert probe_server("127.0.0.1", listening_port).startswith("TCP connects but Kafka did not answer")


def test_probe_tells_a_host_name_that_does_not_resolve() -> None:
    assert probe_server("no-such-host.invalid", 9092) == "host name not found"


def test_connecting_turns_a_bootstrap_timeout_into_one_e401_line() -> None:
    port = closed_port()
    settings = settings_for(f"127.0.0.1:{port}", connect_timeout_seconds=3)
    expected = rf"^\[E401\] .* at 127\.0\.0\.1:{port} \(tried for 3 s; "
    with pytest.raises(KafkaUnavailable, match=expected), connecting(settings):
        raise KafkaTimeoutError("Unable to bootstrap")


def test_connecting_lets_other_errors_through() -> None:
    with pytest.raises(ValueError, match="not ours"), connecting(settings_for("a:9092")):
        raise ValueError("not ours")

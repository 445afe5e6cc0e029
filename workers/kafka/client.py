"""Connection settings shared by every kafka-python client, and broker readiness.

Every client gives up on its first broker after ``connect_timeout_seconds``
(``NEWSFLOW_CONNECT_TIMEOUT_SECONDS``, ``--connect-timeout``), and a client that could
not connect becomes one :class:`~workers.exceptions.KafkaUnavailable` line ([E401])
that says where it tried, for how long and why, instead of a library traceback.
"""

from __future__ import annotations

import contextlib
import socket
import time
from collections.abc import Iterator
from typing import Any

from kafka import KafkaAdminClient
from kafka.errors import KafkaError, KafkaTimeoutError

from workers.exceptions import KafkaUnavailable
from workers.kafka.security import kafka_python_security, tls_handshake_error
from workers.settings import Settings, parse_bootstrap_servers

__all__ = ["broker_unavailable", "client_config", "connecting", "probe_server", "wait_for_broker"]

#: Longest wait for one TCP connection when explaining why no broker answered.
_PROBE_TIMEOUT = 1.0


def client_config(settings: Settings, **extra: Any) -> dict[str, Any]:
    """Keyword arguments for any kafka-python client built from ``settings``.

    The client's bootstrap (its first metadata from any listed server) gives up after
    ``settings.connect_timeout_seconds``; ``extra`` may override anything.
    """
    return {
        "bootstrap_servers": [server.strip() for server in settings.bootstrap_servers.split(",")],
        "client_id": "newsflow",
        "bootstrap_timeout_ms": int(settings.connect_timeout_seconds * 1000),
        **kafka_python_security(settings),
        **extra,
    }


def wait_for_broker(settings: Settings, *, timeout: float | None = None) -> None:
    """Return once a broker answers a metadata request.

    Args:
        timeout: seconds to keep trying; ``settings.connect_timeout_seconds`` by default.

    Raises:
        KafkaUnavailable: [E401] no answer within ``timeout`` seconds, or [E407] the TLS
            handshake was refused (retrying cannot help).
    """
    timeout = settings.connect_timeout_seconds if timeout is None else timeout
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while (remaining := deadline - time.monotonic()) > 0:
        remaining_ms = max(500, int(remaining * 1000))
        try:
            admin = KafkaAdminClient(
                **client_config(settings, request_timeout_ms=min(remaining_ms, 5000), bootstrap_timeout_ms=remaining_ms)
            )
            try:
                admin.list_topics()
                return
            finally:
                admin.close()
        except (KafkaError, OSError) as exc:
            last = exc
            if settings.uses_tls:
                _raise_if_tls_refused(settings)
            time.sleep(min(0.5, max(0.0, deadline - time.monotonic())))
    raise broker_unavailable(settings, timeout, last)


@contextlib.contextmanager
def connecting(settings: Settings) -> Iterator[None]:
    """Turn a kafka-python client's failed bootstrap inside the block into [E401]/[E407].

    Use it around the construction of a client (and its first request): a
    ``KafkaTimeoutError`` raised there means no broker answered within
    ``connect_timeout_seconds``.

    Raises:
        KafkaUnavailable: the block raised ``KafkaTimeoutError``.
    """
    try:
        yield
    except KafkaTimeoutError as exc:
        if settings.uses_tls:
            _raise_if_tls_refused(settings)
        raise broker_unavailable(settings, settings.connect_timeout_seconds, exc) from None


def broker_unavailable(settings: Settings, waited: float, cause: Exception | None = None) -> KafkaUnavailable:
    """The [E401] error for ``settings``' servers after trying for ``waited`` seconds.

    It says why each of the first three servers failed, from one TCP connection attempt
    each (kafka-python only says it could not bootstrap).
    """
    servers = parse_bootstrap_servers(settings.bootstrap_servers)
    reasons = "; ".join(f"{_address(host, port)}: {probe_server(host, port)}" for host, port in servers[:3])
    if not reasons and cause is not None:
        reasons = f"{type(cause).__name__}: {cause}"
    return KafkaUnavailable(
        f"[E401] no Kafka broker answered at {settings.bootstrap_servers} (tried for {waited:g} s; {reasons}). "
        "Start one with `deploy/local/kafka.sh start`, or point NEWSFLOW_BOOTSTRAP_SERVERS or -b at one; "
        "--connect-timeout S (NEWSFLOW_CONNECT_TIMEOUT_SECONDS) waits longer."
    )


def probe_server(host: str, port: int, *, timeout: float = _PROBE_TIMEOUT) -> str:
    """Why ``host:port`` may not be a Kafka broker, from one TCP connection attempt."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            pass
    except socket.gaierror:
        return "host name not found"
    except ConnectionRefusedError:
        return "connection refused (nothing listens on that port)"
    except TimeoutError:
        return f"no answer to a TCP connection within {timeout:g} s"
    except OSError as exc:
        return exc.strerror or type(exc).__name__
    return (
        "TCP connects but Kafka did not answer (a broker still starting, another service on that port, "
        "or the wrong NEWSFLOW_SECURITY_PROTOCOL)"
    )


def _address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _raise_if_tls_refused(settings: Settings) -> None:
    refused = tls_handshake_error(settings)
    if refused is not None:
        raise KafkaUnavailable(
            f"[E407] TLS with {settings.bootstrap_servers} failed: {refused}. Check NEWSFLOW_SSL_CAFILE "
            "(the CA that signed the broker's certificate), NEWSFLOW_SSL_CERTFILE and NEWSFLOW_SSL_KEYFILE "
            "(a client certificate the broker trusts) and NEWSFLOW_SSL_CHECK_HOSTNAME."
        ) from None

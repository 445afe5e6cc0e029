"""Connection settings shared by every kafka-python client, and broker readiness."""

from __future__ import annotations

import time
from typing import Any

from kafka import KafkaAdminClient
from kafka.errors import KafkaError

from workers.exceptions import KafkaUnavailable
from workers.security import kafka_python_security, tls_handshake_error
from workers.settings import Settings

__all__ = ["client_config", "wait_for_broker"]


def client_config(settings: Settings, **extra: Any) -> dict[str, Any]:
    """Keyword arguments for any kafka-python client built from ``settings``."""
    return {
        "bootstrap_servers": settings.bootstrap_servers.split(","),
        "client_id": "newsflow",
        **kafka_python_security(settings),
        **extra,
    }


def wait_for_broker(settings: Settings, *, timeout: float = 30.0) -> None:
    """Return once the broker answers a metadata request.

    Raises:
        KafkaUnavailable: no answer within ``timeout`` seconds.
    """
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        remaining_ms = max(500, int((deadline - time.monotonic()) * 1000))
        try:
            admin = KafkaAdminClient(
                **client_config(settings, request_timeout_ms=5000, bootstrap_timeout_ms=min(remaining_ms, 10_000))
            )
            try:
                admin.list_topics()
                return
            finally:
                admin.close()
        except (KafkaError, OSError) as exc:
            last = exc
            refused = tls_handshake_error(settings) if settings.uses_tls else None
            if refused is not None:
                raise KafkaUnavailable(
                    f"[E407] TLS with {settings.bootstrap_servers} failed: {refused}. Check NEWSFLOW_SSL_CAFILE "
                    "(the CA that signed the broker's certificate), NEWSFLOW_SSL_CERTFILE and NEWSFLOW_SSL_KEYFILE "
                    "(a client certificate the broker trusts) and NEWSFLOW_SSL_CHECK_HOSTNAME."
                ) from None
            time.sleep(0.5)
    raise KafkaUnavailable(
        f"[E401] no Kafka broker answered at {settings.bootstrap_servers} within {timeout:.0f} s "
        f"({last}). Start one with `deploy/local/kafka.sh start` or set NEWSFLOW_BOOTSTRAP_SERVERS."
    )

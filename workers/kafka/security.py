"""Turn the security settings into what each Kafka client library expects.

Both adapters, kafka-python (CLI, lag probe) and Faust/aiokafka (the worker), get the
same protocol, mechanism, credentials and TLS material from the one settings object.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
from typing import Any

import faust
from aiokafka.helpers import create_ssl_context

from workers.settings import Settings

__all__ = ["faust_credentials", "kafka_python_security", "ssl_context"]


def ssl_context(settings: Settings) -> ssl.SSLContext | None:
    """A TLS context for SSL / SASL_SSL, trusting ``ssl_cafile`` (else the system CAs)."""
    if not settings.uses_tls:
        return None
    context: ssl.SSLContext = create_ssl_context(
        cafile=settings.ssl_cafile or None,
        certfile=settings.ssl_certfile or None,
        keyfile=settings.ssl_keyfile or None,
    )
    context.check_hostname = settings.ssl_check_hostname
    return context


def tls_handshake_error(settings: Settings, *, timeout: float = 5.0) -> str | None:
    """Why a TLS handshake with the first bootstrap server fails, or None.

    kafka-python only logs a refused handshake and then reports that no broker
    answered; this tells an untrusted or missing certificate from a broker that is not
    there (a connection that cannot be made at all gives None: that is not TLS).
    """
    context = ssl_context(settings)
    if context is None:
        return None
    host, _, port = settings.bootstrap_servers.split(",")[0].strip().rpartition(":")
    host = host.strip("[]")
    try:
        with (
            socket.create_connection((host, int(port)), timeout=timeout) as raw,
            context.wrap_socket(raw, server_hostname=host) as tls,
        ):
            # With TLS 1.3 the server refuses a client certificate only after the
            # handshake: its alert arrives on the first read.
            tls.settimeout(1.0)
            with contextlib.suppress(TimeoutError, ssl.SSLWantReadError):
                tls.recv(1)
    except ssl.SSLError as exc:
        return str(exc)
    except (OSError, ValueError):
        return None
    return None


def kafka_python_security(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for a kafka-python client."""
    config: dict[str, Any] = {"security_protocol": settings.security_protocol}
    if settings.uses_sasl:
        config |= {
            "sasl_mechanism": settings.sasl_mechanism,
            "sasl_plain_username": settings.sasl_username,
            "sasl_plain_password": settings.sasl_password,
        }
    if settings.uses_tls:
        config["ssl_context"] = ssl_context(settings)
    return config


def faust_credentials(settings: Settings) -> faust.types.auth.CredentialsT | None:
    """Credentials for ``faust.App(broker_credentials=...)``; None for PLAINTEXT."""
    if settings.uses_sasl:
        return faust.SASLCredentials(
            username=settings.sasl_username,
            password=settings.sasl_password,
            mechanism=settings.sasl_mechanism,
            ssl_context=ssl_context(settings),
        )
    if settings.uses_tls:
        return faust.SSLCredentials(ssl_context(settings))
    return None

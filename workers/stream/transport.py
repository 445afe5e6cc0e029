"""A Faust transport whose producer is always idempotent.

faust-streaming turns on ``enable_idempotence`` only inside transactions (its
exactly-once mode, which is experimental). At-least-once delivery with retries wants
it too: a retried send must not write a record twice. Registered under the URL scheme
``newsflow-kafka://`` through the ``faust.transports`` entry point in pyproject.toml.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from faust.transport.drivers import aiokafka as faust_aiokafka

__all__ = ["IdempotentProducer", "Transport"]

SCHEME = "newsflow-kafka"


class IdempotentProducer(faust_aiokafka.Producer):
    """aiokafka producer with ``acks=all`` and ``enable_idempotence=True``."""

    def _settings_extra(self) -> Mapping[str, Any]:
        return {**super()._settings_extra(), "acks": "all", "enable_idempotence": True}


class Transport(faust_aiokafka.Transport):
    """Faust's aiokafka transport with :class:`IdempotentProducer`."""

    Producer = IdempotentProducer

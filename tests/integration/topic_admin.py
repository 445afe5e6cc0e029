"""Topic changes the integration tests make behind the pipeline's back, with kafka-python's admin."""

from __future__ import annotations

from kafka import KafkaAdminClient
from kafka.admin import ConfigResource, ConfigResourceType

from workers.kafka.client import client_config
from workers.settings import Settings


def alter_topic(settings: Settings, topic: str, configs: dict[str, str]) -> None:
    """Set ``configs`` on ``topic``."""
    admin = KafkaAdminClient(**client_config(settings))
    try:
        admin.alter_configs([ConfigResource(ConfigResourceType.TOPIC, topic, configs)])
    finally:
        admin.close()


def delete_topic(settings: Settings, topic: str) -> None:
    """Delete ``topic`` (waits up to 30 s for the broker to confirm)."""
    admin = KafkaAdminClient(**client_config(settings))
    try:
        admin.delete_topics([topic], timeout_ms=30_000)
    finally:
        admin.close()


def topic_exists(settings: Settings, topic: str) -> bool:
    """Whether the broker lists ``topic``."""
    admin = KafkaAdminClient(**client_config(settings))
    try:
        return topic in admin.list_topics()
    finally:
        admin.close()

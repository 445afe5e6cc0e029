"""Create and list the pipeline's topics."""

from __future__ import annotations

from dataclasses import dataclass

from kafka import KafkaAdminClient
from kafka.admin import NewTopic
from kafka.errors import TopicAlreadyExistsError

from workers.kafka.client import client_config
from workers.settings import Settings

__all__ = ["TopicInfo", "create_topics", "describe_topics"]


@dataclass(frozen=True, slots=True)
class TopicInfo:
    """A topic's name and partition count."""

    name: str
    partitions: int


def create_topics(settings: Settings, names: tuple[str, ...] | None = None) -> dict[str, bool]:
    """Create the pipeline's topics that do not exist yet.

    Returns:
        For each topic, True if it was created now, False if it existed.
    """
    names = names or settings.all_topics
    admin = KafkaAdminClient(**client_config(settings))
    try:
        existing = set(admin.list_topics())
        created: dict[str, bool] = {}
        for name in names:
            if name in existing:
                created[name] = False
                continue
            try:
                admin.create_topics(
                    [NewTopic(name, settings.partitions, settings.replication_factor)],
                    timeout_ms=30_000,
                )
                created[name] = True
            except TopicAlreadyExistsError:  # created concurrently by another process
                created[name] = False
        return created
    finally:
        admin.close()


def describe_topics(settings: Settings) -> list[TopicInfo]:
    """Every topic on the cluster (internal ones excluded) with its partition count."""
    admin = KafkaAdminClient(**client_config(settings))
    try:
        names = sorted(n for n in admin.list_topics() if not n.startswith("__"))
        described = admin.describe_topics(names) if names else []
        return [TopicInfo(t["topic"], len(t["partitions"])) for t in described]
    finally:
        admin.close()

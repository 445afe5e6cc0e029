"""Create and list the pipeline's topics."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from kafka import KafkaAdminClient
from kafka.admin import ConfigResource, ConfigResourceType, NewTopic
from kafka.errors import InvalidReplicationFactorError, KafkaConnectionError, NodeNotReadyError, TopicAlreadyExistsError

from workers.exceptions import KafkaUnavailable, NewsflowError
from workers.kafka.client import client_config
from workers.settings import Settings

__all__ = ["ADMIN_RETRY_SECONDS", "TopicInfo", "create_topics", "describe_topics", "message_size_limits"]

#: How long an admin request keeps trying while a broker refuses connections. A broker
#: that died stays in the cluster's metadata until its session times out (9 s by default,
#: ``broker.session.timeout.ms``), and kafka-python's admin client may send a request to
#: it without trying another: a fresh client a moment later reaches a live broker.
ADMIN_RETRY_SECONDS = 30.0
#: Pause between two attempts.
_ADMIN_RETRY_PAUSE = 1.0

T = TypeVar("T")


def _with_admin(settings: Settings, request: Callable[[KafkaAdminClient], T]) -> T:
    """Run ``request`` with an admin client of its own, again with a fresh client while a
    broker refuses connections (a dead one still in the metadata), for up to
    ``ADMIN_RETRY_SECONDS``.

    Raises:
        KafkaUnavailable: [E434] a broker still refused connections after that long.
    """
    deadline = time.monotonic() + ADMIN_RETRY_SECONDS
    while True:
        admin: KafkaAdminClient | None = None
        try:
            admin = KafkaAdminClient(**client_config(settings))
            return request(admin)
        except (KafkaConnectionError, NodeNotReadyError) as exc:
            if time.monotonic() >= deadline:
                raise KafkaUnavailable(
                    f"[E434] admin requests to {settings.bootstrap_servers} kept failing for "
                    f"{ADMIN_RETRY_SECONDS:.0f} s, a broker refusing connections: {exc}"
                ) from None
        finally:
            if admin is not None:
                admin.close()
        time.sleep(_ADMIN_RETRY_PAUSE)


@dataclass(frozen=True, slots=True)
class TopicInfo:
    """A topic's name and partition count."""

    name: str
    partitions: int


def create_topics(settings: Settings) -> dict[str, int | None]:
    """Create the pipeline's topics that do not exist yet.

    Besides the five pipeline topics and the story stage's three (``stories``,
    ``claim-links``, ``trends``) this creates three changelogs, of the workers' duplicate
    index and poison-pill guard and of the story stage's state: compacted (the latest
    value per key is all a replica needs), one partition (every member reads all of it,
    and one log orders all writes). Every topic, changelogs too, gets
    ``settings.replication_factor`` replicas and ``settings.min_insync_replicas``.

    Returns:
        For each topic, its partition count if it was created now, None if it existed.

    Raises:
        NewsflowError: [E433] the cluster has fewer brokers than the replication factor.
        KafkaUnavailable: [E434] a broker kept refusing connections (see ``_with_admin``).
    """
    durability = {"min.insync.replicas": str(settings.min_insync_replicas)}
    wanted = [
        NewTopic(name, settings.partitions, settings.replication_factor, topic_configs=dict(durability))
        for name in (*settings.all_topics, *settings.story_topics)
    ]
    changelogs = (settings.dedup_changelog_topic, settings.poison_changelog_topic, settings.stories_changelog_topic)
    wanted += [
        NewTopic(changelog, 1, settings.replication_factor, topic_configs={"cleanup.policy": "compact", **durability})
        for changelog in changelogs
    ]

    def create(admin: KafkaAdminClient) -> dict[str, int | None]:
        # Listed afresh on each attempt, so a retry skips what an earlier one created.
        existing = set(admin.list_topics())
        created: dict[str, int | None] = {}
        for topic in wanted:
            name = topic.name
            if name in existing:
                created[name] = None
                continue
            try:
                admin.create_topics([topic], timeout_ms=30_000)
                created[name] = topic.num_partitions
            except TopicAlreadyExistsError:  # created concurrently by another process
                created[name] = None
            except InvalidReplicationFactorError as exc:
                raise NewsflowError(
                    f"[E433] cannot create {name!r} with replication factor {settings.replication_factor}: "
                    f"the cluster has fewer live brokers ({exc}); set NEWSFLOW_REPLICATION_FACTOR (and "
                    "NEWSFLOW_MIN_INSYNC_REPLICAS) to what the cluster holds, 1 and 1 on a single broker"
                ) from None
        return created

    return _with_admin(settings, create)


def describe_topics(settings: Settings) -> list[TopicInfo]:
    """Every topic on the cluster (internal ones excluded) with its partition count."""

    def describe(admin: KafkaAdminClient) -> list[TopicInfo]:
        names = sorted(n for n in admin.list_topics() if not n.startswith("__"))
        described = admin.describe_topics(names) if names else []
        return [TopicInfo(t["name"], len(t["partitions"])) for t in described]  # kafka-python 3 shape

    return _with_admin(settings, describe)


def message_size_limits(settings: Settings, topics: Sequence[str]) -> dict[str, int]:
    """Each topic's ``max.message.bytes`` (topics that do not exist are left out)."""

    def limits(admin: KafkaAdminClient) -> dict[str, int]:
        existing = set(admin.list_topics())
        wanted = [
            ConfigResource(ConfigResourceType.TOPIC, t, {"max.message.bytes": None}) for t in topics if t in existing
        ]
        if not wanted:
            return {}
        described = admin.describe_configs(wanted, config_filter="all")  # kafka-python 3 shape
        return {
            name: int(configs["max.message.bytes"]["value"])
            for name, configs in described.get("topic", {}).items()
            if "max.message.bytes" in configs
        }

    return _with_admin(settings, limits)

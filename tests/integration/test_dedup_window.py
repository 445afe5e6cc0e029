"""The duplicate index's window on the real broker: expiry's tombstones land on the
changelog, and once the broker has compacted it a new worker's replica reads and holds
only the articles of the last window."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition
from kafka.admin import NewTopic

from tests.integration.conftest import Broker
from workers.benchmark.index_window import (
    SPAN_WINDOWS,
    await_compaction,
    create_changelog,
    new_replica_catch_up,
    write_synthetic_index,
)
from workers.kafka.client import client_config
from workers.settings import Settings
from workers.state.changelog import ChangelogReplica
from workers.state.store import ChangelogStore

ENTRIES = 500
WINDOW = timedelta(days=30)
KEYS_PER_ARTICLE = 11  # x:, 8 bands, s:, t:


@pytest.fixture
def settings(broker: Broker, tmp_path: Path) -> Settings:
    return Settings(bootstrap_servers=broker.bootstrap, data_dir=str(tmp_path))


@pytest.fixture
def topic(settings: Settings) -> Iterator[str]:
    name = f"index-window-{uuid.uuid4().hex[:8]}"
    create_changelog(settings, name)
    yield name


def kept_articles() -> set[bytes]:
    """The articles inside the window at the end: times step * i, the last one's minus the window."""
    step = WINDOW * SPAN_WINDOWS / ENTRIES
    return {f"a{i:09d}".encode() for i in range(ENTRIES) if step * i >= step * (ENTRIES - 1) - WINDOW}


def tombstones_on(settings: Settings, topic: str) -> int:
    consumer = KafkaConsumer(**client_config(settings, group_id=None, auto_offset_reset="earliest"))
    try:
        tp = TopicPartition(topic, 0)
        consumer.assign([tp])
        end = consumer.end_offsets([tp])[tp]
        count = 0
        while consumer.position(tp) < end:
            count += sum(r.value is None for rs in consumer.poll(timeout_ms=500).values() for r in rs)
        return count
    finally:
        consumer.close()


def test_expiry_writes_a_tombstone_for_every_key_of_each_expired_article(settings: Settings, tmp_path: Path) -> None:
    topic = f"index-window-kept-{uuid.uuid4().hex[:8]}"
    admin = KafkaAdminClient(**client_config(settings))
    try:  # compacted as `newsflow topics create` makes it: nothing cleaned for a long while
        admin.create_topics([NewTopic(topic, 1, 1, topic_configs={"cleanup.policy": "compact"})])
    finally:
        admin.close()
    written = write_synthetic_index(settings, topic, ENTRIES, tmp_path, window=WINDOW, keep_window=True)
    expired = ENTRIES - len(kept_articles())
    assert written.tombstones == expired * KEYS_PER_ARTICLE + 1  # and the one that rolls the segment
    assert tombstones_on(settings, topic) == written.tombstones


def test_a_new_replica_after_compaction_reads_and_holds_only_the_window(
    settings: Settings, topic: str, tmp_path: Path
) -> None:
    written = write_synthetic_index(settings, topic, ENTRIES, tmp_path, window=WINDOW, keep_window=True)
    held = await_compaction(settings, topic, written.live + 1, timeout=240, every=2)
    assert held < written.records / 4, (held, written)

    store = ChangelogStore(tmp_path / "new-worker")
    replica = ChangelogReplica(store, settings, topic, stall_timeout=30)
    try:
        read = replica.catch_up()
        snapshot = store.snapshot()
    finally:
        replica.close()
        store.close()
    assert read == held
    assert {k[2:] for k in snapshot if k.startswith(b"s:")} == kept_articles()
    assert len(snapshot) == len(kept_articles()) * KEYS_PER_ARTICLE
    caught = new_replica_catch_up(settings, topic, tmp_path)
    assert caught.keys == len(snapshot) and caught.disk_bytes > 0

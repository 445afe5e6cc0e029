"""The changelog replicas against the real broker (the duplicate index's: catch-up, follow,
resume, rebuild; the poison-pill guard's: E414, marks and tombstones from another worker)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from kafka import KafkaAdminClient, KafkaProducer
from kafka.admin import NewTopic
from kafka.errors import TopicAlreadyExistsError

from tests.integration.conftest import Broker, wait_for
from workers.exceptions import NewsflowError
from workers.kafka.client import client_config
from workers.pipeline.inflight import InFlightGuard, mark_key
from workers.pipeline.process import InputRecord
from workers.settings import Settings
from workers.state.changelog import ChangelogReplica
from workers.state.poison import PoisonChangelogReplica
from workers.state.store import ChangelogStore
from workers.state.writer import ChangelogWriter


@pytest.fixture
def settings(broker: Broker, tmp_path: Path) -> Settings:
    return Settings(bootstrap_servers=broker.bootstrap, data_dir=str(tmp_path))


@pytest.fixture
def admin(settings: Settings) -> Iterator[KafkaAdminClient]:
    client = KafkaAdminClient(**client_config(settings))
    yield client
    client.close()


def create(admin: KafkaAdminClient, topic: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while True:  # right after a delete, the broker may still be removing the old topic
        try:
            admin.create_topics([NewTopic(topic, 1, 1, topic_configs={"cleanup.policy": "compact"})])
            return
        except TopicAlreadyExistsError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


@pytest.fixture
def topic(admin: KafkaAdminClient) -> str:
    name = f"changelog-{uuid.uuid4().hex[:8]}"
    create(admin, name)
    return name


@pytest.fixture
def write(settings: Settings) -> Iterator[Callable[[str, list[tuple[bytes, bytes]]], None]]:
    producer = KafkaProducer(**client_config(settings, acks="all"))

    def send(topic: str, records: list[tuple[bytes, bytes]]) -> None:
        for key, value in records:
            producer.send(topic, key=key, value=value)
        producer.flush()

    yield send
    producer.close()


def no_worker() -> None:
    """Nothing to check for liveness: the replica runs in this process."""


def replica_of(
    settings: Settings, topic: str, path: Path, on_lag: Callable[[int], None] = lambda lag: None
) -> tuple[ChangelogStore, ChangelogReplica]:
    store = ChangelogStore(path)
    return store, ChangelogReplica(store, settings, topic, on_lag=on_lag, stall_timeout=20)


def test_catch_up_reads_the_log_then_the_follower_applies_new_writes_and_our_staged_ones(
    settings: Settings, topic: str, write: Callable[[str, list[tuple[bytes, bytes]]], None], tmp_path: Path
) -> None:
    write(topic, [(b"a", b"1"), (b"b", b"2"), (b"a", b"3")])
    lags: list[int] = []
    store, replica = replica_of(settings, topic, tmp_path / "r", on_lag=lags.append)
    try:
        assert replica.catch_up() == 3
        assert store.snapshot() == {b"a": b"3", b"b": b"2"}
        replica.start()
        store[b"mine"] = b"x"  # staged, as the agent does, then published by it
        write(topic, [(b"c", b"4"), *store.take_pending()])
        wait_for(lambda: store.staged_count == 0 and store.get(b"c") == b"4", no_worker, timeout=20, what="applied")
        assert store.snapshot() == {b"a": b"3", b"b": b"2", b"c": b"4", b"mine": b"x"}
        wait_for(lambda: bool(lags) and lags[-1] == 0, no_worker, timeout=20, what="lag 0 reported")
    finally:
        replica.close()
        store.close()


def test_a_restarted_replica_reads_only_what_it_missed(
    settings: Settings, topic: str, write: Callable[[str, list[tuple[bytes, bytes]]], None], tmp_path: Path
) -> None:
    write(topic, [(f"k{i}".encode(), b"v") for i in range(50)])
    store, replica = replica_of(settings, topic, tmp_path / "r")
    assert replica.catch_up() == 50
    replica.close()
    store.close()

    write(topic, [(b"late", b"v")])
    store, replica = replica_of(settings, topic, tmp_path / "r")
    try:
        assert replica.catch_up() == 1
        assert len(store.snapshot()) == 51 and store.applied_offsets() == {0: 50}
    finally:
        replica.close()
        store.close()


def test_a_replica_ahead_of_a_recreated_topic_is_rebuilt_from_it(
    settings: Settings,
    topic: str,
    admin: KafkaAdminClient,
    write: Callable[[str, list[tuple[bytes, bytes]]], None],
    tmp_path: Path,
) -> None:
    write(topic, [(b"old1", b"v"), (b"old2", b"v"), (b"old3", b"v")])
    store, replica = replica_of(settings, topic, tmp_path / "r")
    replica.catch_up()
    replica.close()
    store.close()

    admin.delete_topics([topic])
    create(admin, topic)
    write(topic, [(b"new", b"v")])
    store, replica = replica_of(settings, topic, tmp_path / "r")
    try:
        replica.catch_up()
        assert store.snapshot() == {b"new": b"v"}
    finally:
        replica.close()
        store.close()


def test_a_missing_changelog_is_a_clear_error(settings: Settings, tmp_path: Path) -> None:
    store, replica = replica_of(settings, f"missing-{uuid.uuid4().hex[:8]}", tmp_path / "r")
    try:
        with pytest.raises(NewsflowError, match=r"\[E403\].*newsflow topics create"):
            replica.catch_up()
    finally:
        replica.close()
        store.close()


def test_a_missing_poison_changelog_is_e414(settings: Settings, tmp_path: Path) -> None:
    store = ChangelogStore(tmp_path / "p")
    replica = PoisonChangelogReplica(store, settings, f"missing-{uuid.uuid4().hex[:8]}")
    try:
        with pytest.raises(NewsflowError, match=r"\[E414\] the poison-pill guard's changelog .*newsflow topics create"):
            replica.catch_up()
    finally:
        replica.close()
        store.close()


def test_marks_written_and_crossed_off_by_one_worker_reach_another_workers_replica(
    settings: Settings, topic: str, tmp_path: Path
) -> None:
    # The poison-pill guard's round trip: marks through the writer (waiting for Kafka),
    # tombstones for the ones crossed off, and another worker's replica of the topic.
    mine = ChangelogStore(tmp_path / "mine")
    writer = ChangelogWriter(settings, topic, what="marks")
    guard = InFlightGuard(mine, writer)
    records = [InputRecord("articles.raw", 0, offset, None, b"") for offset in range(3)]
    guard.begin(records)
    guard.done(records[:2])  # the worker dies with records[2] in flight
    writer.close()
    mine.close()

    theirs = ChangelogStore(tmp_path / "theirs")
    replica = PoisonChangelogReplica(theirs, settings, topic)
    try:
        replica.catch_up()
        assert list(theirs.snapshot()) == [mark_key(records[2])]
        taker = InFlightGuard(theirs, writer)  # not written through: only reads here
        assert [taker.deaths(r) for r in records] == [0, 0, 1]
    finally:
        replica.close()
        theirs.close()

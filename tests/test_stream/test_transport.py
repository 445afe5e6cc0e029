"""The worker's Faust transport: a revoke commits the offsets acked before it.

faust-streaming's consumer forgets the offsets acked on revoked partitions before it
commits (see workers/stream/transport.py); these tests drive a real Faust consumer
through a revoke, with Kafka replaced by a recorder of the offsets it is asked to commit.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from typing import Any
from unittest.mock import AsyncMock

import pytest
from faust.transport.drivers import aiokafka as faust_aiokafka
from faust.types import TP
from faust.types.tuples import Message

from workers.settings import Settings
from workers.stream import transport
from workers.stream.app import create_app

RAW = "articles.raw"


class Recorder:
    """A consumer of ``cls`` whose commits are recorded instead of sent to Kafka."""

    def __init__(self, cls: type[faust_aiokafka.Consumer], settings: Settings, assigned: set[TP]) -> None:
        self.app = create_app(settings)
        self.revoke_handler = AsyncMock()
        self.consumer = cls(
            self.app.transport,
            callback=AsyncMock(),
            on_partitions_revoked=self.revoke_handler,
            on_partitions_assigned=AsyncMock(),
        )
        self.commits: list[dict[TP, int]] = []
        #: Called at each commit, before it returns (e.g. to ack inputs meanwhile).
        self.during_commit: Callable[[], None] = lambda: None
        self.consumer._commit = self._commit  # type: ignore[method-assign]
        self.consumer.assignment = lambda: set(assigned)  # type: ignore[method-assign]
        self.app.topics.acks_enabled_for = lambda topic: True  # type: ignore[method-assign]
        self.app.producer.flush = AsyncMock()  # type: ignore[method-assign]

    async def _commit(self, offsets: Mapping[TP, int]) -> bool:
        self.commits.append(dict(offsets))
        await asyncio.sleep(0)
        self.during_commit()
        return True

    def ack(self, tp: TP, offsets: range) -> None:
        for offset in offsets:
            message = Message(tp.topic, tp.partition, offset, 0.0, 0, None, b"key", b"value", None)
            self.consumer.track_message(message)
            self.consumer.ack(message)

    def committed(self) -> dict[TP, int]:
        """The latest offset committed for each partition."""
        latest: dict[TP, int] = {}
        for commit in self.commits:
            latest.update(commit)
        return latest


@pytest.fixture
def recorder(make_settings: Callable[..., Settings]) -> Callable[..., Recorder]:
    def make(cls: type[faust_aiokafka.Consumer], assigned: set[TP]) -> Recorder:
        return Recorder(cls, make_settings(), assigned)

    return make


def test_the_app_consumes_with_the_workers_consumer(make_settings: Callable[..., Settings]) -> None:
    app: Any = create_app(make_settings())
    assert isinstance(app.consumer, transport.Consumer)


def test_stock_faust_forgets_the_offsets_acked_before_a_revoke(recorder: Callable[..., Recorder]) -> None:
    # What the worker's consumer works around: if this starts failing, faust-streaming
    # commits on revoke by itself and the override can go.
    p2 = TP(RAW, 2)
    stock = recorder(faust_aiokafka.Consumer, {p2})
    stock.ack(p2, range(119, 125))
    asyncio.run(stock.consumer.on_partitions_revoked({p2}))
    assert stock.commits == []
    stock.revoke_handler.assert_awaited_once()


def test_a_revoke_commits_the_offsets_acked_before_it(recorder: Callable[..., Recorder]) -> None:
    p0, p2 = TP(RAW, 0), TP(RAW, 2)
    ours = recorder(transport.Consumer, {p0, p2})
    ours.ack(p2, range(119, 125))
    ours.ack(p0, range(40, 43))
    asyncio.run(ours.consumer.on_partitions_revoked({p0, p2}))
    assert ours.committed() == {p2: 125, p0: 43}
    # Faust's own revoke handling (wait for the streams, commit what they ack) follows.
    ours.revoke_handler.assert_awaited_once_with({p0, p2})


def test_inputs_acked_while_the_revoke_commits_are_committed_too(recorder: Callable[..., Recorder]) -> None:
    # A commit first flushes the producer: the batch in flight is acknowledged and its
    # inputs acked while the commit is under way, after it took the acks it commits.
    p2 = TP(RAW, 2)
    ours = recorder(transport.Consumer, {p2})
    ours.ack(p2, range(119, 121))
    later = iter([range(121, 125), range(125, 129)])
    ours.during_commit = lambda: ours.ack(p2, next(later, range(0)))
    asyncio.run(ours.consumer.on_partitions_revoked({p2}))
    assert [c[p2] for c in ours.commits] == [121, 125, 129]


def test_a_revoke_commits_at_most_its_rounds(recorder: Callable[..., Recorder]) -> None:
    # Inputs acked without end (a stream that keeps flowing) do not hold the rebalance.
    p2 = TP(RAW, 2)
    ours = recorder(transport.Consumer, {p2})
    ours.ack(p2, range(0, 1))
    offsets = iter(range(1, 1000))
    ours.during_commit = lambda: ours.ack(p2, range(next(offsets), next(offsets) + 1))
    asyncio.run(ours.consumer.on_partitions_revoked({p2}))
    assert len(ours.commits) == transport.Consumer.REVOKE_COMMIT_ROUNDS
    ours.revoke_handler.assert_awaited_once()


def test_a_revoke_with_nothing_acked_commits_nothing(recorder: Callable[..., Recorder]) -> None:
    p1 = TP(RAW, 1)
    ours = recorder(transport.Consumer, {p1})
    asyncio.run(ours.consumer.on_partitions_revoked({p1}))
    assert ours.commits == []
    ours.revoke_handler.assert_awaited_once()

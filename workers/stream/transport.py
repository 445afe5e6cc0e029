"""Faust's aiokafka transport, with the two changes at-least-once delivery needs.

* The producer is always idempotent. faust-streaming turns on ``enable_idempotence``
  only inside transactions (its exactly-once mode, which is experimental). At-least-once
  delivery with retries wants it too: a retried send must not write a record twice.
* The consumer commits what was acked before a rebalance takes its partitions away.
  When partitions are revoked, faust-streaming first forgets the offsets acked on them
  and only then waits for the streams and commits (``Consumer.on_partitions_revoked``):
  the inputs acked since the last periodic commit (up to ``broker_commit_interval`` of
  finished work) are committed only if an input of the same partition is acked during
  that wait, which carries the offset past them. Otherwise the partition's next owner,
  this worker itself included, processes them again.

Registered under the URL scheme ``newsflow-kafka://`` through the ``faust.transports``
entry point in pyproject.toml.
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from typing import Any

from faust.transport.drivers import aiokafka as faust_aiokafka
from faust.types import TP

__all__ = ["Consumer", "IdempotentProducer", "Transport"]

SCHEME = "newsflow-kafka"


class IdempotentProducer(faust_aiokafka.Producer):
    """aiokafka producer with ``acks=all`` and ``enable_idempotence=True``."""

    def _settings_extra(self) -> Mapping[str, Any]:
        return {**super()._settings_extra(), "acks": "all", "enable_idempotence": True}


class Consumer(faust_aiokafka.Consumer):
    """Faust's aiokafka consumer that commits the acked offsets of revoked partitions
    before Faust forgets them.

    The commits are made inside the rebalance, before this member rejoins the group: its
    generation still owns the partitions, and the broker takes them.
    """

    #: Commits at most made at a revoke before Faust's own handling goes on.
    REVOKE_COMMIT_ROUNDS = 5

    async def on_partitions_revoked(self, revoked: Set[TP]) -> None:
        await self.commit_acked(revoked, rounds=self.REVOKE_COMMIT_ROUNDS)
        # Once a round finds nothing more to commit, nothing is awaited before Faust drops
        # the acks, so none is lost in between; an input acked from here on is committed
        # by Faust's own wait for the streams.
        await super().on_partitions_revoked(revoked)

    async def commit_acked(self, tps: Set[TP], *, rounds: int) -> int:
        """Commit the offsets acked on ``tps``, again for as long as more were acked
        meanwhile (a commit first flushes the producer, and the acknowledgements of a
        batch in flight ack its inputs), at most ``rounds`` times.

        Returns:
            The number of commits made; 0 when nothing was acked since the last one.
        """
        made = 0
        for _ in range(rounds):
            # A commit under way took only the acks made before it started: let it
            # finish, then commit the rest (commit() would return at once, having waited).
            await self.maybe_wait_for_commit_to_finish()
            if not await self.commit(set(tps)):
                break
            made += 1
        return made


class Transport(faust_aiokafka.Transport):
    """Faust's aiokafka transport with :class:`Consumer` and :class:`IdempotentProducer`."""

    Consumer = Consumer
    Producer = IdempotentProducer

"""The poison-pill guard's changelog, ``<group>-poison-changelog``: its replica.

The marks of :mod:`workers.pipeline.inflight` are replicated into each worker's store
as the duplicate index is (:class:`~workers.state.changelog.ChangelogReplica`), so a
worker that takes over a partition sees the deaths other workers had on its inputs.
Only its errors differ: [E414], one code for "cannot be read" whatever the cause.
"""

from __future__ import annotations

from workers.exceptions import KafkaUnavailable, NewsflowError
from workers.state.changelog import ChangelogReplica

__all__ = ["PoisonChangelogReplica"]


class PoisonChangelogReplica(ChangelogReplica):
    """Replicates the poison-pill guard's changelog into its store."""

    label = "poison-pill guard"

    def missing_topic(self) -> NewsflowError:
        return KafkaUnavailable(
            f"[E414] the poison-pill guard's changelog {self.topic!r} does not exist "
            "(create it with `newsflow topics create`)"
        )

    def stalled(self, done: int, total: int) -> NewsflowError:
        return KafkaUnavailable(
            f"[E414] no progress reading the poison-pill guard's changelog {self.topic!r} for "
            f"{self._stall_timeout:.0f} s ({done} of at most {total} records applied)"
        )

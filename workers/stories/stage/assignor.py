"""A partition assignor that gives every partition to one member: the others stand by.

Stories are global (an article on partition 0 may join a story opened on partition 5),
so one assigner must see every article, in one order. The stage's consumer group uses
this assignor instead of kafka-python's range assignor: the group leader gives all
partitions of ``articles.enriched`` to one member and none to the rest, which keep
following the changelog to take over fast when the group drops that member.

Which member: the one that says it holds them now (no needless hand-over when a standby
joins), else the one started first, then by member id. Each member says both in its
subscription's user data, which the leader reads.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import orjson
from kafka.coordinator.assignors.abstract import AbstractPartitionAssignor
from kafka.protocol.consumer.metadata import ConsumerProtocolAssignment, ConsumerProtocolSubscription

__all__ = ["OneActiveAssignor", "choose_active"]


def choose_active(members: list[tuple[str, bytes]]) -> str | None:
    """The member id that gets every partition, from (member id, user data) pairs."""

    def rank(member: tuple[str, bytes]) -> tuple[int, int, str]:
        member_id, data = member
        try:
            said = orjson.loads(data) if data else {}
        except orjson.JSONDecodeError:
            said = {}
        if not isinstance(said, dict):
            said = {}
        return (0 if said.get("active") else 1, int(said.get("since") or 0) or 2**62, member_id)

    return min(members, key=rank)[0] if members else None


class OneActiveAssignor(AbstractPartitionAssignor):  # type: ignore[misc]  # kafka-python is untyped
    """See the module docstring.

    Args:
        is_active: whether this member holds the partitions now (read at each join).
    """

    name = "newsflow-one-active"
    version = 0

    def __init__(self, is_active: Callable[[], bool]) -> None:
        self._is_active = is_active
        self._since = int(time.time() * 1000)

    def metadata(self, topics: Any) -> ConsumerProtocolSubscription:
        said = orjson.dumps({"active": self._is_active(), "since": self._since})
        return ConsumerProtocolSubscription(self.version, sorted(topics), said)

    def assign(self, cluster: Any, members: Any) -> dict[str, ConsumerProtocolAssignment]:
        topics = sorted({t for m in members for t in m.metadata.topics})
        chosen = choose_active([(m.member_id, bytes(m.metadata.user_data or b"")) for m in members])
        everything = [(t, sorted(cluster.partitions_for_topic(t) or ())) for t in topics]
        return {
            m.member_id: ConsumerProtocolAssignment(self.version, everything if m.member_id == chosen else [], b"")
            for m in members
        }

    def on_assignment(self, assignment: Any, generation: Any) -> None:
        pass

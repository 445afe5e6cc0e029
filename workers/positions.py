"""Where a record was read: its topic, partition and offset.

One type for the pure pipeline and the adapters alike, so nothing here imports Kafka:
:class:`Positioned` is anything that names its position (a Faust event's message,
kafka-python's ``ConsumerRecord``, :class:`~workers.pipeline.process.InputRecord`),
and :class:`Position` is a position as a value of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

__all__ = ["Position", "Positioned"]


class Positioned(Protocol):
    """Anything that names a record by topic, partition and offset."""

    @property
    def topic(self) -> str: ...
    @property
    def partition(self) -> int: ...
    @property
    def offset(self) -> int: ...


@dataclass(frozen=True, slots=True)
class Position:
    """A topic, partition and offset, on its own (it is :class:`Positioned` too)."""

    topic: str
    partition: int
    offset: int

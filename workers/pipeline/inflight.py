"""Which inputs workers were working on when they died: the poison-pill guard.

An input that kills the worker (memory, a crash in a native library, a bug that ends
the process) is read again after the restart, from its uncommitted offset, or by the
worker that takes its partition, and would kill that worker too, forever, while its
partition stalls. So before an input is processed the worker writes down that it has
it in flight, and crosses it off when its outputs are decided. The marks live where
every worker of the group sees them: a compacted changelog topic,
``<group>-poison-changelog``, replicated into each worker's store like the duplicate
index (:mod:`workers.state`). A mark is the input's position as key, and as value who
wrote it (this process's *incarnation*, new at every start) and how many workers had
died with the input in flight before.

A worker that reads an input still marked by another incarnation knows that a worker
died while working on it (a worker that lives on crosses its marks off within the
batch):

* the deaths so far are the mark's count plus one: the input is a *suspect*. It is
  processed again, alone, so that the other inputs of its batch are not held back by
  it, and marked anew with that count;
* once the count reaches ``poison_attempts`` (default 2), whichever worker reads it
  next, it is dead-lettered as ``poison`` instead.

A mark must be in Kafka before the NLP that may kill the worker begins:
:meth:`InFlightGuard.begin` hands the marks to the flusher and returns once they are
acknowledged. Crossing off need
not wait (``done``): a death after the NLP is not the input's doing. Nothing here
talks to Kafka.

Limits, by design: a worker that stops cleanly in the middle of a batch (SIGTERM during
the NLP) leaves its marks, and counts as a death; so does a worker whose partition
moved away mid-batch, if the next owner reads the input before the live worker has
crossed it off (it is then only processed alone, unless that happens twice running).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Protocol

import orjson

from workers.positions import Positioned

__all__ = ["Flusher", "GuardStore", "InFlightGuard", "mark_key"]


class GuardStore(Protocol):
    """What the guard needs of its store: :class:`~workers.state.store.ChangelogStore` has it."""

    def get(self, key: bytes, /) -> bytes | None: ...

    def __setitem__(self, key: bytes, value: bytes, /) -> None: ...

    def __delitem__(self, key: bytes, /) -> None: ...

    def take_pending(self) -> list[tuple[bytes, bytes | None]]: ...


class Flusher(Protocol):
    """Sends the guard's changes to the changelog (see :class:`~workers.state.writer.ChangelogWriter`)."""

    def write(self, changes: Sequence[tuple[bytes, bytes | None]], *, wait: bool) -> None: ...


def mark_key(record: Positioned) -> bytes:
    """The key of an input's mark: its topic, partition and offset."""
    return f"{record.topic}:{record.partition}:{record.offset}".encode()


class InFlightGuard:
    """How often workers died while each input was in flight, shared by the group.

    Args:
        store: the replica of the guard's changelog, our own changes staged on top.
        flusher: sends the staged changes to the changelog.
        incarnation: this process's name in its marks (a new one at every start).
    """

    def __init__(self, store: GuardStore, flusher: Flusher, *, incarnation: str | None = None) -> None:
        self.store = store
        self.flusher = flusher
        self.incarnation = incarnation or uuid.uuid4().hex

    def deaths(self, record: Positioned) -> int:
        """How many times a worker died while ``record`` was in flight."""
        raw = self.store.get(mark_key(record))
        if raw is None:
            return 0
        try:
            mark = orjson.loads(raw)
            by, before = str(mark["by"]), int(mark["deaths"])
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
            return 1  # a mark we cannot read still says a worker had the input in flight
        return before if by == self.incarnation else before + 1

    def begin(self, records: Iterable[Positioned]) -> None:
        """Mark ``records`` as in flight here, with the deaths so far; return once the
        marks (and every change before them) are in Kafka.

        Raises:
            KafkaUnavailable: [E414] the marks could not be written in time.
        """
        for record in records:
            mark = {"by": self.incarnation, "deaths": self.deaths(record)}
            self.store[mark_key(record)] = orjson.dumps(mark)
        self.flusher.write(self.store.take_pending(), wait=True)

    def done(self, records: Iterable[Positioned]) -> None:
        """Cross off ``records``: their outcome is decided. Only our own marks: one
        written since by another worker (the partition moved) stays theirs."""
        for record in records:
            raw = self.store.get(mark_key(record))
            if raw is not None and _author(raw) == self.incarnation:
                del self.store[mark_key(record)]
        self.flusher.write(self.store.take_pending(), wait=False)

    def forget(self, records: Iterable[Positioned]) -> None:
        """Remove the marks of ``records`` whoever wrote them: dead-lettered as poison."""
        for record in records:
            if self.store.get(mark_key(record)) is not None:
                del self.store[mark_key(record)]
        self.flusher.write(self.store.take_pending(), wait=False)


def _author(raw: bytes) -> str | None:
    try:
        return str(orjson.loads(raw)["by"])
    except (orjson.JSONDecodeError, KeyError, TypeError):
        return None

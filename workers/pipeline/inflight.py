"""Which inputs a worker was working on when it died: the poison-pill guard.

An input that kills the worker (memory, a crash in a native library, a bug that ends
the process) is read again after the restart, from its uncommitted offset, and would
kill the worker again, forever, while its partition stalls. So before an input is
processed the worker writes down that it is in flight, and crosses it off when its
outputs are decided. A worker that starts and finds an input still written down knows
that a worker died while working on it:

* once: the input is a *suspect*. It is processed again, but alone, so that the other
  inputs of the batch it came in are not held back by it;
* ``poison_attempts`` times (default 2): it is dead-lettered as ``poison`` instead.

The record is a small JSON file in the worker's data dir, replaced atomically (temporary
file, rename) on every change, so it survives the deaths it is about (``kill -9``, the
OOM killer, a crash in native code): what a process wrote is in the kernel's page cache
whether or not the process lives on. It is not forced to disk (no fsync): that cost
about 7 ms a change here, two changes a batch, the largest cost of a worker without NLP
after the screening. A power loss may take the last change with it, and that is
harmless: no input caused the power loss, and at worst an input written down as done is
taken for a suspect and processed alone once, or a death in flight goes uncounted (a
torn file reads as empty). It is this worker's own: a partition that moves to another
worker starts counting afresh there. Nothing here talks to Kafka.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterable
from pathlib import Path
from typing import IO

import orjson

from workers.exceptions import ConfigError
from workers.positions import Positioned

__all__ = ["InFlightLog"]

_Key = tuple[str, int, int]


class InFlightLog:
    """How often a worker died while each input was in flight.

    Args:
        path: the JSON file (created with its directory if missing).

    Raises:
        ConfigError: another process uses the same file (one data dir per worker).
    """

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock: IO[bytes] | None = self._take_lock()
        #: Inputs in flight, with the number of times processing them began.
        self._entries: dict[_Key, int] = self._load()
        #: The same, as found at start: how often a worker died with each in flight.
        self._died: dict[_Key, int] = dict(self._entries)

    def deaths(self, record: Positioned) -> int:
        """How many times a worker died while ``record`` was in flight."""
        return self._died.get(_key(record), 0)

    def forget_before(self, records: Iterable[Positioned]) -> None:
        """Drop entries of offsets before the first of ``records`` in each partition.

        Call it with a whole batch as read: a partition is read in order, from its
        committed offset after a restart, so earlier entries were dealt with or are
        behind a committed offset (an input in flight is never committed).
        """
        first: dict[tuple[str, int], int] = {}
        for topic, partition, offset in map(_key, records):
            first[(topic, partition)] = min(offset, first.get((topic, partition), offset))
        stale = [k for k in self._entries if k[:2] in first and k[2] < first[k[:2]]]
        for key in stale:
            del self._entries[key]
            self._died.pop(key, None)
        if stale:
            self._save()

    def begin(self, records: Iterable[Positioned]) -> None:
        """Write down that ``records`` are in flight (durably, before returning)."""
        for key in map(_key, records):
            self._entries[key] = self._entries.get(key, 0) + 1
        self._save()

    def done(self, records: Iterable[Positioned]) -> None:
        """Cross ``records`` off: their outcome is decided."""
        changed = False
        for key in map(_key, records):
            changed |= self._entries.pop(key, None) is not None
            self._died.pop(key, None)
        if changed:
            self._save()

    def close(self) -> None:
        """Release the file (its contents stay for the next start)."""
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    def _take_lock(self) -> IO[bytes]:
        lock = open(self.path.with_name(self.path.name + ".lock"), "ab")  # noqa: SIM115 - held until close()
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.close()
            raise ConfigError(
                f"[E112] {self.path} is in use by another worker; give each worker its own NEWSFLOW_DATA_DIR"
            ) from None
        return lock

    def _load(self) -> dict[_Key, int]:
        try:
            rows = orjson.loads(self.path.read_bytes())
        except FileNotFoundError:
            return {}
        except orjson.JSONDecodeError:
            return {}  # a torn file cannot happen (atomic rename); an edited one is ignored
        return {(str(t), int(p), int(o)): int(n) for t, p, o, n in rows}

    def _save(self) -> None:
        rows = [[*key, n] for key, n in sorted(self._entries.items())]
        tmp = self.path.with_name(self.path.name + ".tmp")
        with open(tmp, "wb") as out:
            out.write(orjson.dumps(rows))  # no fsync: see the module docstring
        os.replace(tmp, self.path)


def _key(record: Positioned) -> _Key:
    return (record.topic, record.partition, record.offset)

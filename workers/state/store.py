"""A local RocksDB replica of a compacted changelog topic, with our own writes staged.

This is the worker's state store (the duplicate index lives in one). It plays the part
of a Faust table, without Faust's table recovery: that recovery runs inside the
consumer group's rebalance, and with it the fault tests lost input records (Faust
resumed the input partitions before seeking them to their committed offsets). Here the
replica is brought up to date before the worker joins the group, and kept up to date
by a follower of the changelog (``workers.state.changelog``) outside the rebalance.

The rules that keep it consistent:

* The RocksDB database holds the changelog, applied in log order, and the offset up to
  which it was applied (one atomic write batch per poll), so a restart resumes there.
* A write of ours (a deletion too) is *staged*: visible to our own reads at once, handed out by
  :meth:`ChangelogStore.take_pending` to be produced to the changelog with the batch's
  outputs, and dropped from the stage when the follower applies it from the log.
  A worker that dies before Kafka has the write loses it together with the input's
  uncommitted offset, and the replayed input writes it again.

Nothing here talks to Kafka.
"""

from __future__ import annotations

import bisect
import shutil
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple, cast

from rocksdict import Options, Rdict, WriteBatch

from workers.exceptions import ConfigError

__all__ = ["ROCKSDB_OPTIONS", "Change", "ChangelogStore"]

#: RocksDB's defaults (64 MB memtables, several per database) let a worker's memory
#: drift up by hundreds of MB; the index is small and read by key, so modest buffers do.
ROCKSDB_OPTIONS = {
    "write_buffer_size": 4 * 2**20,
    "max_write_buffer_number": 2,
    "target_file_size_base": 16 * 2**20,
}
_META = "changelog-offsets"


class Change(NamedTuple):
    """One changelog record: where it is, and the key's new value (``None`` deletes)."""

    partition: int
    offset: int
    key: bytes
    value: bytes | None


class ChangelogStore:
    """Key-value state replicated from a changelog topic.

    Raises:
        ConfigError: another process has the database at ``path`` open.

    Thread-safe: the NLP thread reads and stages, the follower thread applies.

    Args:
        path: the RocksDB directory (created if missing).
    """

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        #: Our writes not yet seen in the log; None: deleted (a tombstone for the changelog).
        self._staged: dict[bytes, bytes | None] = {}
        #: The staged keys in order, for :meth:`scan` and :meth:`last`.
        self._staged_keys: list[bytes] = []
        self._pending: list[tuple[bytes, bytes | None]] = []
        self._open()

    def _open(self) -> None:
        options = Options(raw_mode=True)
        options.create_if_missing(True)
        options.create_missing_column_families(True)
        options.set_write_buffer_size(ROCKSDB_OPTIONS["write_buffer_size"])
        options.set_max_write_buffer_number(ROCKSDB_OPTIONS["max_write_buffer_number"])
        options.set_target_file_size_base(ROCKSDB_OPTIONS["target_file_size_base"])
        try:
            self._db = Rdict(str(self.path), options, column_families={_META: Options(raw_mode=True)})
        except Exception as exc:  # rocksdict raises a bare Exception carrying RocksDB's status
            if "lock" in str(exc).lower():
                raise ConfigError(
                    f"[E107] the state at {self.path} is open in another worker; give each worker process "
                    "its own NEWSFLOW_DATA_DIR"
                ) from exc
            raise
        self._meta_handle = self._db.get_column_family_handle(_META)
        self._meta = self._db.get_column_family(_META)

    # -- reads and our own writes ------------------------------------------------

    def get(self, key: bytes, default: bytes | None = None) -> bytes | None:
        with self._lock:
            value = self._staged[key] if key in self._staged else self._db.get(key)
        return default if value is None else value

    def __contains__(self, key: object) -> bool:
        return isinstance(key, bytes) and self.get(key) is not None

    def __getitem__(self, key: bytes) -> bytes:
        value = self.get(key)
        if value is None:
            raise KeyError(key)
        return value

    def __setitem__(self, key: bytes, value: bytes) -> None:
        """Stage a write: ours to read at once, the changelog's once Kafka has it."""
        with self._lock:
            self._stage(key, value)

    def __delitem__(self, key: bytes) -> None:
        """Stage a deletion: gone for our reads at once, a tombstone for the changelog."""
        with self._lock:
            self._stage(key, None)

    def _stage(self, key: bytes, value: bytes | None) -> None:
        if key not in self._staged:
            bisect.insort(self._staged_keys, key)
        self._staged[key] = value
        self._pending.append((key, value))

    def take_pending(self) -> list[tuple[bytes, bytes | None]]:
        """The writes staged since the last call, in order: records for the changelog
        (a value of None is a deletion: a tombstone)."""
        with self._lock:
            pending, self._pending = self._pending, []
        return pending

    def scan(self, prefix: bytes, *, after: bytes | None = None, limit: int) -> list[tuple[bytes, bytes]]:
        """Up to ``limit`` entries whose key starts with ``prefix`` (and is above ``after``,
        when given), in key order, our staged writes on top.

        RocksDB seeks to the start, so the cost grows with ``limit`` (and the deletions
        RocksDB has not compacted yet under the start), not with the entries.
        """
        start = after if after is not None and after > prefix else prefix
        with self._lock:
            keys = self._staged_keys
            i = bisect.bisect_right(keys, start) if start == after else bisect.bisect_left(keys, start)
            found: list[tuple[bytes, bytes]] = []
            it = self._db.iter()
            it.seek(start)
            if start == after and it.valid() and it.key() == after:
                it.next()
            while len(found) < limit:
                key = cast(bytes, it.key()) if it.valid() else None
                if key is not None and not key.startswith(prefix):
                    key = None
                staged_key = keys[i] if i < len(keys) and keys[i].startswith(prefix) else None
                if staged_key is not None and (key is None or staged_key <= key):
                    i += 1
                    if key == staged_key:
                        it.next()
                    value = self._staged[staged_key]
                    if value is not None:
                        found.append((staged_key, value))
                elif key is not None:
                    found.append((key, cast(bytes, it.value())))
                    it.next()
                else:
                    break
            del it
        return found

    def last(self, prefix: bytes) -> bytes | None:
        """The greatest key starting with ``prefix`` (``prefix`` not ending in 0xff),
        our staged writes on top; None when there is none."""
        bound = prefix[:-1] + bytes([prefix[-1] + 1])
        with self._lock:
            keys = self._staged_keys
            candidates = []
            i = bisect.bisect_left(keys, bound) - 1
            while i >= 0 and keys[i].startswith(prefix):
                if self._staged[keys[i]] is not None:
                    candidates.append(keys[i])
                    break
                i -= 1
            it = self._db.iter()
            it.seek_for_prev(bound)
            while it.valid():
                key = cast(bytes, it.key())
                if not key.startswith(prefix):
                    break
                if key not in self._staged or self._staged[key] is not None:
                    candidates.append(key)
                    break
                it.prev()
            del it
        return max(candidates, default=None)

    @property
    def staged_count(self) -> int:
        """Writes of ours not yet seen in the changelog."""
        with self._lock:
            return len(self._staged)

    # -- replication ---------------------------------------------------------------

    def applied_offsets(self) -> dict[int, int]:
        """Per changelog partition, the offset of the last record applied."""
        return {int(cast(bytes, k)): int(cast(bytes, v)) for k, v in self._meta.items()}

    def apply(self, changes: Iterable[Change]) -> int:
        """Apply changelog records in log order, with their offsets, atomically.

        A staged write of ours is dropped once the log shows it (same key and value, or
        a tombstone for a deletion):
        from then on the replica has it, in the log's order with other workers' writes.
        Returns the number of records applied.
        """
        batch = WriteBatch(raw_mode=True)
        last: dict[int, int] = {}
        seen: list[tuple[bytes, bytes | None]] = []
        for change in changes:
            if change.value is None:
                batch.delete(change.key)
            else:
                batch.put(change.key, change.value)
            last[change.partition] = change.offset
            seen.append((change.key, change.value))
        if not seen:
            return 0
        for partition, offset in last.items():
            batch.put(str(partition).encode(), str(offset).encode(), self._meta_handle)
        with self._lock:
            self._db.write(batch)
            for key, value in seen:
                if key in self._staged and self._staged[key] == value:
                    del self._staged[key]
                    del self._staged_keys[bisect.bisect_left(self._staged_keys, key)]
        return len(seen)

    def reset(self) -> None:
        """Forget everything: the replica is rebuilt from the changelog's start."""
        with self._lock:
            self._close_db()
            shutil.rmtree(self.path, ignore_errors=True)
            self._staged.clear()
            self._staged_keys.clear()
            self._pending.clear()
            self._open()

    def snapshot(self) -> dict[bytes, bytes]:
        """The replica's contents with our staged writes on top (tests, debugging)."""
        with self._lock:
            merged = {cast(bytes, k): cast(bytes, v) for k, v in self._db.items()}
            for key, value in self._staged.items():
                if value is None:
                    merged.pop(key, None)
                else:
                    merged[key] = value
        return merged

    def disk_bytes(self) -> int:
        """The bytes of the replica's files once RocksDB has flushed and compacted them
        (what it holds, without deleted entries awaiting compaction; benchmarks)."""
        with self._lock:
            self._db.flush()
            self._db.compact_range(None, None)
        return sum(f.stat().st_size for f in self.path.rglob("*") if f.is_file())

    def close(self) -> None:
        with self._lock:
            self._close_db()

    def _close_db(self) -> None:
        # The column family handle keeps the database (and its file lock) alive too.
        self._meta.close()
        self._db.close()
        del self._meta_handle, self._meta, self._db

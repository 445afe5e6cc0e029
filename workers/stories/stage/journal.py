"""The stage's changelog, as records and as a plan: where to resume, from what. No Kafka.

The compacted topic ``<stories_group_id>-changelog`` (one partition) holds four kinds of
records, by key:

- ``fence/<epoch>``: a member took the input partitions; its writes carry ``epoch``
  (one more than any seen) and its first journal record will be ``from_seq``.
- ``journal/<seq>``: one batch of inputs, as (partition, offset) pairs in the order the
  assigner took them. Written (and acknowledged) before the batch's outputs.
- ``chunk/<slot>/<i>``: part ``i`` of a checkpoint in slot ``A`` or ``B`` (a snapshot,
  :mod:`workers.stories.snapshot`, split under the topic's message size), prefixed
  with the id of the checkpoint it belongs to.
- ``manifest/<slot>``: the checkpoint in that slot: the id, the last journal sequence
  it covers, the next input offset per partition, its chunks and their digest.

A checkpoint goes into the slot the newest good manifest does not name, so a stage
killed while writing one still has the other; journal records are tombstoned only up
to the older checkpoint, so either can be resumed from.

A member that lost the partitions without knowing it (paused past its session, cut off)
may still write a batch before its commit fails. Fences make such a writer's records
void: a record of epoch ``e`` and sequence ``s`` counts only if the fence of ``e`` has
``from_seq <= s`` and no fence of a later epoch has ``from_seq <= s``.

:func:`plan_resume` reads a replica of the changelog (:class:`StateLog`, key -> latest
value, as compaction leaves it) and says what to restore and which batches to replay.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

import orjson

__all__ = [
    "Checkpoint",
    "Fence",
    "JournalRecord",
    "Manifest",
    "ResumePlan",
    "StateLog",
    "checkpoint_records",
    "chunk_key",
    "fence_key",
    "journal_key",
    "manifest_key",
    "plan_resume",
]

SLOTS: Final = ("A", "B")
_SEP: Final = b"\n"


def fence_key(epoch: int) -> bytes:
    return f"fence/{epoch:012d}".encode()


def journal_key(seq: int) -> bytes:
    return f"journal/{seq:012d}".encode()


def manifest_key(slot: str) -> bytes:
    return f"manifest/{slot}".encode()


def chunk_key(slot: str, index: int) -> bytes:
    return f"chunk/{slot}/{index:06d}".encode()


@dataclass(frozen=True, slots=True)
class Fence:
    """A member took over at ``epoch``; its journal starts at ``from_seq``."""

    epoch: int
    from_seq: int
    member: str = ""

    def encode(self) -> bytes:
        return orjson.dumps({"epoch": self.epoch, "from_seq": self.from_seq, "member": self.member})


@dataclass(frozen=True, slots=True)
class JournalRecord:
    """One batch: its inputs as (partition, offset), in the order they were assigned."""

    seq: int
    epoch: int
    inputs: tuple[tuple[int, int], ...]

    def encode(self) -> bytes:
        return orjson.dumps({"seq": self.seq, "epoch": self.epoch, "inputs": self.inputs})


@dataclass(frozen=True, slots=True)
class Manifest:
    """A checkpoint: its slot, the last journal sequence it covers and the next offsets."""

    slot: str
    seq: int
    epoch: int
    offsets: Mapping[int, int]
    chunks: int
    size: int
    digest: str

    @property
    def id(self) -> str:
        return f"{self.epoch}-{self.seq}-{self.digest[:16]}"

    def encode(self) -> bytes:
        return orjson.dumps(
            {
                "slot": self.slot,
                "seq": self.seq,
                "epoch": self.epoch,
                "offsets": {str(p): o for p, o in sorted(self.offsets.items())},
                "chunks": self.chunks,
                "size": self.size,
                "digest": self.digest,
            }
        )


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A manifest with its snapshot, read back whole and checked."""

    manifest: Manifest
    data: bytes


@dataclass(frozen=True, slots=True)
class ResumePlan:
    """Where a member that takes the partitions resumes.

    ``checkpoint`` is None when there is none to restore (a first start: empty state);
    ``journal`` are the batches after it, in order, to replay; ``offsets`` the next
    input offset per partition once they are replayed (partitions absent: from the
    start); ``seq`` and ``epoch`` the last sequence and the highest epoch seen.
    """

    checkpoint: Checkpoint | None
    journal: tuple[JournalRecord, ...]
    offsets: dict[int, int]
    seq: int
    epoch: int
    #: Manifests seen but not usable (void, or their chunks disagree), with why.
    skipped: tuple[str, ...] = ()
    #: Slot -> the good manifest in it (the next checkpoint goes into the other slot).
    manifests: dict[str, Manifest] = field(default_factory=dict)


def checkpoint_records(
    data: bytes, *, slot: str, seq: int, epoch: int, offsets: Mapping[int, int], chunk_bytes: int
) -> tuple[list[tuple[bytes, bytes]], Manifest]:
    """The chunk records of a snapshot and its manifest (to be written after them)."""
    digest = hashlib.sha256(data).hexdigest()
    pieces = [data[i : i + chunk_bytes] for i in range(0, len(data), chunk_bytes)] or [b""]
    manifest = Manifest(slot, seq, epoch, dict(offsets), len(pieces), len(data), digest)
    prefix = manifest.id.encode() + _SEP
    return [(chunk_key(slot, i), prefix + piece) for i, piece in enumerate(pieces)], manifest


class StateLog:
    """A replica of the changelog: the latest value of each key (a tombstone deletes it),
    and how far it has read. Thread-safe: a follower applies while the stage plans."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values: dict[bytes, bytes] = {}
        self.position = 0

    def apply(self, records: Iterable[tuple[int, bytes | None, bytes | None]]) -> int:
        """Apply (offset, key, value) records in log order; returns how many."""
        n = 0
        with self._lock:
            for offset, key, value in records:
                n += 1
                self.position = offset + 1
                if key is None:
                    continue
                if value is None:
                    self._values.pop(key, None)
                else:
                    self._values[key] = value
        return n

    def items(self, prefix: bytes) -> dict[bytes, bytes]:
        with self._lock:
            return {k: v for k, v in self._values.items() if k.startswith(prefix)}

    def get(self, key: bytes) -> bytes | None:
        with self._lock:
            return self._values.get(key)

    @property
    def size_bytes(self) -> int:
        with self._lock:
            return sum(len(k) + len(v) for k, v in self._values.items())


def _void(fences: list[Fence], epoch: int, seq: int) -> str | None:
    """Why a write of ``epoch`` at ``seq`` does not count, or None when it does."""
    own = [f for f in fences if f.epoch == epoch]
    if not own or own[0].from_seq > seq:
        return f"no fence of epoch {epoch} covers sequence {seq}"
    later = [f.epoch for f in fences if f.epoch > epoch and f.from_seq <= seq]
    if later:
        return f"epoch {epoch} was fenced at sequence {seq} by epoch {min(later)}"
    return None


def plan_resume(log: StateLog) -> ResumePlan:
    """What to restore and replay, from the changelog as ``log`` holds it."""
    fences = sorted((_fence(v) for v in log.items(b"fence/").values()), key=lambda f: f.epoch)
    journal = {}
    for value in log.items(b"journal/").values():
        record = _journal(value)
        if _void(fences, record.epoch, record.seq) is None:
            journal[record.seq] = record
    skipped: list[str] = []
    good: dict[str, Checkpoint] = {}
    for value in log.items(b"manifest/").values():
        manifest = _manifest(value)
        # A checkpoint holds the state before sequence seq + 1: a member that checkpoints
        # right after it took over (no batch of its own yet) writes one of its epoch there.
        why = _void(fences, manifest.epoch, manifest.seq + 1) or _chunks_problem(log, manifest)
        data = _assemble(log, manifest) if why is None else None
        if data is not None:
            good[manifest.slot] = Checkpoint(manifest, data)
        else:
            skipped.append(f"checkpoint {manifest.id} in slot {manifest.slot}: {why or 'its digest differs'}")
    best = max(good.values(), key=lambda c: (c.manifest.seq, c.manifest.epoch), default=None)
    start = best.manifest.seq if best is not None else 0
    offsets = dict(best.manifest.offsets) if best is not None else {}
    replay: list[JournalRecord] = []
    seq = start
    while seq + 1 in journal:
        seq += 1
        replay.append(journal[seq])
        for partition, offset in journal[seq].inputs:
            offsets[partition] = max(offsets.get(partition, 0), offset + 1)
    ignored = sorted(s for s in journal if s > seq)
    if ignored:
        skipped.append(f"journal records after a gap at sequence {seq + 1}: {ignored[:5]}")
    epoch = max((f.epoch for f in fences), default=0)
    return ResumePlan(
        best,
        tuple(replay),
        offsets,
        seq,
        epoch,
        tuple(skipped),
        {slot: c.manifest for slot, c in good.items()},
    )


def _chunks_problem(log: StateLog, manifest: Manifest) -> str | None:
    prefix = manifest.id.encode() + _SEP
    for i in range(manifest.chunks):
        value = log.get(chunk_key(manifest.slot, i))
        if value is None:
            return f"chunk {i} of {manifest.chunks} is missing"
        if not value.startswith(prefix):
            return f"chunk {i} belongs to another checkpoint"
    return None


def _assemble(log: StateLog, manifest: Manifest) -> bytes | None:
    """The snapshot the manifest names, or None when its chunks do not add up to it."""
    cut = len(manifest.id) + len(_SEP)
    data = b"".join((log.get(chunk_key(manifest.slot, i)) or b"")[cut:] for i in range(manifest.chunks))
    if len(data) != manifest.size or hashlib.sha256(data).hexdigest() != manifest.digest:
        return None
    return data


def _fence(value: bytes) -> Fence:
    raw: dict[str, Any] = orjson.loads(value)
    return Fence(int(raw["epoch"]), int(raw["from_seq"]), str(raw.get("member", "")))


def _journal(value: bytes) -> JournalRecord:
    raw: dict[str, Any] = orjson.loads(value)
    return JournalRecord(int(raw["seq"]), int(raw["epoch"]), tuple((int(p), int(o)) for p, o in raw["inputs"]))


def _manifest(value: bytes) -> Manifest:
    raw: dict[str, Any] = orjson.loads(value)
    return Manifest(
        str(raw["slot"]),
        int(raw["seq"]),
        int(raw["epoch"]),
        {int(p): int(o) for p, o in raw["offsets"].items()},
        int(raw["chunks"]),
        int(raw["size"]),
        str(raw["digest"]),
    )

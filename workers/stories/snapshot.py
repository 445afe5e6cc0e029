"""The whole state of a :class:`~workers.stories.assign.StoryAssigner` as bytes, and back.

The stories stage checkpoints its assigner with :func:`snapshot` and a restarted or
standby stage resumes with :func:`restore`: the restored assigner gives the same
assignments to the same following articles as one that never stopped. That holds
because everything an assignment reads is kept exactly: float32 vectors and the
document counts as their raw bytes, Python floats through JSON (shortest round trip),
and every dict and deque in its order (a sum over a story's entities adds them in the
order they came; another order could round differently).

Layout: ``MAGIC``, the format version (u16), the length of a JSON header (u32), the
header, then the raw array buffers the header points into; the whole compressed with
zlib. The header names the format and the stage version (:mod:`workers.stories.version`)
that wrote it: :func:`restore` refuses another of either ([E420]) rather than mix two
stages' rules in one state, and a snapshot that does not decode ([E421]).
"""

from __future__ import annotations

import struct
import zlib
from collections import deque
from datetime import datetime
from typing import Any, Final

import numpy as np
import orjson

from workers.stories.article import StoryClaim
from workers.stories.assign import Story, StoryAssigner, StoryParams
from workers.stories.exceptions import SnapshotCorrupt, SnapshotMismatch
from workers.stories.text import SparseVector, TextModel

__all__ = ["SNAPSHOT_FORMAT", "restore", "snapshot", "snapshot_version"]

#: The layout of a snapshot; a change of it is a new number.
SNAPSHOT_FORMAT: Final = 1
MAGIC: Final = b"NFST"
_HEAD = struct.Struct(">4sHI")


class _Arrays:
    """Raw array buffers appended to a snapshot, referenced by (offset, count) from the header."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.size = 0

    def put(self, array: np.ndarray, dtype: str) -> list[int]:
        data = np.ascontiguousarray(array, dtype=dtype).tobytes()
        ref = [self.size, len(array)]
        self.parts.append(data)
        self.size += len(data)
        return ref


def snapshot(assigner: StoryAssigner, version: str, extra: dict[str, Any] | None = None) -> bytes:
    """The assigner's state, written by the stage of ``version``.

    Args:
        extra: more JSON-able state to keep with it (the stage's own bookkeeping).
    """
    arrays = _Arrays()
    text = assigner.text
    header = {
        "format": SNAPSHOT_FORMAT,
        "version": version,
        "now": _iso(assigner._now),
        "documents": text.documents,
        "document_counts": arrays.put(text.document_counts, "<i4"),
        "n_features": len(text.document_counts),
        "stories": [_story(s, arrays) for s in assigner.stories.values()],
        "story_of": list(assigner._story_of.items()),
        "arrivals": [[_iso(at), article] for at, article in assigner._arrivals],
        "by_entity": {e: sorted(ids) for e, ids in assigner._by_entity.items()},
        "by_term": [[t, sorted(ids)] for t, ids in assigner._by_term.items()],
        "extra": extra or {},
    }
    head = orjson.dumps(header)
    body = _HEAD.pack(MAGIC, SNAPSHOT_FORMAT, len(head)) + head + b"".join(arrays.parts)
    return zlib.compress(body, 6)


def snapshot_version(data: bytes) -> tuple[int, str]:
    """The format and stage version a snapshot was written with.

    Raises:
        SnapshotCorrupt: [E421] not a snapshot.
    """
    header, _ = _open(data)
    return int(header["format"]), str(header["version"])


def restore(data: bytes, params: StoryParams, version: str) -> tuple[StoryAssigner, dict[str, Any]]:
    """An assigner in the state ``data`` holds, and the extra state kept with it.

    Raises:
        SnapshotMismatch: [E420] written by another format or stage version.
        SnapshotCorrupt: [E421] the bytes do not decode as a snapshot.
    """
    header, buffers = _open(data)
    if header.get("format") != SNAPSHOT_FORMAT or header.get("version") != version:
        raise SnapshotMismatch(
            f"[E420] the stories stage's saved state was written by format {header.get('format')} of stage "
            f"version {header.get('version')!r}; this is format {SNAPSHOT_FORMAT} of {version!r}. The two may "
            "place articles differently, so the state is not mixed with this version's. Either run the "
            "version that wrote it, or start this one afresh: `newsflow stories --reset-state` (from where "
            "the saved state had got to) or `newsflow stories --reset-state=earliest` (rebuild every story "
            "from the start of articles.enriched)"
        )
    try:
        return _assigner(header, buffers, params), dict(header.get("extra") or {})
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise SnapshotCorrupt(f"[E421] the stories stage's saved state does not decode: {exc!r}") from exc


def _open(data: bytes) -> tuple[dict[str, Any], memoryview]:
    try:
        body = zlib.decompress(data)
        magic, _, size = _HEAD.unpack_from(body)
        if magic != MAGIC:
            raise ValueError(f"magic {magic!r}")
        header = orjson.loads(body[_HEAD.size : _HEAD.size + size])
    except (zlib.error, struct.error, ValueError, orjson.JSONDecodeError) as exc:
        raise SnapshotCorrupt(f"[E421] the stories stage's saved state does not decode: {exc!r}") from exc
    if not isinstance(header, dict):
        raise SnapshotCorrupt("[E421] the stories stage's saved state does not decode: its header is no object")
    return header, memoryview(body)[_HEAD.size + size :]


def _assigner(header: dict[str, Any], buffers: memoryview, params: StoryParams) -> StoryAssigner:
    def array(ref: list[int], dtype: str) -> np.ndarray:
        offset, count = ref
        width = np.dtype(dtype).itemsize
        if offset + count * width > len(buffers):
            raise ValueError("an array runs past the end of the snapshot")
        return np.frombuffer(buffers[offset : offset + count * width], dtype=dtype).copy()

    text = TextModel(n_features=int(header["n_features"]))
    text.document_counts = array(header["document_counts"], "<i4")
    text.documents = int(header["documents"])
    assigner = StoryAssigner(params, text)
    for raw in header["stories"]:
        story = _story_from(raw, array)
        assigner.stories[story.id] = story
    assigner._story_of = {str(a): str(s) for a, s in header["story_of"]}
    assigner._arrivals = deque((_time(at), str(article)) for at, article in header["arrivals"])
    assigner._by_entity = {str(e): set(ids) for e, ids in header["by_entity"].items()}
    assigner._by_term = {int(t): set(ids) for t, ids in header["by_term"]}
    assigner._now = _time(header["now"]) if header["now"] else None
    return assigner


def _story(story: Story, arrays: _Arrays) -> dict[str, Any]:
    return {
        "id": story.id,
        "first_seen": _iso(story.first_seen),
        "last_seen": _iso(story.last_seen),
        "size": story.size,
        "sources": sorted(story.sources),
        "entities": list(story.entities.items()),
        "names": list(story.names.items()),
        "text": None if story.text is None else _vector(story.text, arrays),
        "text_norm": story.text_norm,
        "terms": list(story.terms),
        "claims": [_claim(c) for c in story.claims],
        "claim_vectors": [_vector(v, arrays) for v in story.claim_vectors],
        "propositions": list(story.propositions.items()),
    }


def _story_from(raw: dict[str, Any], array: Any) -> Story:
    return Story(
        id=str(raw["id"]),
        first_seen=_time(raw["first_seen"]),
        last_seen=_time(raw["last_seen"]),
        size=int(raw["size"]),
        sources=set(raw["sources"]),
        entities={str(e): float(w) for e, w in raw["entities"]},
        names={str(e): str(n) for e, n in raw["names"]},
        text=None if raw["text"] is None else _vector_from(raw["text"], array),
        text_norm=float(raw["text_norm"]),
        terms=deque(int(t) for t in raw["terms"]),
        claims=[_claim_from(c) for c in raw["claims"]],
        claim_vectors=[_vector_from(v, array) for v in raw["claim_vectors"]],
        propositions={str(c): str(p) for c, p in raw["propositions"]},
    )


def _vector(vector: SparseVector, arrays: _Arrays) -> list[Any]:
    columns, values = vector
    return [arrays.put(columns, "<i4"), arrays.put(values, "<f4"), str(columns.dtype)]


def _vector_from(raw: list[Any], array: Any) -> SparseVector:
    columns_ref, values_ref, columns_dtype = raw
    return array(columns_ref, "<i4").astype(columns_dtype), array(values_ref, "<f4")


def _claim(claim: StoryClaim) -> list[Any]:
    return [
        claim.id,
        claim.article_id,
        claim.claimant,
        claim.claimant_text,
        claim.cue,
        claim.stance,
        claim.content,
        list(claim.content_span),
        sorted(claim.entities),
        claim.broad,
        "" if claim.part == claim.content else claim.part,  # "": the whole content
    ]


def _claim_from(raw: list[Any]) -> StoryClaim:
    cid, article, claimant, claimant_text, cue, stance, content, span, entities, broad, part = raw
    return StoryClaim(
        id=cid,
        article_id=article,
        claimant=claimant,
        claimant_text=claimant_text,
        cue=cue,
        stance=stance,
        content=content,
        content_span=(int(span[0]), int(span[1])),
        entities=frozenset(entities),
        broad=bool(broad),
        part=part,
    )


def _iso(at: datetime | None) -> str | None:
    return None if at is None else at.isoformat()


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text)

"""Duplicate detection: exact (same normalised content) and near (MinHash + LSH).

The index lives in any store of bytes to bytes (a dict will do); in the worker that is
a :class:`~workers.state.store.ChangelogStore`, RocksDB replicated from a compacted
changelog topic, so it survives restarts and is shared by every worker. Nothing here
knows about Kafka.

Keys (one article writes 1 + bands + 1 of them, and one more with a window):
    ``x:<content hash>``      -> id of the article with that content
    ``b:<band>:<band hash>``  -> id of the newest article indexed with that LSH band
    ``s:<article id>``        -> the article's MinHash signature (uint64, packed), then
                                 with a window its time (int64 seconds, big endian)
    ``t:<seconds>:<id>``      -> the ``x:`` and ``b:`` keys the article wrote, one a line:
                                 the expiry queue, in time order (with a window only)

The window (:class:`DuplicateIndex` ``window``): an article is kept for ``window`` of
*stream time*, the newest article time the index has seen (its own checks and the
queue's newest entry, which other workers' writes reach through the replica). Lookups
ignore an entry older than ``stream time - window``; each check then takes at most
``expire_per_check`` articles off the head of the queue and deletes their keys (a
tombstone each on the changelog), a key only while it still points at the article
expired: a band key another article took since, or an exact key a newer copy wrote
after the first one expired, stays. Stream time rather than the wall clock: replaying
a topic gives the same flags as the first run, and a worker that was down for a week
does not drop a week of index on start.
"""

from __future__ import annotations

import re
import struct
import unicodedata
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol, cast

import numpy as np
from datasketch import MinHash

from workers.ids import content_hash, stable_id
from workers.models import DuplicateOf, EnrichedArticle

__all__ = ["DuplicateIndex", "Fingerprint", "IndexStore", "OrderedIndexStore", "fingerprint", "index_time"]

NUM_PERM = 64
BANDS = 8  # 8 bands of 8 rows: candidates from a Jaccard similarity of about 0.77 up
ROWS = NUM_PERM // BANDS
SHINGLE_WORDS = 5
SIGNATURE_BYTES = NUM_PERM * 8
#: Articles the expiry queue gives up at most per check: more than the one a check can
#: add, so a backlog (a long pause, a window made shorter) drains, a little at a time.
EXPIRE_PER_CHECK = 4
_TIME = struct.Struct(">q")
_QUEUE = b"t:"
#: Checks between two looks at the queue's newest entry for stream time.
_REFRESH_EVERY = 256
_WORD = re.compile(r"\w++")
#: The same words in ASCII text, found faster by testing ASCII classes only.
_ASCII_WORD = re.compile(r"\w++", re.ASCII)


class IndexStore(Protocol):
    """What the index needs of its store: a dict of bytes has it."""

    def get(self, key: bytes, /) -> bytes | None: ...

    def __contains__(self, key: object, /) -> bool: ...

    def __setitem__(self, key: bytes, value: bytes, /) -> None: ...

    def __delitem__(self, key: bytes, /) -> None: ...


class OrderedIndexStore(IndexStore, Protocol):
    """What a windowed index needs more: its keys in order
    (:class:`~workers.state.store.ChangelogStore` has them)."""

    def scan(self, prefix: bytes, *, after: bytes | None = None, limit: int) -> list[tuple[bytes, bytes]]: ...

    def last(self, prefix: bytes) -> bytes | None: ...


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """What the index needs of an article: its content hash and MinHash signature."""

    content: str
    signature: bytes  # NUM_PERM uint64 values, little endian


# datasketch draws its permutations from the seed on every MinHash(); draw them once.
# The signature is datasketch's (scheme affine32), computed below without its per-value
# Python call (tests/test_pipeline/test_dedup.py checks it against MinHash.update_batch): indexes
# written before hold these signatures, so they must not change.
_TEMPLATE = MinHash(num_perm=NUM_PERM, seed=1)
_PERMUTATIONS, _SCHEME = _TEMPLATE.permutations, _TEMPLATE.scheme
_A = _PERMUTATIONS[0].astype(np.uint32)
_B = _PERMUTATIONS[1].astype(np.uint32)
_EMPTY_SIGNATURE = np.full(NUM_PERM, 0xFFFFFFFF, dtype=np.uint32)
_SHINGLE_BASE = np.uint64(1_000_003)
#: Shingles permuted at once: bounds the (shingles x NUM_PERM) matrix to 2 MB.
_PERMUTE_ROWS = 8192
#: MurmurHash3's 32-bit finalizer, as datasketch pre-mixes each value with it.
_FMIX32 = (np.uint32(16), np.uint32(0x85EBCA6B), np.uint32(13), np.uint32(0xC2B2AE35), np.uint32(16))


class _WordHashes(dict[str, int]):
    """CRC-32 of a word's UTF-8 bytes, remembered: news text repeats most of its words,
    and a dict lookup costs a fraction of encoding and hashing the word again. Cleared
    when it holds ``limit`` words, so its memory stays bounded (about 10 MB)."""

    def __init__(self, limit: int = 100_000) -> None:
        super().__init__()
        self.limit = limit

    def __missing__(self, word: str) -> int:
        if len(self) >= self.limit:
            self.clear()
        value = self[word] = zlib.crc32(word.encode("utf-8"))
        return value


_word_hashes = _WordHashes()


def shingle_hashes(text: str) -> np.ndarray:
    """32-bit hashes of the distinct word 5-shingles of the case-folded text.

    Each word is hashed once (CRC-32) and a shingle's hash is a polynomial of its five
    word hashes, computed for all shingles at once: hashing every shingle string in a
    Python loop costs more than the rest of the worker's non-NLP work together.
    """
    return np.unique(_shingle_values(text))


def _shingle_values(text: str) -> np.ndarray:
    """The hashes of :func:`shingle_hashes`, repeats included, in text order (a MinHash
    takes minima, so repeats do not change it, and sorting them out costs more than
    permuting them)."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    words = (_ASCII_WORD if folded.isascii() else _WORD).findall(folded)
    if not words:
        return np.zeros(1, dtype=np.uint64)
    word_hashes = np.fromiter(map(_word_hashes.__getitem__, words), dtype=np.uint64, count=len(words))
    width = min(SHINGLE_WORDS, len(words))
    count = len(words) - width + 1
    hashes = np.zeros(count, dtype=np.uint64)
    for k in range(width):  # uint64 arithmetic wraps: a polynomial hash mod 2**64
        hashes = hashes * _SHINGLE_BASE + word_hashes[k : k + count]
    return hashes & np.uint64(0xFFFFFFFF)


def minhash_signature(values: np.ndarray) -> np.ndarray:
    """The MinHash (``NUM_PERM`` uint32) of 32-bit ``values``: what datasketch's
    ``MinHash(num_perm=NUM_PERM, seed=1, hashfunc=identity).update_batch(values)`` holds.
    """
    signature = _EMPTY_SIGNATURE
    s1, m1, s2, m2, s3 = _FMIX32
    for start in range(0, len(values), _PERMUTE_ROWS):
        hv = values[start : start + _PERMUTE_ROWS].astype(np.uint32).reshape(-1, 1)
        hv = hv ^ (hv >> s1)
        hv = hv * m1
        hv = hv ^ (hv >> s2)
        hv = hv * m2
        hv = hv ^ (hv >> s3)
        signature = np.minimum(signature, (hv * _A + _B).min(axis=0))  # uint32 arithmetic wraps, as there
    return signature


def fingerprint(body: str, *, content: str | None = None) -> Fingerprint:
    """The fingerprint of ``body``: content hash and MinHash of its word 5-shingles.

    Args:
        body: the article's text.
        content: its :func:`~workers.ids.content_hash`, when the caller has it already.
    """
    signature = minhash_signature(_shingle_values(body))
    return Fingerprint(content or content_hash(body), signature.astype("<u8").tobytes())


def index_time(article: EnrichedArticle) -> datetime:
    """The article's time for the index's window: when it was published, but never later
    than when it was enriched (a date in the future, a typo or a wrong time zone, must
    neither keep its entry for years nor move stream time ahead and expire everything);
    without a usable date, when it was enriched."""
    processed = _parse_time(article.processing.processed_at)
    if processed is None:
        raise ValueError(f"processing.processed_at {article.processing.processed_at!r} is not a time")
    published = _parse_time(article.published_at) if article.published_at else None
    return processed if published is None else min(published, processed)


def _parse_time(text: str) -> datetime | None:
    try:
        at = datetime.fromisoformat(text.replace("z", "Z").replace("Z", "+00:00"))
    except ValueError:
        return None
    return at if at.tzinfo else at.replace(tzinfo=UTC)


class DuplicateIndex:
    """Flags articles whose content was seen before under another id.

    Args:
        store: where the index lives (with a ``window``: an :class:`OrderedIndexStore`).
        threshold: least estimated Jaccard similarity of two articles' shingles for a
            near duplicate.
        window: how long (stream time) an article is kept; None: forever.
        expire_per_check: most articles expired by one check.

    Raises:
        TypeError: a ``window`` with a store that cannot list its keys in order.
    """

    def __init__(
        self,
        store: IndexStore,
        *,
        threshold: float = 0.8,
        window: timedelta | None = None,
        expire_per_check: int = EXPIRE_PER_CHECK,
    ) -> None:
        if window is not None and not (hasattr(store, "scan") and hasattr(store, "last")):
            raise TypeError("a duplicate index with a window needs a store with scan() and last()")
        self.store = store
        #: The same store, when the window needs its order.
        self._queue = cast(OrderedIndexStore, store) if window is not None else None
        self.threshold = threshold
        self.window = None if window is None else int(window.total_seconds())
        self.expire_per_check = expire_per_check
        #: Stream time, seconds: the newest article time seen.
        self.now: int | None = None
        self._cursor: bytes | None = None  # the queue's last key expired, to seek past RocksDB's deletions
        self._passes = 0
        self._checks = 0

    @property
    def cutoff(self) -> int | None:
        """Entries older than this (seconds) are expired; None: none is."""
        if self.window is None or self.now is None:
            return None
        return self.now - self.window

    def check_and_remember(self, article_id: str, fp: Fingerprint, at: datetime | None = None) -> DuplicateOf | None:
        """The earlier article this one duplicates, if any; else index this one.

        A duplicate is not indexed: its original stands for it, so the index grows
        with distinct content only, and later copies point at the first original. The
        same article seen again (a replay after a restart) is not its own duplicate.
        With a window, an article already older than the window is checked but not
        indexed (it would be expired at once), and the check expires a few old ones.

        Args:
            at: the article's time (:func:`index_time`); needed with a window.
        """
        seconds = None
        if self.window is not None:
            if at is None:
                raise ValueError("a duplicate index with a window needs the article's time")
            seconds = max(0, int(at.timestamp()))
            self._advance(seconds)
        exact_key = b"x:" + fp.content.encode()
        band_keys = self._band_keys(fp)
        found = self._exact(article_id, exact_key) or self._near(article_id, fp, band_keys)
        cutoff = self.cutoff
        if found is None and (seconds is None or cutoff is None or seconds >= cutoff):
            self._remember(article_id, fp, exact_key, band_keys, seconds)
        if cutoff is not None:
            self.expire(self.expire_per_check)
        return found

    def expire(self, limit: int) -> int:
        """Delete the keys of up to ``limit`` articles older than the window, oldest
        first; returns how many were expired."""
        cutoff, store = self.cutoff, self._queue
        if cutoff is None or store is None:
            return 0
        self._passes += 1
        if self._passes % 1000 == 0:
            self._cursor = None  # another worker may have queued behind the cursor
        expired = 0
        for key, keys in store.scan(_QUEUE, after=self._cursor, limit=limit):
            seconds, article_id = _parse_queue_key(key)
            if seconds >= cutoff:
                break
            for owned in keys.split(b"\n") if keys else ():
                if store.get(owned) == article_id:
                    del store[owned]
            record = store.get(b"s:" + article_id)
            if record is not None and _record_time(record) == seconds:
                del store[b"s:" + article_id]
            del store[key]
            self._cursor = key
            expired += 1
        return expired

    def _advance(self, seconds: int) -> None:
        """Stream time: the newest of this article's, the one before, and (at the first
        check, then every ``_REFRESH_EVERY``) the queue's newest, other workers' too."""
        queued = seconds
        if self._queue is not None and self._checks % _REFRESH_EVERY == 0:
            newest = self._queue.last(_QUEUE)
            queued = _parse_queue_key(newest)[0] if newest is not None else seconds
        self._checks += 1
        self.now = max(seconds, queued, self.now if self.now is not None else seconds)

    def _live(self, record: bytes | None) -> bool:
        """Whether an article's ``s:`` record is inside the window."""
        if self.window is None:
            return True
        if record is None:
            return False  # half expired (its signature went first)
        at = _record_time(record)
        cutoff = self.cutoff
        return at is None or cutoff is None or at >= cutoff

    def _exact(self, article_id: str, exact_key: bytes) -> DuplicateOf | None:
        first = self.store.get(exact_key)
        if first is None or first.decode() == article_id:
            return None
        if self.window is not None and not self._live(self.store.get(b"s:" + first)):
            return None
        return DuplicateOf(id=first.decode(), kind="exact", similarity=1.0)

    def _near(self, article_id: str, fp: Fingerprint, band_keys: list[bytes]) -> DuplicateOf | None:
        mine = np.frombuffer(fp.signature, dtype="<u8")
        best: DuplicateOf | None = None
        for key in band_keys:
            other = self.store.get(key)
            if other is None or other.decode() == article_id:
                continue
            record = self.store.get(b"s:" + other)
            if record is None or not self._live(record):
                continue
            signature = np.frombuffer(record[:SIGNATURE_BYTES], dtype="<u8")
            similarity = int(np.count_nonzero(mine == signature)) / NUM_PERM
            if similarity >= self.threshold and (best is None or similarity > best.similarity):
                best = DuplicateOf(id=other.decode(), kind="near", similarity=round(similarity, 4))
        return best

    def _remember(
        self, article_id: str, fp: Fingerprint, exact_key: bytes, band_keys: list[bytes], seconds: int | None
    ) -> None:
        """Point the article's keys at it: an exact key is free or expired (else this
        article would be a duplicate), a band key goes to the newest article, which
        is also the last to expire."""
        me = article_id.encode()
        for key in (exact_key, *band_keys):
            if self.store.get(key) != me:
                self.store[key] = me
        record_key = b"s:" + me
        if seconds is None:
            if self.store.get(record_key) != fp.signature:
                self.store[record_key] = fp.signature
            return
        old = self.store.get(record_key)
        old_time = _record_time(old) if old is not None else None
        keys = {exact_key, *band_keys}
        if old_time is not None and self._live(old):
            seconds = old_time  # the same article again: it keeps its first time
        if old_time is not None:
            old_queue_key = _queue_key(old_time, me)
            listed = self.store.get(old_queue_key)
            keys.update(listed.split(b"\n") if listed else ())
            if old_time != seconds and listed is not None:
                del self.store[old_queue_key]  # moved: the queue has one entry per article
        record = fp.signature + _TIME.pack(seconds)
        if old != record:
            self.store[record_key] = record
        queue_value = b"\n".join(sorted(keys))
        queue_key = _queue_key(seconds, me)
        if self.store.get(queue_key) != queue_value:
            self.store[queue_key] = queue_value

    @staticmethod
    def _band_keys(fp: Fingerprint) -> list[bytes]:
        return [
            f"b:{band}:{stable_id(fp.signature[band * ROWS * 8 : (band + 1) * ROWS * 8].hex())}".encode()
            for band in range(BANDS)
        ]


def _queue_key(seconds: int, article_id: bytes) -> bytes:
    return b"%s%012d:%s" % (_QUEUE, seconds, article_id)


def _parse_queue_key(key: bytes) -> tuple[int, bytes]:
    seconds, _, article_id = key[len(_QUEUE) :].partition(b":")
    return int(seconds), article_id


def _record_time(record: bytes) -> int | None:
    """An ``s:`` record's time; None for one written without a window (kept for ever)."""
    if len(record) < SIGNATURE_BYTES + _TIME.size:
        return None
    return int(_TIME.unpack_from(record, SIGNATURE_BYTES)[0])

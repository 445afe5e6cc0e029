"""Duplicate detection: exact (same normalised content) and near (MinHash + LSH).

The index lives in any store of bytes to bytes (a dict will do); in the worker that is
a :class:`~workers.state.store.ChangelogStore`, RocksDB replicated from a compacted
changelog topic, so it survives restarts and is shared by every worker. Nothing here
knows about Kafka.

Keys (one article writes 1 + bands + 1 of them):
    ``x:<content hash>``      -> id of the first article with that content
    ``b:<band>:<band hash>``  -> id of the first article with that LSH band
    ``s:<article id>``        -> the article's MinHash signature (uint64, packed)
"""

from __future__ import annotations

import re
import unicodedata
import zlib
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from datasketch import MinHash

from workers.ids import content_hash, stable_id
from workers.models import DuplicateOf

__all__ = ["DuplicateIndex", "Fingerprint", "IndexStore", "fingerprint"]

NUM_PERM = 64
BANDS = 8  # 8 bands of 8 rows: candidates from a Jaccard similarity of about 0.77 up
ROWS = NUM_PERM // BANDS
SHINGLE_WORDS = 5
_WORD = re.compile(r"\w++")
#: The same words in ASCII text, found faster by testing ASCII classes only.
_ASCII_WORD = re.compile(r"\w++", re.ASCII)


class IndexStore(Protocol):
    """What the index needs of its store: a dict of bytes has it."""

    def get(self, key: bytes, /) -> bytes | None: ...

    def __contains__(self, key: object, /) -> bool: ...

    def __setitem__(self, key: bytes, value: bytes, /) -> None: ...


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


class DuplicateIndex:
    """Flags articles whose content was seen before under another id.

    Args:
        store: where the index lives.
        threshold: least estimated Jaccard similarity of two articles' shingles for a
            near duplicate.
    """

    def __init__(self, store: IndexStore, *, threshold: float = 0.8) -> None:
        self.store = store
        self.threshold = threshold

    def check_and_remember(self, article_id: str, fp: Fingerprint) -> DuplicateOf | None:
        """The earlier article this one duplicates, if any; else index this one.

        A duplicate is not indexed: its original stands for it, so the index grows
        with distinct content only, and later copies point at the first original. The
        same article seen again (a replay after a restart) is not its own duplicate.
        """
        exact_key = b"x:" + fp.content.encode()
        band_keys = self._band_keys(fp)
        found = self._exact(article_id, exact_key) or self._near(article_id, fp, band_keys)
        if found is None:
            self._remember(article_id, fp, exact_key, band_keys)
        return found

    def _exact(self, article_id: str, exact_key: bytes) -> DuplicateOf | None:
        first = self.store.get(exact_key)
        if first is not None and first.decode() != article_id:
            return DuplicateOf(id=first.decode(), kind="exact", similarity=1.0)
        return None

    def _near(self, article_id: str, fp: Fingerprint, band_keys: list[bytes]) -> DuplicateOf | None:
        mine = np.frombuffer(fp.signature, dtype="<u8")
        best: DuplicateOf | None = None
        for key in band_keys:
            other = self.store.get(key)
            if other is None or other.decode() == article_id:
                continue
            signature = self.store.get(b"s:" + other)
            if signature is None:
                continue
            similarity = int(np.count_nonzero(mine == np.frombuffer(signature, dtype="<u8"))) / NUM_PERM
            if similarity >= self.threshold and (best is None or similarity > best.similarity):
                best = DuplicateOf(id=other.decode(), kind="near", similarity=round(similarity, 4))
        return best

    def _remember(self, article_id: str, fp: Fingerprint, exact_key: bytes, band_keys: list[bytes]) -> None:
        if exact_key not in self.store:
            self.store[exact_key] = article_id.encode()
        for key in band_keys:
            if key not in self.store:
                self.store[key] = article_id.encode()
        self.store[b"s:" + article_id.encode()] = fp.signature

    @staticmethod
    def _band_keys(fp: Fingerprint) -> list[bytes]:
        return [
            f"b:{band}:{stable_id(fp.signature[band * ROWS * 8 : (band + 1) * ROWS * 8].hex())}".encode()
            for band in range(BANDS)
        ]

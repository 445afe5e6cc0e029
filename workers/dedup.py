"""Duplicate detection: exact (same normalised content) and near (MinHash + LSH).

The index lives in any mutable mapping of bytes to bytes; in the worker that is a Faust
table backed by RocksDB with a changelog topic, so it survives restarts and is shared
by every worker. Nothing here knows about Faust.

Keys (one article writes 1 + bands + 1 of them):
    ``x:<content hash>``      -> id of the first article with that content
    ``b:<band>:<band hash>``  -> id of the first article with that LSH band
    ``s:<article id>``        -> the article's MinHash signature (uint64, packed)
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import MutableMapping
from dataclasses import dataclass

import numpy as np
from datasketch import MinHash

from workers.ids import content_hash, stable_id
from workers.models import DuplicateOf

__all__ = ["DuplicateIndex", "Fingerprint", "fingerprint"]

NUM_PERM = 64
BANDS = 8  # 8 bands of 8 rows: candidates from a Jaccard similarity of about 0.77 up
ROWS = NUM_PERM // BANDS
SHINGLE_WORDS = 5
_WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """What the index needs of an article: its content hash and MinHash signature."""

    content: str
    signature: bytes  # NUM_PERM uint64 values, little endian


def fingerprint(body: str) -> Fingerprint:
    """The fingerprint of ``body`` (word 5-shingles of the case-folded text)."""
    words = _WORD.findall(unicodedata.normalize("NFKC", body).casefold())
    shingles = {" ".join(words[i : i + SHINGLE_WORDS]) for i in range(max(1, len(words) - SHINGLE_WORDS + 1))}
    minhash = MinHash(num_perm=NUM_PERM, seed=1)
    minhash.update_batch([s.encode("utf-8") for s in shingles])
    return Fingerprint(content_hash(body), minhash.hashvalues.astype("<u8").tobytes())


class DuplicateIndex:
    """Flags articles whose content was seen before under another id.

    Args:
        store: where the index lives.
        threshold: least estimated Jaccard similarity of two articles' shingles for a
            near duplicate.
    """

    def __init__(self, store: MutableMapping[bytes, bytes], *, threshold: float = 0.8) -> None:
        self.store = store
        self.threshold = threshold

    def check_and_remember(self, article_id: str, fp: Fingerprint) -> DuplicateOf | None:
        """The earlier article this one duplicates, if any; then index this one.

        The same article seen again (a replay after a restart) is not its own duplicate.
        """
        found = self._exact(article_id, fp) or self._near(article_id, fp)
        self._remember(article_id, fp)
        return found

    def _exact(self, article_id: str, fp: Fingerprint) -> DuplicateOf | None:
        first = self.store.get(b"x:" + fp.content.encode())
        if first is not None and first.decode() != article_id:
            return DuplicateOf(id=first.decode(), kind="exact", similarity=1.0)
        return None

    def _near(self, article_id: str, fp: Fingerprint) -> DuplicateOf | None:
        mine = np.frombuffer(fp.signature, dtype="<u8")
        best: DuplicateOf | None = None
        for key in self._band_keys(fp):
            other = self.store.get(key)
            if other is None or other.decode() == article_id:
                continue
            signature = self.store.get(b"s:" + other)
            if signature is None:
                continue
            similarity = float(np.mean(mine == np.frombuffer(signature, dtype="<u8")))
            if similarity >= self.threshold and (best is None or similarity > best.similarity):
                best = DuplicateOf(id=other.decode(), kind="near", similarity=round(similarity, 4))
        return best

    def _remember(self, article_id: str, fp: Fingerprint) -> None:
        exact_key = b"x:" + fp.content.encode()
        if exact_key not in self.store:
            self.store[exact_key] = article_id.encode()
        for key in self._band_keys(fp):
            if key not in self.store:
                self.store[key] = article_id.encode()
        self.store[b"s:" + article_id.encode()] = fp.signature

    @staticmethod
    def _band_keys(fp: Fingerprint) -> list[bytes]:
        return [
            f"b:{band}:{stable_id(fp.signature[band * ROWS * 8 : (band + 1) * ROWS * 8].hex())}".encode()
            for band in range(BANDS)
        ]

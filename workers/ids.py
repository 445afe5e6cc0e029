"""Deterministic identifiers, so a replayed input yields the same ids downstream.

A consumer that sees an event id twice can drop the second copy: ids depend only on
the article's id, its content and the spans involved, never on time or randomness.
"""

from __future__ import annotations

import hashlib
import re
import threading
import unicodedata

__all__ = ["content_hash", "entity_id", "stable_id"]

_SLUG_DROP = re.compile(r"[^a-z0-9]+")


def stable_id(*parts: object, length: int = 16) -> str:
    """Hash ``parts`` into a short hex id (BLAKE2b, ``length`` hex digits)."""
    digest = hashlib.blake2b(digest_size=max(4, (length + 1) // 2))
    for part in parts:
        digest.update(str(part).encode("utf-8"))
        digest.update(b"\x1f")  # unit separator: ("ab", "c") != ("a", "bc")
    return digest.hexdigest()[:length]


class _RecentHashes:
    """The content hashes of the last texts hashed, at most ``max_chars`` characters of
    them in all (oldest dropped first): the worker hashes each body twice, for its event
    id and for the duplicate index, a batch apart at most."""

    def __init__(self, max_chars: int = 4_000_000) -> None:
        self.max_chars = max_chars
        self._hashes: dict[str, str] = {}
        self._chars = 0
        self._lock = threading.Lock()

    def get(self, text: str) -> str | None:
        with self._lock:
            return self._hashes.get(text)

    def put(self, text: str, value: str) -> None:
        if len(text) > self.max_chars:
            return
        with self._lock:
            if text in self._hashes:
                return
            self._hashes[text] = value
            self._chars += len(text)
            while self._chars > self.max_chars:
                oldest = next(iter(self._hashes))
                del self._hashes[oldest]
                self._chars -= len(oldest)


_recent = _RecentHashes()


def content_hash(text: str) -> str:
    """Hash of ``text`` after Unicode NFC and whitespace normalisation."""
    known = _recent.get(text)
    if known is not None:
        return known
    normalised = " ".join(unicodedata.normalize("NFC", text).split())
    value = stable_id(normalised, length=32)
    _recent.put(text, value)
    return value


def entity_id(label: str, name: str) -> str:
    """Readable, stable id for an entity: ``"gpe:hama"``, ``"person:bashar-assad"``.

    The same label and canonical name give the same id in every article, so the
    ``entities`` topic (keyed by it) keeps all events about one thing in one partition.
    """
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    slug = _SLUG_DROP.sub("-", folded).strip("-")
    if not slug:  # a name with no Latin letters at all: fall back to a hash
        slug = stable_id(name, length=12)
    return f"{label.lower()}:{slug}"

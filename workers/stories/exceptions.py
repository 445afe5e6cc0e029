"""Errors of the stories stage (``newsflow stories`` as a worker), of its saved state and
of its core.

::

    StoriesError            root of the stage's errors
    ├── SnapshotMismatch    [E420] saved state of another format or stage version
    ├── SnapshotCorrupt     [E421] saved state that does not decode, or whose chunks disagree
    ├── JournalInputGone    [E422] an input the journal names is no longer in its topic
    ├── StageUnavailable    [E423] the changelog topic is missing; [E424] Kafka did not
    │                       acknowledge the stage's writes in time (exit 70)
    └── TrendStateError     [E312], [E313] a trend detector's saved state cannot be restored
"""

from __future__ import annotations

from workers.exceptions import NewsflowError

__all__ = [
    "JournalInputGone",
    "SnapshotCorrupt",
    "SnapshotMismatch",
    "StageUnavailable",
    "StoriesError",
    "TrendStateError",
]


class StoriesError(NewsflowError):
    """Root of the stories stage's errors."""


class SnapshotMismatch(StoriesError):
    """Saved state written by another snapshot format or stage version: not mixed with ours."""


class SnapshotCorrupt(StoriesError):
    """Saved state that does not decode, or whose chunks do not match their manifest."""


class JournalInputGone(StoriesError):
    """An input record the journal names can no longer be read (retention deleted it)."""


class StageUnavailable(StoriesError):
    """Kafka cannot hold the stage's state or outputs: the changelog is missing, or a
    write was not acknowledged within the publish timeout."""


class TrendStateError(StoriesError):
    """A trend detector's saved state cannot be restored: not one this code wrote, or
    written with another window length (its counts would land in the wrong windows)."""

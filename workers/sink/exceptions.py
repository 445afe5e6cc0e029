"""Errors of the PostgreSQL sink.

Hierarchy (under :class:`workers.exceptions.NewsflowError`)::

    SinkError                  root of the sink's errors; raised itself for [E916], another
    │                          database error while writing (retried, never skipped)
    ├── DatabaseUnavailable    [E910] PostgreSQL cannot be reached (retried, never skipped)
    ├── MigrationError         [E911] the schema cannot be brought up to date; [E917] the
    │                          database was migrated by a newer newsflow (the sink refuses it)
    ├── UnreadableEvent        [E912] a record on an input topic is not an event the sink
    │                          knows; it becomes a dead-letter row, the stream goes on
    ├── LocalClusterError      [E913] the throwaway cluster of tests and bench did not start
    ├── StaleOffsets           [E914] another sink moved a partition's offset; the batch is
    │                          dropped and its partitions read again from the stored offsets
    ├── RejectedBatch          [E915] PostgreSQL refused a row for good; the event is found
    │                          and written as a dead letter, alone
    ├── SystematicRefusal      [E918] PostgreSQL refused consecutive events with the same
    │                          error: the schema, not the events, is wrong; the sink stops
    └── NewerEvent             [E930] an event of the story stage in a schema version newer
                               than this sink reads: the sink stops, its offsets kept

Messages start with their code, say what failed and where, and what to do.
"""

from __future__ import annotations

from workers.exceptions import NewsflowError

__all__ = [
    "DatabaseUnavailable",
    "LocalClusterError",
    "MigrationError",
    "NewerEvent",
    "RejectedBatch",
    "SinkError",
    "StaleOffsets",
    "SystematicRefusal",
    "UnreadableEvent",
]


class SinkError(NewsflowError):
    """Root of the sink's errors."""


class DatabaseUnavailable(SinkError):
    """PostgreSQL did not answer or dropped the connection; the batch is retried."""


class MigrationError(SinkError):
    """A migration file is missing, changed after it was applied, or failed."""


class UnreadableEvent(SinkError):
    """A record that is not a valid event for the sink.

    Args:
        reason: a short code (``invalid_json``, ``not_an_object``, ``invalid_event``), the
            dead-letter row's reason.
        message: what is wrong, for a human.
    """

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(f"[E912] {reason}: {message}")
        self.reason = reason
        self.message = message


class LocalClusterError(SinkError):
    """``deploy/local/postgres.sh`` failed to start or stop a cluster."""


class StaleOffsets(SinkError):
    """[E914] Another sink moved a partition's offset since this one read it."""


class RejectedBatch(SinkError):
    """[E915] PostgreSQL refused a row of the batch for good (a data or integrity error).

    The consumer splits the batch to find the event and dead-letters it alone.

    Args:
        message: what was refused, starting with its code.
        signature: the error without the values of the row (SQLSTATE, and the constraint
            or the message with its numbers blanked): two events refused with the same
            signature were refused for the same reason.
    """

    def __init__(self, message: str, signature: str = "") -> None:
        super().__init__(message)
        self.signature = signature or message


class SystematicRefusal(SinkError):
    """[E918] PostgreSQL refused consecutive events for one and the same reason.

    A schema that drifted from the code (an upgrade half done, a ``CHECK`` that does not
    take a new claim kind) refuses every event; dead-lettering them all would empty the
    stream into ``dead_letters``. The sink stops instead, its offsets where they were.
    """


class NewerEvent(SinkError):
    """[E930] A ``stories``, ``claim-links`` or ``trends`` event whose schema version is
    newer than the one this sink reads.

    The stage was upgraded before the sink: every event it sends from now on is of that
    version, so dead-lettering them would empty the stream into ``dead_letters`` (as
    [E918] guards against for the database). The sink stops instead, its offsets where
    they were; the sink of the stage's version reads them on.
    """

"""Build dead letters: everything needed to understand and replay a failed input."""

from __future__ import annotations

import base64
from collections.abc import Iterable

from workers.exceptions import Reason
from workers.models import DeadLetter

__all__ = ["REPLAY_HEADER", "dead_letter", "replays_of"]

_MAX_ERROR_CHARS = 2_000
#: Header on an input record: how often it was replayed from the dead-letter topic.
REPLAY_HEADER = "newsflow-replays"


def replays_of(headers: Iterable[tuple[str, bytes | None]]) -> int:
    """The replay count carried by a record's headers (0 when absent or malformed)."""
    for name, value in headers:
        if name == REPLAY_HEADER and value:
            try:
                return max(0, int(value))
            except ValueError:
                return 0
    return 0


def dead_letter(
    *,
    reason: Reason,
    error: str,
    topic: str,
    partition: int,
    offset: int,
    key: bytes | None,
    value: bytes | None,
    failed_at: str,
    article_id: str | None = None,
    replays: int = 0,
    attempts: int = 0,
) -> DeadLetter:
    """A dead letter for the input at ``topic``/``partition``/``offset``.

    The original value is kept whole: as text when it is valid UTF-8, else as base64.
    """
    raw = value or b""
    try:
        text, encoding = raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        text, encoding = base64.b64encode(raw).decode("ascii"), "base64"
    return DeadLetter(
        reason=reason,
        error=error[:_MAX_ERROR_CHARS],
        topic=topic,
        partition=partition,
        offset=offset,
        key=None if key is None else key.decode("utf-8", errors="replace"),
        value=text,
        value_encoding=encoding,  # type: ignore[arg-type]  # one of the two literals
        failed_at=failed_at,
        article_id=article_id,
        replays=replays,
        attempts=attempts,
    )

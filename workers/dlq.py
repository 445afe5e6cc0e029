"""Build dead letters: everything needed to understand and replay a failed input."""

from __future__ import annotations

import base64

from workers.exceptions import Reason
from workers.models import DeadLetter

__all__ = ["dead_letter"]

_MAX_ERROR_CHARS = 2_000


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
    )

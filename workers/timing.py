"""How the enrichment core reports stage timings without depending on a metrics library."""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from typing import Protocol

__all__ = ["StageTimer", "no_timing"]


class StageTimer(Protocol):
    """Times a ``with`` block as one stage covering ``articles`` articles."""

    def __call__(self, stage: str, articles: int = 1) -> AbstractContextManager[None]: ...


def no_timing(stage: str, articles: int = 1) -> AbstractContextManager[None]:
    """A :class:`StageTimer` that measures nothing."""
    return nullcontext()

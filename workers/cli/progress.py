"""A progress line on stderr for long CLI work, at most a few updates a second."""

from __future__ import annotations

import sys
import time

__all__ = ["Progress"]


class Progress:
    """Prints ``label: n/total`` to stderr as work goes on.

    Args:
        label: what is being counted.
        total: the expected count, if known.
        enabled: print nothing when False.
        every: seconds between two updates.
    """

    def __init__(self, label: str, *, total: int | None = None, enabled: bool = True, every: float = 0.5) -> None:
        self.label, self.total, self.enabled, self.every = label, total, enabled, every
        self._count = 0
        self._last = 0.0
        self._tty = sys.stderr.isatty()

    def update(self, count: int) -> None:
        self._count = count
        now = time.monotonic()
        if self.enabled and now - self._last >= self.every:
            self._last = now
            self._print(end="\r" if self._tty else "\n")

    def done(self) -> None:
        if self.enabled and self._count:
            self._print(end="\n")

    def _print(self, *, end: str) -> None:
        of = f"/{self.total}" if self.total else ""
        print(f"{self.label}: {self._count}{of}", end=end, file=sys.stderr, flush=True)

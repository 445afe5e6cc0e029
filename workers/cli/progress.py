"""Progress bars for long CLI work (``feed``, ``enrich``), drawn by tqdm on stderr.

A bar shows the count, the rate and the time left when the total is known. It draws
nothing when stderr is not a terminal (a pipe, a log file, CI) or with ``--quiet``, so
output that a program reads never holds bar fragments. Lines printed while a bar is up
go through :func:`say`, which clears the bar first and draws it again after.
"""

from __future__ import annotations

import sys
from typing import Any, TextIO

from tqdm import tqdm

__all__ = ["progress_bar", "say"]


def progress_bar(
    label: str, *, total: int | None, unit: str = "article", quiet: bool = False, stream: TextIO | None = None
) -> Any:
    """A tqdm bar counting ``unit`` s, drawn only when ``stream`` is a terminal.

    Args:
        label: what is being done (``feed``, ``enrich``), shown before the bar.
        total: how many to expect; None when unknown (stdin): count and rate only.
        unit: what one step is.
        quiet: draw nothing.
        stream: where to draw; stderr by default.

    Returns:
        The ``tqdm`` bar: ``update(n)`` it, and ``close()`` it (or use it in ``with``).
    """
    out = stream if stream is not None else sys.stderr
    return tqdm(
        total=total,
        desc=label,
        unit=f" {unit}s",
        unit_scale=False,
        file=out,
        disable=quiet or not _is_terminal(out),
        dynamic_ncols=True,
        mininterval=0.25,
        leave=True,
    )


def say(message: str, *, stream: TextIO | None = None) -> None:
    """Print one line to stderr (or ``stream``) without tearing a bar that is drawn there."""
    tqdm.write(message, file=stream if stream is not None else sys.stderr)


def _is_terminal(stream: TextIO) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())

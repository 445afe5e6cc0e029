"""Where a command writes its JSON lines: stdout, or the file given with ``-o``."""

from __future__ import annotations

import sys
from typing import IO

from workers.exceptions import NewsflowError

__all__ = ["open_output"]


def open_output(path: str | None) -> IO[bytes]:
    """stdout when ``path`` is None, else the file opened for writing (the caller closes it).

    Raises:
        NewsflowError: ``[E603]`` the file cannot be opened.
    """
    if not path:
        return sys.stdout.buffer
    try:
        return open(path, "wb")  # closed by run()
    except OSError as exc:
        raise NewsflowError(
            f"[E603] cannot write the output file {path}: {exc.strerror or exc} "
            "(create its directory first, or choose another -o path)"
        ) from None

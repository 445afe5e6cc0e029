"""Errors of reading articles from files.

Hierarchy (under :class:`workers.exceptions.NewsflowError`)::

    InputError                 [E3xx] one input cannot be read or is not an article; the
                               command reports it in one line and goes on with the others
"""

from __future__ import annotations

from workers.exceptions import NewsflowError, Reason

__all__ = ["InputError"]


class InputError(NewsflowError):
    """One input that cannot be read or is not an article.

    Args:
        code: the error code (``E3xx``).
        origin: where: a path, ``path:line`` for JSON lines, ``<stdin>:line``.
        message: what is wrong and what to do, in the user's words.
        reason: the dead-letter reason the worker would give it, if it is a record.
    """

    def __init__(self, code: str, origin: str, message: str, reason: Reason | None = None) -> None:
        super().__init__(f"[{code}] {origin}: {message}")
        self.code = code
        self.origin = origin
        self.message = message
        self.reason = reason

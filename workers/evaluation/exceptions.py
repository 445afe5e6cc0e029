"""Errors of the evaluation package.

Hierarchy::

    NewsflowError          (workers.exceptions) root of every newsflow error
    └── GoldError          a gold file is missing, unreadable or does not quote its text
"""

from __future__ import annotations

from workers.exceptions import NewsflowError

__all__ = ["GoldError"]


class GoldError(NewsflowError):
    """[E401] A gold file is missing, unreadable or inconsistent with its text."""

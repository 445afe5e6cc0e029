"""Errors of the stories stage's core.

Hierarchy (under :class:`workers.exceptions.NewsflowError`)::

    TrendStateError    [E312], [E313] a trend detector's saved state cannot be restored
"""

from __future__ import annotations

from workers.exceptions import NewsflowError

__all__ = ["TrendStateError"]


class TrendStateError(NewsflowError):
    """A trend detector's saved state cannot be restored: not one this code wrote, or
    written with another window length (its counts would land in the wrong windows)."""

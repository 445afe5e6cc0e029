"""Errors of the explorer (``newsflow serve``).

Hierarchy::

    NewsflowError                  workers.exceptions
    └── WebError                   the explorer cannot start or read its store
        ├── StoreUnavailable       [E921] the database cannot be reached or read
        └── UnsafeRendering        [E922] a row cannot be rendered safely (bad offsets, label)

Codes [E920]-[E929] belong to the explorer.
"""

from __future__ import annotations

from workers.exceptions import NewsflowError

__all__ = ["StoreUnavailable", "UnsafeRendering", "WebError"]


class WebError(NewsflowError):
    """The explorer cannot start or read its store."""


class StoreUnavailable(WebError):
    """The database cannot be reached or a query failed ([E921])."""


class UnsafeRendering(WebError):
    """A row's offsets or label cannot be rendered as they are ([E922])."""

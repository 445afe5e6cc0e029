"""Errors of the evaluation package.

Hierarchy::

    NewsflowError          (workers.exceptions) root of every newsflow error
    └── GoldError          a gold file is missing, unreadable or does not quote its text
"""

from __future__ import annotations

from workers.exceptions import NewsflowError

__all__ = ["GoldError"]


class GoldError(NewsflowError):
    """A gold file or the gold manifest is missing, unreadable or inconsistent.

    Codes: ``[E801]`` a gold file cannot be loaded (missing, not JSON lines, a span that
    does not quote its text); ``[E802]`` the manifest ``seeds/eval/sets.json`` cannot be
    loaded; ``[E803]`` the manifest lists no development gold file that exists.
    """

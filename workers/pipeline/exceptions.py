"""Errors of the pure pipeline that only it raises.

Hierarchy (under :class:`workers.exceptions.NewsflowError`)::

    MalformedLetter            a value on the dead-letter topic that is not a readable dead
                               letter; ``newsflow dlq replay`` counts it and goes on

The errors every layer shares (:class:`~workers.exceptions.InvalidArticle`,
:class:`~workers.exceptions.OutputTooLarge`) are in :mod:`workers.exceptions`.
"""

from __future__ import annotations

from workers.exceptions import NewsflowError

__all__ = ["MalformedLetter"]


class MalformedLetter(NewsflowError):
    """A value on the dead-letter topic that is not a readable dead letter."""

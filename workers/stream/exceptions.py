"""Errors of the stream worker.

Hierarchy (under :class:`workers.exceptions.NewsflowError`)::

    DeliveryImpossible         [E602] Kafka refused for good even the smallest record that
                               accounts for an input (a dead letter without its value);
                               the worker exits 70, leaving the input uncommitted
"""

from __future__ import annotations

from workers.exceptions import NewsflowError

__all__ = ["DeliveryImpossible"]


class DeliveryImpossible(NewsflowError):
    """Kafka refused for good even the smallest record that accounts for an input."""

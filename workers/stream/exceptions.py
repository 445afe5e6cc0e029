"""Errors of the stream worker.

Hierarchy (under :class:`workers.exceptions.NewsflowError`)::

    DeliveryImpossible         [E602] Kafka refused for good even the smallest record that
                               accounts for an input (a dead letter without its value);
                               the worker exits 70, leaving the input uncommitted
    DeliveryTimedOut           [E604] Kafka did not acknowledge a batch's outputs within
                               ``NEWSFLOW_PUBLISH_TIMEOUT_SECONDS`` while it refused them
                               with errors that pass; the worker exits 70, nothing committed
    UnexpectedPublishError     [E605] publishing failed with an error that is not Kafka
                               refusing a record (a bug in our code, a broken producer); not
                               retried, the worker exits 70, nothing committed
"""

from __future__ import annotations

from workers.exceptions import NewsflowError

__all__ = ["DeliveryImpossible", "DeliveryTimedOut", "UnexpectedPublishError"]


class DeliveryImpossible(NewsflowError):
    """Kafka refused for good even the smallest record that accounts for an input."""


class DeliveryTimedOut(NewsflowError):
    """A batch's outputs were not acknowledged within the publish timeout."""


class UnexpectedPublishError(NewsflowError):
    """Publishing failed with an error that no retry and no dead letter can answer."""

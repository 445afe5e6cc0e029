"""Errors raised by newsflow.

Hierarchy::

    NewsflowError              root: catch this to catch everything of ours
    ├── ConfigError            a setting is missing, unknown or malformed
    ├── ModelLoadError         the spaCy pipeline cannot be loaded
    ├── InvalidArticle         an input record cannot be enriched; carries a reason code
    ├── OutputTooLarge         an output record is over its topic's size limit
    ├── KafkaUnavailable       the broker cannot be reached in time
    └── WebError               the explorer's errors, in workers.web.exceptions

Messages start with a code (``[E104] ...``) that is easy to grep in logs and docs.
"""

from __future__ import annotations

from typing import Literal

__all__ = [
    "ConfigError",
    "InvalidArticle",
    "KafkaUnavailable",
    "ModelLoadError",
    "NewsflowError",
    "OutputTooLarge",
    "Reason",
]

#: Why an input went to the dead-letter topic (low cardinality: a metric label).
Reason = Literal[
    "invalid_utf8",
    "invalid_json",
    "not_an_object",
    "missing_body",
    "empty_body",
    "invalid_body",
    "invalid_field",
    "body_too_large",
    "invalid_published_at",
    "enrichment_failed",
    "output_too_large",
    "output_rejected",
    "poison",
]


class NewsflowError(Exception):
    """Root of every newsflow error."""


class ConfigError(NewsflowError):
    """A setting is missing, unknown or malformed."""


class ModelLoadError(NewsflowError):
    """The configured spaCy pipeline cannot be loaded."""


class KafkaUnavailable(NewsflowError):
    """The Kafka broker did not answer in time."""


class InvalidArticle(NewsflowError):
    """An input record that cannot be enriched.

    Args:
        reason: a short code from :data:`Reason`, used as a metric label and in the
            dead letter.
        message: what is wrong, for a human.
    """

    def __init__(self, reason: Reason, message: str) -> None:
        super().__init__(f"{reason}: {message}")
        self.reason: Reason = reason
        self.message = message


class OutputTooLarge(NewsflowError):
    """An output record is larger than its topic takes.

    Args:
        topic: the output topic.
        size: the record's size in bytes (key, value and overhead).
        limit: the most the topic takes.
    """

    def __init__(self, topic: str, size: int, limit: int) -> None:
        super().__init__(
            f"[E601] a record of {size} bytes for {topic} is over its limit of {limit} bytes "
            "(NEWSFLOW_MAX_MESSAGE_BYTES, or the topic's max.message.bytes)"
        )
        self.topic = topic
        self.size = size
        self.limit = limit

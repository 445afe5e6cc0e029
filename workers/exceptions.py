"""Errors raised by newsflow: the root, the errors every layer shares, and the tree.

Each package keeps its own errors in its ``exceptions.py``; the whole tree::

    NewsflowError                  root: catch this to catch everything of ours
    ├── ConfigError                [E1xx] a setting is missing, unknown or malformed
    ├── ModelLoadError             the spaCy pipeline cannot be loaded
    ├── InvalidArticle             an input record cannot be enriched; carries a reason code
    ├── OutputTooLarge             an output record is over its topic's size limit
    ├── KafkaUnavailable           [E4xx] the broker cannot be reached in time
    ├── InputError                 workers.inputs.exceptions: [E3xx] one input file or line
    │                              cannot be read or is not an article
    ├── MalformedLetter            workers.pipeline.exceptions: not a readable dead letter
    ├── DeliveryImpossible         workers.stream.exceptions: Kafka refused for good even the
    │                              smallest record that accounts for an input (exit 70)
    ├── DeliveryTimedOut           workers.stream.exceptions: [E604] a batch's outputs not
    │                              acknowledged within the publish timeout (exit 70)
    ├── UnexpectedPublishError     workers.stream.exceptions: [E605] publishing failed with an
    │                              error that is not Kafka refusing a record (exit 70)
    ├── SinkError                  workers.sink.exceptions: [E916] and the sink's tree
    │   ├── DatabaseUnavailable    [E910]
    │   ├── MigrationError         [E911], [E917]
    │   ├── UnreadableEvent        [E912]
    │   ├── LocalClusterError      [E913]
    │   ├── StaleOffsets           [E914]
    │   ├── RejectedBatch          [E915]
    │   ├── SystematicRefusal      [E918]
    │   └── NewerEvent             [E930]
    ├── StoriesError               workers.stories.exceptions: the stories stage's tree
    │   ├── SnapshotMismatch       [E420]
    │   ├── SnapshotCorrupt        [E421]
    │   ├── JournalInputGone       [E422]
    │   ├── StageUnavailable       [E423], [E424]
    │   └── TrendStateError        [E312], [E313] a trend detector's saved state
    │                              cannot be restored
    ├── WebError                   workers.web.exceptions: the explorer's tree
    │   ├── StoreUnavailable       [E920], [E921], [E924], [E925], [E926]
    │   └── UnsafeRendering        [E923]
    └── GoldError                  workers.evaluation.exceptions: a gold file is missing,
                                   unreadable or does not quote its text

Messages start with a code (``[E104] ...``) that is easy to grep in logs and docs
(``docs/error-codes.md`` lists them all); ``tests/test_exceptions.py`` keeps this tree
equal to the classes.
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

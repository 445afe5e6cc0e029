"""The Faust application, and nothing else (topics and agents live in their modules)."""

from __future__ import annotations

import faust

from workers.kafka.security import faust_credentials
from workers.settings import Settings
from workers.stream.transport import SCHEME

__all__ = ["create_app"]


#: Records a batch of articles yields share produce requests up to this size.
PRODUCER_BATCH_BYTES = 256 * 1024
#: What the producer may send beyond ``max_message_bytes`` (record and request
#: overhead): the worker's own size checks, not the client's, decide what fits.
PRODUCER_REQUEST_HEADROOM = 64 * 1024


def create_app(settings: Settings, *, smallest_topic_limit: int | None = None) -> faust.App:
    """A Faust app configured from ``settings``.

    Values cross Kafka as raw bytes: decoding is part of processing, so that a record
    that does not decode becomes a dead letter instead of an error inside Faust.

    Args:
        smallest_topic_limit: the least ``max.message.bytes`` of the output topics. A
            broker checks whole record batches against it, so batches stay under it
            (a single record larger than the batch size still goes in a batch alone).
    """
    batch_bytes = min(PRODUCER_BATCH_BYTES, smallest_topic_limit or PRODUCER_BATCH_BYTES)
    return faust.App(
        settings.group_id,
        # Our transport: Faust's aiokafka driver with an idempotent producer.
        broker=[f"{SCHEME}://{server.strip()}" for server in settings.bootstrap_servers.split(",")],
        broker_credentials=faust_credentials(settings),
        datadir=settings.data_dir,
        key_serializer="raw",
        value_serializer="raw",
        # Topics are created by `newsflow topics create` with the partition count the
        # operator chose; a worker must not invent them with other settings.
        topic_allow_declare=False,
        topic_disable_leader=True,
        consumer_auto_offset_reset="earliest",
        # Commit every second (Faust: 2.8 s): after a crash, about a second of work is
        # repeated rather than several.
        broker_commit_interval=1.0,
        # A crashed worker's partitions move to the others after 15 s (Faust: 60 s).
        broker_session_timeout=15.0,
        broker_heartbeat_interval=3.0,
        producer_acks=-1,
        # The producer's own retries (idempotent: a batch it sends again is never written
        # twice) go on for as long as the agent would wait anyway (Faust: 20 minutes, past
        # which the agent has given up). This is how long a batch may wait for a partition
        # leader, or a send for room in the buffer or a topic's metadata, before the agent
        # hears of it. Faust's PRODUCER_REQUEST_TIMEOUT variable still overrides it.
        producer_request_timeout=settings.publish_timeout_seconds,
        # One batch of articles yields dozens of records (claims, entities, the article
        # with its body): let them share requests instead of one request each (Faust's
        # defaults are no linger and 16 KB batches, smaller than one article event).
        producer_linger=0.005,
        producer_max_batch_size=batch_bytes,
        producer_max_request_size=settings.max_message_bytes + PRODUCER_REQUEST_HEADROOM,
        web_enabled=False,
        # No Faust tables: their recovery runs inside the rebalance and, in the fault
        # tests, let input records be skipped. State lives in workers.state.store instead.
        processing_guarantee="at_least_once",
    )

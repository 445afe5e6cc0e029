"""Kafka adapter: read back the entities and claims an article event left out.

The parts of an article were sent after it was enriched (``processed_at``) and
acknowledged before its event was sent; the sink read that event later still. So every
part lies, on every partition of ``entities`` and ``claims``, at or after the first
record stamped ``processed_at - margin`` and before the partition's end when the sink
asks, and no later than the article event's own timestamp plus the margin (the margin
covers clocks: the producer's stamp and ``processed_at`` come from one worker host, a
topic with ``LogAppendTime`` from the broker's). The reader seeks each partition there,
reads to the first of those ends, and keeps what :class:`~workers.sink.parts.WantedParts`
says is the article's.

It has no group: it reads, commits nothing, and the sink's offsets in PostgreSQL stay
the only ones that count. A broker away is waited for (the sink never writes an article
without its parts), until the sink is stopped.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import orjson
from kafka import KafkaConsumer, TopicPartition

from workers.kafka.client import client_config
from workers.settings import Settings
from workers.sink.parts import WantedParts

__all__ = ["MARGIN_SECONDS", "FoundParts", "PartReader", "sent_at"]

log = logging.getLogger(__name__)

#: Slack on both ends of an article's window, for clocks that disagree.
MARGIN_SECONDS = 300.0


@dataclass(slots=True)
class FoundParts:
    """The parts read for one article event: entity and claim objects, and how many records were read."""

    entities: list[dict[str, Any]] = field(default_factory=list)
    claims: list[dict[str, Any]] = field(default_factory=list)
    scanned: int = 0


class PartReader:
    """Reads the window of ``entities`` and ``claims`` where an article's parts are.

    Args:
        settings: the topics and the Kafka connection.
        stop: once set, a read in progress gives up (returns None).
        consumer: a ready consumer (tests); by default one without a group.
        margin_seconds: slack on both ends of the window.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        stop: threading.Event | None = None,
        consumer: Any = None,
        margin_seconds: float = MARGIN_SECONDS,
    ) -> None:
        self.topics = (settings.topic_entities, settings.topic_claims)
        self.stop = stop or threading.Event()
        self.margin_ms = int(margin_seconds * 1000)
        self._consumer = consumer or KafkaConsumer(
            **client_config(
                settings,
                client_id="newsflow-sink-parts",
                group_id=None,
                enable_auto_commit=False,
                auto_offset_reset="earliest",
            )
        )

    def close(self) -> None:
        self._consumer.close()

    def read(self, wanted: WantedParts, sent_at_ms: int | None) -> FoundParts | None:
        """The parts of ``wanted`` on the topics; None if the sink was stopped first.

        Args:
            wanted: the article event's identity.
            sent_at_ms: the article record's timestamp (None: unknown; the partitions'
                ends bound the read).
        """
        since_ms = int(wanted.since.timestamp() * 1000) - self.margin_ms
        until_ms = None if sent_at_ms is None else sent_at_ms + self.margin_ms
        partitions = self._partitions(wanted)
        consumer = self._consumer
        consumer.assign(partitions)
        starts = consumer.offsets_for_times(dict.fromkeys(partitions, since_ms))
        ends = consumer.end_offsets(partitions)
        todo: dict[TopicPartition, int] = {}
        for tp in partitions:
            start = starts.get(tp)
            if start is not None and start.offset < ends[tp]:
                consumer.seek(tp, start.offset)
                todo[tp] = ends[tp]
            else:
                consumer.pause(tp)
        found = FoundParts()
        began = time.monotonic()
        while todo:
            if self.stop.is_set():
                return None
            consumer.resume(*todo)
            for tp, records in consumer.poll(timeout_ms=500, max_records=2000).items():
                if tp not in todo:
                    continue
                for record in records:
                    if record.offset >= todo[tp] or (until_ms is not None and record.timestamp > until_ms):
                        break
                    found.scanned += 1
                    self._keep(wanted, tp.topic, record.value, found)
                else:
                    if records and records[-1].offset + 1 < todo[tp]:
                        continue
                del todo[tp]
                consumer.pause(tp)
        log.info(
            "sink: %s left out its parts: %d entities and %d claims read back from %d records in %.1f s",
            wanted.article_id,
            len(found.entities),
            len(found.claims),
            found.scanned,
            time.monotonic() - began,
        )
        return found

    def _partitions(self, wanted: WantedParts) -> list[TopicPartition]:
        topics = [t for t, needed in zip(self.topics, (wanted.entities, wanted.claims), strict=True) if needed]
        while True:
            partitions = [
                TopicPartition(topic, p)
                for topic in topics
                for p in sorted(self._consumer.partitions_for_topic(topic) or ())
            ]
            if partitions or self.stop.is_set():
                return partitions
            log.warning("sink: no partitions of %s known yet; asking again", ", ".join(topics))
            time.sleep(1)

    def _keep(self, wanted: WantedParts, topic: str, value: bytes | None, found: FoundParts) -> None:
        if value is None or orjson.dumps(wanted.article_id) not in value:  # most records are other articles'
            return
        try:
            event = orjson.loads(value)
        except orjson.JSONDecodeError:
            return
        if not isinstance(event, dict):
            return
        if topic == self.topics[0]:
            entity = wanted.entity(event)
            if entity is not None:
                found.entities.append(entity)
        else:
            claim = wanted.claim(event)
            if claim is not None:
                found.claims.append(claim)


def sent_at(record: object) -> int | None:
    """A consumed record's timestamp in ms, if it has one."""
    stamp = getattr(record, "timestamp", None)
    return stamp if isinstance(stamp, int) and stamp >= 0 else None

"""Replay dead letters with kafka-python: read the dead-letter topic, produce, commit.

The decisions are :class:`workers.pipeline.replay.ReplayPlanner`'s; this module only moves records.
One run reads the dead-letter topic as the consumer group ``<group>-dlq-replay``, from
its committed offsets (the earliest when it has none) up to the log-end offsets taken
when the run starts, so letters written while it runs (a replayed input that failed
again) wait for the next run. After each polled batch it waits until the broker has
acknowledged every replayed record (acks=all) and only then commits the batch's offsets,
so a failure re-sends at most the batch in flight and never skips a letter. Every letter
read is committed, whatever was decided about it: a letter is considered once.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.errors import KafkaError
from kafka.structs import OffsetAndMetadata

from workers.exceptions import KafkaUnavailable, NewsflowError
from workers.kafka.client import client_config
from workers.pipeline.replay import Choice, ReplayCriteria, ReplayPlanner, ReplayTally
from workers.settings import Settings

__all__ = ["SourceRecordReader", "replay_dead_letters", "replay_group_id"]

_ACK_TIMEOUT_S = 30.0


def replay_group_id(settings: Settings) -> str:
    """The consumer group whose committed offsets mark the letters already considered."""
    return f"{settings.group_id}-dlq-replay"


def replay_dead_letters(
    settings: Settings,
    criteria: ReplayCriteria,
    *,
    target: str | None = None,
    from_beginning: bool = False,
    dry_run: bool = False,
    on_choice: Callable[[str, Choice], None] = lambda where, choice: None,
    stall_timeout: float = 60.0,
) -> ReplayTally:
    """Replay the dead letters that ``criteria`` selects and that no run considered yet.

    Args:
        settings: connection, the dead-letter topic and the workers' group id.
        criteria: which letters to replay.
        target: topic to replay to (default: the input topic).
        from_beginning: consider every letter on the topic, not only new ones.
        dry_run: decide and report, but produce and commit nothing.
        on_choice: called with each letter's place (``topic[partition]@offset``) and the
            decision on it, in offset order per partition.
        stall_timeout: seconds without progress before giving up.

    Returns:
        The counts of the run.

    Raises:
        NewsflowError: the dead-letter or target topic does not exist, or the broker
            refused a replayed record (offsets of its batch are not committed).
        KafkaUnavailable: no progress reading the dead-letter topic for ``stall_timeout`` s.
    """
    target = target or settings.topic_raw
    tally = ReplayTally()
    consumer: KafkaConsumer | None = None
    producer: KafkaProducer | None = None
    reader = SourceRecordReader(settings)
    try:
        consumer = KafkaConsumer(
            **client_config(
                settings,
                group_id=replay_group_id(settings),
                enable_auto_commit=False,
                auto_offset_reset="earliest",
                max_poll_records=500,
            )
        )
        tps = _assign(consumer, settings.topic_dlq, from_beginning=from_beginning)
        if not consumer.partitions_for_topic(target):
            raise NewsflowError(f"[E402] topic {target!r} does not exist (create it with `newsflow topics create`)")
        if not dry_run:
            producer = KafkaProducer(**client_config(settings, acks="all", linger_ms=5))
        planner = ReplayPlanner(criteria, target=target, read_source=reader)
        ends: dict[TopicPartition, int] = consumer.end_offsets(tps)
        reached = {tp: min(consumer.position(tp), ends[tp]) for tp in tps}
        last_progress = time.monotonic()
        while any(reached[tp] < ends[tp] for tp in tps):
            futures = []
            for tp, records in consumer.poll(timeout_ms=500).items():
                for record in records:
                    if record.offset >= ends[tp]:
                        break  # written after the run started: the next run's
                    choice = planner(record.value)
                    tally.add(choice)
                    on_choice(f"{record.topic}[{record.partition}]@{record.offset}", choice)
                    if producer is not None and choice.record is not None:
                        r = choice.record
                        futures.append(producer.send(r.topic, key=r.key, value=r.value, headers=list(r.headers)))
            if producer is not None and futures:
                producer.flush()
                for future in futures:
                    future.get(timeout=_ACK_TIMEOUT_S)  # raises if the broker refused a record
            before, reached = reached, {tp: min(consumer.position(tp), ends[tp]) for tp in tps}
            if reached != before:
                last_progress = time.monotonic()
                if not dry_run:
                    consumer.commit({tp: OffsetAndMetadata(offset, "", -1) for tp, offset in reached.items()})
                # Stop fetching what the next run will read.
                consumer.pause(*(tp for tp in tps if reached[tp] >= ends[tp]))
            elif time.monotonic() - last_progress > stall_timeout:
                raise KafkaUnavailable(
                    f"[E405] no progress reading {settings.topic_dlq!r} for {stall_timeout:.0f} s "
                    f"({tally.considered} dead letters considered, {tally.replayed} replayed)"
                )
    except KafkaError as exc:
        raise NewsflowError(
            f"[E406] replaying dead letters failed ({type(exc).__name__}: {exc}); "
            f"{tally.considered} considered so far; only batches the broker acknowledged in full were committed"
        ) from exc
    finally:
        if producer is not None:
            producer.close()
        reader.close()
        if consumer is not None:
            consumer.close(autocommit=False)
    return tally


def _assign(consumer: KafkaConsumer, topic: str, *, from_beginning: bool) -> list[TopicPartition]:
    partitions = consumer.partitions_for_topic(topic)
    if not partitions:
        raise NewsflowError(f"[E402] topic {topic!r} does not exist (create it with `newsflow topics create`)")
    tps = [TopicPartition(topic, p) for p in sorted(partitions)]
    consumer.assign(tps)
    for tp in tps:
        committed = None if from_beginning else consumer.committed(tp)
        if committed is None:
            consumer.seek_to_beginning(tp)
        else:
            consumer.seek(tp, committed)  # below the log start (retention): the earliest
    return tps


class SourceRecordReader:
    """Reads single records back from a topic by offset (no consumer group).

    For dead letters that left their value out: the input is still on its topic for as
    long as retention keeps it.
    """

    def __init__(self, settings: Settings, *, timeout: float = 30.0) -> None:
        self._settings = settings
        self._timeout = timeout
        self._consumer: KafkaConsumer | None = None

    def __call__(self, topic: str, partition: int, offset: int) -> tuple[bytes | None, bytes | None] | None:
        """The key and value at ``offset``, or None when the topic no longer has it.

        Raises:
            KafkaUnavailable: the record was not read within the timeout.
        """
        if self._consumer is None:
            # Built on first use: most runs have no letter whose value was left out.
            self._consumer = KafkaConsumer(
                **client_config(self._settings, group_id=None, enable_auto_commit=False, auto_offset_reset="none")
            )
        consumer = self._consumer
        if partition not in (consumer.partitions_for_topic(topic) or set()):
            return None
        tp = TopicPartition(topic, partition)
        consumer.assign([tp])
        first, end = consumer.beginning_offsets([tp])[tp], consumer.end_offsets([tp])[tp]
        if not first <= offset < end:
            return None
        consumer.seek(tp, offset)
        deadline = time.monotonic() + self._timeout
        while time.monotonic() < deadline:
            records = consumer.poll(timeout_ms=500).get(tp, [])
            if records:
                # A later offset first: the record was compacted away or was a control record.
                first_read = records[0]
                return (first_read.key, first_read.value) if first_read.offset == offset else None
            if consumer.position(tp) >= end:
                return None
        raise KafkaUnavailable(f"[E405] could not read {topic}[{partition}]@{offset} within {self._timeout:.0f} s")

    def close(self) -> None:
        if self._consumer is not None:
            self._consumer.close(autocommit=False)

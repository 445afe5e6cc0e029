"""The stage's reads outside its consumer group: its changelog, and inputs by offset.

:class:`ChangelogFollower` keeps a :class:`~workers.stories.stage.journal.StateLog`
replica of the changelog, on a thread of its own, in every member: a standby that takes
over has the checkpoints and the journal in memory already and only reads the last
records. :func:`fetch_inputs` reads back the exact input records a journal names.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable
from typing import Any

from kafka import KafkaConsumer, TopicPartition
from kafka.errors import KafkaError

from workers.kafka.client import client_config
from workers.settings import Settings
from workers.stories.exceptions import JournalInputGone, StageUnavailable
from workers.stories.stage.journal import StateLog

__all__ = ["ChangelogFollower", "fetch_inputs"]

log = logging.getLogger(__name__)

_PROBE_TIMEOUT_MS = 10_000


class ChangelogFollower:
    """Follows the one partition of ``settings.stories_changelog_topic`` into ``state``.

    Raises:
        StageUnavailable: [E423] the changelog topic does not exist.
    """

    def __init__(self, settings: Settings, state: StateLog) -> None:
        self.topic = settings.stories_changelog_topic
        self.state = state
        self._tp = TopicPartition(self.topic, 0)
        self._consumer = KafkaConsumer(
            **client_config(settings, client_id="newsflow-stories-changelog", group_id=None, enable_auto_commit=False)
        )
        self._probe = KafkaConsumer(
            **client_config(settings, client_id="newsflow-stories-probe", group_id=None, enable_auto_commit=False)
        )
        partitions = self._probe.partitions_for_topic(self.topic)
        if not partitions:
            self.close()
            raise StageUnavailable(
                f"[E423] the story stage's changelog {self.topic!r} does not exist: create it with "
                "`newsflow topics create` (it is compacted, one partition)"
            )
        self._consumer.assign([self._tp])
        self._consumer.seek_to_beginning(self._tp)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.failures = 0

    def start(self) -> None:
        self._thread = threading.Thread(target=self._follow, name="stories-changelog", daemon=True)
        self._thread.start()

    def end_offset(self) -> int:
        """The changelog's log-end offset now (from the caller's thread)."""
        ends: dict[Any, int] = self._probe.end_offsets([self._tp], timeout_ms=_PROBE_TIMEOUT_MS)
        return int(ends[self._tp])

    def catch_up(self, timeout: float) -> float:
        """Wait until the replica holds every record written before this call; returns
        the seconds waited.

        Raises:
            StageUnavailable: [E423] the replica did not get there within ``timeout``.
        """
        started = time.monotonic()
        end = self.end_offset()
        while self.state.position < end:
            if time.monotonic() - started > timeout:
                raise StageUnavailable(
                    f"[E423] the story stage's changelog {self.topic!r} was not read to its end "
                    f"({self.state.position} of {end}) within {timeout:g} s"
                )
            time.sleep(0.01)
        return time.monotonic() - started

    def close(self) -> None:
        if getattr(self, "_stop", None) is not None:
            self._stop.set()
        if getattr(self, "_thread", None) is not None:
            assert self._thread is not None
            self._thread.join(5)
        self._consumer.close()
        self._probe.close()

    def _follow(self) -> None:
        while not self._stop.is_set():
            try:
                batches = self._consumer.poll(timeout_ms=200)
                records = [(r.offset, r.key, r.value) for rs in batches.values() for r in rs]
                if records:
                    self.state.apply(records)
                # Past the records compaction removed, and past none at all.
                self.state.position = max(self.state.position, self._consumer.position(self._tp))
            except Exception:
                self.failures += 1
                log.exception("stories: following %s failed (%d so far); retrying", self.topic, self.failures)
                self._stop.wait(min(5.0, 0.2 * 2 ** min(self.failures, 5)))


def fetch_inputs(settings: Settings, wanted: Iterable[tuple[int, int]]) -> dict[tuple[int, int], Any]:
    """The records of ``settings.topic_enriched`` at the (partition, offset) pairs ``wanted``.

    Raises:
        JournalInputGone: [E422] one of them is no longer in the topic.
    """
    wanted = set(wanted)
    if not wanted:
        return {}
    topic = settings.topic_enriched
    lowest: dict[int, int] = {}
    highest: dict[int, int] = {}
    for partition, offset in wanted:
        lowest[partition] = min(lowest.get(partition, offset), offset)
        highest[partition] = max(highest.get(partition, offset), offset)
    tps = {p: TopicPartition(topic, p) for p in lowest}
    consumer = KafkaConsumer(
        **client_config(settings, client_id="newsflow-stories-replay", group_id=None, enable_auto_commit=False)
    )
    try:
        consumer.assign(list(tps.values()))
        starts = consumer.beginning_offsets(list(tps.values()), timeout_ms=_PROBE_TIMEOUT_MS)
        gone = sorted((p, lowest[p]) for p, tp in tps.items() if starts[tp] > lowest[p])
        if gone:
            raise _gone(topic, gone[0], starts[tps[gone[0][0]]])
        for p, tp in tps.items():
            consumer.seek(tp, lowest[p])
        found: dict[tuple[int, int], Any] = {}
        pending = set(tps)
        idle_since = time.monotonic()
        while pending:
            batches = consumer.poll(timeout_ms=500)
            for tp, records in batches.items():
                for record in records:
                    if (tp.partition, record.offset) in wanted:
                        found[(tp.partition, record.offset)] = record
            for p in list(pending):
                if consumer.position(tps[p]) > highest[p]:
                    pending.discard(p)
            if batches:
                idle_since = time.monotonic()
            elif time.monotonic() - idle_since > settings.connect_timeout_seconds * 3:
                raise StageUnavailable(
                    f"[E423] reading back the journal's inputs from {topic!r} made no progress for "
                    f"{settings.connect_timeout_seconds * 3:g} s"
                )
        missing = sorted(wanted - set(found))
        if missing:
            raise _gone(topic, missing[0], None)
        return found
    except KafkaError as exc:
        raise StageUnavailable(f"[E423] could not read back the journal's inputs from {topic!r}: {exc!r}") from exc
    finally:
        consumer.close()


def _gone(topic: str, where: tuple[int, int], start: int | None) -> JournalInputGone:
    partition, offset = where
    now = f" (the partition starts at {start} now)" if start is not None else ""
    return JournalInputGone(
        f"[E422] the story stage's journal names {topic}[{partition}]@{offset}, which is no longer in the "
        f"topic{now}: its retention is shorter than the stage was away. The saved state cannot be brought "
        "up to date; start afresh with `newsflow stories --reset-state`"
    )

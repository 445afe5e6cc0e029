"""Accounting for the fault tests: did every input come out, and what came out twice?

The pipeline promises at least once with deterministic event ids. So after any fault,
for a set of input ids:

- every id has an ``articles.enriched`` event or a dead letter (nothing is *missing*);
- nothing comes out that was never sent (nothing is *unexpected*);
- an article that came out more than once carries the same ``event_id`` every time,
  the same claim and entity ids, and its ``claims`` / ``entities`` events use the same
  event ids as the first copy (the distinct event ids on those topics are exactly one
  per claim / entity of the article, never one per copy);
- the extra copies (*duplicates*) are what the tests bound.

Everything here reads topics with the project's kafka-python adapters, without a
consumer group, so reading never moves the pipeline's committed offsets.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import orjson
from kafka import KafkaAdminClient, TopicPartition
from kafka.errors import KafkaError

from workers.kafka.client import client_config
from workers.kafka.tail import TailRecord, end_offsets, tail_topic
from workers.settings import Settings

__all__ = [
    "ArticleCopy",
    "Ledger",
    "TopicFollower",
    "committed_offsets",
    "input_positions",
    "read_topic",
    "settle_ledger",
    "take_ledger",
    "wait_until_accounted",
]


class TopicFollower:
    """Reads a topic from the beginning in steps: each :meth:`poll` returns what is new.

    Each step reads at least up to the log-end offsets taken at its start, so a step
    ends as soon as it has caught up instead of waiting for an idle timeout.
    """

    def __init__(self, settings: Settings, topic: str) -> None:
        self.settings = settings
        self.topic = topic
        self.offsets: dict[int, int] = {}

    def poll(self, *, timeout: float = 60.0) -> list[TailRecord]:
        """The records written since the previous poll (at least up to the current end)."""
        end = end_offsets(self.settings, self.topic)
        behind = {p: o for p, o in end.items() if self.offsets.get(p, 0) < o}
        if not behind:
            return []
        records: list[TailRecord] = []
        deadline = time.monotonic() + timeout
        start = {p: self.offsets.get(p, 0) for p in end}
        for record in tail_topic(self.settings, self.topic, start_offsets=start, idle_timeout=5.0):
            # Records past the end taken above are kept too: skipping them would lose them.
            self.offsets[record.partition] = record.offset + 1
            records.append(record)
            if all(self.offsets.get(p, 0) >= o for p, o in behind.items()) or time.monotonic() > deadline:
                break
        missing = {p: (self.offsets.get(p, 0), o) for p, o in behind.items() if self.offsets.get(p, 0) < o}
        if missing:
            raise TimeoutError(f"{self.topic}: could not read up to the end offsets, at/end per partition {missing}")
        return records


def read_topic(settings: Settings, topic: str, *, timeout: float = 60.0) -> list[TailRecord]:
    """Every record in ``topic`` now (from the beginning to the current log end)."""
    return TopicFollower(settings, topic).poll(timeout=timeout)


def _value(record: TailRecord) -> dict[str, Any]:
    value: dict[str, Any] = orjson.loads(record.value or b"")
    return value


def _letter_id(letter: dict[str, Any]) -> str | None:
    if letter.get("article_id"):
        return str(letter["article_id"])
    return letter.get("key")


def wait_until_accounted(
    settings: Settings,
    ids: Iterable[str],
    *,
    timeout: float,
    alive: Callable[[], None] | None = None,
    stall_timeout: float = 60.0,
    interval: float = 1.0,
) -> float:
    """Wait until every id has an enriched event or a dead letter; return the seconds waited.

    Args:
        timeout: the most seconds to wait in all.
        alive: called between polls; should raise when the process expected to do
            the work has died, so the test fails at once with its log.
        stall_timeout: give up sooner when no id was accounted for in this many
            seconds: a stuck partition fails in a minute, not at ``timeout``.

    Raises:
        TimeoutError: some ids were still unaccounted for after ``timeout`` seconds,
            or nothing moved for ``stall_timeout`` seconds.
    """
    pending = set(ids)
    followers = {
        settings.topic_enriched: TopicFollower(settings, settings.topic_enriched),
        settings.topic_dlq: TopicFollower(settings, settings.topic_dlq),
    }
    start = last_progress = time.monotonic()
    while True:
        before = len(pending)
        for topic, follower in followers.items():
            for record in follower.poll():
                value = _value(record)
                pending.discard(value["id"] if topic == settings.topic_enriched else _letter_id(value))
        now = time.monotonic()
        if not pending:
            return now - start
        if len(pending) < before:
            last_progress = now
        if alive is not None:
            alive()
        if now - start > timeout or now - last_progress > stall_timeout:
            raise TimeoutError(
                f"{len(pending)} ids still unaccounted for after {now - start:.0f} s "
                f"({now - last_progress:.0f} s without progress), e.g. {sorted(pending)[:5]}; "
                + _where_stuck(settings, pending)
            )
        time.sleep(interval)


def _where_stuck(settings: Settings, pending: set[str]) -> str:
    """Where the pipeline stands, for a timeout message: committed vs end offsets, and the gaps."""
    positions = input_positions(settings)
    committed = committed_offsets(settings)
    stuck: dict[int, list[int]] = defaultdict(list)
    for article_id in pending:
        for partition, offset in positions.get(article_id, []):
            stuck[partition].append(offset)
    summary = {p: f"{len(o)} from offset {min(o)}" for p, o in sorted(stuck.items())}
    return (
        f"input end offsets {end_offsets(settings, settings.topic_raw)}, group committed {committed}, "
        f"unaccounted inputs per partition {summary}"
    )


def input_positions(settings: Settings) -> dict[str, list[tuple[int, int]]]:
    """Where each input id sits on the input topic: id (the record key) -> [(partition, offset)]."""
    positions: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for record in read_topic(settings, settings.topic_raw):
        if record.key is not None:
            positions[record.key.decode()].append((record.partition, record.offset))
    return dict(positions)


def committed_offsets(settings: Settings) -> dict[int, int]:
    """The consumer group's committed offset per input partition (0 where none is committed)."""
    tps = [TopicPartition(settings.topic_raw, p) for p in range(settings.partitions)]
    deadline = time.monotonic() + 30
    while True:
        admin = KafkaAdminClient(**client_config(settings))
        try:
            found = admin.list_group_offsets({settings.group_id: tps}).get(settings.group_id, {})
            break
        except KafkaError as exc:
            # The coordinator can be briefly unavailable (a new group, a broker restart).
            if not exc.retriable or time.monotonic() > deadline:
                raise
        finally:
            admin.close()
        time.sleep(0.5)
    committed = {p: 0 for p in range(settings.partitions)}
    for tp, meta in found.items():
        if tp.topic == settings.topic_raw and meta is not None and meta.offset >= 0:
            committed[tp.partition] = meta.offset
    return committed


@dataclass(frozen=True, slots=True)
class ArticleCopy:
    """What identifies one copy of an enriched article, and where it was written."""

    event_id: str
    claim_ids: tuple[str, ...]
    entity_ids: tuple[str, ...]
    partition: int
    offset: int
    timestamp_ms: int
    #: the earlier article this one copies, as flagged by the duplicate index
    duplicate_of: str | None = None


@dataclass
class Ledger:
    """Every output of a test's topics, indexed by input id."""

    sent: frozenset[str]
    #: id -> every copy on articles.enriched, in the order read.
    enriched: dict[str, list[ArticleCopy]] = field(default_factory=dict)
    #: id -> number of dead letters for it.
    dead: Counter[str] = field(default_factory=Counter)
    #: article id -> (claim/entity id -> distinct event ids seen on the claims/entities topic).
    claim_events: dict[str, dict[str, set[str]]] = field(default_factory=dict)
    entity_events: dict[str, dict[str, set[str]]] = field(default_factory=dict)
    #: records read on the claims / entities topics.
    claim_records: int = 0
    entity_records: int = 0

    @property
    def missing(self) -> set[str]:
        """Sent ids with neither an enriched event nor a dead letter."""
        return set(self.sent) - set(self.enriched) - set(self.dead)

    @property
    def unexpected(self) -> set[str]:
        """Ids that came out but were never sent."""
        return (set(self.enriched) | set(self.dead)) - set(self.sent)

    @property
    def duplicated(self) -> dict[str, int]:
        """id -> how many extra outputs it got (enriched copies + dead letters - 1)."""
        extra = {i: len(self.enriched.get(i, [])) + self.dead.get(i, 0) - 1 for i in self.enriched.keys() | self.dead}
        return {i: n for i, n in extra.items() if n > 0}

    @property
    def duplicates(self) -> int:
        """Extra outputs in all."""
        return sum(self.duplicated.values())

    def id_mismatches(self) -> list[str]:
        """Problems with ids: copies that differ, or derived events with ids of their own."""
        problems: list[str] = []
        for article_id, copies in self.enriched.items():
            first = copies[0]
            for copy in copies[1:]:
                if (copy.event_id, copy.claim_ids, copy.entity_ids) != (
                    first.event_id,
                    first.claim_ids,
                    first.entity_ids,
                ):
                    problems.append(
                        f"{article_id}: copy at {copy.partition}@{copy.offset} differs from the first: "
                        f"{copy.event_id} vs {first.event_id}"
                    )
            for kind, expected, events in (
                ("claim", first.claim_ids, self.claim_events.get(article_id, {})),
                ("entity", first.entity_ids, self.entity_events.get(article_id, {})),
            ):
                if set(events) - set(expected):
                    problems.append(
                        f"{article_id}: {kind} events for ids not in the article: "
                        f"{sorted(set(events) - set(expected))[:3]}"
                    )
                for ref, event_ids in events.items():
                    if len(event_ids) != 1:
                        problems.append(f"{article_id}: {kind} {ref} has {len(event_ids)} distinct event ids")
        return problems

    def flag_mismatches(self) -> list[str]:
        """Repeats whose duplicate flag differs from their first copy's.

        The index's writes for a batch are acknowledged before the batch's outputs, so a
        replay is checked against an index that already holds what the first copy's flag
        was decided on: it must come out flagged the same.
        """
        problems: list[str] = []
        for article_id, copies in self.enriched.items():
            first = copies[0]
            for copy in copies[1:]:
                if copy.duplicate_of != first.duplicate_of:
                    problems.append(
                        f"{article_id}: copy at {copy.partition}@{copy.offset} flagged duplicate_of="
                        f"{copy.duplicate_of!r}, the first at {first.partition}@{first.offset} {first.duplicate_of!r}"
                    )
        return problems

    def derived_missing(self) -> list[str]:
        """Claims or entities of an enriched article that have no event on their topic."""
        problems: list[str] = []
        for article_id, copies in self.enriched.items():
            for kind, expected, events in (
                ("claim", copies[0].claim_ids, self.claim_events.get(article_id, {})),
                ("entity", copies[0].entity_ids, self.entity_events.get(article_id, {})),
            ):
                lost = set(expected) - set(events)
                if lost:
                    problems.append(f"{article_id}: no event for {kind}s {sorted(lost)[:3]}")
        return problems

    def describe_repeats(self, positions: dict[str, list[tuple[int, int]]], limit: int = 10) -> str:
        """Where repeated articles came from and when their copies were written, for failure messages."""
        lines = []
        for article_id in sorted(self.duplicated)[:limit]:
            copies = ", ".join(
                f"{c.partition}@{c.offset} at {c.timestamp_ms}" for c in self.enriched.get(article_id, [])
            )
            lines.append(f"{article_id} (input {positions.get(article_id)}): copies {copies}")
        return "\n".join(lines)

    def summary(self, label: str, seconds: float | None = None) -> str:
        """One line of measured counts, for ``pytest -s`` and the docs."""
        enriched_events = sum(len(c) for c in self.enriched.values())
        timing = f" time={seconds:.1f}s" if seconds is not None else ""
        counts = {
            "sent": len(self.sent),
            "enriched_ids": len(self.enriched),
            "enriched_events": enriched_events,
            "dead_letters": sum(self.dead.values()),
            "duplicated_ids": len(self.duplicated),
            "flagged_copies": sum(1 for copies in self.enriched.values() if copies[0].duplicate_of),
            # Repeats flagged differently from their first copy (the fault tests assert none).
            "repeats_flagged_otherwise": sum(
                1 for copies in self.enriched.values() if len({c.duplicate_of for c in copies}) > 1
            ),
            "duplicates": self.duplicates,
            "missing": len(self.missing),
            "claim_events": self.claim_records,
            "entity_events": self.entity_records,
        }
        return f"[{label}] " + " ".join(f"{k}={v}" for k, v in counts.items()) + timing


def take_ledger(settings: Settings, sent: Iterable[str]) -> Ledger:
    """Read every output topic of ``settings`` from the beginning into a :class:`Ledger`."""
    ledger = Ledger(frozenset(sent))
    for record in read_topic(settings, settings.topic_enriched):
        article = _value(record)
        ledger.enriched.setdefault(article["id"], []).append(
            ArticleCopy(
                event_id=article["event_id"],
                claim_ids=tuple(c["id"] for c in article["claims"]),
                entity_ids=tuple(e["id"] for e in article["entities"]),
                partition=record.partition,
                offset=record.offset,
                timestamp_ms=record.timestamp_ms,
                duplicate_of=(article.get("duplicate_of") or {}).get("id"),
            )
        )
    for record in read_topic(settings, settings.topic_dlq):
        letter_id = _letter_id(_value(record))
        ledger.dead[letter_id if letter_id is not None else f"<no id>@{record.partition}:{record.offset}"] += 1
    for topic, kind, index in (
        (settings.topic_claims, "claim", ledger.claim_events),
        (settings.topic_entities, "entity", ledger.entity_events),
    ):
        records = read_topic(settings, topic)
        if kind == "claim":
            ledger.claim_records = len(records)
        else:
            ledger.entity_records = len(records)
        for record in records:
            event = _value(record)
            refs = index.setdefault(event["article"]["id"], {})
            refs.setdefault(event[kind]["id"], set()).add(event["event_id"])
    return ledger


def settle_ledger(settings: Settings, sent: Iterable[str], *, timeout: float = 30.0) -> Ledger:
    """:func:`take_ledger` once the claims and entities of every enriched article are written.

    An article's ``articles.enriched`` event is sent after its claims and entities, but
    they go to other partitions, so they may be acknowledged a moment later than it.
    """
    sent = frozenset(sent)
    deadline = time.monotonic() + timeout
    while True:
        ledger = take_ledger(settings, sent)
        if not ledger.derived_missing() or time.monotonic() > deadline:
            return ledger
        time.sleep(1.0)


def committed_after_stop(settings: Settings) -> dict[int, int]:
    """The group's committed offsets once a commit sent just before a kill has landed.

    A commit the process wrote to its socket before dying can still be applied by the
    broker a moment later: read until two readings half a second apart agree.
    """
    previous = committed_offsets(settings)
    for _ in range(20):
        time.sleep(0.5)
        current = committed_offsets(settings)
        if current == previous:
            return current
        previous = current
    return previous

"""Choose dead letters to replay and build the records that replay them; no Kafka.

A dead letter (``schemas/dead-letter.v1.json``) keeps its failed input whole, so replaying
it means producing the input's value again, with its key, onto the input topic. Each
replayed record carries the header ``newsflow-replays`` (:data:`workers.pipeline.dlq.REPLAY_HEADER`)
one higher than the letter's ``replays``; the worker copies that count into the next
dead letter if the input fails again, and :class:`ReplayPlanner` refuses letters that
reached the limit, so an input that can never succeed stops coming back.

What becomes of one letter (:data:`Decision`), checked in this order:

- ``malformed``: the letter cannot be read (not JSON, a field missing or of the wrong
  type, bad base64); it is passed over and counted, never raised.
- ``filtered``: the criteria (reason, article id, time) leave it out; ``poison``
  letters (inputs that killed workers) are left out unless asked for by reason.
- ``limit``: it was already replayed ``max_replays`` times.
- ``source_missing``: its value was left out of the letter (``value_omitted``) and the
  source topic no longer holds the input at ``topic``/``partition``/``offset``.
- ``replay``: a :class:`ReplayRecord` to produce.

The Kafka side (reading the dead-letter topic, reading back omitted values, producing
and committing) is :mod:`workers.kafka.replay`.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import orjson

from workers.pipeline.dlq import REPLAY_HEADER
from workers.pipeline.exceptions import MalformedLetter

__all__ = [
    "ASKED_FOR_ONLY",
    "DEFAULT_MAX_REPLAYS",
    "Choice",
    "Decision",
    "Letter",
    "ReplayCriteria",
    "ReplayPlanner",
    "ReplayRecord",
    "ReplayTally",
    "SourceReader",
    "parse_letter",
    "parse_since",
]

#: How often one input may be replayed before its dead letter is passed over.
DEFAULT_MAX_REPLAYS = 3

#: Reasons replayed only when asked for by name: a ``poison`` input killed workers.
ASKED_FOR_ONLY = frozenset({"poison"})

Decision = Literal["replay", "filtered", "limit", "malformed", "source_missing"]

#: Reads back an input from its topic: ``(topic, partition, offset) -> (key, value)``,
#: or None when the topic no longer holds that offset.
SourceReader = Callable[[str, int, int], "tuple[bytes | None, bytes | None] | None"]

_DURATION = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


@dataclass(frozen=True, slots=True)
class Letter:
    """What replaying needs from one dead letter.

    ``value`` is the original bytes, or None when the letter left them out
    (``value_omitted``) and they must be read back from ``topic``/``partition``/``offset``.
    """

    reason: str
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    failed_at: datetime
    article_id: str | None = None
    replays: int = 0

    @property
    def source(self) -> str:
        """Where the input was, as ``topic[partition]@offset``."""
        return f"{self.topic}[{self.partition}]@{self.offset}"


@dataclass(frozen=True, slots=True)
class ReplayRecord:
    """A record to produce: the input again, with its replay count in a header."""

    topic: str
    key: bytes | None
    value: bytes
    headers: tuple[tuple[str, bytes], ...]


@dataclass(frozen=True, slots=True)
class Choice:
    """The decision on one dead letter, with the record to produce when it is replayed.

    ``problem`` says what is wrong for ``malformed`` and ``source_missing``.
    """

    decision: Decision
    letter: Letter | None = None
    record: ReplayRecord | None = None
    problem: str = ""


@dataclass(frozen=True, slots=True)
class ReplayCriteria:
    """Which dead letters to replay.

    Args:
        reasons: only letters with one of these reason codes (empty: any but those in
            :data:`ASKED_FOR_ONLY`).
        article_ids: only letters of these articles (empty: any).
        since: only letters that failed at or after this time (None: any).
        max_replays: letters whose input was already replayed this often are passed over.
    """

    reasons: frozenset[str] = frozenset()
    article_ids: frozenset[str] = frozenset()
    since: datetime | None = None
    max_replays: int = DEFAULT_MAX_REPLAYS

    def selects(self, letter: Letter) -> bool:
        """Whether the filters (not the replay limit) take ``letter``."""
        if self.reasons and letter.reason not in self.reasons:
            return False
        if not self.reasons and letter.reason in ASKED_FOR_ONLY:
            return False
        if self.article_ids and letter.article_id not in self.article_ids:
            return False
        return self.since is None or letter.failed_at >= self.since


class ReplayPlanner:
    """Decides what to do with each dead letter, and builds the record to replay it.

    Args:
        criteria: which letters to replay.
        target: the topic to produce replayed inputs to (the input topic).
        read_source: reads back a value the letter left out (``value_omitted``).
    """

    def __init__(self, criteria: ReplayCriteria, *, target: str, read_source: SourceReader) -> None:
        self.criteria = criteria
        self.target = target
        self._read_source = read_source

    def __call__(self, raw: bytes | None) -> Choice:
        """The decision on one value of the dead-letter topic; never raises for a bad letter."""
        try:
            letter = parse_letter(raw)
        except MalformedLetter as exc:
            return Choice("malformed", problem=str(exc))
        if not self.criteria.selects(letter):
            return Choice("filtered", letter)
        if letter.replays >= self.criteria.max_replays:
            return Choice("limit", letter)
        key, value = letter.key, letter.value
        if value is None:
            found = self._read_source(letter.topic, letter.partition, letter.offset)
            if found is None:
                return Choice("source_missing", letter, problem=f"{letter.source} is no longer in its topic")
            # The source record has the key byte for byte; the letter's is text.
            key, value = found[0], found[1] or b""
        headers = ((REPLAY_HEADER, str(letter.replays + 1).encode()),)
        return Choice("replay", letter, ReplayRecord(self.target, key, value, headers))


@dataclass(slots=True)
class ReplayTally:
    """Counts of one replay run: each decision, and the replayed letters by reason."""

    decisions: Counter[Decision] = field(default_factory=Counter)
    by_reason: Counter[str] = field(default_factory=Counter)

    def add(self, choice: Choice) -> None:
        """Count one decision."""
        self.decisions[choice.decision] += 1
        if choice.decision == "replay" and choice.letter is not None:
            self.by_reason[choice.letter.reason] += 1

    @property
    def replayed(self) -> int:
        return self.decisions["replay"]

    @property
    def considered(self) -> int:
        """Every dead letter read."""
        return self.decisions.total()

    def as_dict(self) -> dict[str, Any]:
        """The counts as a JSON-ready dict."""
        return {
            "considered": self.considered,
            "replayed": self.replayed,
            "skipped_limit": self.decisions["limit"],
            "filtered": self.decisions["filtered"],
            "malformed": self.decisions["malformed"],
            "source_missing": self.decisions["source_missing"],
            "replayed_by_reason": dict(sorted(self.by_reason.items())),
        }

    def summary(self, *, target: str, max_replays: int, dry_run: bool) -> str:
        """One line for a human: what was replayed (or would be) and what was not."""
        reasons = ", ".join(f"{reason} {n}" for reason, n in sorted(self.by_reason.items())) or "none"
        verb = "would replay" if dry_run else "replayed"
        counts = self.decisions
        return (
            f"{verb} {self.replayed} of {self.considered} dead letters to {target} (by reason: {reasons}); "
            f"skipped {counts['limit']} at the limit of {max_replays} replays, {counts['filtered']} filtered out, "
            f"{counts['malformed']} malformed, {counts['source_missing']} with the input gone from its topic"
        )


def parse_letter(raw: bytes | None) -> Letter:
    """Read one dead letter; letters written before a field existed get its default.

    Raises:
        MalformedLetter: not a dead letter, or a field needed to replay it is unusable.
    """
    try:
        data = orjson.loads(raw or b"")
    except orjson.JSONDecodeError as exc:
        raise MalformedLetter(f"not JSON ({exc})") from None
    if not isinstance(data, dict):
        raise MalformedLetter(f"not a JSON object but {type(data).__name__}")
    schema = data.get("schema")
    if schema is not None and (not isinstance(schema, dict) or schema.get("name") != "dead-letter"):
        raise MalformedLetter(f"schema is {schema!r}, not dead-letter")
    omitted = _field(data, "value_omitted", bool, default=False)
    value: bytes | None = None
    if not omitted:
        value = _value(_field(data, "value", str), _field(data, "value_encoding", str))
    key = _field(data, "key", str, optional=True)
    article_id = _field(data, "article_id", str, optional=True, default=None)
    return Letter(
        reason=_field(data, "reason", str),
        topic=_field(data, "topic", str),
        partition=_count(data, "partition"),
        offset=_count(data, "offset"),
        key=None if key is None else key.encode("utf-8"),
        value=value,
        failed_at=_time(_field(data, "failed_at", str)),
        article_id=article_id,
        replays=_count(data, "replays", default=0),
    )


def parse_since(text: str, *, now: datetime) -> datetime:
    """A point in time from an ISO-8601 time or a duration back from ``now``.

    ``2h``, ``30m``, ``7d`` (also ``s`` and ``w``) mean that long before ``now``;
    anything else is read as ISO-8601 (``2024-12-05``, ``2024-12-05T10:00:00Z``), in
    UTC when it names no zone.

    Raises:
        ValueError: neither a duration nor an ISO-8601 time.
    """
    duration = _DURATION.match(text)
    if duration:
        return now - timedelta(**{_UNITS[duration.group(2)]: int(duration.group(1))})
    try:
        return _time(text.strip())
    except MalformedLetter:
        raise ValueError(f"{text!r} is neither a duration (2h, 30m, 7d) nor an ISO-8601 time") from None


_MISSING = object()


def _field(data: Mapping[str, Any], name: str, kind: type, *, optional: bool = False, default: Any = _MISSING) -> Any:
    if name not in data:
        if default is not _MISSING:
            return default
        raise MalformedLetter(f"no {name!r}")
    value = data[name]
    if value is None and optional:
        return None
    # bool is an int: a count of True is as wrong as a count of "1".
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise MalformedLetter(f"{name!r} is {type(value).__name__}, not {kind.__name__}")
    return value


def _count(data: Mapping[str, Any], name: str, *, default: Any = _MISSING) -> int:
    value: int = _field(data, name, int, default=default)
    if value < 0:
        raise MalformedLetter(f"{name!r} is negative")
    return value


def _value(text: str, encoding: str) -> bytes:
    if encoding == "utf-8":
        return text.encode("utf-8")
    if encoding == "base64":
        try:
            return base64.b64decode(text, validate=True)
        except binascii.Error as exc:
            raise MalformedLetter(f"value is not base64 ({exc})") from None
    raise MalformedLetter(f"value_encoding is {encoding!r}, not utf-8 or base64")


def _time(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise MalformedLetter(f"{text!r} is not an ISO-8601 time") from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)

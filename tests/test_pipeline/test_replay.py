from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import pytest

from workers.pipeline.dlq import REPLAY_HEADER, dead_letter, replays_of
from workers.pipeline.events import encode
from workers.pipeline.replay import (
    Choice,
    MalformedLetter,
    ReplayCriteria,
    ReplayPlanner,
    ReplayTally,
    SourceReader,
    parse_letter,
    parse_since,
)

TARGET = "articles.raw"
NOW = datetime(2024, 12, 5, 12, 0, tzinfo=UTC)


def no_source(topic: str, partition: int, offset: int) -> tuple[bytes | None, bytes | None] | None:
    raise AssertionError("the letter carries its value: nothing to read back")


@pytest.fixture
def make_letter() -> Callable[..., bytes]:
    """Factory: a dead letter as the worker writes it, any field overridable."""

    def make(value: bytes = b'{"id": "a1", "body": "x"}', **overrides: Any) -> bytes:
        fields: dict[str, Any] = {
            "reason": "body_too_large",
            "error": "too large",
            "topic": "articles.raw",
            "partition": 1,
            "offset": 7,
            "key": b"a1",
            "value": value,
            "failed_at": "2024-12-05T11:00:00.000Z",
            "article_id": "a1",
        }
        letter = orjson.loads(encode(dead_letter(**fields)))
        return orjson.dumps({**letter, **overrides})

    return make


def plan(raw: bytes, criteria: ReplayCriteria | None = None, read_source: SourceReader = no_source) -> Choice:
    return ReplayPlanner(criteria or ReplayCriteria(), target=TARGET, read_source=read_source)(raw)


def test_a_letter_is_replayed_with_its_value_and_key_to_the_target(make_letter: Callable[..., bytes]) -> None:
    choice = plan(make_letter(value=b'{"id": "a1", "body": "\xc3\xbc"}'))
    assert choice.decision == "replay" and choice.record is not None
    assert (choice.record.topic, choice.record.key, choice.record.value) == (
        TARGET,
        b"a1",
        '{"id": "a1", "body": "ü"}'.encode(),
    )


def test_replayed_record_carries_the_letters_replay_count_plus_one(make_letter: Callable[..., bytes]) -> None:
    choice = plan(make_letter(replays=2))
    assert choice.record is not None
    assert replays_of(choice.record.headers) == 3
    assert [name for name, _ in choice.record.headers] == [REPLAY_HEADER]


def test_base64_value_is_decoded_to_the_original_bytes(make_letter: Callable[..., bytes]) -> None:
    raw = b"\xff\xfe not utf-8"
    letter = make_letter(value=raw)
    assert orjson.loads(letter)["value_encoding"] == "base64"
    choice = plan(letter)
    assert choice.record is not None and choice.record.value == raw


def test_letter_without_key_is_replayed_without_key(make_letter: Callable[..., bytes]) -> None:
    choice = plan(make_letter(key=None))
    assert choice.record is not None and choice.record.key is None


def test_omitted_value_is_read_back_from_the_source_with_its_key(make_letter: Callable[..., bytes]) -> None:
    asked: list[tuple[str, int, int]] = []

    def read(topic: str, partition: int, offset: int) -> tuple[bytes | None, bytes | None]:
        asked.append((topic, partition, offset))
        return b"\xffraw-key", b"the original"

    choice = plan(make_letter(value=b"", value_omitted=True), read_source=read)
    assert asked == [("articles.raw", 1, 7)]
    assert choice.record is not None
    assert (choice.record.key, choice.record.value) == (b"\xffraw-key", b"the original")


def test_omitted_value_no_longer_in_its_topic_is_skipped_as_source_missing(make_letter: Callable[..., bytes]) -> None:
    choice = plan(make_letter(value=b"", value_omitted=True), read_source=lambda t, p, o: None)
    assert (choice.decision, choice.record) == ("source_missing", None)
    assert "articles.raw[1]@7" in choice.problem


def test_letter_at_the_replay_limit_is_skipped(make_letter: Callable[..., bytes]) -> None:
    criteria = ReplayCriteria(max_replays=3)
    assert plan(make_letter(replays=2), criteria).decision == "replay"
    assert plan(make_letter(replays=3), criteria).decision == "limit"
    assert plan(make_letter(replays=3), criteria).record is None


def test_old_letter_without_replays_attempts_or_value_omitted_gets_the_defaults(
    make_letter: Callable[..., bytes],
) -> None:
    old = orjson.loads(make_letter())
    for name in ("replays", "attempts", "value_omitted"):
        del old[name]
    choice = plan(orjson.dumps(old))
    assert choice.decision == "replay" and choice.record is not None
    assert replays_of(choice.record.headers) == 1


@pytest.mark.parametrize(
    ("criteria", "decision"),
    [
        (ReplayCriteria(reasons=frozenset({"body_too_large"})), "replay"),
        (ReplayCriteria(reasons=frozenset({"invalid_json", "body_too_large"})), "replay"),
        (ReplayCriteria(reasons=frozenset({"invalid_json"})), "filtered"),
        (ReplayCriteria(article_ids=frozenset({"a1"})), "replay"),
        (ReplayCriteria(article_ids=frozenset({"b2"})), "filtered"),
        (ReplayCriteria(since=datetime(2024, 12, 5, 11, 0, tzinfo=UTC)), "replay"),
        (ReplayCriteria(since=datetime(2024, 12, 5, 11, 0, 1, tzinfo=UTC)), "filtered"),
        (ReplayCriteria(reasons=frozenset({"body_too_large"}), article_ids=frozenset({"b2"})), "filtered"),
    ],
    ids=["reason", "any-of-reasons", "other-reason", "article", "other-article", "since-equal", "since-after", "and"],
)
def test_filters_select_letters(make_letter: Callable[..., bytes], criteria: ReplayCriteria, decision: str) -> None:
    assert plan(make_letter(), criteria).decision == decision


def test_filtered_letter_is_not_counted_against_the_limit(make_letter: Callable[..., bytes]) -> None:
    criteria = ReplayCriteria(reasons=frozenset({"invalid_json"}), max_replays=1)
    assert plan(make_letter(replays=5), criteria).decision == "filtered"


def test_poison_letters_are_replayed_only_when_asked_for_by_reason(make_letter: Callable[..., bytes]) -> None:
    poison = make_letter(reason="poison")
    assert plan(poison).decision == "filtered"
    assert plan(poison, ReplayCriteria(reasons=frozenset({"poison"}))).decision == "replay"


@pytest.mark.parametrize(
    "change",
    [
        lambda letter: b"{not json",
        lambda letter: b"[1, 2]",
        lambda letter: orjson.dumps({k: v for k, v in letter.items() if k != "offset"}),
        lambda letter: orjson.dumps({**letter, "partition": "1"}),
        lambda letter: orjson.dumps({**letter, "offset": -1}),
        lambda letter: orjson.dumps({**letter, "replays": True}),
        lambda letter: orjson.dumps({**letter, "value_encoding": "base64", "value": "not base64!"}),
        lambda letter: orjson.dumps({**letter, "value_encoding": "latin-1"}),
        lambda letter: orjson.dumps({**letter, "failed_at": "yesterday"}),
        lambda letter: orjson.dumps({**letter, "schema": {"name": "enriched-article", "version": 1}}),
    ],
    ids=[
        "not-json",
        "not-object",
        "no-offset",
        "string-partition",
        "negative-offset",
        "bool-replays",
        "bad-base64",
        "unknown-encoding",
        "bad-failed-at",
        "other-schema",
    ],
)
def test_malformed_letter_is_skipped_not_raised(
    make_letter: Callable[..., bytes], change: Callable[[dict[str, Any]], bytes]
) -> None:
    choice = plan(change(orjson.loads(make_letter())))
    assert (choice.decision, choice.letter, choice.record) == ("malformed", None, None)
    assert choice.problem


def test_parse_letter_raises_malformed_letter_for_an_empty_record() -> None:
    with pytest.raises(MalformedLetter, match="not JSON"):
        parse_letter(None)


def test_tally_counts_each_decision_and_replays_by_reason(make_letter: Callable[..., bytes]) -> None:
    tally = ReplayTally()
    criteria = ReplayCriteria(reasons=frozenset({"body_too_large", "invalid_json"}))
    for raw in [
        make_letter(),
        make_letter(),
        make_letter(reason="invalid_json"),
        make_letter(reason="invalid_json", replays=3),
        make_letter(reason="empty_body"),
        b"garbage",
    ]:
        tally.add(plan(raw, criteria))
    assert tally.as_dict() == {
        "considered": 6,
        "replayed": 3,
        "skipped_limit": 1,
        "filtered": 1,
        "malformed": 1,
        "source_missing": 0,
        "replayed_by_reason": {"body_too_large": 2, "invalid_json": 1},
    }
    line = tally.summary(target=TARGET, max_replays=3, dry_run=False)
    assert line.startswith("replayed 3 of 6 dead letters to articles.raw (by reason: body_too_large 2, invalid_json 1)")
    assert "skipped 1 at the limit of 3 replays, 1 filtered out, 1 malformed" in line
    assert "\n" not in line


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2h", NOW - timedelta(hours=2)),
        ("30m", NOW - timedelta(minutes=30)),
        ("7d", NOW - timedelta(days=7)),
        ("90s", NOW - timedelta(seconds=90)),
        ("1w", NOW - timedelta(weeks=1)),
        ("2024-12-01T08:30:00Z", datetime(2024, 12, 1, 8, 30, tzinfo=UTC)),
        ("2024-12-01T10:30:00+02:00", datetime(2024, 12, 1, 8, 30, tzinfo=UTC)),
        ("2024-12-01T08:30:00", datetime(2024, 12, 1, 8, 30, tzinfo=UTC)),
        ("2024-12-01", datetime(2024, 12, 1, tzinfo=UTC)),
    ],
)
def test_parse_since_reads_durations_and_iso_times(text: str, expected: datetime) -> None:
    assert parse_since(text, now=NOW) == expected


@pytest.mark.parametrize("text", ["yesterday", "2 hours", "-2h", "2y", ""])
def test_parse_since_rejects_anything_else(text: str) -> None:
    with pytest.raises(ValueError, match="neither a duration"):
        parse_since(text, now=NOW)

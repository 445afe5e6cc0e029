from __future__ import annotations

import socket
from datetime import UTC, datetime

import pytest

from workers.exceptions import KafkaUnavailable
from workers.kafka.tail import BEGINNING, END, StartAt, parse_start, resolve_start, tail_topic
from workers.settings import Settings

NOW = datetime(2024, 12, 5, 12, 0, tzinfo=UTC)
FIRST = {0: 10, 1: 0}
END_OFFSETS = {0: 50, 1: 5}


@pytest.mark.parametrize(
    ("text", "start"),
    [
        ("beginning", BEGINNING),
        ("earliest", BEGINNING),
        ("END", END),
        ("latest", END),
        ("42", StartAt("offset", 42)),
        ("0", StartAt("offset", 0)),
        ("-10", StartAt("offset", -10)),
        ("@1733392800000", StartAt("time", 1733392800000)),
        ("s@1733392800000", StartAt("time", 1733392800000)),
        ("2024-12-05T10:00:00Z", StartAt("time", 1733392800000)),
        ("2024-12-05T10:00:00", StartAt("time", 1733392800000)),
        ("2h", StartAt("time", 1733392800000)),
    ],
)
def test_offset_values_kafka_users_write_are_understood(text: str, start: StartAt) -> None:
    assert parse_start(text, now=NOW) == start


@pytest.mark.parametrize("text", ["soon", "@", "@12ab", "--3", "4-2", ""])
def test_an_offset_that_is_none_of_the_forms_is_e409(text: str) -> None:
    with pytest.raises(ValueError, match=r"^\[E409\]"):
        parse_start(text, now=NOW)


def test_an_integer_too_large_for_an_offset_asks_for_the_time_form() -> None:
    with pytest.raises(ValueError, match=r"\[E409\] '1733392800000' is too large .* write @1733392800000"):
        parse_start("1733392800000", now=NOW)


def test_beginning_and_end_start_at_each_partitions_bounds() -> None:
    assert resolve_start(BEGINNING, FIRST, END_OFFSETS) == {0: 10, 1: 0}
    assert resolve_start(END, FIRST, END_OFFSETS) == {0: 50, 1: 5}


def test_an_offset_is_kept_within_each_partitions_bounds() -> None:
    assert resolve_start(StartAt("offset", 20), FIRST, END_OFFSETS) == {0: 20, 1: 5}
    assert resolve_start(StartAt("offset", 3), FIRST, END_OFFSETS) == {0: 10, 1: 3}


def test_a_negative_offset_counts_back_from_the_end() -> None:
    assert resolve_start(StartAt("offset", -10), FIRST, END_OFFSETS) == {0: 40, 1: 0}


def test_a_time_starts_at_the_first_record_at_or_after_it_or_the_end() -> None:
    by_time = {0: 33, 1: None}
    assert resolve_start(StartAt("time", 1), FIRST, END_OFFSETS, by_time) == {0: 33, 1: 5}


def test_group_reads_take_no_partitions_or_offsets() -> None:
    settings = Settings(data_dir="/tmp/unused")
    with pytest.raises(ValueError, match="consumer group"):
        next(tail_topic(settings, "t", group_id="g", partitions=[0]))
    with pytest.raises(ValueError, match="consumer group"):
        next(tail_topic(settings, "t", group_id="g", start=StartAt("offset", 3)))


@pytest.mark.timeout(60)
def test_tail_without_a_broker_fails_with_e401_after_the_connect_timeout() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings = Settings(bootstrap_servers=f"127.0.0.1:{port}", connect_timeout_seconds=1, data_dir="/tmp/unused")
    with pytest.raises(KafkaUnavailable, match=r"^\[E401\] no Kafka broker answered .*tried for 1 s"):
        next(tail_topic(settings, "articles.enriched", idle_timeout=3))

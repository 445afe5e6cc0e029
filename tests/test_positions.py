"""The one topic/partition/offset type of the pure pipeline and the sink."""

from __future__ import annotations

import dataclasses

import pytest

from workers.pipeline.process import InputRecord
from workers.positions import Position, Positioned


def _place(record: Positioned) -> tuple[str, int, int]:
    return (record.topic, record.partition, record.offset)


def test_positions_of_one_place_are_equal_and_hash_alike() -> None:
    assert Position("articles.raw", 1, 7) == Position("articles.raw", 1, 7)
    assert len({Position("articles.raw", 1, 7), Position("articles.raw", 1, 7)}) == 1


def test_a_position_cannot_be_moved_in_place() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        Position("articles.raw", 1, 7).offset = 8  # type: ignore[misc]


def test_an_input_record_and_a_position_name_a_place_the_same_way() -> None:
    record = InputRecord("articles.raw", 1, 7, b"k", b"{}")
    assert _place(record) == _place(Position("articles.raw", 1, 7))

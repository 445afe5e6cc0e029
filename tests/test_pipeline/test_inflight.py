"""The poison-pill guard's record of inputs in flight."""

from __future__ import annotations

from pathlib import Path

import pytest

from workers.exceptions import ConfigError
from workers.pipeline.inflight import InFlightLog
from workers.pipeline.process import InputRecord


def rec(offset: int, partition: int = 0) -> InputRecord:
    return InputRecord("articles.raw", partition, offset, None, b"{}")


def test_an_input_in_flight_when_the_worker_died_counts_one_death(tmp_path: Path) -> None:
    log = InFlightLog(tmp_path / "f.json")
    log.begin([rec(1), rec(2)])
    log.done([rec(1)])
    log.close()  # the process dies here: rec(2) never crossed off
    again = InFlightLog(tmp_path / "f.json")
    assert (again.deaths(rec(1)), again.deaths(rec(2)), again.deaths(rec(3))) == (0, 1, 0)


def deaths_after_restart(path: Path, record: InputRecord) -> int:
    log = InFlightLog(path)
    try:
        return log.deaths(record)
    finally:
        log.close()


def test_deaths_add_up_over_restarts_and_done_clears_them(tmp_path: Path) -> None:
    path = tmp_path / "f.json"
    for expected in (1, 2, 3):
        log = InFlightLog(path)
        log.begin([rec(5)])
        log.close()
        assert deaths_after_restart(path, rec(5)) == expected
    log = InFlightLog(path)
    log.done([rec(5)])
    log.close()
    assert deaths_after_restart(path, rec(5)) == 0


def test_a_batch_starting_past_an_entry_of_its_partition_drops_the_entry(tmp_path: Path) -> None:
    log = InFlightLog(tmp_path / "f.json")
    log.begin([rec(1), rec(5), rec(1, partition=1)])
    log.close()
    log = InFlightLog(tmp_path / "f.json")
    log.forget_before([rec(5), rec(6)])
    log.close()
    again = InFlightLog(tmp_path / "f.json")
    assert (again.deaths(rec(1)), again.deaths(rec(5)), again.deaths(rec(1, partition=1))) == (0, 1, 1)
    again.close()


def test_beginning_later_offsets_keeps_an_earlier_suspect(tmp_path: Path) -> None:
    # A batch after a restart: offset 5 died once; 6 and 7 are new and begin first.
    log = InFlightLog(tmp_path / "f.json")
    log.begin([rec(5)])
    log.close()
    log = InFlightLog(tmp_path / "f.json")
    log.forget_before([rec(5), rec(6), rec(7)])
    log.begin([rec(6), rec(7)])
    log.done([rec(6), rec(7)])
    log.begin([rec(5)])
    log.close()
    assert deaths_after_restart(tmp_path / "f.json", rec(5)) == 2


def test_two_workers_on_one_file_is_a_clear_error(tmp_path: Path) -> None:
    first = InFlightLog(tmp_path / "f.json")
    with pytest.raises(ConfigError, match="E112"):
        InFlightLog(tmp_path / "f.json")
    first.close()

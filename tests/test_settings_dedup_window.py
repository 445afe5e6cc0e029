"""The duplicate index's window is a setting in days: 30 by default, 0 keeps all."""

from __future__ import annotations

import pytest

from workers.exceptions import ConfigError
from workers.settings import Settings


def test_the_window_defaults_to_30_days_and_comes_from_the_environment() -> None:
    assert Settings(data_dir="/x").dedup_window_days == 30
    assert Settings.from_env({"NEWSFLOW_DEDUP_WINDOW_DAYS": "0"}).dedup_window_days == 0


@pytest.mark.parametrize("days", ["-1", "36501"])
def test_a_window_out_of_range_is_e125(days: str) -> None:
    with pytest.raises(ConfigError, match=r"\[E125\] NEWSFLOW_DEDUP_WINDOW_DAYS must be 0 \(keep every article\)"):
        Settings.from_env({"NEWSFLOW_DEDUP_WINDOW_DAYS": days})

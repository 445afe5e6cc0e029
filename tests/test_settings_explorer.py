"""The explorer's bounds on the database are settings, each at least 1."""

from __future__ import annotations

import pytest

from workers.exceptions import ConfigError
from workers.settings import Settings


def test_the_explorer_bounds_have_defaults_and_come_from_the_environment() -> None:
    assert (Settings(data_dir="/x").web_pool_size, Settings(data_dir="/x").web_max_streams) == (4, 20)
    s = Settings.from_env(
        {"NEWSFLOW_WEB_POOL_SIZE": "2", "NEWSFLOW_WEB_STATEMENT_TIMEOUT_MS": "250", "NEWSFLOW_WEB_MAX_STREAMS": "7"}
    )
    assert (s.web_pool_size, s.web_statement_timeout_ms, s.web_max_streams) == (2, 250, 7)


@pytest.mark.parametrize("name", ["WEB_POOL_SIZE", "WEB_STATEMENT_TIMEOUT_MS", "WEB_MAX_STREAMS"])
def test_an_explorer_bound_below_1_names_its_variable(name: str) -> None:
    with pytest.raises(ConfigError, match=rf"\[E101\] NEWSFLOW_{name} must be at least 1"):
        Settings.from_env({f"NEWSFLOW_{name}": "0"})

"""Faust's worker as the worker runs it: the log level given is the level kept."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest

from workers.settings import Settings
from workers.stream.app import create_app
from workers.stream.worker import faust_worker


@pytest.mark.parametrize("level", ["debug", "info", "warning", "error"])
def test_the_root_logger_keeps_the_level_the_worker_was_given(
    level: str, make_settings: Callable[..., Settings]
) -> None:
    worker = faust_worker(create_app(make_settings()), level)
    number = logging.getLevelName(level.upper())
    root = logging.Logger("stand-in for the root logger", number)
    root.addHandler(logging.NullHandler())
    worker.on_setup_root_logger(root, number)  # what Faust calls once it has configured logging
    # Faust's start-up spinner would set DEBUG at WARNING and above, for good, and add
    # its handler: every debug call of aiokafka would then build a record.
    assert root.level == number
    assert len(root.handlers) == 1
    assert not root.isEnabledFor(logging.DEBUG) or level == "debug"

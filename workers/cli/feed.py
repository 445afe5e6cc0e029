"""``newsflow feed``: produce articles from files onto the input topic."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator
from typing import Any

from workers.cli.progress import progress_bar, say
from workers.inputs.exceptions import InputError
from workers.inputs.files import (
    SUFFIXES,
    InputArticle,
    InputTally,
    check_article,
    count_inputs,
    read_inputs,
)
from workers.kafka.client import wait_for_broker
from workers.kafka.feed import feed_articles
from workers.settings import Settings

__all__ = ["add_parser", "run"]


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "feed",
        help="produce articles from files onto a topic",
        description="Produce articles (same input formats as `enrich`) with kafka-python, "
        "acks=all, keyed by article id. Each input is checked first with the worker's own "
        "rules: one that cannot be read or is not a valid article is reported on stderr, one "
        "line naming it, and not sent; the others are. Prints how many the broker acknowledged. "
        "Exit codes: 0 every input sent; 1 some input was not sent, or none was found; 2 usage "
        "or configuration error, or no broker.",
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="input files, directories or -")
    p.add_argument("--topic", help="target topic (default: NEWSFLOW_TOPIC_RAW, articles.raw)")
    p.add_argument("--rate", type=float, metavar="N", help="at most N articles a second (default: no limit)")
    p.add_argument(
        "--send-invalid",
        action="store_true",
        help="send values as read, invalid ones too, for the worker to dead-letter (to try the dead-letter path)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar (none is drawn when stderr is no terminal)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Send every valid input of ``args.paths``; returns the exit code.

    Raises:
        KafkaUnavailable: no broker answered.
        kafka.errors.KafkaError: the broker refused a record.
    """
    if args.rate is not None and args.rate <= 0:
        print("newsflow feed: --rate must be positive", file=sys.stderr)
        return 2
    wait_for_broker(settings)
    tally = InputTally()
    total = None if args.quiet else count_inputs(args.paths)
    with progress_bar("feed", total=total, quiet=args.quiet) as bar:

        def failed(error: InputError) -> None:
            tally.failed += 1
            say(f"newsflow feed: {error} - not sent")
            bar.update(1)

        def sent(count: int) -> None:
            tally.done = count
            bar.update(1)

        result = feed_articles(
            _checked(args, settings, failed), settings, topic=args.topic, rate=args.rate, on_progress=sent
        )
    topic = args.topic or settings.topic_raw
    print(f"sent {result.sent} articles to {topic} in {result.seconds:.1f} s")
    if tally.failed:
        say(f"newsflow feed: {tally.failed} inputs not sent (see above)")
    if tally.nothing_found:
        say(
            f"newsflow feed: warning: [E309] no article found in {' '.join(args.paths)} "
            f"(inputs are {', '.join(SUFFIXES)} files, directories of them, or - for JSON lines on stdin)"
        )
    return tally.exit_code


def _checked(
    args: argparse.Namespace, settings: Settings, failed: Callable[[InputError], None]
) -> Iterator[InputArticle]:
    """The inputs to send: every readable one with ``--send-invalid``, else the valid ones."""
    for item in read_inputs(args.paths, on_error=failed):
        if not args.send_invalid:
            try:
                check_article(item, max_body_bytes=settings.max_body_bytes)
            except InputError as error:
                failed(error)
                continue
        yield item

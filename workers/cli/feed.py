"""``newsflow feed``: produce articles from files onto the input topic."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from workers.cli.progress import Progress
from workers.inputs import count_inputs, read_inputs
from workers.kafka.client import wait_for_broker
from workers.kafka.feed import feed_articles
from workers.settings import Settings


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "feed",
        help="produce articles from files onto a topic",
        description="Produce articles (same input formats as `enrich`) with kafka-python, "
        "acks=all, keyed by article id. Values are sent as read, unvalidated: the worker "
        "routes invalid ones to the dead-letter topic. Prints how many the broker acknowledged.",
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="input files, directories or -")
    p.add_argument("--topic", help="target topic (default: NEWSFLOW_TOPIC_RAW, articles.raw)")
    p.add_argument("--rate", type=float, metavar="N", help="at most N articles a second (default: no limit)")
    p.add_argument("--quiet", action="store_true", help="no progress output")
    p.set_defaults(run=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    if args.rate is not None and args.rate <= 0:
        print("newsflow feed: --rate must be positive", file=sys.stderr)
        return 2
    wait_for_broker(settings, timeout=15)
    total = None if args.quiet else count_inputs(args.paths)
    progress = Progress("feed", total=total, enabled=not args.quiet)
    result = feed_articles(
        read_inputs(args.paths), settings, topic=args.topic, rate=args.rate, on_progress=progress.update
    )
    progress.done()
    topic = args.topic or settings.topic_raw
    print(f"sent {result.sent} articles to {topic} in {result.seconds:.1f} s")
    return 0

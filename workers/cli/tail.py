"""``newsflow tail``: print the records of a topic."""

from __future__ import annotations

import argparse
import sys
from typing import Any

import orjson

from workers.cli.summary import summarize
from workers.kafka.tail import tail_topic
from workers.settings import Settings


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "tail",
        help="print the records of a topic",
        description="Read a topic with kafka-python (no consumer group, nothing committed). "
        "Without --json, enriched articles are printed as a short summary and other values "
        "as they are; with --json, one value a line, so scripts can count and parse them.",
    )
    p.add_argument("topic", metavar="TOPIC", help="topic to read, e.g. articles.enriched")
    p.add_argument("--json", action="store_true", help="print each value as one JSON line")
    p.add_argument("--max", type=int, metavar="N", help="stop after N records")
    p.add_argument("--idle-timeout", type=float, metavar="S", help="stop after S seconds without a record")
    p.add_argument("--from-beginning", action="store_true", help="start at the oldest record (default: new ones only)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    out = sys.stdout
    count = 0
    for record in tail_topic(
        settings,
        args.topic,
        from_beginning=args.from_beginning,
        max_records=args.max,
        idle_timeout=args.idle_timeout,
    ):
        count += 1
        value = record.value or b""
        if args.json:
            out.write(value.decode("utf-8", errors="replace") + "\n")
        else:
            out.write(_human(value) + "\n")
        out.flush()
    if not args.json:
        print(f"{count} records", file=sys.stderr)
    return 0


def _human(value: bytes) -> str:
    try:
        data = orjson.loads(value)
    except orjson.JSONDecodeError:
        return value.decode("utf-8", errors="replace")
    if isinstance(data, dict) and data.get("schema", {}).get("name") == "enriched-article":
        return summarize(data)
    return orjson.dumps(data).decode()
